#include "chosa/engine/datetime.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "chosa/env.h"

namespace chosa {
namespace {

constexpr const char* kShortMonths[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* kShortWeekdays[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `pos`, advancing it.
bool ReadDigits(std::string_view s, size_t& pos, int n, int& out) {
  if (pos + static_cast<size_t>(n) > s.size()) return false;
  int value = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[pos + static_cast<size_t>(i)];
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  pos += static_cast<size_t>(n);
  out = value;
  return true;
}

bool Consume(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

// 'YYYY-MM-DD' at the start of `s`; leaves `pos` after it.
std::optional<int64_t> ParseDatePart(std::string_view s, size_t& pos) {
  int year = 0, month = 0, day = 0;
  if (!ReadDigits(s, pos, 4, year) || !Consume(s, pos, '-') || !ReadDigits(s, pos, 2, month) ||
      !Consume(s, pos, '-') || !ReadDigits(s, pos, 2, day)) {
    return std::nullopt;
  }
  if (!IsValidCivil(year, month, day)) return std::nullopt;
  return DaysFromCivil(year, month, day);
}

// 'Z', '+hh:mm', '+hhmm' or '+hh' (and '-') up to the end of `s`.
std::optional<int> ParseOffsetPart(std::string_view s, size_t& pos) {
  if (Consume(s, pos, 'Z')) return 0;
  int sign = 0;
  if (Consume(s, pos, '+')) {
    sign = 1;
  } else if (Consume(s, pos, '-')) {
    sign = -1;
  } else {
    return std::nullopt;
  }
  int hours = 0, minutes = 0;
  if (!ReadDigits(s, pos, 2, hours)) return std::nullopt;
  if (pos < s.size()) {
    Consume(s, pos, ':');
    if (!ReadDigits(s, pos, 2, minutes)) return std::nullopt;
  }
  if (minutes > 59) return std::nullopt;
  const int total = hours * 60 + minutes;
  if (total > kMaxOffsetMinutes) return std::nullopt;
  return sign * total;
}

// The time grammar of ParseIsoTime, on untrimmed text that must be consumed entirely.
std::optional<ParsedTime> ParseTimePart(std::string_view s) {
  size_t pos = 0;
  int hour = 0, minute = 0, second = 0, millis = 0;
  if (!ReadDigits(s, pos, 2, hour) || !Consume(s, pos, ':') || !ReadDigits(s, pos, 2, minute)) {
    return std::nullopt;
  }
  if (Consume(s, pos, ':')) {
    if (!ReadDigits(s, pos, 2, second)) return std::nullopt;
    if (Consume(s, pos, '.')) {
      int digits = 0;
      while (pos < s.size() && IsDigit(s[pos])) {
        if (digits < 3) millis = millis * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return std::nullopt;
      for (int i = digits; i < 3; ++i) millis *= 10;  // '.5' is 500 ms
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  ParsedTime parsed;
  parsed.millis_of_day = ((hour * 60 + minute) * 60 + second) * 1000LL + millis;
  if (pos < s.size()) {
    parsed.offset_minutes = ParseOffsetPart(s, pos);
    if (!parsed.offset_minutes || pos != s.size()) return std::nullopt;
  }
  return parsed;
}

int ClampOffset(int offset) { return std::clamp(offset, -24 * 60, 24 * 60); }

// `value` in decimal, zero-padded to `width` digits ("%0*lld"). Written by hand: snprintf cost
// more than the rest of formatting a date, which the collector does for every answer it checks.
std::string Pad(int64_t value, int width) {
  if (value < 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(value));
    return buf;
  }
  char digits[20];
  int count = 0;
  uint64_t rest = static_cast<uint64_t>(value);
  do {
    digits[count++] = static_cast<char>('0' + rest % 10);
    rest /= 10;
  } while (rest != 0);
  std::string out(count < width ? static_cast<size_t>(width - count) : 0, '0');
  while (count > 0) out.push_back(digits[--count]);
  return out;
}

void AppendYear(std::string& out, int64_t year) {
  if (year < 0) {
    out += '-';
    out += Pad(-year, 4);
  } else {
    out += Pad(year, 4);
  }
}

void AppendTimeOfDay(std::string& out, int64_t millis_of_day) {
  const int64_t ms = millis_of_day % 1000;
  const int64_t total_seconds = millis_of_day / 1000;
  out += Pad(total_seconds / 3600, 2);
  out += ':';
  out += Pad(total_seconds / 60 % 60, 2);
  out += ':';
  out += Pad(total_seconds % 60, 2);
  out += '.';
  out += Pad(ms, 3);
}

std::optional<Value> ParseTemporalImpl(std::string_view text, Value::Type want, Env* env,
                                       bool use_env, int fixed_offset) {
  switch (want) {
    case Value::Type::kDate: {
      auto days = ParseIsoDate(text);
      if (!days) return std::nullopt;
      return Value::Date(*days);
    }
    case Value::Type::kDateTime: {
      auto parsed = ParseIsoDateTime(text);
      if (!parsed) return std::nullopt;
      const int offset = parsed->offset_minutes
                             ? *parsed->offset_minutes
                             : (use_env ? ResolveLocalOffset(parsed->wall_millis, env) : fixed_offset);
      return Value::DateTime(static_cast<double>(parsed->wall_millis - offset * kMillisPerMinute), offset);
    }
    case Value::Type::kTime: {
      std::optional<ParsedTime> parsed = ParseIsoTime(text);
      if (!parsed) {
        // A date-time gives its time of day as written, at its own offset.
        const std::string_view trimmed = TrimAscii(text);
        if (trimmed.find('T') == std::string_view::npos) return std::nullopt;
        auto datetime = ParseIsoDateTime(trimmed);
        if (!datetime) return std::nullopt;
        parsed = ParsedTime{FloorMod(datetime->wall_millis, kMillisPerDay), datetime->offset_minutes};
      }
      const int offset = parsed->offset_minutes ? *parsed->offset_minutes
                                                : (use_env ? CurrentOffset(env) : fixed_offset);
      return Value::Time(static_cast<double>(parsed->millis_of_day), offset);
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t FloorMod(int64_t a, int64_t b) {
  const int64_t r = a % b;
  return r < 0 ? r + b : r;
}

bool IsLeapYear(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

bool IsValidCivil(int64_t year, int month, int day) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  const int limit = (month == 2 && IsLeapYear(year)) ? 29 : kDays[month - 1];
  return day <= limit;
}

// Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms".
int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t yoe = year - era * 400;                                          // [0, 399]
  const int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                     // [0, 146096]
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t days) {
  const int64_t z = std::clamp(days, -kMaxAbsDays, kMaxAbsDays) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                        // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{yoe + era * 400 + (month <= 2), month, day};
}

int DayOfWeek(int64_t days) { return static_cast<int>(FloorMod(days + 4, 7)); }  // 1970-01-01: Thu

std::optional<int64_t> ParseIsoDate(std::string_view text) {
  text = TrimAscii(text);
  size_t pos = 0;
  auto days = ParseDatePart(text, pos);
  if (!days) return std::nullopt;
  if (pos == text.size()) return days;
  if (text[pos] != 'T' || !ParseTimePart(text.substr(pos + 1))) return std::nullopt;
  return days;
}

std::optional<ParsedTime> ParseIsoTime(std::string_view text) { return ParseTimePart(TrimAscii(text)); }

std::optional<ParsedDateTime> ParseIsoDateTime(std::string_view text) {
  text = TrimAscii(text);
  size_t pos = 0;
  auto days = ParseDatePart(text, pos);
  if (!days) return std::nullopt;
  ParsedDateTime parsed{*days * kMillisPerDay, std::nullopt};
  if (pos == text.size()) return parsed;
  if (text[pos] != 'T') return std::nullopt;
  auto time = ParseTimePart(text.substr(pos + 1));
  if (!time) return std::nullopt;
  parsed.wall_millis += time->millis_of_day;
  parsed.offset_minutes = time->offset_minutes;
  return parsed;
}

int ResolveLocalOffset(int64_t wall_millis, Env* env) {
  if (env == nullptr) return 0;
  // Guess with the wall time taken as UTC, then look again at the instant that guess gives;
  // two lookups settle every case but a DST gap, where the earlier offset is kept.
  const int first = ClampOffset(env->UtcOffsetMinutes(wall_millis));
  const int second = ClampOffset(env->UtcOffsetMinutes(wall_millis - first * kMillisPerMinute));
  if (second == first) return first;
  const int third = ClampOffset(env->UtcOffsetMinutes(wall_millis - second * kMillisPerMinute));
  return third == second ? second : first;
}

int CurrentOffset(Env* env) {
  if (env == nullptr) return 0;
  return ClampOffset(env->UtcOffsetMinutes(env->NowMillis()));
}

std::optional<Value> ParseTemporal(std::string_view text, Value::Type want, Env* env) {
  return ParseTemporalImpl(text, want, env, true, 0);
}

std::optional<Value> ParseTemporal(std::string_view text, Value::Type want, int default_offset_minutes) {
  return ParseTemporalImpl(text, want, nullptr, false, ClampOffset(default_offset_minutes));
}

std::optional<int64_t> ToWholeMillis(double millis) {
  if (!std::isfinite(millis)) return std::nullopt;
  const double rounded = std::round(millis);
  constexpr double kLimit = static_cast<double>(kMaxAbsDays) * static_cast<double>(kMillisPerDay);
  if (std::fabs(rounded) > kLimit) return std::nullopt;
  return static_cast<int64_t>(rounded);
}

std::string FormatIsoDate(int64_t days) {
  if (days > kMaxAbsDays || days < -kMaxAbsDays) return std::string();
  const CivilDate date = CivilFromDays(days);
  std::string out;
  out.reserve(10);
  AppendYear(out, date.year);
  out += '-';
  out += Pad(date.month, 2);
  out += '-';
  out += Pad(date.day, 2);
  return out;
}

std::string FormatOffset(int offset_minutes) {
  const int64_t magnitude = std::abs(static_cast<int64_t>(offset_minutes));
  std::string out(1, offset_minutes < 0 ? '-' : '+');
  out += Pad(magnitude / 60, 2);
  out += ':';
  out += Pad(magnitude % 60, 2);
  return out;
}

std::string FormatIsoDateTime(double utc_millis, int offset_minutes) {
  const auto utc = ToWholeMillis(utc_millis);
  if (!utc) return std::string();
  const int64_t local = *utc + static_cast<int64_t>(offset_minutes) * kMillisPerMinute;
  const int64_t days = FloorDiv(local, kMillisPerDay);
  std::string out = FormatIsoDate(days);
  if (out.empty()) return out;
  out += 'T';
  AppendTimeOfDay(out, FloorMod(local, kMillisPerDay));
  out += FormatOffset(offset_minutes);
  return out;
}

std::string FormatIsoTime(double millis_of_day, int offset_minutes) {
  const auto millis = ToWholeMillis(millis_of_day);
  if (!millis) return std::string();
  std::string out;
  out.reserve(18);
  AppendTimeOfDay(out, FloorMod(*millis, kMillisPerDay));
  out += FormatOffset(offset_minutes);
  return out;
}

std::optional<std::string> FormatWallClock(int64_t wall_millis, std::string_view format) {
  const int64_t days = FloorDiv(wall_millis, kMillisPerDay);
  if (days > kMaxAbsDays || days < -kMaxAbsDays) return std::nullopt;
  const int64_t ms_of_day = FloorMod(wall_millis, kMillisPerDay);
  const CivilDate date = CivilFromDays(days);
  const int64_t hour = ms_of_day / 3'600'000;
  const int64_t minute = ms_of_day / 60'000 % 60;
  const int64_t second = ms_of_day / 1000 % 60;
  const int64_t millis = ms_of_day % 1000;

  std::string out;
  out.reserve(format.size() + 8);
  for (size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c != '%') {
      out += c;
      continue;
    }
    if (++i >= format.size()) return std::nullopt;  // trailing '%'
    switch (format[i]) {
      case '%': out += '%'; break;
      case 'Y': AppendYear(out, date.year); break;
      case 'y': out += Pad(FloorMod(date.year, 100), 2); break;
      case 'm': out += Pad(date.month, 2); break;
      case 'n': out += std::to_string(date.month); break;
      case 'b': out += kShortMonths[date.month - 1]; break;
      case 'd': out += Pad(date.day, 2); break;
      case 'e': out += std::to_string(date.day); break;
      case 'H': out += Pad(hour, 2); break;
      case 'h': out += std::to_string(hour); break;
      case 'M': out += Pad(minute, 2); break;
      case 'S': out += Pad(second, 2); break;
      case '3': out += Pad(millis, 3); break;
      case 'a': out += kShortWeekdays[DayOfWeek(days)]; break;
      default: return std::nullopt;  // JavaRosa: "unrecognized escape in date format string"
    }
  }
  return out;
}

std::optional<std::string> FormatDate(const Value& value, std::string_view format) {
  switch (value.type()) {
    case Value::Type::kDate: {
      const double days = value.number();
      if (!std::isfinite(days) || std::fabs(days) > static_cast<double>(kMaxAbsDays)) return std::nullopt;
      return FormatWallClock(static_cast<int64_t>(std::floor(days)) * kMillisPerDay, format);
    }
    case Value::Type::kDateTime: {
      const auto utc = ToWholeMillis(value.number());
      if (!utc) return std::nullopt;
      return FormatWallClock(*utc + static_cast<int64_t>(value.offset_minutes()) * kMillisPerMinute, format);
    }
    case Value::Type::kTime: {
      const auto millis = ToWholeMillis(value.number());
      if (!millis) return std::nullopt;
      return FormatWallClock(FloorMod(*millis, kMillisPerDay), format);
    }
    default:
      return std::nullopt;
  }
}

}  // namespace chosa
