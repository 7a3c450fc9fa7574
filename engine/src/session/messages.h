// Every message the engine itself shows to the person filling a form, in Japanese and English.
// A form's own messages (constraint_message, required_message) take precedence where given.
#ifndef CHOSA_ENGINE_SESSION_MESSAGES_H_
#define CHOSA_ENGINE_SESSION_MESSAGES_H_

#include <string>
#include <string_view>

namespace chosa {

enum class MessageId {
  kRequired, kConstraint, kInteger, kDecimal, kNumberTooLarge, kThousandsSeparator, kDate, kMonth, kTime, kDateTime,
  kText, kAcknowledge, kNotAChoice, kChoiceFiltered, kChoiceTwice, kOneChoiceOnly, kMinChoices, kMaxChoices,
  kRankIncomplete, kReadOnly, kNoAnswer, kRepeatMin, kRepeatMax, kRepeatFixed, kEvaluation, kPageHasErrors,
  kLastPage, kFirstPage, kPageNotRelevant, kFormHasErrors, kUnknownLanguage, kUnknownPath,
  kControlCharacter, kNeedsPosition, kNoSuchEntry, kNoSuchPage, kNoBack, kNotAUuid, kNoDeviceId,
  kEncryptedForm, kRepeatInstance, kAcknowledged, kListSeparator,
};

// The message in `language` ("ja" or "en"; any other falls back to English), with {0} and {1}
// replaced by the arguments.
std::string Message(MessageId id, std::string_view language, std::string_view argument = {},
                    std::string_view second = {});

}  // namespace chosa

#endif  // CHOSA_ENGINE_SESSION_MESSAGES_H_
