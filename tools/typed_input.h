// What a person types at the terminal filler's prompt, read: clean UTF-8, full-width digits
// and IME spaces folded, typed choices (numbers, values, several at once) turned into the text
// Session::SetAnswer takes, and an answer shown back as the filler reads it.
#ifndef CHOSA_TOOLS_TYPED_INPUT_H_
#define CHOSA_TOOLS_TYPED_INPUT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/view_model.h"
#include "page_index.h"

namespace chosa {
namespace tools {

// Whether `text` is well-formed UTF-8 without control characters other than tab (a terminal's
// stray escape sequence or a NUL must not reach an answer).
bool IsCleanUtf8(std::string_view text);
// Full-width ASCII (！..～) to ASCII and the ideographic space to a space, for commands and
// numbers typed with a Japanese IME left on.
std::string FoldWidth(std::string_view text);
// Trims ASCII whitespace and U+3000 at both ends.
std::string_view Trim(std::string_view text);
// Parses a whole decimal number of at most 9 digits (after FoldWidth); -1 when it is not one.
int64_t ParseSmallNumber(std::string_view text);

// The letter a choice is listed by: "a".."z" for the first 26, then "aa", "ab", .. "az", "ba", ..
// (0-based `index`). Letters, never numbers: a number typed for a choice is its value ("4" on a
// scale whose values are 4/3/2/1), so a position can never be mistaken for one.
std::string ChoiceLetter(size_t index);
// The 0-based index of the choice that `typed` (letters, any case or width) names among `count`,
// or -1.
int64_t ParseChoiceLetter(std::string_view typed, size_t count);

// Turns typed choices into Session::SetAnswer text. A choice is typed by its letter (`b`), by its
// label as shown in the session's language (`あり`, `Can do`: compared after FoldForMatch), or by
// its value (`271276`, `4`); `=VALUE` is always a value. A select_multiple or a rank takes several,
// separated by `,`, `、`, `，` or spaces (a label with spaces in it is still one choice). A word
// that names two different choices (a letter that is another choice's value) is refused as
// ambiguous. On a fault returns false with `*error` set in `language`, naming what can be typed.
bool ChoiceAnswer(const std::string& language, const NumberedItem& item, std::string_view typed,
                  std::string* answer, std::string* error);

// Whether a date question asks for a month only (appearance `month-year`, as in ODK).
bool IsMonthYear(std::string_view appearance);
// A month-year answer as a person reads it: "2024-04-01" is "2024-04"; other text as it is.
std::string MonthOf(const std::string& value);

// The answer as the filler reads it: choice labels for selects, the text otherwise.
// `hidden` names values that are not among `choices` (may be empty: the value is shown as is).
std::string DisplayValue(const std::string& language, const std::string& type, const std::string& value,
                         const std::vector<ChoiceView>& choices,
                         const std::function<std::string(const std::string& value)>& hidden = {});

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_TYPED_INPUT_H_
