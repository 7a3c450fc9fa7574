#include "session/answer_text.h"

#include <cmath>

#include "chosa/env.h"
#include "chosa/engine/datetime.h"
#include "chosa/base/utf8.h"

namespace chosa {
namespace {

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Largest integer a double holds exactly: beyond it an integer answer would silently change.
constexpr double kMaxExactInteger = 9007199254740992.0;

std::optional<Value> ParseDateText(std::string_view s, DateInput input) {
  // YYYY-MM-DD or YYYY/MM/DD, month and day with one or two digits; for a month, also YYYY-MM
  // and YYYY/MM, and the day of a whole date becomes the 1st.
  size_t i = 0;
  auto digits = [&](int min, int max, int64_t* out) {
    size_t start = i;
    int64_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && static_cast<int>(i - start) < max) n = n * 10 + (s[i++] - '0');
    *out = n;
    return static_cast<int>(i - start) >= min;
  };
  int64_t year, month, day;
  if (!digits(4, 4, &year) || i >= s.size() || (s[i] != '-' && s[i] != '/')) return std::nullopt;
  char separator = s[i++];
  if (!digits(1, 2, &month)) return std::nullopt;
  if (input == DateInput::kMonth && i == s.size()) {
    day = 1;
  } else {
    if (i >= s.size() || s[i] != separator) return std::nullopt;
    ++i;
    if (!digits(1, 2, &day) || i != s.size()) return std::nullopt;
  }
  if (year < 1 || !IsValidCivil(year, static_cast<int>(month), static_cast<int>(day))) return std::nullopt;
  if (input == DateInput::kMonth) day = 1;
  return Value::Date(DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day)));
}

}  // namespace

DateInput DateInputOf(const Item& item) {
  if (item.type != ItemType::kDate) return DateInput::kDay;
  // The appearance is one word or several separated by spaces, as in XLSForm.
  std::string_view words = item.appearance;
  while (!words.empty()) {
    size_t end = words.find(' ');
    std::string_view word = words.substr(0, end);
    if (word == "month-year") return DateInput::kMonth;
    if (end == std::string_view::npos) break;
    words.remove_prefix(end + 1);
  }
  return DateInput::kDay;
}

Value FirstOfMonth(const Value& date) {
  if (date.type() != Value::Type::kDate) return date;
  CivilDate civil = CivilFromDays(static_cast<int64_t>(date.number()));
  return Value::Date(DaysFromCivil(civil.year, civil.month, 1));
}

std::string NormalizeTyped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0xEF && i + 2 < text.size()) {
      unsigned char c1 = static_cast<unsigned char>(text[i + 1]), c2 = static_cast<unsigned char>(text[i + 2]);
      // U+FF01..U+FF5E are EF BC 81..EF BD 9E: ASCII 0x21..0x7E.
      unsigned code = ((c1 & 0x3Fu) << 6) | (c2 & 0x3Fu);  // low 12 bits of U+Fxxx
      if ((c1 == 0xBC || c1 == 0xBD) && code >= 0xF01 && code <= 0xF5E) {
        out.push_back(static_cast<char>(code - 0xF01 + 0x21));
        i += 3;
        continue;
      }
    }
    if (c == 0xE3 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        static_cast<unsigned char>(text[i + 2]) == 0x80) {  // U+3000 ideographic space
      out.push_back(' ');
      i += 3;
      continue;
    }
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x88 &&
        static_cast<unsigned char>(text[i + 2]) == 0x92) {  // U+2212 minus sign
      out.push_back('-');
      i += 3;
      continue;
    }
    out.push_back(static_cast<char>(c));
    ++i;
  }
  size_t begin = 0, end = out.size();
  while (begin < end && IsAsciiSpace(out[begin])) ++begin;
  while (end > begin && IsAsciiSpace(out[end - 1])) --end;
  return out.substr(begin, end - begin);
}

std::vector<std::string> SplitValues(std::string_view text) {
  std::string normalized = NormalizeTyped(text);
  std::vector<std::string> out;
  size_t i = 0;
  while (i < normalized.size()) {
    while (i < normalized.size() && (IsAsciiSpace(normalized[i]) || normalized[i] == ',')) ++i;
    size_t start = i;
    while (i < normalized.size() && !IsAsciiSpace(normalized[i]) && normalized[i] != ',') ++i;
    if (i > start) out.push_back(normalized.substr(start, i - start));
  }
  return out;
}


ParsedAnswer ParseTypedAnswer(ItemType type, std::string_view text, Env* env, DateInput date_input) {
  ParsedAnswer out;
  if (!IsValidUtf8(text)) {
    out.error = MessageId::kText;
    return out;
  }
  for (char c : text) {
    // Newlines and tabs belong to multi-line text; other control characters are never typed.
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7F) {
      out.error = MessageId::kControlCharacter;
      return out;
    }
  }
  if (type == ItemType::kText) {
    out.value = Value::String(std::string(text));
    return out;
  }
  std::string s = NormalizeTyped(text);
  if (s.empty()) return out;  // the empty answer
  switch (type) {
    case ItemType::kInteger:
    case ItemType::kDecimal: {
      if (s.find(',') != std::string::npos) {
        out.error = MessageId::kThousandsSeparator;
        return out;
      }
      if (s[0] == '+') s.erase(0, 1);  // XPath numbers have no '+'; people type one
      double number = ParseNumber(s);
      bool is_integer_text = s.find('.') == std::string::npos;
      if (std::isnan(number) || (type == ItemType::kInteger && !is_integer_text)) {
        out.error = type == ItemType::kInteger ? MessageId::kInteger : MessageId::kDecimal;
        return out;
      }
      if (std::fabs(number) > kMaxExactInteger) {
        out.error = MessageId::kNumberTooLarge;
        return out;
      }
      out.value = Value::Number(number == 0 ? 0.0 : number);  // no -0 in answers
      return out;
    }
    case ItemType::kDate: {
      auto date = ParseDateText(s, date_input);
      if (!date) {
        out.error = date_input == DateInput::kMonth ? MessageId::kMonth : MessageId::kDate;
        return out;
      }
      out.value = *date;
      return out;
    }
    case ItemType::kTime: {
      if (s.size() >= 4 && s[1] == ':') s.insert(0, "0");  // 9:05 as people write it
      auto time = ParseTemporal(s, Value::Type::kTime, env);
      if (!time) {
        out.error = MessageId::kTime;
        return out;
      }
      out.value = *time;
      return out;
    }
    case ItemType::kDateTime: {
      // A space between date and time is what people type; ISO wants a 'T'.
      std::string iso = s;
      size_t space = iso.find(' ');
      if (space == 10) iso[space] = 'T';
      if (iso.size() >= 10 && iso[4] == '/' && iso[7] == '/') {
        iso[4] = '-';
        iso[7] = '-';
      }
      auto datetime = iso.size() > 10 ? ParseTemporal(iso, Value::Type::kDateTime, env) : std::nullopt;
      if (!datetime) {
        out.error = MessageId::kDateTime;
        return out;
      }
      out.value = *datetime;
      return out;
    }
    case ItemType::kAcknowledge: {
      if (s == "OK" || s == "ok" || s == "Ok" || s == "1" || s == "true" || s == "yes") {
        out.value = Value::String("OK");
      } else {
        out.error = MessageId::kAcknowledge;
      }
      return out;
    }
    default:
      out.value = Value::String(s);
      return out;
  }
}

std::string DisplayText(const Value& value) {
  std::string text = value.ToString();
  switch (value.type()) {
    case Value::Type::kTime:
      return text.substr(0, 5);  // HH:MM
    case Value::Type::kDateTime:
      return text.size() >= 16 ? text.substr(0, 10) + " " + text.substr(11, 5) : text;
    default:
      return text;
  }
}

}  // namespace chosa
