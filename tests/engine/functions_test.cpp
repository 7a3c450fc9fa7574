// The function library, called as the evaluator calls it: evaluated arguments, a context with a
// fake Env (fixed clock and zone, so the TZ that ctest sets never matters).
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "chosa/env.h"
#include "chosa/value.h"
#include "expr/functions.h"
#include "test_support.h"

namespace chosa {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The shared fixed clock and zone (tests/engine/test_support.h), with arguments in this
// file's order: offset first.
testing::FixedEnv FakeEnv(int offset, int64_t now) { return testing::FixedEnv(now, offset); }

constexpr int64_t kNow = 1711931400000;  // 2024-04-01T00:30:00Z = 09:30 in Tokyo, 20:30 the day before in New York

Value CallWith(Env* env, std::string_view name, std::vector<Value> args) {
  const FunctionSpec* spec = FindFunction(name);
  REQUIRE(spec != nullptr);
  REQUIRE(spec->impl != nullptr);
  const int count = static_cast<int>(args.size());
  REQUIRE(count >= spec->min_args);
  REQUIRE((spec->max_args < 0 || count <= spec->max_args));
  FunctionContext context;
  context.env = env;
  return spec->impl(args.data(), count, context);
}

Value Call(std::string_view name, std::vector<Value> args = {}) {
  static testing::FixedEnv utc = FakeEnv(0, kNow);
  return CallWith(&utc, name, std::move(args));
}

Value S(const char* s) { return Value::String(s); }
Value N(double d) { return Value::Number(d); }
Value B(bool b) { return Value::Boolean(b); }
Value Set(std::initializer_list<Value> items) { return Value::Nodeset(std::vector<Value>(items)); }

std::string Str(const Value& v) {
  INFO(v.text());
  REQUIRE(v.is_string());
  return v.text();
}
double Num(const Value& v) {
  INFO(v.ToString());
  REQUIRE(v.is_number());
  return v.number();
}
bool Bool(const Value& v) {
  INFO(v.ToString());
  REQUIRE(v.is_boolean());
  return v.truth();
}

TEST_CASE("the table lists every spec function with its arity", "[functions]") {
  struct Expected {
    const char* name;
    int min, max;
  };
  const Expected expected[] = {
      {"if", 3, 3}, {"selected", 2, 2}, {"selected-at", 2, 2}, {"count-selected", 1, 1}, {"coalesce", 2, 2},
      {"concat", 0, -1}, {"join", 2, 2}, {"string-length", 0, 1}, {"substr", 2, 3},
      {"substring-before", 2, 2}, {"substring-after", 2, 2}, {"contains", 2, 2}, {"starts-with", 2, 2},
      {"ends-with", 2, 2}, {"translate", 3, 3}, {"normalize-space", 0, 1}, {"regex", 2, 2},
      {"string", 0, 1}, {"number", 1, 1}, {"boolean", 1, 1}, {"boolean-from-string", 1, 1}, {"true", 0, 0},
      {"false", 0, 0}, {"not", 1, 1}, {"round", 1, 2}, {"int", 1, 1}, {"floor", 1, 1}, {"ceiling", 1, 1},
      {"abs", 1, 1}, {"pow", 2, 2}, {"sqrt", 1, 1}, {"exp", 1, 1}, {"exp10", 1, 1}, {"log", 1, 1},
      {"log10", 1, 1}, {"sin", 1, 1}, {"cos", 1, 1}, {"tan", 1, 1}, {"asin", 1, 1}, {"acos", 1, 1},
      {"atan", 1, 1}, {"atan2", 2, 2}, {"pi", 0, 0}, {"sum", 1, 1}, {"count", 1, 1},
      {"count-non-empty", 1, 1}, {"min", 1, -1}, {"max", 1, -1}, {"today", 0, 0}, {"now", 0, 0},
      {"date", 1, 1}, {"date-time", 1, 1}, {"decimal-date-time", 1, 1}, {"decimal-time", 1, 1},
      {"format-date", 2, 2}, {"format-date-time", 2, 2}, {"position", 0, 1}, {"once", 1, 1},
      {"score", 1, 1}, {"indexed-repeat", 3, -1}, {"uuid", 0, 1}, {"random", 0, 0}, {"digest", 2, 3},
      {"checklist", 2, -1}, {"weighted-checklist", 3, -1}, {"jr:choice-name", 2, 2},
  };
  for (const Expected& e : expected) {
    INFO(e.name);
    const FunctionSpec* spec = FindFunction(e.name);
    REQUIRE(spec != nullptr);
    CHECK(spec->name == e.name);
    CHECK(spec->min_args == e.min);
    CHECK(spec->max_args == e.max);
    const bool evaluator = (spec->flags & kEvaluatorHandled) != 0;
    // coalesce is evaluated lazily by the evaluator, over its own implementation.
    CHECK(evaluator == (spec->impl == nullptr || e.name == std::string("coalesce")));
  }
  CHECK(AllFunctions().size() == sizeof expected / sizeof expected[0]);
  for (const char* name : {"if", "once", "position", "score", "indexed-repeat", "jr:choice-name"}) {
    CHECK((FindFunction(name)->flags & kEvaluatorHandled) != 0);
  }
  // jr:choice-name depends on the session's language: never folded.
  for (const char* name : {"today", "now", "uuid", "random", "decimal-time", "date-time", "jr:choice-name"}) {
    INFO(name);
    CHECK((FindFunction(name)->flags & kPure) == 0);
  }
  for (const char* name : {"concat", "substr", "round", "date", "format-date", "regex", "digest", "pi"}) {
    INFO(name);
    CHECK((FindFunction(name)->flags & kPure) != 0);
  }
  for (const char* name : {"sum", "count", "count-non-empty", "min", "max", "join"}) {
    CHECK((FindFunction(name)->flags & kAggregate) != 0);
  }
  CHECK((FindFunction("selected")->flags & kReadsSelect) != 0);
  CHECK((FindFunction("if")->flags & kLazy) != 0);
  CHECK((FindFunction("coalesce")->flags & kLazy) != 0);
  CHECK(FindFunction("nope") == nullptr);
  CHECK(FindFunction("") == nullptr);
  CHECK(FindFunction("Concat") == nullptr);
}

TEST_CASE("string functions count code points", "[functions][strings]") {
  CHECK(Num(Call("string-length", {S("大阪市")})) == 3);
  CHECK(Num(Call("string-length", {S("cocotero")})) == 8);
  CHECK(Num(Call("string-length", {S("")})) == 0);
  CHECK(Num(Call("string-length", {S("😀a")})) == 2);
  CHECK(Num(Call("string-length", {N(12.5)})) == 4);
  CHECK(Str(Call("substr", {S("大阪市北区"), N(1), N(3)})) == "阪市");
  CHECK(Str(Call("substr", {S("大阪市北区"), N(3)})) == "北区");
  CHECK(Str(Call("substr", {S("hello"), N(1)})) == "ello");
  CHECK(Str(Call("substr", {S("hello"), N(1), N(4)})) == "ell");
  // JavaRosa: negative indexes count from the end; everything is clamped.
  CHECK(Str(Call("substr", {S("大阪市北区"), N(-2)})) == "北区");
  CHECK(Str(Call("substr", {S("hello"), N(0), N(-1)})) == "hell");
  CHECK(Str(Call("substr", {S("hello"), N(-100), N(100)})) == "hello");
  CHECK(Str(Call("substr", {S("hello"), N(4), N(2)})) == "");
  CHECK(Str(Call("substr", {S("hello"), N(1e300), N(kInf)})) == "");
  CHECK(Str(Call("substr", {S("hello"), N(kNaN), N(2)})) == "he");
  CHECK(Str(Call("substr", {S(""), N(0), N(5)})) == "");
  CHECK(Str(Call("substr", {S("hello"), N(1.9), N(3.9)})) == "el");
}

TEST_CASE("invalid UTF-8 bytes count as single code points", "[functions][strings]") {
  const std::string broken = std::string("a\xE5\xA4") + "b\xFF" + "\xC0\xAF" + "\xED\xA0\x80";
  // a, E5, A4, b, FF, C0, AF, ED, A0, 80: a truncated sequence, a stray byte, an overlong form
  // and a surrogate are each one code point per byte.
  CHECK(Num(Call("string-length", {Value::String(broken)})) == 10);
  CHECK(Str(Call("substr", {Value::String(broken), N(1), N(2)})) == "\xE5");
  CHECK(Num(Call("string-length", {Value::String(std::string("\xE5\xA4\xA7", 3))})) == 1);
  CHECK(Num(Call("string-length", {Value::String(std::string("x\0y", 3))})) == 3);
  CHECK(Str(Call("translate", {Value::String(broken), S("\xFF"), S("!")})).find('!') != std::string::npos);
  for (int start = -12; start <= 12; ++start) {
    for (int end = -12; end <= 12; ++end) {
      const Value v = Call("substr", {Value::String(broken), N(start), N(end)});
      CHECK(v.text().size() <= broken.size());
    }
  }
}

TEST_CASE("substring-before/-after, contains, starts-with, ends-with", "[functions][strings]") {
  CHECK(Str(Call("substring-before", {S("hello"), S("l")})) == "he");
  CHECK(Str(Call("substring-before", {S("hello"), S("q")})) == "");
  CHECK(Str(Call("substring-before", {S("hello"), S("")})) == "");
  CHECK(Str(Call("substring-after", {S("hello"), S("l")})) == "lo");
  CHECK(Str(Call("substring-after", {S("hello"), S("")})) == "hello");
  CHECK(Str(Call("substring-after", {S("大阪市北区"), S("市")})) == "北区");
  CHECK(Str(Call("substring-before", {S("大阪市北区"), S("市")})) == "大阪");
  CHECK(Bool(Call("contains", {S("abc"), S("b")})));
  CHECK_FALSE(Bool(Call("contains", {S("abc"), S("bcd")})));
  CHECK(Bool(Call("contains", {S("東京都"), S("京")})));
  CHECK(Bool(Call("contains", {S("x"), S("")})));
  CHECK_FALSE(Bool(Call("starts-with", {S(""), S("a")})));
  CHECK(Bool(Call("starts-with", {S("大阪市"), S("大阪")})));
  CHECK(Bool(Call("ends-with", {S("abc"), S("c")})));
  CHECK(Bool(Call("ends-with", {S(""), S("")})));
  CHECK_FALSE(Bool(Call("ends-with", {S("c"), S("abc")})));
  CHECK(Bool(Call("ends-with", {S("大阪市"), S("市")})));
}

TEST_CASE("translate and normalize-space", "[functions][strings]") {
  CHECK(Str(Call("translate", {S("hello"), S("q"), S("Q")})) == "hello");
  CHECK(Str(Call("translate", {S("hello"), S(""), S("L")})) == "hello");
  CHECK(Str(Call("translate", {S("hello"), S("l"), S("")})) == "heo");
  CHECK(Str(Call("translate", {S(""), S("l"), S("L")})) == "");
  CHECK(Str(Call("translate", {S("hello"), S("lo"), S("LO")})) == "heLLO");
  CHECK(Str(Call("translate", {S("hello wor,ld"), S(" ,"), S(", ")})) == "hello,wor ld");
  CHECK(Str(Call("translate", {S("ｱｲｳ１２３"), S("１２３ｱ"), S("123ア")})) == "アｲｳ123");
  CHECK(Str(Call("translate", {S("abca"), S("aa"), S("xy")})) == "xbcx");  // first mapping wins

  CHECK(Str(Call("normalize-space", {S(" \t\n ")})) == "");
  CHECK(Str(Call("normalize-space", {S(" a    b ")})) == "a b");
  CHECK(Str(Call("normalize-space", {S("\na\nb\n")})) == "a b");
  CHECK(Str(Call("normalize-space", {S("大阪　市 ")})) == "大阪　市");  // U+3000 is not XPath space
}

TEST_CASE("concat and join flatten nodesets", "[functions][strings]") {
  CHECK(Str(Call("concat")) == "");
  CHECK(Str(Call("concat", {S("a")})) == "a");
  CHECK(Str(Call("concat", {S("ab"), S("cde"), S(""), S("fgh"), N(1), B(false), S("ijklmnop")})) ==
        "abcdefgh1falseijklmnop");
  CHECK(Str(Call("concat", {S("大阪"), S("市"), Value::Date(19814)})) == "大阪市2024-04-01");
  CHECK(Str(Call("concat", {Set({S("a"), S("b")}), S("-"), Set({})})) == "ab-");
  CHECK(Str(Call("join", {S(", "), Set({S("北区"), S(""), N(3)})})) == "北区, , 3");
  CHECK(Str(Call("join", {S(" "), Set({})})) == "");
  CHECK(Str(Call("join", {S("/"), S("one")})) == "one");
}

TEST_CASE("regex is a full UTF-8 match", "[functions][regex]") {
  CHECK(Bool(Call("regex", {S("12345"), S("[0-9]+")})));
  CHECK_FALSE(Bool(Call("regex", {S("a12345"), S("[0-9]+")})));
  CHECK_FALSE(Bool(Call("regex", {S("12345"), S("[0-9]{3}")})));
  CHECK(Bool(Call("regex", {S("大阪市"), S(".{3}")})));
  CHECK(Bool(Call("regex", {S("おおさか"), S("\\p{Hiragana}+")})));
  CHECK(Bool(Call("regex", {S("090-1234-5678"), S("0\\d{1,4}-\\d{1,4}-\\d{4}")})));
  CHECK(Bool(Call("regex", {S(""), S("")})));
  CHECK(Bool(Call("regex", {N(42), S("\\d+")})));
  const Value bad = Call("regex", {S("x"), S("(unclosed")});
  CHECK(bad.is_error());
  CHECK(bad.text().find("(unclosed") != std::string::npos);
  CHECK(Call("regex", {S("aa"), S("(a)\\1")}).is_error());  // no backreferences in RE2
  CHECK(Call("regex", {S("x"), Value::String(std::string("\xFF"))}).is_error());
  CHECK_FALSE(Bool(Call("regex", {Value::String(std::string("\xFF")), S("a")})));

  // The compiled-pattern cache is shared between threads, and bounded.
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    // Catch2's assertions are not thread-safe: threads only count failures.
    threads.emplace_back([t, &failures] {
      const FunctionSpec* regex = FindFunction("regex");
      FunctionContext context;
      for (int i = 0; i < 200; ++i) {
        const int n = (i + t) % 100 + 1;
        const Value args[2] = {Value::String(std::string(static_cast<size_t>(n), 'q')),
                               Value::String("[a-z]{" + std::to_string(n) + "}")};
        const Value v = regex->impl(args, 2, context);
        if (!v.is_boolean() || !v.truth()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
}

TEST_CASE("select functions", "[functions][select]") {
  CHECK(Bool(Call("selected", {S("apple baby crimson"), S("baby")})));
  CHECK(Bool(Call("selected", {S("apple"), S("apple")})));
  CHECK_FALSE(Bool(Call("selected", {S("apple"), S("ovoid")})));
  CHECK_FALSE(Bool(Call("selected", {S(""), S("apple")})));
  CHECK_FALSE(Bool(Call("selected", {S("apple baby"), S("")})));
  CHECK_FALSE(Bool(Call("selected", {S("apple baby"), S("app")})));
  CHECK(Bool(Call("selected", {S("  27127   27128 "), S(" 27128 ")})));
  CHECK(Bool(Call("selected", {S("1 2 3"), N(2)})));
  CHECK(Bool(Call("selected", {S("北区 中央区"), S("中央区")})));
  CHECK(Str(Call("selected-at", {S("apple baby crimson"), N(2)})) == "crimson");
  CHECK(Str(Call("selected-at", {S("apple baby crimson"), N(0)})) == "apple");
  CHECK(Str(Call("selected-at", {S("apple baby"), N(2)})) == "");
  CHECK(Str(Call("selected-at", {S("apple baby"), N(-1)})) == "");
  CHECK(Str(Call("selected-at", {S("apple baby"), N(kNaN)})) == "");
  CHECK(Str(Call("selected-at", {S("apple baby"), N(1e300)})) == "");
  CHECK(Str(Call("selected-at", {S("apple baby"), S("1")})) == "baby");
  CHECK(Num(Call("count-selected", {S("apple baby crimson")})) == 3);
  CHECK(Num(Call("count-selected", {S("")})) == 0);
  CHECK(Num(Call("count-selected", {S("  a  b ")})) == 2);
}

TEST_CASE("logic and conversion functions", "[functions]") {
  CHECK(Bool(Call("true")));
  CHECK_FALSE(Bool(Call("false")));
  CHECK(Bool(Call("not", {S("")})));
  CHECK_FALSE(Bool(Call("not", {B(true)})));
  CHECK(Bool(Call("boolean", {N(-1)})));
  CHECK_FALSE(Bool(Call("boolean", {N(kNaN)})));
  CHECK(Bool(Call("boolean", {S("  ")})));
  CHECK(Bool(Call("boolean-from-string", {S("true")})));
  CHECK(Bool(Call("boolean-from-string", {S("TRUE")})));
  CHECK(Bool(Call("boolean-from-string", {S("1")})));
  CHECK(Bool(Call("boolean-from-string", {N(1.0)})));
  CHECK(Bool(Call("boolean-from-string", {B(true)})));
  CHECK_FALSE(Bool(Call("boolean-from-string", {N(1.0001)})));
  CHECK_FALSE(Bool(Call("boolean-from-string", {S("false")})));
  CHECK_FALSE(Bool(Call("boolean-from-string", {S("yes")})));
  CHECK_FALSE(Bool(Call("boolean-from-string", {S(" true")})));
  CHECK(Str(Call("string", {N(-0.0)})) == "0");
  CHECK(Str(Call("string", {N(1.23e-18)})) == "0.00000000000000000123");
  CHECK(Str(Call("string", {Value::Date(-25508)})) == "1900-03-01");
  CHECK(Str(Call("string", {Set({S("x"), S("y")})})) == "x");
  CHECK(Num(Call("number", {S(" -12345.6789  ")})) == -12345.6789);
  CHECK(std::isnan(Num(Call("number", {S("1.1e6")}))));
  CHECK(Num(Call("number", {Value::Date(14127)})) == 14127);
  CHECK(Num(Call("number", {B(true)})) == 1);
  // coalesce: the first unless '' or NaN (JavaRosa's isNull), keeping its type.
  CHECK(Str(Call("coalesce", {S(""), S("b")})) == "b");
  CHECK(Str(Call("coalesce", {S("a"), S("b")})) == "a");
  CHECK(Num(Call("coalesce", {N(kNaN), N(5)})) == 5);
  CHECK(Num(Call("coalesce", {N(0), N(5)})) == 0);
  CHECK(Call("coalesce", {Value::Date(3), S("b")}).type() == Value::Type::kDate);
  CHECK(Str(Call("coalesce", {Set({}), S("b")})) == "b");
}

TEST_CASE("round is decimal and ties go toward positive infinity", "[functions][numbers]") {
  CHECK(Num(Call("round", {S("14.29123456789"), N(0)})) == 14);
  CHECK(Num(Call("round", {S("14.29123456789"), N(1)})) == 14.3);
  CHECK(Num(Call("round", {S("14.29123456789"), N(1.5)})) == 14.3);
  CHECK(Num(Call("round", {S("14.29123456789"), N(2)})) == 14.29);
  CHECK(Num(Call("round", {S("14.29123456789"), N(3)})) == 14.291);
  CHECK(Num(Call("round", {S("-12345.14"), N(1)})) == -12345.1);
  CHECK(Num(Call("round", {S("12345.12345"), N(-1)})) == 12350);
  CHECK(Num(Call("round", {S("12345.12345"), N(-2)})) == 12300);
  CHECK(Num(Call("round", {S("12345.12345"), N(-3)})) == 12000);
  CHECK(Num(Call("round", {S("4,6")})) == 5);
  CHECK(Num(Call("round", {S("14,6")})) == 15);
  CHECK(std::isnan(Num(Call("round", {S("1 div 0"), N(0)}))));
  CHECK(std::isnan(Num(Call("round", {S("-NaN")}))));
  CHECK(Num(Call("round", {S("-0")})) == 0);
  CHECK(Num(Call("round", {N(2.5)})) == 3);
  CHECK(Num(Call("round", {N(-2.5)})) == -2);
  CHECK(Num(Call("round", {N(-2.51)})) == -3);
  CHECK(Num(Call("round", {N(0.5)})) == 1);
  CHECK(Num(Call("round", {N(-0.4)})) == 0);
  CHECK(std::signbit(Num(Call("round", {N(-0.4)}))));
  CHECK(Num(Call("round", {N(2.675), N(2)})) == 2.68);  // decimal, not binary, halfway
  CHECK(Num(Call("round", {N(1.005), N(2)})) == 1.01);
  CHECK(Num(Call("round", {N(999.96), N(1)})) == 1000);
  CHECK(Num(Call("round", {N(9.5)})) == 10);
  CHECK(Num(Call("round", {N(0.0004), N(3)})) == 0);
  CHECK(Num(Call("round", {N(0.0005), N(3)})) == 0.001);
  CHECK(Num(Call("round", {N(1e-300), N(30)})) == 0);
  CHECK(Num(Call("round", {N(123.456), N(30)})) == 123.456);
  CHECK(Num(Call("round", {N(1.5e20)})) == 1.5e20);
  CHECK(Num(Call("round", {N(kInf)})) == kInf);
  CHECK(std::isnan(Num(Call("round", {N(1.5), N(31)}))));
  CHECK(std::isnan(Num(Call("round", {N(1.5), N(-1e300)}))));
  CHECK(Num(Call("round", {N(1.5), N(kNaN)})) == 2);
  CHECK(Num(Call("round", {N(1.7976931348623157e308), N(-30)})) > 1e308);
}

TEST_CASE("int, floor, ceiling and the math functions", "[functions][numbers]") {
  CHECK(Num(Call("int", {S("100")})) == 100);
  CHECK(Num(Call("int", {S(".1001")})) == 0);
  CHECK(Num(Call("int", {S(" -12345.6789  ")})) == -12345);
  CHECK(std::signbit(Num(Call("int", {S("-0")}))));
  CHECK(std::signbit(Num(Call("int", {N(-0.5)}))));
  CHECK(std::isnan(Num(Call("int", {S("- 17")}))));
  CHECK(std::isnan(Num(Call("int", {S("")}))));
  CHECK(Num(Call("int", {N(1e300)})) == 1e300);
  CHECK(Num(Call("int", {N(-kInf)})) == -kInf);
  CHECK(Num(Call("floor", {N(-1.5)})) == -2);
  CHECK(Num(Call("ceiling", {N(-1.5)})) == -1);
  CHECK(Num(Call("abs", {S("-3")})) == 3);
  CHECK(Num(Call("pow", {N(2), N(2)})) == 4);
  CHECK(Num(Call("pow", {N(2), N(0)})) == 1);
  CHECK(Num(Call("pow", {N(0), N(4)})) == 0);
  CHECK(Num(Call("pow", {N(-1), N(3)})) == -1);
  CHECK(Num(Call("pow", {N(16), N(0.25)})) == 2);
  CHECK(std::isnan(Num(Call("pow", {N(-8), N(1.0 / 3)}))));
  CHECK(Num(Call("sqrt", {N(2)})) == Approx(1.4142135623730951));
  CHECK(std::isnan(Num(Call("sqrt", {N(-1)}))));
  CHECK(Num(Call("exp", {N(0)})) == 1);
  CHECK(Num(Call("exp10", {N(3)})) == Approx(1000));
  CHECK(Num(Call("log", {N(7.38905609893065)})) == Approx(2));
  CHECK(Num(Call("log10", {N(100)})) == 2);
  CHECK(Num(Call("log", {N(0)})) == -kInf);
  CHECK(std::fabs(Num(Call("cos", {N(1.5707963267948966)}))) < 1e-12);
  CHECK(Num(Call("sin", {N(0)})) == 0);
  CHECK(Num(Call("tan", {N(0)})) == 0);
  CHECK(Num(Call("asin", {N(0)})) == 0);
  CHECK(Num(Call("acos", {N(1)})) == 0);
  CHECK(Num(Call("atan", {N(0)})) == 0);
  CHECK(Num(Call("atan2", {N(0), N(0)})) == 0);
  CHECK(Num(Call("atan2", {N(1), N(0)})) == Approx(1.5707963267948966));
  CHECK(Num(Call("pi")) == 3.141592653589793);
}

TEST_CASE("aggregates skip empty items", "[functions][aggregate]") {
  const Value ages = Set({S("12"), S(""), S("40"), N(3)});
  CHECK(Num(Call("sum", {ages})) == 55);
  CHECK(Num(Call("sum", {Set({})})) == 0);
  CHECK(Num(Call("sum", {Set({S(""), S("")})})) == 0);
  CHECK(std::isnan(Num(Call("sum", {Set({S("1"), S("abc")})}))));
  CHECK(Num(Call("sum", {N(4)})) == 4);
  CHECK(Num(Call("count", {ages})) == 4);
  CHECK(Num(Call("count", {Set({})})) == 0);
  CHECK(Num(Call("count-non-empty", {ages})) == 3);
  CHECK(Num(Call("count-non-empty", {Set({S(""), Set({})})})) == 0);
  CHECK(Num(Call("min", {ages})) == 3);
  CHECK(Num(Call("max", {ages})) == 40);
  CHECK(Num(Call("max", {Set({N(-5), N(-2), S("")})})) == -2);  // not Double.MIN_VALUE
  CHECK(std::isnan(Num(Call("min", {Set({})}))));
  CHECK(std::isnan(Num(Call("max", {Set({S("")})}))));
  CHECK(std::isnan(Num(Call("max", {Set({S("1"), S("x")})}))));
  CHECK(Num(Call("min", {N(5), S("2"), N(9)})) == 2);
  CHECK(Num(Call("max", {N(5), Set({N(1), N(12)}), S("")})) == 12);
  CHECK(Num(Call("max", {Value::Date(10), Value::Date(20)})) == 20);
}

TEST_CASE("checklist and weighted-checklist", "[functions]") {
  CHECK(Bool(Call("checklist", {N(1), N(3), S("foo"), S("bar")})));
  CHECK_FALSE(Bool(Call("checklist", {N(3), N(-1), S("foo"), S("bar")})));
  CHECK(Bool(Call("checklist", {N(-1), N(-1)})));
  CHECK(Bool(Call("checklist", {N(2), N(2), S("x"), S(""), B(true), N(0)})));
  CHECK(Bool(Call("checklist", {N(2), N(2), Set({S("a"), S(""), S("b")})})));
  CHECK(Bool(Call("weighted-checklist", {N(3), N(5), B(true), N(2), S(""), N(10), S("x"), N(1.5)})));
  CHECK_FALSE(Bool(Call("weighted-checklist", {N(4), N(5), B(true), N(2), S(""), N(10), S("x"), N(1.5)})));
  CHECK(Bool(Call("weighted-checklist",
                  {N(5), N(5), Set({B(true), B(false), B(true)}), Set({N(2), N(100), N(3)})})));
  CHECK(Call("weighted-checklist", {N(5), N(5), Set({B(true)}), Set({N(2), N(3)})}).is_error());
  CHECK(Call("weighted-checklist", {N(0), N(5), B(true)}).is_error());
}

TEST_CASE("date() parses, converts days and rejects bad dates", "[functions][date]") {
  Value v = Call("date", {S("1945-04-26")});
  CHECK(v.type() == Value::Type::kDate);
  CHECK(v.ToString() == "1945-04-26");
  CHECK(Call("date", {N(6.5)}).ToString() == "1970-01-07");
  CHECK(Call("date", {N(-0.5)}).ToString() == "1969-12-31");  // floor, not truncation
  CHECK(Call("date", {N(14127)}).ToString() == "2008-09-05");
  CHECK(Call("date", {N(-25508)}).ToString() == "1900-03-01");
  CHECK(Call("date", {S("2024-02-29")}).ToString() == "2024-02-29");
  CHECK(Call("date", {S("2018-01-02T23:30:00-05:00")}).ToString() == "2018-01-02");
  CHECK(Call("date", {Value::Date(7252)}).ToString() == "1989-11-09");
  CHECK(Call("date", {Value::DateTime(1711931400000, -300)}).ToString() == "2024-03-31");
  CHECK(Call("date", {Value::DateTime(1711931400000, 540)}).ToString() == "2024-04-01");
  CHECK(Call("date", {Set({S("2024-01-01")})}).ToString() == "2024-01-01");
  // '' and NaN pass through, as JavaRosa.
  v = Call("date", {S("")});
  CHECK(v.is_string());
  CHECK(v.text().empty());
  CHECK(Call("date", {Set({})}).is_string());
  CHECK(std::isnan(Num(Call("date", {N(kNaN)}))));
  for (const char* bad : {"not a date", "2023-02-29", "1900-02-29", "2024-13-01", "2024-1-1", "令和6年"}) {
    INFO(bad);
    v = Call("date", {S(bad)});
    REQUIRE(v.is_error());
    CHECK(v.text().find("not a date") != std::string::npos);
  }
  CHECK(Call("date", {N(kInf)}).is_error());
  CHECK(Call("date", {N(1e300)}).is_error());
  CHECK(Call("date", {B(true)}).is_error());
  // An error argument is the result.
  CHECK(Call("date", {Value::Error("upstream")}).text() == "upstream");
  CHECK(Call("concat", {S("a"), Value::Error("upstream")}).text() == "upstream");
}

TEST_CASE("date-time and decimal-date-time", "[functions][date]") {
  testing::FixedEnv tokyo = FakeEnv(540, kNow);
  Value v = CallWith(&tokyo, "date-time", {S("2024-04-01T09:30")});
  CHECK(v.type() == Value::Type::kDateTime);
  CHECK(v.ToString() == "2024-04-01T09:30:00.000+09:00");
  CHECK(CallWith(&tokyo, "date-time", {S("2024-04-01T09:30:15.5-05:00")}).ToString() ==
        "2024-04-01T09:30:15.500-05:00");
  CHECK(CallWith(&tokyo, "date-time", {S("2024-04-01")}).ToString() == "2024-04-01T00:00:00.000+09:00");
  CHECK(CallWith(&tokyo, "date-time", {Value::Date(19814)}).ToString() == "2024-04-01T00:00:00.000+09:00");
  CHECK(CallWith(&tokyo, "date-time", {N(19814.5)}).ToString() == "2024-04-01T21:00:00.000+09:00");
  CHECK(CallWith(&tokyo, "date-time", {S("")}).is_string());
  CHECK(CallWith(&tokyo, "date-time", {S("2024-04-01T25:00")}).is_error());
  CHECK(CallWith(&tokyo, "date-time", {N(kInf)}).is_error());

  CHECK(Num(CallWith(&tokyo, "decimal-date-time", {S("1970-01-02T00:00:00Z")})) == 1);
  CHECK(Num(CallWith(&tokyo, "decimal-date-time", {S("1970-01-02T09:00")})) == 1);  // Tokyo local
  CHECK(Num(CallWith(&tokyo, "decimal-date-time", {S("1969-12-31T12:00:00Z")})) == -0.5);
  CHECK(Num(CallWith(&tokyo, "decimal-date-time", {Value::Date(10)})) == 10);
  CHECK(Num(CallWith(&tokyo, "decimal-date-time", {N(3.25)})) == 3.25);
  CHECK(CallWith(&tokyo, "decimal-date-time", {S("")}).is_string());
  CHECK(CallWith(&tokyo, "decimal-date-time", {S("x")}).is_error());
}

TEST_CASE("decimal-time is the local time of day in the Env's zone", "[functions][date]") {
  testing::FixedEnv utc = FakeEnv(0, kNow);
  testing::FixedEnv tokyo = FakeEnv(540, kNow);
  // JavaRosa's case, run in UTC: 10:20:30+03:00 is 07:20:30 UTC.
  CHECK(Num(CallWith(&utc, "decimal-time", {S("2000-01-01T10:20:30.000+03:00")})) ==
        Approx(0.30590277777810115).margin(1e-12));
  CHECK(Num(CallWith(&tokyo, "decimal-time", {S("2000-01-01T10:20:30.000+03:00")})) ==
        Approx((16 * 3600 + 20 * 60 + 30) / 86400.0).margin(1e-12));
  CHECK(Num(CallWith(&tokyo, "decimal-time", {S("12:00")})) == 0.5);
  CHECK(Num(CallWith(&tokyo, "decimal-time", {S("12:00:00.000+09:00")})) == 0.5);
  CHECK(Num(CallWith(&utc, "decimal-time", {S("12:00:00.000+09:00")})) == 0.125);
  CHECK(Num(CallWith(&tokyo, "decimal-time", {Value::Time(43200000, 540)})) == 0.5);
  CHECK(Num(CallWith(&utc, "decimal-time", {Value::Time(43200000, 540)})) == 0.125);
  CHECK(Num(CallWith(&tokyo, "decimal-time", {Value::DateTime(kNow, 0)})) == Approx(9.5 / 24));
  CHECK(Num(CallWith(&tokyo, "decimal-time", {N(2.75)})) == 0.75);
  CHECK(Num(CallWith(&tokyo, "decimal-time", {N(-0.25)})) == 0.75);
  CHECK(Num(CallWith(&tokyo, "decimal-time", {Value::Date(5)})) == 0);
  CHECK(CallWith(&tokyo, "decimal-time", {S("")}).is_string());
  CHECK(CallWith(&tokyo, "decimal-time", {S("25:00")}).is_error());
}

TEST_CASE("format-date uses the written wall clock", "[functions][date]") {
  testing::FixedEnv ny = FakeEnv(-300, kNow);
  CHECK(Str(CallWith(&ny, "format-date", {S("2018-01-02T10:20:30.123"), S("%Y-%m-%e %H:%M:%S")})) ==
        "2018-01-2 10:20:30");
  CHECK(Str(CallWith(&ny, "format-date", {S("2018-01-02T10:20:30.123+09:00"), S("%H:%M:%S.%3")})) ==
        "10:20:30.123");
  CHECK(Str(CallWith(&ny, "format-date", {S("2024-02-29"), S("%a %e %b %Y")})) == "Thu 29 Feb 2024");
  CHECK(Str(CallWith(&ny, "format-date", {S("1900-03-01"), S("%y/%n/%d")})) == "00/3/01");
  CHECK(Str(CallWith(&ny, "format-date", {Value::Date(19814), S("%Y年%n月%e日")})) == "2024年4月1日");
  CHECK(Str(CallWith(&ny, "format-date", {N(19814), S("%Y-%m-%d")})) == "2024-04-01");
  CHECK(Str(CallWith(&ny, "format-date", {Value::DateTime(kNow, 540), S("%H:%M")})) == "09:30");
  CHECK(Str(CallWith(&ny, "format-date-time", {Value::DateTime(kNow, -300), S("%d %H:%M")})) == "31 19:30");
  CHECK(Str(CallWith(&ny, "format-date-time", {S("09:05"), S("%h:%M")})) == "9:05");
  CHECK(Str(CallWith(&ny, "format-date", {S(""), S("%Y")})) == "");
  CHECK(Str(CallWith(&ny, "format-date", {N(kNaN), S("%Y")})) == "");
  CHECK(CallWith(&ny, "format-date", {S("2023-02-29"), S("%Y")}).is_error());
  CHECK(CallWith(&ny, "format-date", {S("2024-01-01"), S("%Q")}).is_error());
  CHECK(CallWith(&ny, "format-date", {N(1e300), S("%Y")}).is_error());
}

TEST_CASE("today and now read the Env's clock and zone", "[functions][date]") {
  testing::FixedEnv tokyo = FakeEnv(540, kNow);
  testing::FixedEnv ny = FakeEnv(-300, kNow);
  Value today = CallWith(&tokyo, "today", {});
  CHECK(today.type() == Value::Type::kDate);
  CHECK(today.ToString() == "2024-04-01");
  CHECK(CallWith(&ny, "today", {}).ToString() == "2024-03-31");
  Value now = CallWith(&tokyo, "now", {});
  CHECK(now.type() == Value::Type::kDateTime);
  CHECK(now.ToString() == "2024-04-01T09:30:00.000+09:00");
  CHECK(CallWith(&ny, "now", {}).ToString() == "2024-03-31T19:30:00.000-05:00");
  // One millisecond before midnight, Tokyo; and before the epoch.
  testing::FixedEnv late = FakeEnv(540, 1711983599999);
  CHECK(CallWith(&late, "today", {}).ToString() == "2024-04-01");
  testing::FixedEnv old = FakeEnv(0, -1);
  CHECK(CallWith(&old, "today", {}).ToString() == "1969-12-31");
}

TEST_CASE("uuid and random use the Env's randomness", "[functions]") {
  testing::FixedEnv env = FakeEnv(0, kNow);
  const std::string id = Str(CallWith(&env, "uuid", {}));
  REQUIRE(id.size() == 36);
  for (size_t i = 0; i < id.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      CHECK(id[i] == '-');
    } else {
      CHECK(std::string("0123456789abcdef").find(id[i]) != std::string::npos);
    }
  }
  CHECK(id[14] == '4');
  CHECK(std::string("89ab").find(id[19]) != std::string::npos);
  CHECK(Str(CallWith(&env, "uuid", {})) != id);

  const std::string short_id = Str(CallWith(&env, "uuid", {N(25)}));
  CHECK(short_id.size() == 25);
  for (char c : short_id) CHECK(std::string("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ").find(c) != std::string::npos);
  CHECK(Str(CallWith(&env, "uuid", {N(0)})) == "");
  CHECK(Str(CallWith(&env, "uuid", {N(-3)})) == "");
  CHECK(Str(CallWith(&env, "uuid", {N(kNaN)})) == "");
  CHECK(CallWith(&env, "uuid", {N(1e12)}).is_error());

  std::set<double> seen;
  for (int i = 0; i < 20; ++i) {
    const double r = Num(CallWith(&env, "random", {}));
    CHECK(r >= 0);
    CHECK(r < 1);
    seen.insert(r);
  }
  CHECK(seen.size() > 1);
}

TEST_CASE("digest hashes UTF-8 bytes", "[functions]") {
  CHECK(Str(Call("digest", {S("some text"), S("SHA-384"), S("base64")})) ==
        "zJTsPphzwLmnJIZEKVj2cQZ833e5QnQW0DFEDMYgQeLuE0RJhEfsDO2fcENGG9Hz");
  CHECK(Str(Call("digest", {S("some text"), S("SHA-512"), S("base64")})) ==
        "4nMrrtyj6sFAeChjfeHbynAsP8ns4Wz1Nt241hOc2F3+dGS4I1spgm9gjM9KxkPimxnGN4WKPYcQpZER30LdtQ==");
  CHECK(Str(Call("digest", {S("some text"), S("MD5"), S("hex")})) == "552e21cd4cd9918678e3c1a0df491bc3");
  CHECK(Str(Call("digest", {S(""), S("SHA-1"), S("hex")})) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(Str(Call("digest", {S("大阪市"), S("SHA-256"), S("hex")})) ==
        "e812dccf52f09bc19b7465f16067f3864621dd9542e4cb5dcaa8dd110d1b9fc2");
  CHECK(Str(Call("digest", {S("大阪市"), S("MD5")})) == "qHl7xWZgDYfjVv0jxaZOPw==");  // base64 by default
  CHECK(Call("digest", {S("x"), S("SHA-3")}).is_error());
  CHECK(Call("digest", {S("x"), S("MD5"), S("base32")}).is_error());
}

}  // namespace
}  // namespace chosa
