// The words of the terminal filler (`chosa fill`, `chosa resume`) in Japanese and English.
#ifndef CHOSA_TOOLS_UI_WORDS_H_
#define CHOSA_TOOLS_UI_WORDS_H_

#include <string>
#include <string_view>

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
  // Choices by letter and label, the review before finalize, the designer's view.
  kTypeMonth, kNoChoicesOffered, kAmbiguousChoice, kHiddenItem, kReviewTitle, kReviewCount, kReviewBack,
  kConfirmFinalize, kNotFinalized, kPageNumber, kElsewhere, kRows, kDesignerOnly, kHelpDesigner,
};

// The text of `word` in `language` ("ja…" is Japanese; every other language gets English).
// Words with a %-conversion are printf formats for Format(); their arguments are noted in the table.
const char* Say(std::string_view language, Word word);
// printf into a std::string of the needed size.
std::string Format(const char* format, ...);

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_UI_WORDS_H_
