#include "terminal_ui.h"

#include <string>

#include "display_text.h"

namespace chosa {
namespace tools {

namespace {

std::string Indent(int depth) { return std::string(static_cast<size_t>(2 + 2 * depth), ' '); }

const NumberedItem* Numbered(const PageIndex& index, const std::string& path) { return index.FindPath(path); }

}  // namespace

// --- drawing ----------------------------------------------------------------------------------

std::string TerminalUi::Styled(const char* code, const std::string& text) const {
  if (!color_) return text;
  return std::string("\x1b[") + code + "m" + text + "\x1b[0m";
}

std::string TerminalUi::Shown(const std::string& language, const std::string& type, const std::string& appearance,
                              const std::string& path, const std::string& value,
                              const std::vector<ChoiceView>& choices) const {
  if (type == "date" && IsMonthYear(appearance)) return MonthOf(value);
  std::function<std::string(const std::string&)> hidden;
  if (hidden_label_) hidden = [&](const std::string& v) { return hidden_label_(path, v); };
  return DisplayValue(language, type, value, choices, hidden);
}

std::string TerminalUi::NameTag(const std::string& name) const {
  return designer_ && !name.empty() ? Styled("2", "  [" + name + "]") : "";
}

void TerminalUi::Line(const std::string& text) {
  std::fputs(text.c_str(), out_);
  std::fputc('\n', out_);
}

void TerminalUi::DrawError(const std::string& message) { Line(Styled("31", "! " + message)); }

void TerminalUi::DrawErrors(const std::vector<ErrorView>& errors, const std::string& indent, const std::string& path) {
  for (const ErrorView& error : errors) Line(indent + Styled("31", "! " + Readable(path, error.message)));
}

std::string TerminalUi::Readable(const std::string& path, const std::string& message) const {
  if (path.empty() || !hidden_label_ || designer_) return message;
  std::string out;
  size_t i = 0;
  while (i < message.size()) {
    // 「VALUE」 in Japanese, "VALUE" in English.
    bool kagi = message.compare(i, 3, "「") == 0;
    if (!kagi && message[i] != '"') {
      out.push_back(message[i++]);
      continue;
    }
    size_t open = kagi ? 3 : 1;
    size_t close = message.find(kagi ? "」" : "\"", i + open);
    if (close == std::string::npos) {
      out.append(message, i, std::string::npos);
      break;
    }
    std::string quoted = message.substr(i + open, close - i - open);
    std::string label = quoted.empty() ? "" : hidden_label_(path, quoted);
    out.append(message, i, open);
    out += label.empty() ? quoted : label;
    out.append(message, close, kagi ? 3 : 1);
    i = close + (kagi ? 3 : 1);
  }
  return out;
}

void TerminalUi::DrawPage(const ViewModel& view, const PageIndex& index) {
  const std::string& language = view.language;
  const NavigationView& nav = view.navigation;
  Line("");
  Line(std::string(60, '-'));
  Line(Styled("1", view.title));
  constexpr int kBarWidth = 20;
  int percent = std::clamp(nav.progress_percent, 0, 100);
  int filled = percent * kBarWidth / 100;
  Line(Format(Say(language, Word::kPageOf), nav.page_number, nav.relevant_pages) + "  [" +
       std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(kBarWidth - filled), '-') +
       "] " + std::to_string(percent) + "%");
  if (!view.page_label.empty()) Line(Styled("1", "== " + view.page_label + " =="));
  DrawItems(language, view.items, index, 0);
  Line("");
  bool any_required =
      std::any_of(index.items.begin(), index.items.end(), [](const NumberedItem& item) { return item.shown && item.required; });
  if (any_required) Line(Styled("2", Say(language, Word::kRequiredLegend)));
}

void TerminalUi::DrawItems(const std::string& language, const std::vector<ItemView>& items, const PageIndex& index,
                           int depth) {
  for (const ItemView& item : items) {
    if (item.type == "calculate") continue;  // computed and hidden, as in ODK; notes show totals
    if (item.type == "note") {
      Line("");
      Line(Indent(depth) + item.label);
      if (!item.hint.empty()) Line(Indent(depth) + Styled("2", item.hint));
      continue;
    }
    if (item.type == "group") {
      Line("");
      if (!item.label.empty()) Line(Indent(depth) + Styled("1", "[" + item.label + "]") + NameTag(item.name));
      if (!item.hint.empty()) Line(Indent(depth) + Styled("2", item.hint));
      DrawErrors(item.errors, Indent(depth));
      DrawItems(language, item.children, index, depth + 1);
      continue;
    }
    if (item.type == "matrix") {
      Line("");
      Line(Indent(depth) + Styled("1", item.label) + (item.required ? " *" : "") +
           (item.read_only ? Styled("2", std::string("  (") + Say(language, Word::kTypeReadOnly) + ")") : "") +
           NameTag(item.name));
      if (!item.hint.empty()) Line(Indent(depth) + Styled("2", item.hint));
      DrawErrors(item.errors, Indent(depth));
      const std::vector<ChoiceView>& choices =
          !item.choices.empty() ? item.choices
                                : (item.children.empty() ? item.choices : item.children.front().choices);
      if (!choices.empty()) {
        std::string legend = Indent(depth + 1) + Say(language, Word::kMatrixChoices);
        for (size_t i = 0; i < choices.size(); ++i) {
          legend += "  " + ChoiceLetter(i) + ") " + choices[i].label + (designer_ ? " (" + choices[i].value + ")" : "");
        }
        Line(Styled("2", legend));
      }
      for (const ItemView& row : item.children) {
        const NumberedItem* numbered = Numbered(index, row.path);
        std::string number = numbered ? std::to_string(numbered->number) + ". " : "";
        std::string shown = row.value.empty() ? Styled("2", Say(language, Word::kNoAnswer))
                                              : Shown(language, row.type, row.appearance, row.path, row.value, row.choices);
        Line(Indent(depth + 1) + number + row.label + (row.required && !item.required ? " *" : "") + NameTag(row.name) +
             ": " + shown);
        DrawErrors(row.errors, Indent(depth + 1) + std::string(number.size(), ' '), row.path);
      }
      continue;
    }
    if (item.type == "repeat") {
      Line("");
      std::string actions;
      if (item.can_add) actions += Say(language, Word::kRepeatAdd);
      if (item.can_remove) {
        if (!actions.empty()) actions += Say(language, Word::kSeparator);
        actions += Say(language, Word::kRepeatRemove);
      }
      Line(Indent(depth) + Styled("1", "[" + item.label + "]") + (actions.empty() ? "" : "  (" + actions + ")") +
           NameTag(item.name));
      if (!item.hint.empty()) Line(Indent(depth) + Styled("2", item.hint));
      DrawErrors(item.errors, Indent(depth));
      if (item.instances.empty()) Line(Indent(depth + 1) + Styled("2", Say(language, Word::kRepeatEmpty)));
      for (const RepeatInstanceView& instance : item.instances) {
        Line(Indent(depth + 1) + Styled("1", Format(Say(language, Word::kInstance), item.label.c_str(),
                                                    static_cast<int>(instance.position))));
        DrawItems(language, instance.items, index, depth + 2);
      }
      continue;
    }
    DrawQuestion(language, item, Numbered(index, item.path), depth);
  }
}

namespace {

const char* TypeHint(const std::string& language, const ItemView& item) {
  if (item.read_only) return Say(language, Word::kTypeReadOnly);
  if (item.type == "integer") return Say(language, Word::kTypeInteger);
  if (item.type == "decimal") return Say(language, Word::kTypeDecimal);
  if (item.type == "date") return Say(language, IsMonthYear(item.appearance) ? Word::kTypeMonth : Word::kTypeDate);
  if (item.type == "time") return Say(language, Word::kTypeTime);
  if (item.type == "datetime") return Say(language, Word::kTypeDateTime);
  if (item.type == "select_multiple") return Say(language, Word::kTypeMultiple);
  if (item.type == "rank") return Say(language, Word::kTypeRank);
  if (item.type == "acknowledge") return Say(language, Word::kTypeAcknowledge);
  return nullptr;
}

}  // namespace

void TerminalUi::DrawQuestion(const std::string& language, const ItemView& item, const NumberedItem* numbered,
                              int depth) {
  Line("");
  std::string head = Indent(depth) + (numbered ? std::to_string(numbered->number) + ". " : "") +
                     Styled("1", item.label) + (item.required ? " *" : "");
  if (const char* hint = TypeHint(language, item)) head += Styled("2", std::string("  (") + hint + ")");
  Line(head + NameTag(item.name));
  // The lines below the label start where the label does.
  std::string body = Indent(depth) + std::string(numbered ? std::to_string(numbered->number).size() + 2 : 0, ' ');
  if (!item.hint.empty()) Line(body + Styled("2", item.hint));
  // Long lists (the 24 wards) are listed when the item is chosen, so pages stay readable.
  constexpr size_t kInlineChoices = 12;
  if (!item.choices.empty() && !item.read_only) {
    if (item.choices.size() <= kInlineChoices) {
      DrawChoicesInline(item.choices, body);
    } else if (numbered) {
      Line(body + Styled("2", Format(Say(language, Word::kChoicesHidden),
                                                  static_cast<int>(item.choices.size()), numbered->number)));
    }
  }
  std::string shown = item.value.empty() ? Styled("2", Say(language, Word::kNoAnswer))
                                         : "= " + Shown(language, item.type, item.appearance, item.path, item.value,
                                                        item.choices);
  Line(body + shown);
  DrawErrors(item.errors, body, item.path);
}

void TerminalUi::DrawChoicesInline(const std::vector<ChoiceView>& choices, const std::string& indent) {
  // One line when it fits in about 76 columns, else one choice a line.
  std::string joined;
  auto choice = [&](size_t i) {
    return ChoiceLetter(i) + ") " + choices[i].label + (designer_ ? Styled("2", " (" + choices[i].value + ")") : "");
  };
  for (size_t i = 0; i < choices.size(); ++i) {
    if (i) joined += "  ";
    joined += choice(i);
  }
  if (DisplayWidth(indent + joined) <= 76) {
    Line(indent + joined);
    return;
  }
  for (size_t i = 0; i < choices.size(); ++i) Line(indent + choice(i));
}

void TerminalUi::DrawItemDetail(const std::string& language, const NumberedItem& item) {
  std::string head = std::to_string(item.number) + ". " + Styled("1", item.label);
  ItemView shape;
  shape.type = item.type;
  shape.appearance = item.appearance;
  shape.read_only = item.read_only;
  if (const char* hint = TypeHint(language, shape)) head += Styled("2", std::string("  (") + hint + ")");
  Line(head + NameTag(item.name));
  // (x) marks the one choice of a single choice, [x] each of several, as radio buttons and
  // check boxes do; "*" already means "required".
  const bool several = item.type == "select_multiple" || item.type == "rank";
  for (size_t i = 0; i < item.choices.size(); ++i) {
    const char* mark = several ? (item.choices[i].selected ? "  [x] " : "  [ ] ")
                               : (item.choices[i].selected ? "  (x) " : "  ( ) ");
    Line(std::string(mark) + ChoiceLetter(i) + ") " + item.choices[i].label +
         (designer_ ? Styled("2", "  (" + item.choices[i].value + ")") : ""));
  }
  if (!item.value.empty()) {
    Line("   = " + Shown(language, item.type, item.appearance, item.path, item.value, item.choices));
  }
  DrawErrors(item.errors, "   ", item.path);
}

void TerminalUi::DrawAnswered(const std::string& language, const NumberedItem& item, bool with_label) {
  std::string shown = item.value.empty()
                          ? Say(language, Word::kNoAnswer)
                          : Shown(language, item.type, item.appearance, item.path, item.value, item.choices);
  std::string number = std::to_string(item.number) + ". ";
  Line(with_label ? number + item.label + " = " + shown : std::string(number.size(), ' ') + "= " + shown);
  DrawErrors(item.errors, std::string(std::to_string(item.number).size() + 2, ' '), item.path);
}

// --- the review -------------------------------------------------------------------------------

void TerminalUi::DrawReview(const Review& review, const Form& form) {
  const std::string& language = review.language;
  Line("");
  Line(std::string(60, '-'));
  Line(Styled("1", Format(Say(language, Word::kReviewTitle), review.title.c_str())));
  Line(Format(Say(language, Word::kReviewCount), static_cast<int>(review.answered), static_cast<int>(review.questions)));
  for (size_t k = 0; k < review.pages.size(); ++k) {
    const PageReview& page = review.pages[k];
    Line("");
    std::string label = page.label.empty() ? Format(Say(language, Word::kPageNumber), static_cast<int>(k + 1))
                                           : std::to_string(k + 1) + ". " + page.label;
    Line(Styled("1", "== " + label + " ==") + NameTag(page.name));
    DrawReviewItems(language, page.items, form, 0);
  }
  Line("");
  if (review.pages.size() > 1) Line(Styled("2", Say(language, Word::kReviewBack)));
}

void TerminalUi::DrawReviewItems(const std::string& language, const std::vector<ReviewItem>& items, const Form& form,
                                 int depth) {
  for (const ReviewItem& item : items) {
    if (item.type == "group" || item.type == "repeat" || item.type == "repeat_instance" || item.type == "matrix") {
      if (!item.label.empty()) {
        bool bracket = item.type == "group" || item.type == "repeat";
        Line(Indent(depth) + Styled("1", bracket ? "[" + item.label + "]" : item.label) +
             (item.type == "repeat_instance" ? "" : NameTag(item.name)));
      }
      DrawErrors(item.errors, Indent(depth));
      if (item.type == "repeat" && item.children.empty()) {
        Line(Indent(depth + 1) + Styled("2", Say(language, Word::kRepeatEmpty)));
      }
      // A matrix whose unanswered rows all say the same ("answer every row") says it once.
      std::vector<ErrorView> row_errors;
      bool one_message = item.type == "matrix";
      for (const ReviewItem& row : item.children) {
        for (const ErrorView& error : row.errors) {
          if (!row_errors.empty() && error.message != row_errors.front().message) one_message = false;
          if (row_errors.empty()) row_errors.push_back(error);
        }
      }
      if (one_message && !row_errors.empty()) {
        DrawErrors(row_errors, Indent(depth));
        std::vector<ReviewItem> rows = item.children;
        for (ReviewItem& row : rows) row.errors.clear();
        DrawReviewItems(language, rows, form, depth + 1);
        continue;
      }
      DrawReviewItems(language, item.children, form, depth + 1);
      continue;
    }
    std::string shown = item.display;
    int32_t at = form.Find(item.name);
    if (at != kNone && item.type == "date" && IsMonthYear(form.item(at).appearance)) shown = MonthOf(item.value);
    if (item.value.empty()) shown = Styled("2", Say(language, Word::kNoAnswer));
    Line(Indent(depth) + item.label + NameTag(item.name) + ": " + shown);
    DrawErrors(item.errors, Indent(depth + 1), item.path);
  }
}

}  // namespace tools
}  // namespace chosa
