#include "chosa/value.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "chosa/engine/datetime.h"

namespace chosa {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const std::vector<Value>& EmptyItems() {
  static const std::vector<Value>* const empty = new std::vector<Value>();
  return *empty;
}

const Value& EmptyValue() {
  static const Value* const empty = new Value();
  return *empty;
}

// Java's String.trim(): every char <= U+0020 (JavaRosa's toNumeric trims this way).
std::string_view TrimControl(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= 0x20) s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= 0x20) s.remove_suffix(1);
  return s;
}

// The value a nodeset converts through: its first item, or '' when empty.
const Value& FirstItem(const Value& nodeset) {
  const auto& items = nodeset.items();
  return items.empty() ? EmptyValue() : items.front();
}

}  // namespace

Value Value::String(std::string text) {
  Value v;
  v.text_ = std::move(text);
  return v;
}

Value Value::Number(double number) {
  Value v;
  v.type_ = Type::kNumber;
  v.number_ = number;
  return v;
}

Value Value::Boolean(bool truth) {
  Value v;
  v.type_ = Type::kBoolean;
  v.number_ = truth ? 1 : 0;
  return v;
}

Value Value::Date(int64_t days) {
  Value v;
  v.type_ = Type::kDate;
  v.number_ = static_cast<double>(days);
  return v;
}

Value Value::DateTime(double utc_millis, int offset_minutes) {
  Value v;
  v.type_ = Type::kDateTime;
  v.number_ = utc_millis;
  v.offset_minutes_ = offset_minutes;
  return v;
}

Value Value::Time(double millis_of_day, int offset_minutes) {
  Value v;
  v.type_ = Type::kTime;
  v.number_ = millis_of_day;
  v.offset_minutes_ = offset_minutes;
  return v;
}

Value Value::Nodeset(std::vector<Value> items) {
  Value v;
  v.type_ = Type::kNodeset;
  v.items_ = std::make_shared<const std::vector<Value>>(std::move(items));
  return v;
}

Value Value::Error(std::string reason) {
  Value v;
  v.type_ = Type::kError;
  v.text_ = std::move(reason);
  return v;
}

bool Value::is_empty() const {
  switch (type_) {
    case Type::kString: return text_.empty();
    case Type::kNodeset: return items().empty();
    default: return false;
  }
}

const std::vector<Value>& Value::items() const { return items_ ? *items_ : EmptyItems(); }

double Value::ToNumber() const {
  switch (type_) {
    case Type::kString: return ParseNumber(text_);
    case Type::kNumber: return number_;
    case Type::kBoolean: return number_ != 0 ? 1 : 0;
    case Type::kDate: return number_;
    case Type::kDateTime:
    case Type::kTime: return number_ / static_cast<double>(kMillisPerDay);
    case Type::kNodeset: return FirstItem(*this).ToNumber();
    case Type::kError: return kNaN;
  }
  return kNaN;
}

std::string Value::ToString() const {
  switch (type_) {
    case Type::kString: return text_;
    case Type::kNumber: return FormatNumber(number_);
    case Type::kBoolean: return number_ != 0 ? "true" : "false";
    case Type::kDate: {
      if (!std::isfinite(number_) || std::fabs(number_) > static_cast<double>(kMaxAbsDays)) return std::string();
      return FormatIsoDate(static_cast<int64_t>(std::floor(number_)));
    }
    case Type::kDateTime: return FormatIsoDateTime(number_, offset_minutes_);
    case Type::kTime: return FormatIsoTime(number_, offset_minutes_);
    case Type::kNodeset: return FirstItem(*this).ToString();
    case Type::kError: return std::string();
  }
  return std::string();
}

bool Value::ToBoolean() const {
  switch (type_) {
    case Type::kString: return !text_.empty();
    case Type::kNumber: return number_ != 0 && !std::isnan(number_);
    case Type::kBoolean: return number_ != 0;
    case Type::kDate:
    case Type::kDateTime:
    case Type::kTime: return true;
    case Type::kNodeset: return FirstItem(*this).ToBoolean();
    case Type::kError: return false;
  }
  return false;
}

bool Value::SameAs(const Value& other) const {
  if (type_ != other.type_) return false;
  switch (type_) {
    case Type::kString:
    case Type::kError: return text_ == other.text_;
    case Type::kNumber:
    case Type::kBoolean:
    case Type::kDate:
      // NaN is the same as NaN: a recomputed NaN did not change.
      return number_ == other.number_ || (std::isnan(number_) && std::isnan(other.number_));
    case Type::kDateTime:
    case Type::kTime:
      return offset_minutes_ == other.offset_minutes_ &&
             (number_ == other.number_ || (std::isnan(number_) && std::isnan(other.number_)));
    case Type::kNodeset: {
      if (items_ == other.items_) return true;
      const auto& mine = items();
      const auto& theirs = other.items();
      if (mine.size() != theirs.size()) return false;
      for (size_t i = 0; i < mine.size(); ++i) {
        if (!mine[i].SameAs(theirs[i])) return false;
      }
      return true;
    }
  }
  return false;
}

std::string FormatNumber(double number) {
  if (std::isnan(number)) return "NaN";
  if (std::isinf(number)) return number < 0 ? "-Infinity" : "Infinity";
  if (number == 0) return "0";  // also -0
  // Shortest round-trip digits in fixed notation: 1.23e-18 is written out in full, 1e21 too.
  // The longest such text (a subnormal) is under 340 characters.
  char buf[400];
  const auto result = std::to_chars(buf, buf + sizeof buf, number, std::chars_format::fixed);
  if (result.ec != std::errc()) return "NaN";  // not reachable with this buffer
  return std::string(buf, result.ptr);
}

double ParseNumber(std::string_view text) {
  text = TrimControl(text);
  // XPath's Number grammar plus a sign: -?(digits(.digits?)?|.digits). No exponent, no '+',
  // no "Infinity": JavaRosa rejects any character but digits, '-' and '.'.
  size_t pos = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) ++pos;
  size_t int_digits = 0, frac_digits = 0;
  bool nonzero_int = false;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    nonzero_int |= text[pos] != '0';
    ++pos;
    ++int_digits;
  }
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      ++pos;
      ++frac_digits;
    }
  }
  if (pos != text.size() || int_digits + frac_digits == 0) return kNaN;
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (result.ec == std::errc::result_out_of_range) {
    // Too many digits for a double: huge integers overflow to infinity, tiny fractions to zero.
    value = nonzero_int ? std::numeric_limits<double>::infinity() : 0.0;
    return negative ? -value : value;
  }
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return kNaN;
  return value;
}

}  // namespace chosa
