// Turns text as typed on a tablet into a typed answer. Japanese input methods often produce
// full-width digits and signs (１２３, －, ．, ／, ：); they are read as their ASCII twins.
#ifndef CHOSA_ENGINE_SESSION_ANSWER_TEXT_H_
#define CHOSA_ENGINE_SESSION_ANSWER_TEXT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/form.h"
#include "chosa/value.h"
#include "session/messages.h"
#include "utf8.h"

namespace chosa {

class Env;

// Full-width ASCII forms (U+FF01..U+FF5E) to ASCII, the ideographic space and U+2212 MINUS SIGN
// to their ASCII twins; surrounding spaces trimmed.
std::string NormalizeTyped(std::string_view text);

// Splits a select_multiple / rank answer on spaces (after NormalizeTyped).
std::vector<std::string> SplitValues(std::string_view text);

struct ParsedAnswer {
  Value value;                            // valid when `error` is empty
  std::optional<MessageId> error;
};

// Parses `text` for a question of `type` (not selects: the session checks those against their
// list). "" gives the empty value.
ParsedAnswer ParseTypedAnswer(ItemType type, std::string_view text, Env* env);

// The answer as a person reads it: dates 2024-04-01, times 09:30, date-times 2024-04-01 09:30,
// numbers without a trailing .0.
std::string DisplayText(const Value& value);

}  // namespace chosa

#endif  // CHOSA_ENGINE_SESSION_ANSWER_TEXT_H_
