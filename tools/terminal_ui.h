// The line-mode terminal renderer of `chosa fill`: draws a ViewModel page as plain UTF-8 text,
// its answerable items numbered (page_index.h) and their choices lettered (a, b, c...), in the
// UI's words (ui_words.h), and the review before finalize. What a person types is read by
// typed_input.h. No curses: it works the same on a terminal, in tmux and through a pipe.
//
// It shows what the person filling reads: labels, hints, answers as labels, errors. The form's
// internal names and the choices' values (codes such as 271276) are shown only to a designer
// (`--designer`).
#ifndef CHOSA_TOOLS_TERMINAL_UI_H_
#define CHOSA_TOOLS_TERMINAL_UI_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/view_model.h"
#include "page_index.h"
#include "typed_input.h"
#include "ui_words.h"

namespace chosa {
namespace tools {

// The label of a choice the view no longer offers (filtered out by a choice_filter after it was
// chosen), from the item's whole list: (path, value) -> label, or "" when unknown.
using HiddenChoiceLabel = std::function<std::string(const std::string& path, const std::string& value)>;

class TerminalUi {
 public:
  // `color`: ANSI bold/red/dim, for a terminal; off for pipes. `designer`: also the items' names
  // and the choices' values.
  TerminalUi(std::FILE* out, bool color, HiddenChoiceLabel hidden_label = {}, bool designer = false)
      : out_(out), color_(color), designer_(designer), hidden_label_(std::move(hidden_label)) {}

  // The whole page: title, "page k of n" with a progress bar, then every visible item.
  void DrawPage(const ViewModel& view, const PageIndex& index);
  // One item in full, all its choices listed one a line: shown before asking for its answer.
  void DrawItemDetail(const std::string& language, const NumberedItem& item);
  // Every relevant page's answers as a person reads them, with what is missing, before finalize.
  // `form` gives each question's appearance (a month is shown as YYYY-MM).
  void DrawReview(const Review& review, const Form& form);
  // "3. label = answer" (or "   = answer" right under the label), and the item's errors, after
  // an answer was taken.
  void DrawAnswered(const std::string& language, const NumberedItem& item, bool with_label = true);
  void DrawError(const std::string& message);  // "! message", in red on a terminal
  void Line(const std::string& text);
  // The engine's message about the answer at `path` with each choice value it quotes (「271276」,
  // "271276") replaced by that choice's label (「北区」): what a person reads, not a code.
  std::string Readable(const std::string& path, const std::string& message) const;

 private:
  void DrawItems(const std::string& language, const std::vector<ItemView>& items, const PageIndex& index,
                 int depth);
  void DrawQuestion(const std::string& language, const ItemView& item, const NumberedItem* numbered,
                    int depth);
  // `path`: the item the errors are about, for Readable().
  void DrawErrors(const std::vector<ErrorView>& errors, const std::string& indent, const std::string& path = "");
  void DrawChoicesInline(const std::vector<ChoiceView>& choices, const std::string& indent);
  void DrawReviewItems(const std::string& language, const std::vector<ReviewItem>& items, const Form& form,
                       int depth);
  std::string Styled(const char* code, const std::string& text) const;
  std::string Shown(const std::string& language, const std::string& type, const std::string& appearance,
                    const std::string& path, const std::string& value, const std::vector<ChoiceView>& choices) const;
  // " [name]" for a designer, dimmed; "" otherwise.
  std::string NameTag(const std::string& name) const;

  std::FILE* out_;
  bool color_;
  bool designer_;
  HiddenChoiceLabel hidden_label_;
};

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_TERMINAL_UI_H_
