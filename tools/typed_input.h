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

// Turns typed choices into Session::SetAnswer text: numbers pick a choice by its displayed
// position, anything else is a value, `=VALUE` is always a value; several separated by spaces,
// `,`, `、` or `，` for select_multiple and rank. On a fault returns false with `*error` set in
// `language`.
bool ChoiceAnswer(const std::string& language, const NumberedItem& item, std::string_view typed,
                  std::string* answer, std::string* error);

// The answer as the filler reads it: choice labels for selects, the text otherwise.
// `hidden` names values that are not among `choices` (may be empty: the value is shown as is).
std::string DisplayValue(const std::string& language, const std::string& type, const std::string& value,
                         const std::vector<ChoiceView>& choices,
                         const std::function<std::string(const std::string& value)>& hidden = {});

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_TYPED_INPUT_H_
