#include "terminal_ui.h"

#include <string>

#include "display_text.h"

namespace chosa {
namespace tools {

namespace {

std::string Indent(int depth) { return std::string(static_cast<size_t>(2 + 2 * depth), ' '); }

}  // namespace

// --- drawing ----------------------------------------------------------------------------------

std::string TerminalUi::Styled(const char* code, const std::string& text) const {
  if (!color_) return text;
  return std::string("\x1b[") + code + "m" + text + "\x1b[0m";
}

std::string TerminalUi::Shown(const std::string& language, const std::string& type, const std::string& path,
                              const std::string& value, const std::vector<ChoiceView>& choices) const {
  std::function<std::string(const std::string&)> hidden;
  if (hidden_label_) hidden = [&](const std::string& v) { return hidden_label_(path, v); };
  return DisplayValue(language, type, value, choices, hidden);
}

void TerminalUi::Line(const std::string& text) {
  std::fputs(text.c_str(), out_);
  std::fputc('\n', out_);
}

void TerminalUi::DrawError(const std::string& message) { Line(Styled("31", "! " + message)); }

void TerminalUi::DrawErrors(const std::vector<ErrorView>& errors, const std::string& indent) {
  for (const ErrorView& error : errors) Line(indent + Styled("31", "! " + error.message));
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
      std::any_of(index.items.begin(), index.items.end(), [](const NumberedItem& item) { return item.required; });
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
      if (!item.label.empty()) Line(Indent(depth) + Styled("1", "[" + item.label + "]"));
      if (!item.hint.empty()) Line(Indent(depth) + Styled("2", item.hint));
      DrawErrors(item.errors, Indent(depth));
      DrawItems(language, item.children, index, depth + 1);
      continue;
    }
    if (item.type == "matrix") {
      Line("");
      Line(Indent(depth) + Styled("1", item.label) + (item.required ? " *" : "") +
           (item.read_only ? Styled("2", std::string("  (") + Say(language, Word::kTypeReadOnly) + ")") : ""));
      if (!item.hint.empty()) Line(Indent(depth) + Styled("2", item.hint));
      DrawErrors(item.errors, Indent(depth));
      const std::vector<ChoiceView>& choices =
          !item.choices.empty() ? item.choices
                                : (item.children.empty() ? item.choices : item.children.front().choices);
      if (!choices.empty()) {
        std::string legend = Indent(depth + 1) + Say(language, Word::kMatrixChoices);
        for (size_t i = 0; i < choices.size(); ++i) legend += "  " + std::to_string(i + 1) + ") " + choices[i].label;
        Line(Styled("2", legend));
      }
      for (const ItemView& row : item.children) {
        const NumberedItem* numbered = nullptr;
        for (const NumberedItem& candidate : index.items) {
          if (candidate.path == row.path) numbered = &candidate;
        }
        std::string number = numbered ? std::to_string(numbered->number) + ". " : "";
        std::string shown = row.value.empty() ? Styled("2", Say(language, Word::kNoAnswer))
                                              : Shown(language, row.type, row.path, row.value, row.choices);
        Line(Indent(depth + 1) + number + row.label + (row.required && !item.required ? " *" : "") + ": " + shown);
        DrawErrors(row.errors, Indent(depth + 1) + std::string(number.size(), ' '));
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
      Line(Indent(depth) + Styled("1", "[" + item.label + "]") + (actions.empty() ? "" : "  (" + actions + ")"));
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
    const NumberedItem* numbered = nullptr;
    for (const NumberedItem& candidate : index.items) {
      if (candidate.path == item.path) numbered = &candidate;
    }
    DrawQuestion(language, item, numbered, depth);
  }
}

namespace {

const char* TypeHint(const std::string& language, const ItemView& item) {
  if (item.read_only) return Say(language, Word::kTypeReadOnly);
  if (item.type == "integer") return Say(language, Word::kTypeInteger);
  if (item.type == "decimal") return Say(language, Word::kTypeDecimal);
  if (item.type == "date") return Say(language, Word::kTypeDate);
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
  Line(head);
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
                                         : "= " + Shown(language, item.type, item.path, item.value, item.choices);
  Line(body + shown);
  DrawErrors(item.errors, body);
}

void TerminalUi::DrawChoicesInline(const std::vector<ChoiceView>& choices, const std::string& indent) {
  // One line when it fits in about 76 columns, else one choice a line.
  std::string joined;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (i) joined += "  ";
    joined += std::to_string(i + 1) + ") " + choices[i].label;
  }
  if (DisplayWidth(indent + joined) <= 76) {
    Line(indent + joined);
    return;
  }
  for (size_t i = 0; i < choices.size(); ++i) {
    Line(indent + std::to_string(i + 1) + ") " + choices[i].label);
  }
}

void TerminalUi::DrawItemDetail(const std::string& language, const NumberedItem& item) {
  Line(std::to_string(item.number) + ". " + Styled("1", item.label));
  for (size_t i = 0; i < item.choices.size(); ++i) {
    // [x] marks what is chosen now; "*" already means "required".
    Line(std::string(item.choices[i].selected ? "  [x] " : "  [ ] ") + std::to_string(i + 1) + ") " +
         item.choices[i].label + Styled("2", "  (" + item.choices[i].value + ")"));
  }
  if (!item.value.empty()) Line("   = " + Shown(language, item.type, item.path, item.value, item.choices));
  DrawErrors(item.errors, "   ");
}

void TerminalUi::DrawAnswered(const std::string& language, const NumberedItem& item, bool with_label) {
  std::string shown =
      item.value.empty() ? Say(language, Word::kNoAnswer) : Shown(language, item.type, item.path, item.value, item.choices);
  std::string number = std::to_string(item.number) + ". ";
  Line(with_label ? number + item.label + " = " + shown : std::string(number.size(), ' ') + "= " + shown);
  DrawErrors(item.errors, std::string(std::to_string(item.number).size() + 2, ' '));
}

}  // namespace tools
}  // namespace chosa
