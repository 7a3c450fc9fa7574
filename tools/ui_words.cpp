#include "ui_words.h"

#include <cstdarg>
#include <cstddef>
#include <cstdio>

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
     "  K 回答       項目 K にすぐ回答する（例: 「3 b」「3 あり」「5 a,c」「5 ａ、ｃ」「7 2024-04-01」）\n"
     "  c K          項目 K の回答を消す\n"
     "  n            次のページへ（先に進めないときは理由を表示）\n"
     "  b            前のページへ\n"
     "  g [K]        ページの一覧 / ページ K へ移動\n"
     "  + [名前]     繰り返しの回答を1件追加する（例: 「+」「+ 参加者」）\n"
     "  - [名前] K   繰り返しのK件目を削除する（例: 「- 2」「- 参加者 2」）\n"
     "  l [言語]     表示言語を切り替える（例: l en）\n"
     "  e            フォーム全体のエラーを一覧する\n"
     "  v            すべてのページの回答を一覧する\n"
     "  r（空行も）  ページをもう一度表示する\n"
     "  f            確定する: すべてを検査し、回答の一覧を見て y で確定する\n"
     "  q            確定せずに終了する\n"
     "  # ...        コメント（何もしません。手順をファイルから流すときに）\n"
     "選択肢は記号（「b」、複数なら「a c」「a,c」「ａ、ｃ」）か、表示されている言葉（「あり」）で選びます。\n"
     "数字は選択肢の値です（「4」は値が 4 の選択肢）。「=値」は値だけで選びます（「=b」は記号 b ではなく値が b の選択肢）。\n"
     "項目の番号は、今は表示されていない項目（前の回答で対象外）にも付いているため、飛ぶことがあります。",
     "Commands:\n"
     "  K            answer item K (its choices are listed, then the answer is asked; empty line: cancel)\n"
     "  K ANSWER     answer item K at once (e.g. \"3 b\", \"3 Yes\", \"5 a,c\", \"7 2024-04-01\")\n"
     "  c K          clear the answer of item K\n"
     "  n            next page (says what blocks it)\n"
     "  b            previous page\n"
     "  g [K]        list the pages / go to page K\n"
     "  + [REPEAT]   add an instance to a repeat\n"
     "  - [REPEAT] K remove instance K of a repeat\n"
     "  l [LANG]     switch the language (e.g. l ja)\n"
     "  e            list every error of the form\n"
     "  v            list the answers of every page\n"
     "  r or Enter   show the page again\n"
     "  f            finalize: check everything, list the answers, then y finalizes\n"
     "  q            quit without a submission\n"
     "  # ...        a comment (ignored; for scripts fed through a pipe)\n"
     "Choose a choice by its letter (\"b\"; several: \"a c\" or \"a,c\") or by its words as shown (\"Yes\").\n"
     "A number is a choice's value (\"4\" is the choice whose value is 4); \"=VALUE\" chooses by value alone\n"
     "(\"=b\" is the choice whose value is b, not letter b).\n"
     "Items not shown now (left out by earlier answers) keep their numbers too, so numbers may skip."},
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
    {Word::kTypeMultiple, "複数選択可: 記号をスペースか「,」「、」で区切る",
     "choose any: letters separated by spaces or commas"},
    {Word::kTypeRank, "順位: すべての記号を順に並べる", "rank: every letter, in your order"},
    {Word::kTypeAcknowledge, "確認したら OK と入力", "type OK to acknowledge"},
    {Word::kInstance, "%s（%d件目）", "%s #%d"},  // repeat label, position
    {Word::kRepeatAdd, "+ で追加", "+ adds one"},
    {Word::kRepeatRemove, "- K でK件目を削除", "- K removes #K"},
    {Word::kRepeatEmpty, "（まだありません）", "(none yet)"},
    {Word::kNoSuchChoice,  // typed, letters, labels
     "「%s」は選択肢にありません。記号（%s）か、表示されている言葉（%s）で選んでください。",
     "There is no choice \"%s\"; type its letter (%s) or its words as shown (%s)."},
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
    {Word::kNoChoiceGiven, "選択肢を記号か言葉で入力してください（空にするには c 番号）。",
     "Type a choice's letter or words (c K clears the answer)."},
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
    {Word::kTypeMonth, "年月 YYYY-MM", "month YYYY-MM"},
    {Word::kNoChoicesOffered, "「%s」: この質問には今選べる選択肢がありません。",  // typed
     "\"%s\": this question offers no choice now."},
    {Word::kAmbiguousChoice,  // typed, letter, label, letter, label, typed
     "「%s」は %s) %s と %s) %s のどちらにも当たります。選択肢の言葉で入力してください（値で選ぶなら「=%s」）。",
     "\"%s\" could be %s) %s or %s) %s; type the choice's words (or =%s for its value)."},
    {Word::kHiddenItem, "項目 %d は今は表示されていません（これまでの回答により対象外です）。",
     "Item %d is not shown now (the answers so far leave it out)."},
    {Word::kReviewTitle, "確定前の確認: %s", "Review before finalizing: %s"},
    {Word::kReviewCount, "回答済み %d / %d 項目", "%d of %d questions answered"},  // answered, questions
    {Word::kReviewBack, "回答を直すには g K でページ K へ戻ります。", "To change an answer, g K goes back to page K."},
    {Word::kConfirmFinalize, "この内容で確定しますか？ y: 確定する、n（空行も）: まだ確定しない > ",
     "Finalize with these answers? y: finalize, n or an empty line: not yet > "},
    {Word::kNotFinalized, "確定していません。回答はそのままです。", "Not finalized; the answers are as they were."},
    {Word::kPageNumber, "ページ %d", "Page %d"},
    {Word::kElsewhere, "ページ %d「%s」› %s", "Page %d \"%s\" › %s"},  // page number, page label, item
    {Word::kRows, "%s（%d行）", "%s (%d rows)"},  // matrix label, rows
    {Word::kDesignerOnly, "「j」（このページのビューモデル JSON）は --designer を付けて起動したときに使えます。",
     "\"j\" (the page's view model as JSON) needs --designer."},
    {Word::kHelpDesigner,
     "設計者向け（--designer）:\n"
     "  j            このページのビューモデル（JSON）を表示する\n"
     "項目の名前 [name] と選択肢の値 (value) も表示しています。",
     "For designers (--designer):\n"
     "  j            this page's view model as JSON\n"
     "Items' names [name] and choices' values (value) are shown too."},
};

constexpr bool PhrasesInOrder() {
  for (size_t i = 0; i < sizeof kPhrases / sizeof kPhrases[0]; ++i) {
    if (static_cast<size_t>(kPhrases[i].word) != i) return false;
  }
  return static_cast<size_t>(Word::kHelpDesigner) + 1 == sizeof kPhrases / sizeof kPhrases[0];
}
static_assert(PhrasesInOrder(), "kPhrases must list every Word once, in enum order");

bool IsJapanese(std::string_view language) {
  return language == "ja" || (language.size() > 3 && language.substr(0, 3) == "ja-");
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

}  // namespace tools
}  // namespace chosa
