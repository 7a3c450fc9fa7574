// The XLSForm function library. Arguments arrive evaluated; a nodeset argument to a scalar
// parameter converts through its first item (an empty one reads as ''), as JavaRosa unpacks.
// Strings are UTF-8 and are measured in code points; a byte that is not part of a well-formed
// sequence counts as one code point, so no input can make an index fall inside a character.
#include "expr/functions.h"
#include "chosa/base/utf8.h"

#include <openssl/evp.h>
#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "chosa/env.h"
#include "chosa/engine/datetime.h"

namespace chosa {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Every implementation has this signature; most ignore some parameters.
#define CHOSA_FN(name) \
  Value name([[maybe_unused]] const Value* args, [[maybe_unused]] int count, \
             [[maybe_unused]] const FunctionContext& ctx)

// ---------------------------------------------------------------------------------------------
// Argument helpers.

const Value& EmptyValue() {
  static const Value* const empty = new Value();
  return *empty;
}

// A scalar view of an argument: a nodeset's first item, '' for an empty nodeset.
const Value& Unpack(const Value& v) {
  if (!v.is_nodeset()) return v;
  return v.items().empty() ? EmptyValue() : v.items().front();
}

// The argument as text without copying when it already is a string.
std::string_view Str(const Value& v, std::string& scratch) {
  const Value& u = Unpack(v);
  if (u.is_string()) return u.text();
  scratch = u.ToString();
  return scratch;
}

// Truncates toward zero into an int64 range that no arithmetic below can overflow; NaN is 0
// (Java's (int) NaN).
int64_t ToIndex(double d) {
  if (std::isnan(d)) return 0;
  constexpr double kLimit = 9.0e15;
  return static_cast<int64_t>(std::trunc(std::clamp(d, -kLimit, kLimit)));
}

Env* EnvOf(const FunctionContext& ctx) { return ctx.env != nullptr ? ctx.env : Env::Default(); }

int OffsetAtInstant(Env* env, int64_t utc_millis) {
  return std::clamp(env->UtcOffsetMinutes(utc_millis), -24 * 60, 24 * 60);
}

// Calls `fn` with each item of a nodeset argument, or with the argument itself.
template <typename Fn>
void ForEachItem(const Value& v, Fn&& fn) {
  if (v.is_nodeset()) {
    for (const Value& item : v.items()) fn(item);
  } else {
    fn(v);
  }
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Calls `fn` with each space-separated token (a select_multiple answer's choice values).
template <typename Fn>
void ForEachToken(std::string_view s, Fn&& fn) {
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    const size_t start = i;
    while (i < s.size() && !IsSpace(s[i])) ++i;
    if (i > start && !fn(s.substr(start, i - start))) return;
  }
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// ---------------------------------------------------------------------------------------------
// UTF-8.

// Length in bytes of the code point at `i`; an ill-formed byte counts as one code point.
size_t CodePointBytes(std::string_view s, size_t i) {
  size_t n = Utf8SequenceLength(s, i);
  return n == 0 ? 1 : n;
}

size_t CountCodePoints(std::string_view s) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); i += CodePointBytes(s, i)) ++count;
  return count;
}

// Byte offset of code point number `index` (<= the count), walking from byte `from`.
size_t ByteOffset(std::string_view s, size_t index, size_t from = 0) {
  size_t i = from;
  while (index > 0 && i < s.size()) {
    i += CodePointBytes(s, i);
    --index;
  }
  return i;
}

// ---------------------------------------------------------------------------------------------
// Conversions and logic.

CHOSA_FN(FnString) { return Value::String(count > 0 ? Unpack(args[0]).ToString() : std::string()); }
CHOSA_FN(FnNumber) { return Value::Number(args[0].ToNumber()); }
CHOSA_FN(FnBoolean) { return Value::Boolean(args[0].ToBoolean()); }
CHOSA_FN(FnNot) { return Value::Boolean(!args[0].ToBoolean()); }
CHOSA_FN(FnTrue) { return Value::Boolean(true); }
CHOSA_FN(FnFalse) { return Value::Boolean(false); }

// 'true' (any case, as JavaRosa) or '1'; a number 1 reads as "1", true() as "true".
CHOSA_FN(FnBooleanFromString) {
  std::string scratch;
  const std::string_view s = Str(args[0], scratch);
  if (s == "1") return Value::Boolean(true);
  if (s.size() != 4) return Value::Boolean(false);
  static constexpr char kTrue[] = "true";
  for (size_t i = 0; i < 4; ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kTrue[i]) return Value::Boolean(false);
  }
  return Value::Boolean(true);
}

// The first argument unless it is null in JavaRosa's sense ('' or NaN), else the second.
CHOSA_FN(FnCoalesce) {
  const Value& first = Unpack(args[0]);
  const bool null = (first.is_string() && first.text().empty()) || (first.is_number() && std::isnan(first.number()));
  return null ? Unpack(args[1]) : first;
}

// ---------------------------------------------------------------------------------------------
// Strings.

CHOSA_FN(FnConcat) {
  std::string out;
  std::string scratch;
  for (int i = 0; i < count; ++i) {
    ForEachItem(args[i], [&](const Value& item) { out += Str(item, scratch); });
  }
  return Value::String(std::move(out));
}

CHOSA_FN(FnJoin) {
  std::string sep_scratch, scratch, out;
  const std::string_view sep = Str(args[0], sep_scratch);
  bool first = true;
  for (int i = 1; i < count; ++i) {
    ForEachItem(args[i], [&](const Value& item) {
      if (!first) out += sep;
      first = false;
      out += Str(item, scratch);
    });
  }
  return Value::String(std::move(out));
}

CHOSA_FN(FnStringLength) {
  if (count == 0) return Value::Number(0);  // the evaluator passes `.` for the 0-argument form
  std::string scratch;
  return Value::Number(static_cast<double>(CountCodePoints(Str(args[0], scratch))));
}

// substr(s, start[, end]): 0-based code point indexes, end exclusive; negative indexes count
// from the end and everything is clamped into the string (JavaRosa's substring()).
CHOSA_FN(FnSubstr) {
  std::string scratch;
  const std::string_view s = Str(args[0], scratch);
  const int64_t len = static_cast<int64_t>(CountCodePoints(s));
  int64_t start = ToIndex(args[1].ToNumber());
  int64_t end = count > 2 ? ToIndex(args[2].ToNumber()) : len;
  if (start < 0) start += len;
  if (end < 0) end += len;
  end = std::clamp<int64_t>(end, 0, len);
  start = std::clamp<int64_t>(start, 0, len);
  if (start >= end) return Value::String(std::string());
  const size_t begin_byte = ByteOffset(s, static_cast<size_t>(start));
  const size_t end_byte = ByteOffset(s, static_cast<size_t>(end - start), begin_byte);
  return Value::String(std::string(s.substr(begin_byte, end_byte - begin_byte)));
}

CHOSA_FN(FnSubstringBefore) {
  std::string a, b;
  const std::string_view s = Str(args[0], a), needle = Str(args[1], b);
  const size_t pos = s.find(needle);
  return Value::String(pos == std::string_view::npos ? std::string() : std::string(s.substr(0, pos)));
}

CHOSA_FN(FnSubstringAfter) {
  std::string a, b;
  const std::string_view s = Str(args[0], a), needle = Str(args[1], b);
  const size_t pos = s.find(needle);
  return Value::String(pos == std::string_view::npos ? std::string() : std::string(s.substr(pos + needle.size())));
}

CHOSA_FN(FnContains) {
  std::string a, b;
  return Value::Boolean(Str(args[0], a).find(Str(args[1], b)) != std::string_view::npos);
}

CHOSA_FN(FnStartsWith) {
  std::string a, b;
  const std::string_view s = Str(args[0], a), prefix = Str(args[1], b);
  return Value::Boolean(s.substr(0, prefix.size()) == prefix);
}

CHOSA_FN(FnEndsWith) {
  std::string a, b;
  const std::string_view s = Str(args[0], a), suffix = Str(args[1], b);
  return Value::Boolean(s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix);
}

// translate(s, from, to), code point by code point: the first occurrence in `from` decides; a
// character past the end of `to` is deleted.
CHOSA_FN(FnTranslate) {
  std::string a, b, c;
  const std::string_view s = Str(args[0], a), from = Str(args[1], b), to = Str(args[2], c);
  if (from.empty()) return Value::String(std::string(s));
  std::vector<std::string_view> to_chars;
  for (size_t i = 0; i < to.size();) {
    const size_t n = CodePointBytes(to, i);
    to_chars.push_back(to.substr(i, n));
    i += n;
  }
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t n = CodePointBytes(s, i);
    const std::string_view ch = s.substr(i, n);
    i += n;
    size_t index = 0;
    bool found = false;
    for (size_t j = 0; j < from.size(); ++index) {
      const size_t m = CodePointBytes(from, j);
      if (from.substr(j, m) == ch) {
        found = true;
        break;
      }
      j += m;
    }
    if (!found) {
      out += ch;
    } else if (index < to_chars.size()) {
      out += to_chars[index];
    }
  }
  return Value::String(std::move(out));
}

// Java's trim() and \s+ -> ' ' (JavaRosa); U+3000 is not XPath whitespace and is kept.
CHOSA_FN(FnNormalizeSpace) {
  if (count == 0) return Value::String(std::string());
  std::string scratch;
  const std::string_view s = TrimSpace(Str(args[0], scratch));
  std::string out;
  out.reserve(s.size());
  bool in_space = false;
  for (char c : s) {
    if (IsSpace(c)) {
      in_space = true;
      continue;
    }
    if (in_space) out += ' ';
    in_space = false;
    out += c;
  }
  return Value::String(std::move(out));
}

// Compiled patterns, shared by every thread. Bounded: a form has few patterns, and the cache
// is simply emptied if something keeps feeding new ones.
class RegexCache {
 public:
  std::shared_ptr<const RE2> Get(std::string_view pattern) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = cache_.find(std::string(pattern));
      if (it != cache_.end()) return it->second;
    }
    RE2::Options options;
    options.set_log_errors(false);  // a bad pattern is reported as a Value::Error
    auto compiled = std::make_shared<const RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
    std::lock_guard<std::mutex> lock(mu_);
    if (cache_.size() >= kCapacity) cache_.clear();
    cache_.emplace(std::string(pattern), compiled);
    return compiled;
  }

 private:
  static constexpr size_t kCapacity = 64;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const RE2>> cache_;
};

RegexCache& Regexes() {
  static RegexCache* const cache = new RegexCache();
  return *cache;
}

// regex(value, pattern): the whole value must match (Java's Pattern.matches, as JavaRosa).
CHOSA_FN(FnRegex) {
  std::string a, b;
  const std::string_view s = Str(args[0], a), pattern = Str(args[1], b);
  const std::shared_ptr<const RE2> re = Regexes().Get(pattern);
  if (!re->ok()) return Value::Error("bad regular expression '" + std::string(pattern) + "': " + re->error());
  return Value::Boolean(RE2::FullMatch(re2::StringPiece(s.data(), s.size()), *re));
}

// ---------------------------------------------------------------------------------------------
// Selects.

CHOSA_FN(FnSelected) {
  std::string a, b;
  const std::string_view list = Str(args[0], a);
  const std::string_view wanted = TrimSpace(Str(args[1], b));
  bool found = false;
  if (!wanted.empty()) {
    ForEachToken(list, [&](std::string_view token) {
      found = token == wanted;
      return !found;
    });
  }
  return Value::Boolean(found);
}

CHOSA_FN(FnSelectedAt) {
  std::string a;
  const std::string_view list = Str(args[0], a);
  const double n = args[1].ToNumber();
  if (std::isnan(n) || n < 0) return Value::String(std::string());
  int64_t index = ToIndex(n);
  std::string_view result;
  ForEachToken(list, [&](std::string_view token) {
    if (index-- == 0) {
      result = token;
      return false;
    }
    return true;
  });
  return Value::String(std::string(result));
}

CHOSA_FN(FnCountSelected) {
  std::string a;
  double n = 0;
  ForEachToken(Str(args[0], a), [&](std::string_view) {
    ++n;
    return true;
  });
  return Value::Number(n);
}

// ---------------------------------------------------------------------------------------------
// Numbers.

// Rounds half toward positive infinity (XPath 1.0, and JavaRosa's HALF_UP / HALF_DOWN by sign)
// at `digits` decimals, on the shortest decimal text of `x` as JavaRosa's BigDecimal of
// Double.toString does: round(2.675, 2) is 2.68 although the double is slightly below.
double RoundDecimal(double x, int64_t digits) {
  if (std::isnan(x) || std::isinf(x) || x == 0) return x;
  if (digits > 30 || digits < -30) return kNaN;  // JavaRosa: absurd requests give NaN
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, std::fabs(x), std::chars_format::scientific);
  if (res.ec != std::errc()) return kNaN;
  // buf is "d[.ddd]e[+-]xx": collect the significant digits and the exponent of the first.
  std::string mantissa;
  const char* p = buf;
  for (; p < res.ptr && *p != 'e'; ++p) {
    if (*p != '.') mantissa += *p;
  }
  if (p + 2 > res.ptr) return kNaN;  // not reachable: scientific text always has an exponent
  int exponent = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), res.ptr, exponent);
  // Keep the digits down to 10^-digits.
  const int64_t keep = exponent + 1 + digits;
  if (keep >= static_cast<int64_t>(mantissa.size())) return x;
  bool up = false;
  if (keep >= 0) {
    const char first_dropped = mantissa[static_cast<size_t>(keep)];
    const bool more = mantissa.size() > static_cast<size_t>(keep) + 1;  // shortest text: nonzero
    up = first_dropped > '5' || (first_dropped == '5' && (more || x > 0));
    mantissa.resize(static_cast<size_t>(keep));
  } else {
    mantissa.clear();  // below half of the last kept place
  }
  if (up) {
    size_t i = mantissa.size();
    while (i > 0 && mantissa[i - 1] == '9') mantissa[--i] = '0';
    if (i == 0) {
      mantissa.insert(mantissa.begin(), '1');
    } else {
      ++mantissa[i - 1];
    }
  }
  if (mantissa.empty()) return std::copysign(0.0, x);
  mantissa += 'e';
  mantissa += std::to_string(-digits);
  double result = 0;
  const auto parsed = std::from_chars(mantissa.data(), mantissa.data() + mantissa.size(), result);
  if (parsed.ec == std::errc::result_out_of_range) result = std::numeric_limits<double>::infinity();
  return x < 0 ? -result : result;
}

// round(x[, digits]); a string argument may use a decimal comma ('4,6'), as JavaRosa maps ','
// to '.' when converting strings.
CHOSA_FN(FnRound) {
  const Value& v = Unpack(args[0]);
  double x;
  if (v.is_string() && v.text().find(',') != std::string::npos) {
    std::string text = v.text();
    std::replace(text.begin(), text.end(), ',', '.');
    x = ParseNumber(text);
  } else {
    x = v.ToNumber();
  }
  const int64_t digits = count > 1 ? ToIndex(args[1].ToNumber()) : 0;
  return Value::Number(RoundDecimal(x, digits));
}

CHOSA_FN(FnInt) { return Value::Number(std::trunc(args[0].ToNumber())); }  // keeps -0, NaN, inf
CHOSA_FN(FnFloor) { return Value::Number(std::floor(args[0].ToNumber())); }
CHOSA_FN(FnCeiling) { return Value::Number(std::ceil(args[0].ToNumber())); }
CHOSA_FN(FnAbs) { return Value::Number(std::fabs(args[0].ToNumber())); }
CHOSA_FN(FnPow) { return Value::Number(std::pow(args[0].ToNumber(), args[1].ToNumber())); }
CHOSA_FN(FnSqrt) { return Value::Number(std::sqrt(args[0].ToNumber())); }
CHOSA_FN(FnExp) { return Value::Number(std::exp(args[0].ToNumber())); }
CHOSA_FN(FnExp10) { return Value::Number(std::pow(10.0, args[0].ToNumber())); }
CHOSA_FN(FnLog) { return Value::Number(std::log(args[0].ToNumber())); }
CHOSA_FN(FnLog10) { return Value::Number(std::log10(args[0].ToNumber())); }
CHOSA_FN(FnSin) { return Value::Number(std::sin(args[0].ToNumber())); }
CHOSA_FN(FnCos) { return Value::Number(std::cos(args[0].ToNumber())); }
CHOSA_FN(FnTan) { return Value::Number(std::tan(args[0].ToNumber())); }
CHOSA_FN(FnAsin) { return Value::Number(std::asin(args[0].ToNumber())); }
CHOSA_FN(FnAcos) { return Value::Number(std::acos(args[0].ToNumber())); }
CHOSA_FN(FnAtan) { return Value::Number(std::atan(args[0].ToNumber())); }
CHOSA_FN(FnAtan2) { return Value::Number(std::atan2(args[0].ToNumber(), args[1].ToNumber())); }
CHOSA_FN(FnPi) { return Value::Number(3.14159265358979323846); }

CHOSA_FN(FnRandom) {
  uint8_t bytes[8];
  EnvOf(ctx)->RandomBytes(bytes, sizeof bytes);
  uint64_t bits = 0;
  for (uint8_t b : bytes) bits = bits << 8 | b;
  return Value::Number(static_cast<double>(bits >> 11) * 0x1.0p-53);  // 53 random bits in [0, 1)
}

// ---------------------------------------------------------------------------------------------
// Aggregates: a nodeset (repeat instances, matrix rows), or plain values.

// sum(): empty items (unanswered, non-relevant) are skipped; other text that is not a number
// makes the sum NaN. The sum of nothing is 0.
CHOSA_FN(FnSum) {
  double sum = 0;
  ForEachItem(args[0], [&](const Value& item) {
    if (!item.is_empty()) sum += item.ToNumber();
  });
  return Value::Number(sum);
}

CHOSA_FN(FnCount) {
  return Value::Number(args[0].is_nodeset() ? static_cast<double>(args[0].items().size()) : 1.0);
}

CHOSA_FN(FnCountNonEmpty) {
  double n = 0;
  std::string scratch;
  ForEachItem(args[0], [&](const Value& item) {
    if (!Str(item, scratch).empty()) ++n;
  });
  return Value::Number(n);
}

// min / max over every item of every argument, skipping empty ones; NaN when none remains or
// when one is not a number.
Value Extreme(const Value* args, int count, bool want_max) {
  double best = kNaN;
  bool any = false, bad = false;
  for (int i = 0; i < count; ++i) {
    ForEachItem(args[i], [&](const Value& item) {
      if (item.is_empty()) return;
      const double x = item.ToNumber();
      if (std::isnan(x)) {
        bad = true;
      } else if (!any || (want_max ? x > best : x < best)) {
        best = x;
      }
      any = true;
    });
  }
  return Value::Number(bad || !any ? kNaN : best);
}

CHOSA_FN(FnMin) { return Extreme(args, count, false); }
CHOSA_FN(FnMax) { return Extreme(args, count, true); }

// checklist(min, max, v...): whether the number of true values lies in [min, max]; a negative
// bound is no bound.
CHOSA_FN(FnChecklist) {
  const int64_t min = ToIndex(args[0].ToNumber());
  const int64_t max = ToIndex(args[1].ToNumber());
  int64_t n = 0;
  for (int i = 2; i < count; ++i) {
    ForEachItem(args[i], [&](const Value& item) { n += item.ToBoolean() ? 1 : 0; });
  }
  return Value::Boolean((min < 0 || n >= min) && (max < 0 || n <= max));
}

// weighted-checklist(min, max, v1, w1, v2, w2, ...) or (min, max, values, weights) over two
// nodesets: whether the summed weights of the true values lie in [min, max].
CHOSA_FN(FnWeightedChecklist) {
  const double min = args[0].ToNumber();
  const double max = args[1].ToNumber();
  double sum = 0;
  if (count == 4 && args[2].is_nodeset() && args[3].is_nodeset()) {
    const auto& flags = args[2].items();
    const auto& weights = args[3].items();
    if (flags.size() != weights.size()) return Value::Error("weighted-checklist: nodesets differ in length");
    for (size_t i = 0; i < flags.size(); ++i) {
      if (flags[i].ToBoolean()) sum += weights[i].ToNumber();
    }
  } else {
    if ((count - 2) % 2 != 0) return Value::Error("weighted-checklist: needs value, weight pairs");
    for (int i = 2; i + 1 < count; i += 2) {
      if (args[i].ToBoolean()) sum += args[i + 1].ToNumber();
    }
  }
  return Value::Boolean(sum >= min && sum <= max);
}

// ---------------------------------------------------------------------------------------------
// Dates and times.

bool InDayRange(double days) { return std::isfinite(days) && std::fabs(days) <= static_cast<double>(kMaxAbsDays); }

Value NotADate(const Value& v) { return Value::Error("not a date: '" + v.ToString() + "'"); }
Value OutOfRange(double n) { return Value::Error("out of range for a date: " + FormatNumber(n)); }

// date(x): a date string (or the date part of a date-time string), days since the epoch
// (fractions floored), or a date-time's own local date. '' and NaN pass through as JavaRosa.
CHOSA_FN(FnDate) {
  const Value& v = Unpack(args[0]);
  switch (v.type()) {
    case Value::Type::kString: {
      if (TrimSpace(v.text()).empty()) return Value::String(std::string());
      const auto days = ParseIsoDate(v.text());
      return days ? Value::Date(*days) : NotADate(v);
    }
    case Value::Type::kNumber: {
      const double n = v.number();
      if (std::isnan(n)) return v;
      if (!InDayRange(n)) return OutOfRange(n);
      return Value::Date(static_cast<int64_t>(std::floor(n)));
    }
    case Value::Type::kDate: return v;
    case Value::Type::kDateTime: {
      const auto utc = ToWholeMillis(v.number());
      if (!utc) return NotADate(v);
      return Value::Date(FloorDiv(*utc + int64_t{v.offset_minutes()} * kMillisPerMinute, kMillisPerDay));
    }
    default: return NotADate(v);
  }
}

// date-time(x): a date or date-time string (no offset: local time), fractional days since the
// epoch (an instant, shown at the local offset), or a date (its local midnight).
CHOSA_FN(FnDateTime) {
  const Value& v = Unpack(args[0]);
  Env* env = EnvOf(ctx);
  switch (v.type()) {
    case Value::Type::kString: {
      if (TrimSpace(v.text()).empty()) return Value::String(std::string());
      auto parsed = ParseTemporal(v.text(), Value::Type::kDateTime, env);
      return parsed ? std::move(*parsed) : NotADate(v);
    }
    case Value::Type::kNumber: {
      const double n = v.number();
      if (std::isnan(n)) return v;
      if (!InDayRange(n)) return OutOfRange(n);
      const int64_t utc = static_cast<int64_t>(std::round(n * static_cast<double>(kMillisPerDay)));
      return Value::DateTime(static_cast<double>(utc), OffsetAtInstant(env, utc));
    }
    case Value::Type::kDate: {
      if (!InDayRange(v.number())) return NotADate(v);
      const int64_t wall = static_cast<int64_t>(v.number()) * kMillisPerDay;
      const int offset = ResolveLocalOffset(wall, env);
      return Value::DateTime(static_cast<double>(wall - offset * kMillisPerMinute), offset);
    }
    case Value::Type::kDateTime: return v;
    default: return NotADate(v);
  }
}

// decimal-date-time(x): days since the epoch with the time as a fraction (UTC based, like
// number() of a date-time).
CHOSA_FN(FnDecimalDateTime) {
  const Value& v = Unpack(args[0]);
  switch (v.type()) {
    case Value::Type::kString: {
      if (TrimSpace(v.text()).empty()) return Value::String(std::string());
      auto parsed = ParseTemporal(v.text(), Value::Type::kDateTime, EnvOf(ctx));
      return parsed ? Value::Number(parsed->ToNumber()) : NotADate(v);
    }
    case Value::Type::kNumber: {
      const double n = v.number();
      if (std::isnan(n)) return v;
      return InDayRange(n) ? v : OutOfRange(n);
    }
    case Value::Type::kDate:
    case Value::Type::kDateTime: return Value::Number(v.ToNumber());
    default: return NotADate(v);
  }
}

// decimal-time(x): the local time of day as a fraction of a day. A value with an explicit
// offset is first moved to the Env's zone (JavaRosa's decimalTimeOfLocalDay), so
// decimal-time('2000-01-01T10:20:30+03:00') in a UTC Env is 07:20:30 = 0.3059...
CHOSA_FN(FnDecimalTime) {
  const Value& v = Unpack(args[0]);
  Env* env = EnvOf(ctx);
  Value parsed;
  const Value* value = &v;
  if (v.is_string()) {
    if (TrimSpace(v.text()).empty()) return Value::String(std::string());
    const auto time = ParseIsoTime(v.text());
    if (time) {
      // A time of day alone has no date: without an offset it already is local time.
      if (!time->offset_minutes) return Value::Number(static_cast<double>(time->millis_of_day) / kMillisPerDay);
      parsed = Value::Time(static_cast<double>(time->millis_of_day), *time->offset_minutes);
    } else {
      auto datetime = ParseTemporal(v.text(), Value::Type::kDateTime, env);
      if (!datetime) return NotADate(v);
      parsed = std::move(*datetime);
    }
    value = &parsed;
  }
  switch (value->type()) {
    case Value::Type::kNumber: {
      const double n = value->number();
      if (std::isnan(n)) return *value;
      if (!InDayRange(n)) return OutOfRange(n);
      return Value::Number(n - std::floor(n));
    }
    case Value::Type::kDate: return Value::Number(0);
    case Value::Type::kTime: {
      const auto millis = ToWholeMillis(value->number());
      if (!millis) return NotADate(*value);
      const int64_t shift = int64_t{CurrentOffset(env) - value->offset_minutes()} * kMillisPerMinute;
      return Value::Number(static_cast<double>(FloorMod(*millis + shift, kMillisPerDay)) / kMillisPerDay);
    }
    case Value::Type::kDateTime: {
      const auto utc = ToWholeMillis(value->number());
      if (!utc) return NotADate(*value);
      const int64_t local = *utc + int64_t{OffsetAtInstant(env, *utc)} * kMillisPerMinute;
      return Value::Number(static_cast<double>(FloorMod(local, kMillisPerDay)) / kMillisPerDay);
    }
    default: return NotADate(*value);
  }
}

// format-date(x, format) / format-date-time: a string is formatted as written (its own wall
// clock, whatever its offset), a number of days as that UTC day and time, a typed value at its
// own offset; so the result never depends on the device's zone. '' and NaN give ''.
CHOSA_FN(FnFormatDate) {
  const Value& v = Unpack(args[0]);
  std::string scratch;
  const std::string_view format = Str(args[1], scratch);
  std::optional<std::string> out;
  switch (v.type()) {
    case Value::Type::kString: {
      if (TrimSpace(v.text()).empty()) return Value::String(std::string());
      if (const auto datetime = ParseIsoDateTime(v.text())) {
        out = FormatWallClock(datetime->wall_millis, format);
      } else if (const auto time = ParseIsoTime(v.text())) {
        out = FormatWallClock(time->millis_of_day, format);
      } else {
        return NotADate(v);
      }
      break;
    }
    case Value::Type::kNumber: {
      const double n = v.number();
      if (std::isnan(n)) return Value::String(std::string());
      if (!InDayRange(n)) return OutOfRange(n);
      out = FormatWallClock(static_cast<int64_t>(std::round(n * static_cast<double>(kMillisPerDay))), format);
      break;
    }
    case Value::Type::kDate:
    case Value::Type::kDateTime:
    case Value::Type::kTime:
      if (!std::isfinite(v.number())) return NotADate(v);
      out = FormatDate(v, format);
      break;
    default: return NotADate(v);
  }
  if (!out) return Value::Error("format-date: unsupported format '" + std::string(format) + "'");
  return Value::String(std::move(*out));
}

CHOSA_FN(FnToday) {
  Env* env = EnvOf(ctx);
  const int64_t now = env->NowMillis();
  return Value::Date(FloorDiv(now + int64_t{OffsetAtInstant(env, now)} * kMillisPerMinute, kMillisPerDay));
}

CHOSA_FN(FnNow) {
  Env* env = EnvOf(ctx);
  const int64_t now = env->NowMillis();
  return Value::DateTime(static_cast<double>(now), OffsetAtInstant(env, now));
}

// ---------------------------------------------------------------------------------------------
// Identifiers and digests.

// uuid(): an RFC 4122 version 4 UUID. uuid(n): n random characters of [0-9A-Z] (JavaRosa's
// genGUID), at most 4096.
CHOSA_FN(FnUuid) {
  Env* env = EnvOf(ctx);
  static constexpr char kHex[] = "0123456789abcdef";
  if (count == 0) {
    uint8_t b[16];
    env->RandomBytes(b, sizeof b);
    b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
    b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
    std::string out;
    out.reserve(36);
    for (int i = 0; i < 16; ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
      out += kHex[b[i] >> 4];
      out += kHex[b[i] & 0x0F];
    }
    return Value::String(std::move(out));
  }
  const int64_t n = ToIndex(args[0].ToNumber());
  if (n <= 0) return Value::String(std::string());
  if (n > 4096) return Value::Error("uuid: length " + std::to_string(n) + " is too large");
  static constexpr char kBase36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string out;
  out.reserve(static_cast<size_t>(n));
  uint8_t pool[64];
  while (out.size() < static_cast<size_t>(n)) {
    env->RandomBytes(pool, sizeof pool);
    for (uint8_t byte : pool) {
      if (byte >= 252) continue;  // 252 = 7 * 36: rejection keeps the characters uniform
      out += kBase36[byte % 36];
      if (out.size() == static_cast<size_t>(n)) break;
    }
  }
  return Value::String(std::move(out));
}

// digest(text, algorithm[, 'base64' | 'hex']) of the UTF-8 bytes.
CHOSA_FN(FnDigest) {
  std::string a, b, c;
  const std::string_view text = Str(args[0], a);
  const std::string_view name = Str(args[1], b);
  const std::string_view encoding = count > 2 ? Str(args[2], c) : std::string_view("base64");
  auto equals_ci = [](std::string_view x, std::string_view y) {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      char p = x[i], q = y[i];
      if (p >= 'a' && p <= 'z') p = static_cast<char>(p - 'a' + 'A');
      if (q >= 'a' && q <= 'z') q = static_cast<char>(q - 'a' + 'A');
      if (p != q) return false;
    }
    return true;
  };
  const EVP_MD* md = nullptr;
  if (equals_ci(name, "MD5")) {
    md = EVP_md5();
  } else if (equals_ci(name, "SHA-1")) {
    md = EVP_sha1();
  } else if (equals_ci(name, "SHA-256")) {
    md = EVP_sha256();
  } else if (equals_ci(name, "SHA-384")) {
    md = EVP_sha384();
  } else if (equals_ci(name, "SHA-512")) {
    md = EVP_sha512();
  } else {
    return Value::Error("digest: unknown algorithm '" + std::string(name) + "'");
  }
  const bool hex = equals_ci(encoding, "hex");
  if (!hex && !equals_ci(encoding, "base64")) {
    return Value::Error("digest: unknown encoding '" + std::string(encoding) + "'");
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (md == nullptr || EVP_Digest(text.data(), text.size(), digest, &size, md, nullptr) != 1) {
    return Value::Error("digest: " + std::string(name) + " is not available");
  }
  std::string out;
  if (hex) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.reserve(size * 2);
    for (unsigned int i = 0; i < size; ++i) {
      out += kHex[digest[i] >> 4];
      out += kHex[digest[i] & 0x0F];
    }
  } else {
    unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    const int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(size));
    out.assign(reinterpret_cast<const char*>(encoded), static_cast<size_t>(n));
  }
  return Value::String(std::move(out));
}

// ---------------------------------------------------------------------------------------------
// The table.

// Every implementation goes through this: an error argument is the result (as JavaRosa's
// exception would end the evaluation), and nothing may throw out of the library.
template <FunctionImpl F>
Value Guarded(const Value* args, int count, const FunctionContext& ctx) {
  for (int i = 0; i < count; ++i) {
    if (args[i].is_error()) return args[i];
  }
  try {
    return F(args, count, ctx);
  } catch (const std::exception& e) {
    return Value::Error(std::string("internal error: ") + e.what());
  } catch (...) {
    return Value::Error("internal error");
  }
}

constexpr uint32_t kPureAggregate = kPure | kAggregate;
constexpr uint32_t kPureSelect = kPure | kReadsSelect;

std::vector<FunctionSpec> BuildTable() {
  std::vector<FunctionSpec> table = {
      // Evaluator-handled: they need the form, the current node or lazy evaluation.
      {"if", 3, 3, kPure | kEvaluatorHandled | kLazy, nullptr},
      {"once", 1, 1, kEvaluatorHandled | kLazy, nullptr},
      {"position", 0, 1, kEvaluatorHandled, nullptr},
      {"score", 1, 1, kEvaluatorHandled | kReadsSelect, nullptr},
      {"indexed-repeat", 3, -1, kEvaluatorHandled, nullptr},
      // ODK's spelling: the label of a choice of a question's list, in the session's language.
      {"jr:choice-name", 2, 2, kEvaluatorHandled, nullptr},
      // coalesce has an implementation on evaluated arguments; the evaluator calls it lazily
      // (the second argument only when the first is empty).
      {"coalesce", 2, 2, kPure | kLazy | kEvaluatorHandled, Guarded<FnCoalesce>},

      {"selected", 2, 2, kPureSelect, Guarded<FnSelected>},
      {"selected-at", 2, 2, kPureSelect, Guarded<FnSelectedAt>},
      {"count-selected", 1, 1, kPureSelect, Guarded<FnCountSelected>},

      {"concat", 0, -1, kPure, Guarded<FnConcat>},
      {"join", 2, 2, kPureAggregate, Guarded<FnJoin>},
      {"string-length", 0, 1, kPure, Guarded<FnStringLength>},
      {"substr", 2, 3, kPure, Guarded<FnSubstr>},
      {"substring-before", 2, 2, kPure, Guarded<FnSubstringBefore>},
      {"substring-after", 2, 2, kPure, Guarded<FnSubstringAfter>},
      {"contains", 2, 2, kPure, Guarded<FnContains>},
      {"starts-with", 2, 2, kPure, Guarded<FnStartsWith>},
      {"ends-with", 2, 2, kPure, Guarded<FnEndsWith>},
      {"translate", 3, 3, kPure, Guarded<FnTranslate>},
      {"normalize-space", 0, 1, kPure, Guarded<FnNormalizeSpace>},
      {"regex", 2, 2, kPure, Guarded<FnRegex>},

      {"string", 0, 1, kPure, Guarded<FnString>},
      {"number", 1, 1, kPure, Guarded<FnNumber>},  // JavaRosa rejects number() (conformance)
      {"boolean", 1, 1, kPure, Guarded<FnBoolean>},
      {"boolean-from-string", 1, 1, kPure, Guarded<FnBooleanFromString>},
      {"true", 0, 0, kPure, Guarded<FnTrue>},
      {"false", 0, 0, kPure, Guarded<FnFalse>},
      {"not", 1, 1, kPure, Guarded<FnNot>},

      {"round", 1, 2, kPure, Guarded<FnRound>},
      {"int", 1, 1, kPure, Guarded<FnInt>},
      {"floor", 1, 1, kPure, Guarded<FnFloor>},
      {"ceiling", 1, 1, kPure, Guarded<FnCeiling>},
      {"abs", 1, 1, kPure, Guarded<FnAbs>},
      {"pow", 2, 2, kPure, Guarded<FnPow>},
      {"sqrt", 1, 1, kPure, Guarded<FnSqrt>},
      {"exp", 1, 1, kPure, Guarded<FnExp>},
      {"exp10", 1, 1, kPure, Guarded<FnExp10>},
      {"log", 1, 1, kPure, Guarded<FnLog>},
      {"log10", 1, 1, kPure, Guarded<FnLog10>},
      {"sin", 1, 1, kPure, Guarded<FnSin>},
      {"cos", 1, 1, kPure, Guarded<FnCos>},
      {"tan", 1, 1, kPure, Guarded<FnTan>},
      {"asin", 1, 1, kPure, Guarded<FnAsin>},
      {"acos", 1, 1, kPure, Guarded<FnAcos>},
      {"atan", 1, 1, kPure, Guarded<FnAtan>},
      {"atan2", 2, 2, kPure, Guarded<FnAtan2>},
      {"pi", 0, 0, kPure, Guarded<FnPi>},

      {"sum", 1, 1, kPureAggregate, Guarded<FnSum>},
      {"count", 1, 1, kPureAggregate, Guarded<FnCount>},
      {"count-non-empty", 1, 1, kPureAggregate, Guarded<FnCountNonEmpty>},
      {"min", 1, -1, kPureAggregate, Guarded<FnMin>},
      {"max", 1, -1, kPureAggregate, Guarded<FnMax>},

      // Not pure: the clock, or the Env's zone decides the result.
      {"today", 0, 0, 0, Guarded<FnToday>},
      {"now", 0, 0, 0, Guarded<FnNow>},
      {"date", 1, 1, kPure, Guarded<FnDate>},
      {"date-time", 1, 1, 0, Guarded<FnDateTime>},
      {"decimal-date-time", 1, 1, 0, Guarded<FnDecimalDateTime>},
      {"decimal-time", 1, 1, 0, Guarded<FnDecimalTime>},
      {"format-date", 2, 2, kPure, Guarded<FnFormatDate>},
      {"format-date-time", 2, 2, kPure, Guarded<FnFormatDate>},

      {"uuid", 0, 1, 0, Guarded<FnUuid>},
      {"random", 0, 0, 0, Guarded<FnRandom>},
      {"digest", 2, 3, kPure, Guarded<FnDigest>},
      {"checklist", 2, -1, kPure, Guarded<FnChecklist>},
      {"weighted-checklist", 3, -1, kPure, Guarded<FnWeightedChecklist>},
  };
  std::sort(table.begin(), table.end(),
            [](const FunctionSpec& x, const FunctionSpec& y) { return x.name < y.name; });
  return table;
}

const std::vector<FunctionSpec>& Table() {
  static const std::vector<FunctionSpec>* const table = new std::vector<FunctionSpec>(BuildTable());
  return *table;
}

#undef CHOSA_FN

}  // namespace

const FunctionSpec* FindFunction(std::string_view name) {
  const auto& table = Table();
  auto it = std::lower_bound(table.begin(), table.end(), name,
                             [](const FunctionSpec& spec, std::string_view n) { return spec.name < n; });
  return (it != table.end() && it->name == name) ? &*it : nullptr;
}

const std::vector<FunctionSpec>& AllFunctions() { return Table(); }

}  // namespace chosa
