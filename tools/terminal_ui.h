// The line-mode terminal renderer of `chosa fill`: draws a ViewModel page as plain UTF-8 text,
// numbers its answerable items, and turns what a person types (item numbers, choice numbers,
// full-width digits, 、) into the text Session::SetAnswer takes. No curses: it works the same on
// a terminal, in tmux and through a pipe.
#ifndef CHOSA_TOOLS_TERMINAL_UI_H_
#define CHOSA_TOOLS_TERMINAL_UI_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/view_model.h"

namespace chosa {
namespace tools {

// The UI's own words (the form's texts come from the session in its language).
enum class Word {
  kPageOf, kRequiredLegend, kNoAnswer, kPrompt, kAnswerPrompt, kHelp, kPageBlocked,
  kLastPage, kFirstPage, kNoSuchItem, kUnknownCommand, kInvalidUtf8, kLineTooLong,
  kFinalizeBlocked, kFinalized, kWrittenTo, kQuit, kEndOfInput, kReadOnly, kChoicesHidden,
  kTypeInteger, kTypeDecimal, kTypeDate, kTypeTime, kTypeDateTime, kTypeMultiple, kTypeRank,
  kTypeAcknowledge, kInstance, kRepeatAdd, kRepeatRemove, kRepeatEmpty, kNoSuchChoice,
  kNeedOneChoice, kCancelled, kNoRepeat, kWhichRepeat, kNoSuchInstance, kPages, kSkipped,
  kCurrent, kNoSuchPage, kNoErrors, kAllErrors, kLanguages, kMatrixWalk, kCleared,
  kWriteFailed, kSeparator, kMatrixChoices, kAdded, kRemoved, kNotAnswerable, kNoChoiceGiven,
  kNeedItemNumber, kWalkPrompt, kNoBack, kTypeReadOnly, kNoSuchRepeat,
  // With the device store (chosa fill, chosa resume): every %s is a string.
  kNotSaved, kFinalizeFailed, kDraftStarted, kDraftResumed, kRejectedResumed, kSentEdited, kDraftKept,
  kInOutbox,
};

// The text of `word` in `language` ("ja…" is Japanese; every other language gets English).
// Words with a %-conversion are printf formats for Format(); their arguments are noted in the table.
const char* Say(std::string_view language, Word word);
// printf into a std::string of the needed size.
std::string Format(const char* format, ...);

// What the filler can answer on the current page, in display order and numbered from 1:
// questions, matrix rows, and the questions inside each repeat instance.
struct NumberedItem {
  int number = 0;
  std::string path;              // for Session::SetAnswer
  std::string type;              // ItemTypeName(): "select_one", "matrix_row", ...
  std::string label;
  bool read_only = false;
  bool required = false;
  std::vector<ChoiceView> choices;
  std::string value;
  std::vector<ErrorView> errors;
  std::string matrix;            // rows: the matrix's path, so a walk can go row by row
};

struct RepeatOnPage {
  std::string name;
  std::string label;
  int32_t count = 0;
  bool can_add = false;
  bool can_remove = false;
};

struct PageIndex {
  std::vector<NumberedItem> items;
  std::vector<RepeatOnPage> repeats;
  // The item numbered `number`, or null.
  const NumberedItem* Find(int64_t number) const;
  // Same numbered paths and repeat sizes: the page need not be drawn again after an answer.
  bool SameShape(const PageIndex& other) const;
};

PageIndex IndexPage(const ViewModel& view);

// The label of a choice the view no longer offers (filtered out by a choice_filter after it was
// chosen), from the item's whole list: (path, value) -> label, or "" when unknown.
using HiddenChoiceLabel = std::function<std::string(const std::string& path, const std::string& value)>;

class TerminalUi {
 public:
  // `color`: ANSI bold/red/dim, for a terminal; off for pipes.
  TerminalUi(std::FILE* out, bool color, HiddenChoiceLabel hidden_label = {})
      : out_(out), color_(color), hidden_label_(std::move(hidden_label)) {}

  // The whole page: title, "page k of n" with a progress bar, then every visible item.
  void DrawPage(const ViewModel& view, const PageIndex& index);
  // One item in full, all its choices listed one a line: shown before asking for its answer.
  void DrawItemDetail(const std::string& language, const NumberedItem& item);
  // "3. label = answer" (or "   = answer" right under the label), and the item's errors, after
  // an answer was taken.
  void DrawAnswered(const std::string& language, const NumberedItem& item, bool with_label = true);
  void DrawError(const std::string& message);  // "! message", in red on a terminal
  void Line(const std::string& text);

 private:
  void DrawItems(const std::string& language, const std::vector<ItemView>& items, const PageIndex& index,
                 int depth);
  void DrawQuestion(const std::string& language, const ItemView& item, const NumberedItem* numbered,
                    int depth);
  void DrawErrors(const std::vector<ErrorView>& errors, const std::string& indent);
  void DrawChoicesInline(const std::vector<ChoiceView>& choices, const std::string& indent);
  std::string Styled(const char* code, const std::string& text) const;
  std::string Shown(const std::string& language, const std::string& type, const std::string& path,
                    const std::string& value, const std::vector<ChoiceView>& choices) const;

  std::FILE* out_;
  bool color_;
  HiddenChoiceLabel hidden_label_;
};

// --- input -------------------------------------------------------------------------------------

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

#endif  // CHOSA_TOOLS_TERMINAL_UI_H_
