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
#include "chosa/base/utf8.h"

namespace chosa {

class Env;

// Full-width ASCII forms (U+FF01..U+FF5E) to ASCII, the ideographic space and U+2212 MINUS SIGN
// to their ASCII twins; surrounding spaces trimmed.
std::string NormalizeTyped(std::string_view text);

// Splits a select_multiple / rank answer on spaces (after NormalizeTyped).
std::vector<std::string> SplitValues(std::string_view text);

// Calls fn(std::string_view value) for each value SplitValues(text) gives, in order, without a
// copy when `text` is ASCII (nothing to normalize then): the checks run this on every select
// answer.
template <typename Fn>
void ForEachValue(std::string_view text, Fn&& fn) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      for (const std::string& value : SplitValues(text)) fn(std::string_view(value));
      return;
    }
  }
  // SplitValues' separators: ASCII spaces and commas.
  auto separator = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ','; };
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && separator(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !separator(text[i])) ++i;
    if (i > start) fn(text.substr(start, i - start));
  }
}

struct ParsedAnswer {
  Value value;                            // valid when `error` is empty
  std::optional<MessageId> error;
};

// How a `date` question takes its answer: a day (YYYY-MM-DD), or a month (appearance
// `month-year`: YYYY-MM, stored as the first day of that month, as ODK stores it).
enum class DateInput : uint8_t { kDay, kMonth };
// kMonth for a date question whose appearance has the word `month-year`; else kDay.
DateInput DateInputOf(const Item& item);

// Parses `text` for a question of `type` (not selects: the session checks those against their
// list). "" gives the empty value. With DateInput::kMonth a date takes YYYY-MM or YYYY/MM (or a
// whole date) and is stored as the first day of its month.
ParsedAnswer ParseTypedAnswer(ItemType type, std::string_view text, Env* env, DateInput date_input = DateInput::kDay);

// The first day of the month of a date value (other values as they are).
Value FirstOfMonth(const Value& date);

// The answer as a person reads it: dates 2024-04-01, times 09:30, date-times 2024-04-01 09:30,
// numbers without a trailing .0.
std::string DisplayText(const Value& value);

}  // namespace chosa

#endif  // CHOSA_ENGINE_SESSION_ANSWER_TEXT_H_
