#include "terminal_ui.h"

#include <algorithm>
#include <cstdarg>
#include <cstring>

#include "display_text.h"

namespace chosa {
namespace tools {

namespace {

struct Phrase {
  Word word;
  const char* ja;
  const char* en;
};

// One row per Word, in enum order (checked at compile time below).
constexpr Phrase kPhrases[] = {
    {Word::kPageOf, "ページ %d / %d", "Page %d of %d"},  // page number, relevant pages
    {Word::kRequiredLegend, "* は必須の項目です。", "* marks a required question."},
    {Word::kNoAnswer, "（未回答）", "(no answer)"},
    {Word::kPrompt, "番号で回答、n 次へ、b 戻る、f 確定、? ヘルプ > ",
     "number to answer, n next, b back, f finalize, ? help > "},
    {Word::kAnswerPrompt, "回答（空行で取り消し）> ", "answer (empty line: cancel) > "},
    {Word::kHelp,
     "コマンド:\n"
     "  K            項目 K に回答する（選択肢を表示し、回答をたずねます。空行で取り消し）\n"
     "  K 回答       項目 K にすぐ回答する（例: 「3 2」「5 1,3」「5 １、３」「7 2024-04-01」）\n"
     "  c K          項目 K の回答を消す\n"
     "  n            次のページへ（先に進めないときは理由を表示）\n"
     "  b            前のページへ\n"
     "  g [K]        ページの一覧 / ページ K へ移動\n"
     "  + [名前]     繰り返しの回答を1件追加する（例: 「+」「+ attendees」）\n"
     "  - [名前] K   繰り返しのK件目を削除する（例: 「- 2」「- attendees 2」）\n"
     "  l [言語]     表示言語を切り替える（例: l en）\n"
     "  e            フォーム全体のエラーを一覧する\n"
     "  r（空行も）  ページをもう一度表示する\n"
     "  j            このページのビューモデル（JSON）を表示する\n"
     "  f            確定する: すべてを検査し、送信データを書き出す\n"
     "  q            確定せずに終了する\n"
     "  # ...        コメント（何もしません。手順をファイルから流すときに）\n"
     "選択肢は番号（「2」、複数なら「1 3」「1,3」「１、３」）か値で選びます。\n"
     "数字に見える値をそのまま選ぶときは「=値」と入力します。",
     "Commands:\n"
     "  K            answer item K (its choices are listed, then the answer is asked; empty line: cancel)\n"
     "  K ANSWER     answer item K at once (e.g. \"3 2\", \"5 1,3\", \"7 2024-04-01\")\n"
     "  c K          clear the answer of item K\n"
     "  n            next page (says what blocks it)\n"
     "  b            previous page\n"
     "  g [K]        list the pages / go to page K\n"
     "  + [REPEAT]   add an instance to a repeat\n"
     "  - [REPEAT] K remove instance K of a repeat\n"
     "  l [LANG]     switch the language (e.g. l ja)\n"
     "  e            list every error of the form\n"
     "  r or Enter   show the page again\n"
     "  j            this page's view model as JSON\n"
     "  f            finalize: check everything and write the submission\n"
     "  q            quit without a submission\n"
     "  # ...        a comment (ignored; for scripts fed through a pipe)\n"
     "Choose choices by number (\"2\"; several: \"1 3\" or \"1,3\") or by value;\n"
     "type =VALUE to choose a value that looks like a number."},
    {Word::kPageBlocked, "このページにはまだ回答が必要な項目があります:", "This page still needs answers:"},
    {Word::kLastPage, "最後のページです。f で確定します。", "This is the last page; f finalizes."},
    {Word::kFirstPage, "最初のページです。", "This is the first page."},
    {Word::kNoSuchItem, "項目 %s はこのページにありません（1〜%d）。",  // typed, count
     "There is no item %s on this page (1-%d)."},
    {Word::kUnknownCommand, "「%s」は分かりません。? でコマンドの一覧を表示します。",
     "Unknown command \"%s\"; ? lists the commands."},
    {Word::kInvalidUtf8, "入力に UTF-8 として正しくない文字か制御文字があります。入力し直してください。",
     "The input is not valid UTF-8 or holds control characters; please type it again."},
    {Word::kLineTooLong, "入力が長すぎます（%dバイトまで）。", "The line is too long (at most %d bytes)."},
    {Word::kFinalizeBlocked, "確定できません。次の項目を確認してください:",
     "Cannot finalize yet; please check these:"},
    {Word::kFinalized, "確定しました。UUID %s", "Finalized. UUID %s"},
    {Word::kWrittenTo, "送信データを %s に書き出しました。", "Submission written to %s."},
    {Word::kQuit, "確定せずに終了します（送信データは作成していません）。",
     "Quitting without finalizing (no submission was made)."},
    {Word::kEndOfInput, "入力が終わりました。確定せずに終了します（送信データは作成していません）。",
     "End of input; quitting without finalizing (no submission was made)."},
    {Word::kReadOnly, "項目 %d は読み取り専用です。", "Item %d is read-only."},
    {Word::kChoicesHidden, "（選択肢%d件: 「%d」と入力すると一覧を表示）",  // choices, item
     "(%d choices: type %d to list them)"},
    {Word::kTypeInteger, "整数", "whole number"},
    {Word::kTypeDecimal, "数値", "number"},
    {Word::kTypeDate, "年月日 YYYY-MM-DD", "date YYYY-MM-DD"},
    {Word::kTypeTime, "時刻 HH:MM", "time HH:MM"},
    {Word::kTypeDateTime, "日時 YYYY-MM-DDTHH:MM", "date and time YYYY-MM-DDTHH:MM"},
    {Word::kTypeMultiple, "複数選択可: 番号をスペースか「,」「、」で区切る",
     "choose any: numbers separated by spaces or commas"},
    {Word::kTypeRank, "順位: すべての番号を順に並べる", "rank: every number, in your order"},
    {Word::kTypeAcknowledge, "確認したら OK と入力", "type OK to acknowledge"},
    {Word::kInstance, "%s（%d件目）", "%s #%d"},  // repeat label, position
    {Word::kRepeatAdd, "+ で追加", "+ adds one"},
    {Word::kRepeatRemove, "- K でK件目を削除", "- K removes #K"},
    {Word::kRepeatEmpty, "（まだありません）", "(none yet)"},
    {Word::kNoSuchChoice, "「%s」という選択肢はありません（番号 1〜%d か値で選んでください）。",
     "There is no choice \"%s\" (choose 1-%d or a value)."},
    {Word::kNeedOneChoice, "選択肢は1つだけ選んでください。", "Choose one choice only."},
    {Word::kCancelled, "変更しませんでした。", "Nothing changed."},
    {Word::kNoRepeat, "このページに繰り返しはありません。", "There is no repeat on this page."},
    {Word::kWhichRepeat, "このページには繰り返しが複数あります。名前を指定してください: %s",
     "This page has several repeats; name one: %s"},
    {Word::kNoSuchInstance, "%sの%s件目はありません。", "%s has no instance %s."},
    {Word::kPages, "ページ:", "Pages:"},
    {Word::kSkipped, "（該当なし）", " (skipped)"},
    {Word::kCurrent, "（現在）", " (current)"},
    {Word::kNoSuchPage, "ページ %s はありません（1〜%d）。", "There is no page %s (1-%d)."},
    {Word::kNoErrors, "エラーはありません。f で確定できます。", "No errors: f finalizes."},
    {Word::kAllErrors, "フォーム全体のエラー:", "Errors in the whole form:"},
    {Word::kLanguages, "言語: %s（l 言語 で切り替え）", "Languages: %s (l LANG switches)"},
    {Word::kMatrixWalk, "行ごとに順に回答します。空行で終了します。",
     "Answer row by row; an empty line stops."},
    {Word::kCleared, "%d. %s の回答を消しました。", "Cleared the answer of %d. %s."},
    {Word::kWriteFailed, "%s に書き出せませんでした（%s）。送信データを標準出力に出します。",
     "Could not write %s (%s); the submission follows on standard output."},
    {Word::kSeparator, "、", ", "},
    {Word::kMatrixChoices, "選択肢:", "Choices:"},
    {Word::kAdded, "%s（%d件目）を追加しました。", "Added %s #%d."},
    {Word::kRemoved, "%sの%d件目を削除しました。", "Removed %s #%d."},
    {Word::kNotAnswerable, "項目 %d には回答できません。", "Item %d takes no answer."},
    {Word::kNoChoiceGiven, "選択肢を番号か値で入力してください（空にするには c 番号）。",
     "Type a choice's number or value (c K clears the answer)."},
    {Word::kNeedItemNumber, "項目の番号を付けてください（例: c 3）。", "Give the item's number (e.g. c 3)."},
    {Word::kWalkPrompt, "回答（空行で終了）> ", "answer (empty line: stop) > "},
    {Word::kNoBack, "この調査票では前のページに戻れません。", "This form does not allow going back."},
    {Word::kTypeReadOnly, "読み取り専用", "read-only"},
    {Word::kNoSuchRepeat, "このページに繰り返し「%s」はありません（%s）。", "There is no repeat \"%s\" on this page (%s)."},
    {Word::kNotSaved, "保存できませんでした（%s）。", "Store error: %s."},
    {Word::kFinalizeFailed, "確定できませんでした（%s）。下書きはそのまま残っています。f でもう一度試せます。",
     "Could not finalize (%s); the draft is kept as it was, and f tries again."},
    {Word::kDraftStarted, "下書き %s を作成しました。回答は入力するたびに %s に保存されます。",  // id, store
     "Draft %s started; every answer is saved to %s as it is entered."},
    {Word::kDraftResumed, "下書き %s を再開します（最終更新 %s、回答 %s 件）。",  // id, time, answers
     "Resuming draft %s (last change %s, %s answers)."},
    {Word::kRejectedResumed, "差し戻された送信データ %s を下書き %s に戻して再開します（理由: %s）。",  // uuid, id, reason
     "Resuming rejected submission %s as draft %s (reason: %s)."},
    {Word::kSentEdited, "送信済みの %s は変更できないため、その回答から置き換え用の下書き %s を作成しました。",  // uuid, id
     "Sent submission %s cannot change: draft %s was started with its answers, to replace it."},
    {Word::kDraftKept, "下書き %s は保存されています（回答 %s 件）。続きを入力するには: %s",  // id, answers, command
     "Draft %s is saved (%s answers). To continue it: %s"},
    {Word::kInOutbox, "送信データは %s の送信待ち（outbox）に入りました。", "The submission is in the outbox of %s."},
};

constexpr bool PhrasesInOrder() {
  for (size_t i = 0; i < sizeof kPhrases / sizeof kPhrases[0]; ++i) {
    if (static_cast<size_t>(kPhrases[i].word) != i) return false;
  }
  return static_cast<size_t>(Word::kInOutbox) + 1 == sizeof kPhrases / sizeof kPhrases[0];
}
static_assert(PhrasesInOrder(), "kPhrases must list every Word once, in enum order");

bool IsJapanese(std::string_view language) {
  return language == "ja" || (language.size() > 3 && language.substr(0, 3) == "ja-");
}

// Separators between several typed choices: ASCII and ideographic spaces, `,`, `、`, `，`, `､`.
std::vector<std::string> SplitChoices(std::string_view typed) {
  std::vector<std::string> tokens;
  std::string current;
  for (size_t i = 0; i < typed.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(typed, i, &cp);
    if (len == 0) len = 1, cp = 0xFFFD;  // IsCleanUtf8 ran before; stay safe anyway
    bool separator = cp == ' ' || cp == '\t' || cp == ',' || cp == 0x3000 || cp == 0x3001 || cp == 0xFF0C ||
                     cp == 0xFF64;
    if (separator) {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
    } else {
      current.append(typed.substr(i, len));
    }
    i += len;
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

std::string Indent(int depth) { return std::string(static_cast<size_t>(2 + 2 * depth), ' '); }

bool IsQuestionType(const std::string& type) {
  return type != "group" && type != "repeat" && type != "matrix" && type != "note" && type != "calculate" &&
         type != "page";
}

bool IsChoiceType(const std::string& type) {
  return type == "select_one" || type == "select_multiple" || type == "rank" || type == "matrix_row";
}

void CollectNumbered(const std::vector<ItemView>& items, const std::string& matrix, PageIndex* index) {
  for (const ItemView& item : items) {
    if (item.type == "group") {
      CollectNumbered(item.children, "", index);
    } else if (item.type == "matrix") {
      CollectNumbered(item.children, item.path, index);
    } else if (item.type == "repeat") {
      index->repeats.push_back({item.name, item.label, static_cast<int32_t>(item.instances.size()), item.can_add,
                                item.can_remove});
      for (const RepeatInstanceView& instance : item.instances) CollectNumbered(instance.items, "", index);
    } else if (IsQuestionType(item.type)) {
      NumberedItem numbered;
      numbered.number = static_cast<int>(index->items.size()) + 1;
      numbered.path = item.path;
      numbered.type = item.type;
      numbered.label = item.label;
      numbered.read_only = item.read_only;
      numbered.required = item.required;
      numbered.choices = item.choices;
      numbered.value = item.value;
      numbered.errors = item.errors;
      numbered.matrix = matrix;
      index->items.push_back(std::move(numbered));
    }
  }
}

}  // namespace

std::string Format(const char* format, ...) {
  // Sized to fit: a message may carry a long label, and a cut could split a UTF-8 character.
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  int size = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string out(size > 0 ? static_cast<size_t>(size) : 0, '\0');
  if (size > 0) std::vsnprintf(out.data(), out.size() + 1, format, again);
  va_end(again);
  return out;
}

const char* Say(std::string_view language, Word word) {
  const Phrase& phrase = kPhrases[static_cast<size_t>(word)];
  return IsJapanese(language) ? phrase.ja : phrase.en;
}

const NumberedItem* PageIndex::Find(int64_t number) const {
  if (number < 1 || number > static_cast<int64_t>(items.size())) return nullptr;
  return &items[static_cast<size_t>(number - 1)];
}

bool PageIndex::SameShape(const PageIndex& other) const {
  if (items.size() != other.items.size() || repeats.size() != other.repeats.size()) return false;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].path != other.items[i].path) return false;
  }
  for (size_t i = 0; i < repeats.size(); ++i) {
    if (repeats[i].name != other.repeats[i].name || repeats[i].count != other.repeats[i].count) return false;
  }
  return true;
}

PageIndex IndexPage(const ViewModel& view) {
  PageIndex index;
  CollectNumbered(view.items, "", &index);
  return index;
}

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

// --- input ------------------------------------------------------------------------------------

bool IsCleanUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(text, i, &cp);
    if (len == 0) return false;
    if ((cp < 0x20 && cp != '\t') || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return false;
    i += len;
  }
  return true;
}

std::string FoldWidth(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(text, i, &cp);
    if (len == 0) {
      out.push_back(text[i]);
      ++i;
      continue;
    }
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
      out.push_back(static_cast<char>(cp - 0xFF01 + 0x21));
    } else if (cp == 0x3000) {
      out.push_back(' ');
    } else {
      AppendUtf8(cp, &out);
    }
    i += len;
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  static constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  for (;;) {
    if (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r' || text.front() == '\n')) {
      text.remove_prefix(1);
    } else if (text.substr(0, 3) == kIdeographicSpace) {
      text.remove_prefix(3);
    } else {
      break;
    }
  }
  for (;;) {
    if (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
      text.remove_suffix(1);
    } else if (text.size() >= 3 && text.substr(text.size() - 3) == kIdeographicSpace) {
      text.remove_suffix(3);
    } else {
      break;
    }
  }
  return text;
}

int64_t ParseSmallNumber(std::string_view text) {
  if (text.empty() || text.size() > 9) return -1;  // 9 digits cannot overflow, and no page is that long
  int64_t number = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    number = number * 10 + (c - '0');
  }
  return number;
}

bool ChoiceAnswer(const std::string& language, const NumberedItem& item, std::string_view typed, std::string* answer,
                  std::string* error) {
  std::vector<std::string> tokens = SplitChoices(typed);
  if (tokens.empty()) {  // ",,," must not clear the answer by accident
    *error = Say(language, Word::kNoChoiceGiven);
    return false;
  }
  bool several = item.type == "select_multiple" || item.type == "rank";
  if (!several && tokens.size() > 1) {
    *error = Say(language, Word::kNeedOneChoice);
    return false;
  }
  const int count = static_cast<int>(item.choices.size());
  std::string joined;
  for (const std::string& token : tokens) {
    std::string value;
    std::string folded = FoldWidth(token);
    if (folded.size() > 1 && folded[0] == '=') {
      value = folded.substr(1);
      // An exact value as typed wins over its folded twin (values are usually ASCII codes).
      if (token.size() > 1 && token[0] == '=') value = token.substr(1);
    } else {
      int64_t number = ParseSmallNumber(folded);
      bool all_digits = !folded.empty() && std::all_of(folded.begin(), folded.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (number >= 1 && number <= count) {
        value = item.choices[static_cast<size_t>(number - 1)].value;
      } else {
        // Not a position: a value as typed (a ward code "271276"), else as folded.
        value = token;
        bool known = std::any_of(item.choices.begin(), item.choices.end(),
                                 [&](const ChoiceView& c) { return c.value == token; });
        if (!known && std::any_of(item.choices.begin(), item.choices.end(),
                                  [&](const ChoiceView& c) { return c.value == folded; })) {
          value = folded;
          known = true;
        }
        if (!known && all_digits) {
          *error = Format(Say(language, Word::kNoSuchChoice), token.c_str(), count);
          return false;
        }
      }
    }
    // Unknown non-numeric values go to the session, which refuses them in its own words.
    if (!joined.empty()) joined += ' ';
    joined += value;
  }
  *answer = joined;
  return true;
}

std::string DisplayValue(const std::string& language, const std::string& type, const std::string& value,
                         const std::vector<ChoiceView>& choices,
                         const std::function<std::string(const std::string& value)>& hidden) {
  if (!IsChoiceType(type)) return value;
  auto label_of = [&](const std::string& v) {
    for (const ChoiceView& c : choices) {
      if (c.value == v) return c.label;
    }
    std::string label = hidden ? hidden(v) : "";
    return label.empty() ? v : label;
  };
  if (type == "select_one" || type == "matrix_row") return label_of(value);
  std::string shown;
  const char* separator = type == "rank" ? " > " : Say(language, Word::kSeparator);
  for (const std::string& v : SplitChoices(value)) {
    if (!shown.empty()) shown += separator;
    shown += label_of(v);
  }
  return shown;
}

}  // namespace tools
}  // namespace chosa
