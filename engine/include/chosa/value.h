// The values expressions compute with, with the conversions of XPath 1.0 / ODK XForms.
//
// An empty answer is the empty string. Dates, times and date-times are typed, as in JavaRosa,
// so that `date('2008-09-08') - date('1983-10-06')` is a number of days and `string()` of a
// date is `YYYY-MM-DD`. A nodeset is the list of values an aggregate reads (`sum(${q})` over a
// repeat or a matrix). An error value says why an evaluation could not give a result (a bad
// date, say); it converts to NaN / "" / false and is reported by the session.
//
// Thread safety: a Value is immutable once made (a nodeset shares its items, read-only), so one
// may be read from several threads; assignment needs external synchronization.
// Ownership: a Value owns its text; a copy of a nodeset shares the same immutable items.
#ifndef CHOSA_VALUE_H_
#define CHOSA_VALUE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace chosa {

class Value {
 public:
  enum class Type : uint8_t { kString, kNumber, kBoolean, kDate, kDateTime, kTime, kNodeset, kError };

  Value() = default;  // the empty string
  static Value String(std::string text);
  static Value Number(double number);
  static Value Boolean(bool truth);
  // Days since 1970-01-01 (a whole number).
  static Value Date(int64_t days);
  // Milliseconds since the epoch (UTC), shown at `offset_minutes` from UTC.
  static Value DateTime(double utc_millis, int offset_minutes);
  // Milliseconds since local midnight (0 <= ms < 86,400,000), at `offset_minutes` from UTC.
  static Value Time(double millis_of_day, int offset_minutes);
  static Value Nodeset(std::vector<Value> items);
  static Value Error(std::string reason);

  Type type() const { return type_; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_boolean() const { return type_ == Type::kBoolean; }
  bool is_error() const { return type_ == Type::kError; }
  bool is_nodeset() const { return type_ == Type::kNodeset; }
  bool is_temporal() const { return type_ == Type::kDate || type_ == Type::kDateTime || type_ == Type::kTime; }
  // The empty string, or an empty nodeset: what an unanswered or non-relevant question reads as.
  bool is_empty() const;

  // Raw payloads. REQUIRES: the matching type.
  const std::string& text() const { return text_; }      // kString, kError (the reason)
  double number() const { return number_; }               // kNumber; kDate days; kDateTime/kTime millis
  bool truth() const { return number_ != 0; }             // kBoolean
  int offset_minutes() const { return offset_minutes_; }  // kDateTime, kTime
  const std::vector<Value>& items() const;                // kNodeset

  // XPath conversions. number(): a string is trimmed and parsed as [-]digits[.digits] (no
  // exponent, no "Infinity"), else NaN; a date is its days since the epoch, a date-time its
  // fractional days, a time its fraction of a day; a nodeset converts its first item.
  double ToNumber() const;
  // string(): numbers without a trailing ".0", "NaN", "Infinity"; dates as ISO 8601.
  std::string ToString() const;
  // boolean(): a number is true unless 0 or NaN; a string unless empty; a date always true.
  bool ToBoolean() const;

  // Equality used to decide whether a recomputed value changed (not XPath's `=`).
  bool SameAs(const Value& other) const;

 private:
  Type type_ = Type::kString;
  int32_t offset_minutes_ = 0;
  double number_ = 0;
  std::string text_;
  std::shared_ptr<const std::vector<Value>> items_;
};

// XPath 1.0 number-to-string ("1", "-0" -> "0", "0.5", "1.23E-18" is written out in full).
std::string FormatNumber(double number);
// Parses a trimmed XPath number literal; NaN when `text` is not one.
double ParseNumber(std::string_view text);

}  // namespace chosa

#endif  // CHOSA_VALUE_H_
