// The binary operators of the expression language, on evaluated operands (XPath 1.0 as
// JavaRosa runs it). `and` / `or` are not here: they short-circuit, so the evaluator does them.
#ifndef CHOSA_ENGINE_EXPR_OPERATORS_H_
#define CHOSA_ENGINE_EXPR_OPERATORS_H_

#include "chosa/value.h"

namespace chosa {

enum class CompareOp : int { kEq, kNe, kLt, kLe, kGt, kGe };
enum class ArithOp : int { kAdd, kSub, kMul, kDiv, kMod };

// `=` `!=` `<` `<=` `>` `>=`; a Value::Boolean, or the first operand that is an error.
//  - Equality: a boolean on either side compares as booleans; else a number, date, date-time or
//    time on either side compares as numbers (a string facing a date / date-time / time is
//    parsed as one; 6.1 - 7.8 = -1.7 holds, see NumbersEqual); else as strings.
//  - Order: both sides as numbers ('abc' < 'abcd' is false), with the same date parsing.
//  - A nodeset compares existentially (some item satisfies it); an empty one reads as ''.
Value CompareValues(CompareOp op, const Value& a, const Value& b);

// `+ - * div mod` on numbers (dates are days since the epoch, so date - date is days and
// date + 1 is a number, as JavaRosa). mod is C fmod: -5 mod 3 = -2, x mod 0 = NaN;
// 1 div 0 = Infinity. Returns a Value::Number, or the first operand that is an error.
Value Arithmetic(ArithOp op, const Value& a, const Value& b);

// Tolerant numeric equality: equal when |a - b| < 1e-12 (JavaRosa's delta, for results near
// zero) or within 4 ulp-sized steps relative to the larger magnitude (float noise in sums such
// as 6.1 - 7.8), but never so loose that distinct 15-digit integers compare equal.
bool NumbersEqual(double a, double b);

}  // namespace chosa

#endif  // CHOSA_ENGINE_EXPR_OPERATORS_H_
