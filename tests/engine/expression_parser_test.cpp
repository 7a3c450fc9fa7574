// The expression parser: precedence, XPath's operator keywords, columns of faults counted in
// code points, and the limits that keep hostile input from exhausting a tablet.
#include <string>

#include <catch2/catch.hpp>

#include "chosa/expression.h"
#include "expr/parser.h"
#include "test_support.h"

using chosa::EvaluateStandalone;
using chosa::ParseExpression;

namespace {

std::string Eval(const std::string& source) {
  chosa::testing::FixedEnv env;
  auto value = EvaluateStandalone(source, &env);
  if (!value.ok()) return "fault: " + value.status().ToString();
  return value->ToString();
}

int ColumnOfFault(const std::string& source) {
  auto parsed = ParseExpression(source);
  return parsed.ok() ? 0 : parsed.status().column();
}

}  // namespace

TEST_CASE("Operators bind as in XPath 1.0") {
  CHECK(Eval("1 + 2 * 3") == "7");
  CHECK(Eval("(1 + 2) * 3") == "9");
  CHECK(Eval("10 - 4 - 3") == "3");  // left associative
  CHECK(Eval("2 * 3 div 8 * 2") == "1.5");
  CHECK(Eval("7 mod 4 + 1") == "4");
  CHECK(Eval("- - 3") == "3");
  CHECK(Eval("1 < 2 = 2 > 1") == "true");
  CHECK(Eval("true() or false() and false()") == "true");  // and binds tighter than or
  CHECK(Eval("1 = 1 and 2 != 3") == "true");
  CHECK(Eval("\"double\" = 'double'") == "true");
}

TEST_CASE("and, or, div and mod are operators only after an operand") {
  auto parsed = ParseExpression("div = 3 and mod != 'x'");  // bare names, as in a choice filter
  REQUIRE(parsed.ok());
  CHECK(Eval("6 div 3") == "2");
  CHECK(Eval("if(1 = 1, 'and', 'or')") == "and");
}

TEST_CASE("Faults name the column of the offending token, in code points") {
  CHECK(ColumnOfFault("1 +") == 4);
  CHECK(ColumnOfFault("concat('大阪', ) ") == 14);
  CHECK(ColumnOfFault("'大阪市' = ${") == 9);
  CHECK(ColumnOfFault("${ward} = 'x") == 11);
  CHECK(ColumnOfFault("selected(${a}, 'b'") == 19);
  CHECK(ColumnOfFault("1 ! 2") == 3);
  CHECK(ColumnOfFault("/data/ward") == 1);
  CHECK(ColumnOfFault("") == 1);
  auto unknown = ParseExpression("  selectd(${a}, 'b')");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().column() == 3);
  CHECK(unknown.status().message() == "unknown function selectd(); did you mean selected()?");
  auto arity = ParseExpression("substr('abc')");
  REQUIRE_FALSE(arity.ok());
  CHECK(arity.status().message() == "substr() takes 2 to 3 arguments, not 1");
  CHECK(ParseExpression("true").status().message().find("true()") != std::string::npos);
}

TEST_CASE("Deep nesting and long chains are refused, not recursed into") {
  std::string deep(200, '(');
  deep += "1" + std::string(200, ')');
  auto parsed = ParseExpression(deep);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message().find("nested deeper") != std::string::npos);

  std::string chain = "1";
  for (int i = 0; i < 2000; ++i) chain += " + 1";
  auto long_chain = ParseExpression(chain);
  REQUIRE_FALSE(long_chain.ok());
  CHECK(long_chain.status().message().find("too complex") != std::string::npos);

  std::string fine = "1";
  for (int i = 0; i < 100; ++i) fine += " + 1";
  CHECK(Eval(fine) == "101");

  CHECK_FALSE(ParseExpression(std::string(chosa::kMaxExpressionBytes + 1, ' ')).ok());
}

TEST_CASE("Constant faults are found when the expression is compiled") {
  CHECK(Eval("date('2023-02-29')").rfind("fault: col 1: ", 0) == 0);
  CHECK(Eval("1 + date('2023-02-29')").rfind("fault: col 5: ", 0) == 0);  // the innermost fault
  CHECK(Eval("if(date('x') > 0, 1, 2)").rfind("fault: col 4: ", 0) == 0);  // a condition always runs
  CHECK(Eval("false() or date('x')").rfind("fault: col 12: ", 0) == 0);     // taken: evaluated
  CHECK(Eval("coalesce('', date('x'))").rfind("fault: col 14: ", 0) == 0);  // taken: evaluated
  CHECK(Eval("${ward}").find("unknown name ${ward}") != std::string::npos);
  CHECK(Eval(". > 1").find("'.' is only valid") != std::string::npos);
}

TEST_CASE("A fault in a branch never taken is not a fault (as in JavaRosa)") {
  CHECK(Eval("if(true(), 1, date('x'))") == "1");
  CHECK(Eval("if(false(), date('x'), 2)") == "2");
  CHECK(Eval("true() or date('x')") == "true");
  CHECK(Eval("false() and date('x')") == "false");
  CHECK(Eval("coalesce('a', date('x'))") == "a");
  CHECK(Eval("concat(coalesce('a', date('x')), if(1 < 2, 'b', date('y')))") == "ab");
}

TEST_CASE("Text is counted in code points") {
  CHECK(Eval("string-length('大阪市')") == "3");
  CHECK(Eval("substr('大阪市北区', 3)") == "北区");
  CHECK(Eval("string-length('𠮷野家')") == "3");  // JavaRosa counts UTF-16 units: 4
  CHECK(Eval("regex('大阪市', '^大阪.$')") == "true");
  CHECK(Eval("regex('大阪市北区', '大阪')") == "false");  // a full match, as XForms
}
