// Calendar arithmetic, ISO 8601 parsing and ODK's format-date, for Value and the expression
// functions. Everything is computed from day counts and milliseconds (Howard Hinnant's
// civil-date algorithms), never time_t or the C library's zone, so results do not depend on the
// process time zone and have no 2038 limit. Local time comes from an Env's UTC offset.
#ifndef CHOSA_ENGINE_EXPR_DATETIME_H_
#define CHOSA_ENGINE_EXPR_DATETIME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "chosa/value.h"

namespace chosa {

class Env;

inline constexpr int64_t kMillisPerDay = 86'400'000;
inline constexpr int64_t kMillisPerMinute = 60'000;
// Dates are kept within JavaRosa's range (an int of days, about +-5.8 million years): wide
// enough for any survey, small enough that every millisecond count fits in an int64.
inline constexpr int64_t kMaxAbsDays = 2'147'483'647;
// Offsets beyond +-18:00 (java.time's limit) are rejected when parsing.
inline constexpr int kMaxOffsetMinutes = 18 * 60;

struct CivilDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

// Floor division and modulo (b > 0): -1 / 86400000 is day -1, not day 0.
int64_t FloorDiv(int64_t a, int64_t b);
int64_t FloorMod(int64_t a, int64_t b);

// Days since 1970-01-01 of a proleptic Gregorian date. REQUIRES: a valid date, |year| < 10^9.
int64_t DaysFromCivil(int64_t year, int month, int day);
// The date `days` after 1970-01-01. REQUIRES: |days| <= kMaxAbsDays (checked: clamped).
CivilDate CivilFromDays(int64_t days);
bool IsLeapYear(int64_t year);
// True when year-month-day exists (2023-02-29 does not).
bool IsValidCivil(int64_t year, int month, int day);
// 0 = Sunday .. 6 = Saturday.
int DayOfWeek(int64_t days);

// 'YYYY-MM-DD' (exactly 4-digit year, 2-digit month and day, a real calendar date) to days since
// the epoch. Also accepts a full date-time 'YYYY-MM-DDThh:mm...' and returns its date part as
// written (the time part must still be valid). Surrounding ASCII whitespace is ignored.
std::optional<int64_t> ParseIsoDate(std::string_view text);

struct ParsedTime {
  int64_t millis_of_day;               // 0 <= ms < 86,400,000, as written (wall clock)
  std::optional<int> offset_minutes;   // absent when the text has no Z / +hh:mm
};
// 'hh:mm[:ss[.fff...]][Z|+hh:mm|-hh:mm|+hhmm|+hh]'. Fractions beyond milliseconds are truncated.
std::optional<ParsedTime> ParseIsoTime(std::string_view text);

struct ParsedDateTime {
  int64_t wall_millis;                 // the written date and time, counted as if it were UTC
  std::optional<int> offset_minutes;   // absent: local time
};
// 'YYYY-MM-DD[Thh:mm[:ss[.fff]][offset]]'. A date alone is midnight, local time.
std::optional<ParsedDateTime> ParseIsoDateTime(std::string_view text);

// The UTC offset that local wall-clock time `wall_millis` has under `env` (null env: UTC).
// Handles DST: the offset is looked up at the instant the wall time denotes.
int ResolveLocalOffset(int64_t wall_millis, Env* env);
// The local UTC offset now (for times of day, which have no date). Null env: 0.
int CurrentOffset(Env* env);

// Parses text as `want` (kDate, kDateTime or kTime); text without an offset is local time
// (offset from `env`, or `default_offset_minutes`). Null when the text is not one.
std::optional<Value> ParseTemporal(std::string_view text, Value::Type want, Env* env);
std::optional<Value> ParseTemporal(std::string_view text, Value::Type want, int default_offset_minutes);

// ISO 8601 renderings used by Value::ToString and submissions.
std::string FormatIsoDate(int64_t days);                              // 2024-04-01
std::string FormatIsoDateTime(double utc_millis, int offset_minutes); // 2024-04-01T09:30:00.000+09:00
std::string FormatIsoTime(double millis_of_day, int offset_minutes);  // 09:30:00.000+09:00
std::string FormatOffset(int offset_minutes);                         // +09:00, -05:00, +00:00 (never Z)
// Milliseconds rounded to a whole number and checked against the supported range.
std::optional<int64_t> ToWholeMillis(double millis);

// ODK's format-date: %Y %y %m %n %b %d %e %H %h %M %S %3 %a (English month / weekday names), %%.
// `value` must be a kDate, kDateTime (shown at its own offset) or kTime; fields are taken from
// its wall clock. Null for an unknown escape or a trailing '%' (JavaRosa throws), or a value of
// another type or out of range.
std::optional<std::string> FormatDate(const Value& value, std::string_view format);
// The same for wall-clock millis counted as if UTC (a parsed string, a number of days).
std::optional<std::string> FormatWallClock(int64_t wall_millis, std::string_view format);

}  // namespace chosa

#endif  // CHOSA_ENGINE_EXPR_DATETIME_H_
