#include "session/messages.h"

namespace chosa {
namespace {

struct Text {
  MessageId id;
  const char* ja;
  const char* en;
};

// Plain, polite wording for older respondents and the staff interviewing them.
constexpr Text kTexts[] = {
    {MessageId::kRequired, "この質問は回答が必要です。", "This question requires an answer."},
    {MessageId::kConstraint, "回答が条件に合っていません。", "The answer is not within the allowed values."},
    {MessageId::kInteger, "整数で入力してください（例: 12）。", "Enter a whole number (for example 12)."},
    {MessageId::kDecimal, "数値で入力してください（例: 3.5）。", "Enter a number (for example 3.5)."},
    {MessageId::kNumberTooLarge, "数値が大きすぎます。", "The number is too large."},
    {MessageId::kThousandsSeparator, "桁区切りのカンマを付けずに入力してください（例: 1000）。",
     "Enter the number without thousands separators (for example 1000)."},
    {MessageId::kDate, "日付を 2024-04-01 の形で入力してください。", "Enter a date as 2024-04-01."},
    {MessageId::kMonth, "年月を 2024-04 の形で入力してください。", "Enter a month as 2024-04."},
    {MessageId::kTime, "時刻を 09:30 の形で入力してください。", "Enter a time as 09:30."},
    {MessageId::kDateTime, "日時を 2024-04-01 09:30 の形で入力してください。", "Enter a date and time as 2024-04-01 09:30."},
    {MessageId::kText, "文字が正しく読み取れません（UTF-8 ではありません）。", "The text cannot be read (it is not UTF-8)."},
    {MessageId::kAcknowledge, "確認した場合は OK と入力してください。", "Enter OK to acknowledge."},
    {MessageId::kNotAChoice, "「{0}」は選択肢にありません。", "\"{0}\" is not one of the choices."},
    {MessageId::kChoiceFiltered, "「{0}」はこの回答では選べません。", "\"{0}\" cannot be chosen with the answers given."},
    {MessageId::kChoiceTwice, "「{0}」が2回選ばれています。", "\"{0}\" is chosen twice."},
    {MessageId::kOneChoiceOnly, "選択肢を1つだけ選んでください。", "Choose one option only."},
    {MessageId::kMinChoices, "{0}つ以上選んでください。", "Choose at least {0}."},
    // An error only when more are chosen: it says what to do, not only the rule.
    {MessageId::kMaxChoices, "選べるのは{0}つまでです。選択を減らしてください。", "Choose at most {0}: please untick some."},
    {MessageId::kRankIncomplete, "すべての選択肢に順位を付けてください。", "Rank every option."},
    {MessageId::kReadOnly, "この項目は変更できません。", "This item cannot be changed."},
    {MessageId::kNoAnswer, "この項目には回答を入力できません。", "This item takes no answer."},
    {MessageId::kRepeatMin, "{0}件以上入力してください。", "Enter at least {0} entries."},
    {MessageId::kRepeatMax, "{0}件まで入力できます。", "At most {0} entries can be entered."},
    {MessageId::kRepeatFixed, "件数はほかの回答から決まります。", "The number of entries follows another answer."},
    {MessageId::kEvaluation, "計算できませんでした（{0}）。", "This could not be computed ({0})."},
    {MessageId::kPageHasErrors, "このページに確認が必要な回答が{0}件あります。", "{0} answers on this page need attention."},
    {MessageId::kLastPage, "最後のページです。", "This is the last page."},
    {MessageId::kFirstPage, "最初のページです。", "This is the first page."},
    {MessageId::kPageNotRelevant, "このページは表示されません。", "This page is not shown."},
    {MessageId::kFormHasErrors, "確認が必要な回答が{0}件あります。", "{0} answers need attention."},
    {MessageId::kUnknownLanguage, "言語「{0}」はこの調査票にありません。", "The form has no language \"{0}\"."},
    {MessageId::kUnknownPath, "「{0}」という項目はありません。", "There is no item \"{0}\"."},
    {MessageId::kControlCharacter, "使えない制御文字が含まれています。", "The text contains a control character that cannot be used."},
    {MessageId::kNeedsPosition, "「{0}」は繰り返しの中の項目です。{1} のように番号を付けてください。",
     "\"{0}\" is inside a repeat: give its entry, as in {1}."},
    {MessageId::kNoSuchEntry, "「{0}」は{1}件しかありません。", "\"{0}\" has only {1} entries."},
    {MessageId::kNoSuchPage, "ページ {0} はありません（{1} ページまで）。", "There is no page {0} (there are {1} pages)."},
    {MessageId::kNoBack, "この調査票では前のページに戻れません。", "This form does not allow going back."},
    {MessageId::kNotAUuid, "「{0}」は UUID ではありません。", "\"{0}\" is not a UUID."},
    {MessageId::kNoDeviceId, "端末IDが設定されていないため確定できません。", "The submission cannot be finalized without a device id."},
    {MessageId::kEncryptedForm,
     "暗号化された調査票はまだ使えません（回答が暗号化されずに送られるため）。確定できません。",
     "Encrypted forms are not available yet: chosa does not encrypt submissions, so this form's answers would be "
     "sent and stored in clear. The submission cannot be finalized."},
    // The review's words: a repeat instance (the repeat's label, the 1-based position), an
    // acknowledged acknowledge, and what joins the labels of several choices.
    {MessageId::kRepeatInstance, "{0}（{1}件目）", "{0} #{1}"},
    {MessageId::kAcknowledged, "はい", "Yes"},
    {MessageId::kListSeparator, "、", ", "},
};

}  // namespace

std::string Message(MessageId id, std::string_view language, std::string_view argument, std::string_view second) {
  for (const Text& t : kTexts) {
    if (t.id != id) continue;
    std::string text = language == "ja" ? t.ja : t.en;
    size_t at = text.find("{0}");
    if (at != std::string::npos) text.replace(at, 3, std::string(argument));
    at = text.find("{1}");
    if (at != std::string::npos) text.replace(at, 3, std::string(second));
    return text;
  }
  return "?";
}

}  // namespace chosa
