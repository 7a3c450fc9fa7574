#include "backoff.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

namespace chosa::sync {

namespace {

// Uniform in [0, limit], from the Env's random bytes (so that a test can fix them).
int64_t UniformUpTo(int64_t limit, Env* env) {
  if (limit <= 0) return 0;
  uint8_t bytes[8];
  env->RandomBytes(bytes, sizeof bytes);
  uint64_t value = 0;
  for (uint8_t b : bytes) value = (value << 8) | b;
  // 53 random bits as a fraction in [0, 1): exact in a double.
  double fraction = static_cast<double>(value >> 11) / 9007199254740992.0;
  return std::min(limit, static_cast<int64_t>(fraction * static_cast<double>(limit + 1)));
}

}  // namespace

int64_t BackoffCeilingMillis(const RetryPolicy& policy, int retry) {
  int64_t ceiling = std::max<int64_t>(policy.base_delay_ms, 0);
  for (int i = 1; i < retry && ceiling < policy.max_delay_ms; ++i) ceiling *= 2;
  return std::min(ceiling, policy.max_delay_ms);
}

int64_t RetryDelayMillis(const RetryPolicy& policy, int retry, int64_t retry_after_ms, Env* env) {
  if (retry_after_ms < 0) return UniformUpTo(BackoffCeilingMillis(policy, retry), env);
  return std::min(retry_after_ms, policy.max_retry_after_ms) + UniformUpTo(policy.base_delay_ms, env);
}

int64_t ParseRetryAfterMillis(std::string_view value, int64_t now_millis) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return -1;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return 365LL * 86400 * 1000;  // absurdly long: the cap applies anyway
    return std::stoll(std::string(value)) * 1000;
  }
  // IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT", the only date form a server may send now.
  // Read by hand: strptime's %a and %b follow the locale, and an app may run in ja_JP.
  char weekday[4] = {}, month_name[4] = {};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0, consumed = 0;
  std::string text(value);
  if (std::sscanf(text.c_str(), "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", weekday, &day, month_name, &year,
                  &hour, &minute, &second, &consumed) != 7 ||
      static_cast<size_t>(consumed) != text.size()) {
    return -1;
  }
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int month = -1;
  for (int m = 0; m < 12; ++m) {
    if (std::strcmp(kMonths[m], month_name) == 0) month = m;
  }
  if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return -1;
  struct tm when;
  std::memset(&when, 0, sizeof when);
  when.tm_year = year - 1900;
  when.tm_mon = month;
  when.tm_mday = day;
  when.tm_hour = hour;
  when.tm_min = minute;
  when.tm_sec = second;
  int64_t at = static_cast<int64_t>(timegm(&when)) * 1000;
  return std::max<int64_t>(at - now_millis, 0);
}

}  // namespace chosa::sync
