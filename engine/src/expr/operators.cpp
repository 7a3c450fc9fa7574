#include "expr/operators.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <string>

#include "chosa/engine/datetime.h"

namespace chosa {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A string facing a temporal value is read as that kind of value; a time or date-time written
// without an offset is taken at the other side's offset (no Env here).
double TemporalNumber(const Value& text, const Value& temporal) {
  std::optional<Value> parsed;
  if (temporal.type() == Value::Type::kDate) {
    parsed = ParseTemporal(text.text(), Value::Type::kDate, 0);
  } else {
    parsed = ParseTemporal(text.text(), temporal.type(), temporal.offset_minutes());
  }
  return parsed ? parsed->ToNumber() : text.ToNumber();
}

// Both operands as numbers, strings that face a temporal value being parsed as one.
void AsNumbers(const Value& a, const Value& b, double& x, double& y) {
  x = (a.is_string() && b.is_temporal()) ? TemporalNumber(a, b) : a.ToNumber();
  y = (b.is_string() && a.is_temporal()) ? TemporalNumber(b, a) : b.ToNumber();
}

bool CompareScalars(CompareOp op, const Value& a, const Value& b) {
  if (op == CompareOp::kEq || op == CompareOp::kNe) {
    bool equal;
    if (a.is_boolean() || b.is_boolean()) {
      equal = a.ToBoolean() == b.ToBoolean();
    } else if (a.is_number() || b.is_number() || a.is_temporal() || b.is_temporal()) {
      double x, y;
      AsNumbers(a, b, x, y);
      equal = NumbersEqual(x, y);
    } else {
      equal = a.ToString() == b.ToString();
    }
    return op == CompareOp::kEq ? equal : !equal;
  }
  double x, y;
  AsNumbers(a, b, x, y);
  switch (op) {
    case CompareOp::kLt: return x < y;
    case CompareOp::kLe: return x <= y;
    case CompareOp::kGt: return x > y;
    case CompareOp::kGe: return x >= y;
    default: return false;
  }
}

// IEEE division, with x / 0 spelled out (1 div 0 = Infinity, -1 div 0 = -Infinity, 0 div 0 =
// NaN) so that -fsanitize=float-divide-by-zero builds stay quiet.
double Divide(double x, double y) {
  if (y != 0) return x / y;
  if (x == 0 || std::isnan(x) || std::isnan(y)) return kNaN;
  return (std::signbit(x) != std::signbit(y)) ? -std::numeric_limits<double>::infinity()
                                              : std::numeric_limits<double>::infinity();
}

}  // namespace

bool NumbersEqual(double a, double b) {
  if (a == b) return true;  // also equal infinities
  if (std::isnan(a) || std::isnan(b) || std::isinf(a) || std::isinf(b)) return false;
  const double diff = std::fabs(a - b);
  if (diff < 1e-12) return true;
  return diff <= 4 * DBL_EPSILON * std::max(std::fabs(a), std::fabs(b));
}

Value CompareValues(CompareOp op, const Value& a, const Value& b) {
  if (a.is_error()) return a;
  if (b.is_error()) return b;
  static const Value kEmpty;
  // An empty nodeset is an unanswered question: it reads as '' (JavaRosa unpacks it so).
  const Value* a_items = &a;
  const Value* b_items = &b;
  size_t a_count = 1, b_count = 1;
  if (a.is_nodeset() && !a.items().empty()) {
    a_items = a.items().data();
    a_count = a.items().size();
  } else if (a.is_nodeset()) {
    a_items = &kEmpty;
  }
  if (b.is_nodeset() && !b.items().empty()) {
    b_items = b.items().data();
    b_count = b.items().size();
  } else if (b.is_nodeset()) {
    b_items = &kEmpty;
  }
  for (size_t i = 0; i < a_count; ++i) {
    for (size_t j = 0; j < b_count; ++j) {
      if (CompareScalars(op, a_items[i], b_items[j])) return Value::Boolean(true);
    }
  }
  return Value::Boolean(false);
}

Value Arithmetic(ArithOp op, const Value& a, const Value& b) {
  if (a.is_error()) return a;
  if (b.is_error()) return b;
  const double x = a.ToNumber();
  const double y = b.ToNumber();
  switch (op) {
    case ArithOp::kAdd: return Value::Number(x + y);
    case ArithOp::kSub: return Value::Number(x - y);
    case ArithOp::kMul: return Value::Number(x * y);
    case ArithOp::kDiv: return Value::Number(Divide(x, y));
    case ArithOp::kMod: return Value::Number(y == 0 ? kNaN : std::fmod(x, y));
  }
  return Value::Number(kNaN);
}

}  // namespace chosa
