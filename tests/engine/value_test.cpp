// Value conversions, the date/time helpers and the operators. Never reads the process time
// zone: every zone comes from a fake Env.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "chosa/env.h"
#include "chosa/value.h"
#include "chosa/engine/datetime.h"
#include "expr/operators.h"

namespace chosa {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A fixed clock and zone. `dst_*` bound a summer period (UTC millis) with `summer_offset`.
class FixedEnv : public Env {
 public:
  explicit FixedEnv(int offset, int64_t now = 1711931400000 /* 2024-04-01T00:30Z */)
      : offset_(offset), now_(now) {}
  FixedEnv(int winter, int summer, int64_t dst_begin, int64_t dst_end)
      : offset_(winter), summer_(summer), dst_begin_(dst_begin), dst_end_(dst_end), now_(0) {}
  int64_t NowMillis() override { return now_; }
  int UtcOffsetMinutes(int64_t utc) override {
    return (utc >= dst_begin_ && utc < dst_end_) ? summer_ : offset_;
  }
  void RandomBytes(uint8_t* out, size_t size) override {
    for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(i * 37 + 11);
  }
  void Log(LogLevel, std::string_view) override {}

 private:
  int offset_;
  int summer_ = 0;
  int64_t dst_begin_ = 0, dst_end_ = 0;
  int64_t now_;
};

// America/New_York in 2024: EDT from 2024-03-10T07:00Z to 2024-11-03T06:00Z.
FixedEnv NewYork2024() { return FixedEnv(-300, -240, 1710054000000, 1730613600000); }

TEST_CASE("ParseNumber follows XPath / JavaRosa", "[value]") {
  CHECK(ParseNumber("  -12345.6789 ") == -12345.6789);
  CHECK(ParseNumber("\t12\n") == 12);
  CHECK(ParseNumber("0") == 0);
  CHECK(ParseNumber(".5") == 0.5);
  CHECK(ParseNumber("5.") == 5);
  CHECK(ParseNumber("-.25") == -0.25);
  CHECK(ParseNumber("0.00000000000000000123") == 1.23e-18);
  CHECK(ParseNumber("1230000000000000000000") == 1.23e21);
  CHECK(std::signbit(ParseNumber("-0")));
  for (const char* bad : {"", " ", "-", ".", "-.", "1.1e6", "Infinity", "-Infinity", "NaN", "- 17", "+5",
                          "34.56.7", "1,5", "0x10", "１２", "12abc", "1-2"}) {
    INFO(bad);
    CHECK(std::isnan(ParseNumber(bad)));
  }
  // More digits than a double holds: overflow to infinity, underflow to zero, never UB.
  CHECK(ParseNumber(std::string(400, '9')) == kInf);
  CHECK(ParseNumber("-" + std::string(400, '9')) == -kInf);
  CHECK(ParseNumber("0." + std::string(400, '0') + "1") == 0);
}

TEST_CASE("FormatNumber writes shortest digits without exponent", "[value]") {
  CHECK(FormatNumber(1) == "1");
  CHECK(FormatNumber(-1) == "-1");
  CHECK(FormatNumber(-0.0) == "0");
  CHECK(FormatNumber(123456.0) == "123456");
  CHECK(FormatNumber(0.5) == "0.5");
  CHECK(FormatNumber(-12345.6789) == "-12345.6789");
  CHECK(FormatNumber(0.1 + 0.2) == "0.30000000000000004");
  CHECK(FormatNumber(1.23e-18) == "0.00000000000000000123");
  CHECK(FormatNumber(1.23e21) == "1230000000000000000000");
  CHECK(FormatNumber(kNaN) == "NaN");
  CHECK(FormatNumber(kInf) == "Infinity");
  CHECK(FormatNumber(-kInf) == "-Infinity");
  // Extremes format fully and round-trip.
  const std::string tiny = FormatNumber(5e-324);
  CHECK(tiny.rfind("0.000", 0) == 0);
  CHECK(tiny.back() == '5');
  CHECK(ParseNumber(tiny) == 5e-324);
  const std::string huge = FormatNumber(1.7976931348623157e308);
  CHECK(huge.size() == 309);
  CHECK(ParseNumber(huge) == 1.7976931348623157e308);
}

TEST_CASE("string, number and boolean conversions", "[value]") {
  CHECK(Value().is_string());
  CHECK(Value().is_empty());
  CHECK(Value::String("大阪").ToString() == "大阪");
  CHECK(std::isnan(Value::String("大阪").ToNumber()));
  CHECK(Value::String(" 42 ").ToNumber() == 42);
  CHECK(Value::String("  ").ToBoolean());
  CHECK_FALSE(Value::String("").ToBoolean());

  CHECK(Value::Number(0.0001).ToBoolean());
  CHECK(Value::Number(kInf).ToBoolean());
  CHECK_FALSE(Value::Number(0).ToBoolean());
  CHECK_FALSE(Value::Number(-0.0).ToBoolean());
  CHECK_FALSE(Value::Number(kNaN).ToBoolean());
  CHECK(Value::Number(-17).ToString() == "-17");

  CHECK(Value::Boolean(true).ToString() == "true");
  CHECK(Value::Boolean(false).ToString() == "false");
  CHECK(Value::Boolean(true).ToNumber() == 1);
  CHECK(Value::Boolean(false).ToNumber() == 0);
  CHECK(Value::Boolean(true).truth());

  const Value error = Value::Error("not a date: 'x'");
  CHECK(error.is_error());
  CHECK(error.text() == "not a date: 'x'");
  CHECK(error.ToString().empty());
  CHECK(std::isnan(error.ToNumber()));
  CHECK_FALSE(error.ToBoolean());
  CHECK_FALSE(error.is_empty());
}

TEST_CASE("dates convert to ISO text and days since the epoch", "[value][date]") {
  CHECK(Value::Date(0).ToString() == "1970-01-01");
  CHECK(Value::Date(-1).ToString() == "1969-12-31");
  CHECK(Value::Date(14127).ToString() == "2008-09-05");
  CHECK(Value::Date(-25508).ToString() == "1900-03-01");
  CHECK(Value::Date(-25509).ToString() == "1900-02-28");  // 1900 is not a leap year
  CHECK(Value::Date(11016).ToString() == "2000-02-29");   // 2000 is
  CHECK(Value::Date(19782).ToString() == "2024-02-29");
  CHECK(Value::Date(24855).ToString() == "2038-01-19");
  CHECK(Value::Date(2932896).ToString() == "9999-12-31");
  CHECK(Value::Date(-719162).ToString() == "0001-01-01");
  CHECK(Value::Date(-9016).ToNumber() == -9016);
  CHECK(Value::Date(0).ToBoolean());
  CHECK_FALSE(Value::Date(0).is_empty());
  // Out of the supported range: no text, and no UB.
  CHECK(Value::Date(std::numeric_limits<int64_t>::max()).ToString().empty());
  CHECK(Value::Date(std::numeric_limits<int64_t>::min()).ToString().empty());
}

TEST_CASE("date-times and times show their own offset", "[value][date]") {
  const double utc = 1711931400000;  // 2024-04-01T00:30:00Z
  CHECK(Value::DateTime(utc, 540).ToString() == "2024-04-01T09:30:00.000+09:00");
  CHECK(Value::DateTime(utc, 0).ToString() == "2024-04-01T00:30:00.000+00:00");
  CHECK(Value::DateTime(utc, -300).ToString() == "2024-03-31T19:30:00.000-05:00");
  CHECK(Value::DateTime(utc + 123, 345).ToString() == "2024-04-01T06:15:00.123+05:45");
  CHECK(Value::DateTime(-1, 0).ToString() == "1969-12-31T23:59:59.999+00:00");
  CHECK(Value::DateTime(utc, 540).ToNumber() == Approx(utc / 86400000.0));
  CHECK(Value::DateTime(utc, 540).offset_minutes() == 540);
  CHECK(Value::DateTime(utc, 540).ToBoolean());
  CHECK(Value::DateTime(kNaN, 0).ToString().empty());
  CHECK(Value::DateTime(1e300, 0).ToString().empty());

  CHECK(Value::Time(34200000, 540).ToString() == "09:30:00.000+09:00");
  CHECK(Value::Time(0, -210).ToString() == "00:00:00.000-03:30");
  CHECK(Value::Time(43200000, 540).ToNumber() == 0.5);
  CHECK(Value::Time(kInf, 0).ToString().empty());
}

TEST_CASE("nodesets convert through their first item", "[value]") {
  const Value empty = Value::Nodeset({});
  CHECK(empty.is_nodeset());
  CHECK(empty.is_empty());
  CHECK(empty.ToString().empty());
  CHECK(std::isnan(empty.ToNumber()));
  CHECK_FALSE(empty.ToBoolean());

  const Value items = Value::Nodeset({Value::String("3"), Value::String("4")});
  CHECK_FALSE(items.is_empty());
  CHECK(items.items().size() == 2);
  CHECK(items.ToString() == "3");
  CHECK(items.ToNumber() == 3);
  CHECK(items.ToBoolean());
  CHECK_FALSE(Value::Nodeset({Value::String("")}).ToBoolean());
  CHECK(Value::Number(1).items().empty());  // safe on a non-nodeset
}

TEST_CASE("SameAs compares type and payload", "[value]") {
  CHECK(Value::Number(kNaN).SameAs(Value::Number(kNaN)));
  CHECK(Value::Number(1).SameAs(Value::Number(1)));
  CHECK_FALSE(Value::Number(1).SameAs(Value::String("1")));
  CHECK_FALSE(Value::Number(1).SameAs(Value::Boolean(true)));
  CHECK(Value::String("区").SameAs(Value::String("区")));
  CHECK_FALSE(Value::String("区").SameAs(Value::String("市")));
  CHECK_FALSE(Value::Date(1).SameAs(Value::Number(1)));
  CHECK(Value::DateTime(5, 540).SameAs(Value::DateTime(5, 540)));
  CHECK_FALSE(Value::DateTime(5, 540).SameAs(Value::DateTime(5, 0)));
  CHECK_FALSE(Value::Time(5, 540).SameAs(Value::Time(6, 540)));
  CHECK(Value::Error("a").SameAs(Value::Error("a")));
  CHECK_FALSE(Value::Error("a").SameAs(Value::Error("b")));
  const Value a = Value::Nodeset({Value::Number(1), Value::String("x")});
  CHECK(a.SameAs(a));
  CHECK(a.SameAs(Value::Nodeset({Value::Number(1), Value::String("x")})));
  CHECK_FALSE(a.SameAs(Value::Nodeset({Value::Number(1)})));
  CHECK_FALSE(a.SameAs(Value::Nodeset({Value::Number(1), Value::String("y")})));
}

TEST_CASE("civil date algorithms round-trip", "[date]") {
  for (int64_t days = -800000; days <= 3000000; days += 997) {
    const CivilDate c = CivilFromDays(days);
    REQUIRE(IsValidCivil(c.year, c.month, c.day));
    REQUIRE(DaysFromCivil(c.year, c.month, c.day) == days);
  }
  CHECK(DaysFromCivil(1970, 1, 1) == 0);
  CHECK(DaysFromCivil(1600, 3, 1) == -135080);
  CHECK(DayOfWeek(0) == 4);                              // Thursday
  CHECK(DayOfWeek(DaysFromCivil(1900, 3, 1)) == 4);      // Thursday
  CHECK(DayOfWeek(DaysFromCivil(2024, 4, 1)) == 1);      // Monday
  CHECK(IsValidCivil(2024, 2, 29));
  CHECK(IsValidCivil(2000, 2, 29));
  CHECK_FALSE(IsValidCivil(2023, 2, 29));
  CHECK_FALSE(IsValidCivil(1900, 2, 29));
  CHECK_FALSE(IsValidCivil(2024, 4, 31));
  CHECK_FALSE(IsValidCivil(2024, 13, 1));
  CHECK_FALSE(IsValidCivil(2024, 0, 1));
  CHECK(FloorDiv(-1, 86400000) == -1);
  CHECK(FloorMod(-1, 86400000) == 86399999);
  // Clamped, never overflowing.
  (void)CivilFromDays(std::numeric_limits<int64_t>::max());
  (void)CivilFromDays(std::numeric_limits<int64_t>::min());
}

TEST_CASE("ParseIsoDate is strict", "[date]") {
  CHECK(ParseIsoDate("1970-01-01") == 0);
  CHECK(ParseIsoDate(" 2024-02-29 ") == 19782);
  CHECK(ParseIsoDate("1900-03-01") == -25508);
  CHECK(ParseIsoDate("1945-04-26") == -9016);
  CHECK(ParseIsoDate("2018-01-02T10:20:30.123") == DaysFromCivil(2018, 1, 2));
  CHECK(ParseIsoDate("2018-01-02T23:30:00-05:00") == DaysFromCivil(2018, 1, 2));  // as written
  for (const char* bad : {"", "2023-02-29", "1900-02-29", "2024-04-31", "2024-13-01", "2024-00-10",
                          "2024-1-2", "24-01-02", "2024/01/02", "2024-01-02x", "2024-01-02T",
                          "2024-01-02T25:00", "2024-01-02 10:00", "not a date", "２０２４-01-02"}) {
    INFO(bad);
    CHECK_FALSE(ParseIsoDate(bad).has_value());
  }
}

TEST_CASE("ParseIsoTime and ParseIsoDateTime", "[date]") {
  auto t = ParseIsoTime("10:20");
  REQUIRE(t);
  CHECK(t->millis_of_day == 37200000);
  CHECK_FALSE(t->offset_minutes);
  t = ParseIsoTime("10:20:30.123456+09:00");
  REQUIRE(t);
  CHECK(t->millis_of_day == 37230123);
  CHECK(t->offset_minutes == 540);
  t = ParseIsoTime("23:59:59.5Z");
  REQUIRE(t);
  CHECK(t->millis_of_day == 86399500);
  CHECK(t->offset_minutes == 0);
  CHECK(ParseIsoTime("00:00-0530")->offset_minutes == -330);
  CHECK(ParseIsoTime("00:00+02")->offset_minutes == 120);
  for (const char* bad : {"", "24:00", "10:60", "10:20:60", "1:20", "10:20:", "10:20:30.", "10:20+9",
                          "10:20+19:00", "10:20+09:60", "10:20+09:00x", "10:20 +09:00"}) {
    INFO(bad);
    CHECK_FALSE(ParseIsoTime(bad).has_value());
  }

  auto dt = ParseIsoDateTime("2024-04-01T09:30:00.000+09:00");
  REQUIRE(dt);
  CHECK(dt->wall_millis == 1711963800000);  // 09:30 written, counted as if UTC
  CHECK(dt->offset_minutes == 540);
  dt = ParseIsoDateTime("2024-04-01");
  REQUIRE(dt);
  CHECK(dt->wall_millis == 1711929600000);
  CHECK_FALSE(dt->offset_minutes);
  CHECK_FALSE(ParseIsoDateTime("2024-04-01T").has_value());
  CHECK_FALSE(ParseIsoDateTime("2024-04-01X09:30").has_value());
}

TEST_CASE("ParseTemporal puts local times in the Env's zone", "[date]") {
  FixedEnv tokyo(540);
  auto v = ParseTemporal("2024-04-01T09:30", Value::Type::kDateTime, &tokyo);
  REQUIRE(v);
  CHECK(v->type() == Value::Type::kDateTime);
  CHECK(v->number() == 1711931400000);
  CHECK(v->ToString() == "2024-04-01T09:30:00.000+09:00");
  v = ParseTemporal("2024-04-01T09:30:00Z", Value::Type::kDateTime, &tokyo);
  CHECK(v->ToString() == "2024-04-01T09:30:00.000+00:00");
  v = ParseTemporal("09:30", Value::Type::kTime, &tokyo);
  CHECK(v->ToString() == "09:30:00.000+09:00");
  v = ParseTemporal("2024-04-01T09:30+02:00", Value::Type::kTime, &tokyo);
  CHECK(v->ToString() == "09:30:00.000+02:00");
  v = ParseTemporal("2024-04-01", Value::Type::kDate, &tokyo);
  CHECK(v->type() == Value::Type::kDate);
  CHECK(v->number() == 19814);
  CHECK_FALSE(ParseTemporal("2024-04-01", Value::Type::kNumber, &tokyo));
  CHECK_FALSE(ParseTemporal("x", Value::Type::kDateTime, &tokyo));
  CHECK(ParseTemporal("12:00", Value::Type::kTime, -300)->ToString() == "12:00:00.000-05:00");
  CHECK(ParseTemporal("2024-01-15T12:00", Value::Type::kDateTime, nullptr)->offset_minutes() == 0);

  // Daylight saving: the offset is the one in force at that wall time.
  FixedEnv ny = NewYork2024();
  CHECK(ParseTemporal("2024-01-15T12:00", Value::Type::kDateTime, &ny)->ToString() ==
        "2024-01-15T12:00:00.000-05:00");
  CHECK(ParseTemporal("2024-07-04T12:00", Value::Type::kDateTime, &ny)->ToString() ==
        "2024-07-04T12:00:00.000-04:00");
  CHECK(ParseTemporal("2024-03-10T01:59", Value::Type::kDateTime, &ny)->offset_minutes() == -300);
  CHECK(ParseTemporal("2024-03-10T03:00", Value::Type::kDateTime, &ny)->offset_minutes() == -240);
  // 02:30 does not exist that night; any answer is fine as long as it is stable and sane.
  const auto gap = ParseTemporal("2024-03-10T02:30", Value::Type::kDateTime, &ny);
  REQUIRE(gap);
  CHECK((gap->offset_minutes() == -300 || gap->offset_minutes() == -240));
}

TEST_CASE("FormatDate implements ODK's codes", "[date]") {
  const Value dt = Value::DateTime(1704201630123, 540);  // 2024-01-02T13:20:30.123Z
  CHECK(FormatDate(dt, "%Y-%m-%d %H:%M:%S.%3") == "2024-01-02 22:20:30.123");
  CHECK(FormatDate(dt, "%y/%n/%e %h時") == "24/1/2 22時");
  CHECK(FormatDate(dt, "%a %b") == "Tue Jan");
  CHECK(FormatDate(dt, "100%%") == "100%");
  CHECK(FormatDate(Value::Date(-25508), "%a %d %b %Y") == "Thu 01 Mar 1900");
  CHECK(FormatDate(Value::Date(-1), "%Y-%m-%d %H:%M") == "1969-12-31 00:00");
  CHECK(FormatDate(Value::Time(3723004, 540), "%H:%M:%S.%3 %h") == "01:02:03.004 1");
  CHECK_FALSE(FormatDate(dt, "%Q"));
  CHECK_FALSE(FormatDate(dt, "trailing %"));
  CHECK_FALSE(FormatDate(Value::String("2024-01-02"), "%Y"));
  CHECK_FALSE(FormatDate(Value::DateTime(kNaN, 0), "%Y"));
  CHECK(FormatOffset(0) == "+00:00");
  CHECK(FormatOffset(540) == "+09:00");
  CHECK(FormatOffset(-570) == "-09:30");
  CHECK(FormatIsoDate(DaysFromCivil(-44, 3, 15)) == "-0044-03-15");
  // Zero-padded fields, and wider ones kept whole.
  CHECK(FormatIsoDate(DaysFromCivil(5, 1, 9)) == "0005-01-09");
  CHECK(FormatIsoDate(DaysFromCivil(12345, 12, 31)) == "12345-12-31");
  CHECK(FormatIsoDateTime(0, 0) == "1970-01-01T00:00:00.000+00:00");
  CHECK(FormatIsoDateTime(1730597430007.0, 540) == "2024-11-03T10:30:30.007+09:00");
  CHECK(FormatIsoDateTime(1730597430999.0, -570) == "2024-11-02T16:00:30.999-09:30");
}

TEST_CASE("equality follows XPath 1.0 and JavaRosa", "[operators]") {
  auto eq = [](const Value& a, const Value& b) { return CompareValues(CompareOp::kEq, a, b).truth(); };
  auto ne = [](const Value& a, const Value& b) { return CompareValues(CompareOp::kNe, a, b).truth(); };
  CHECK(CompareValues(CompareOp::kEq, Value::Number(1), Value::Number(1)).is_boolean());
  CHECK(eq(Value::Number(6.1 - 7.8), Value::Number(-1.7)));
  CHECK(eq(Value::Number(0.1 + 0.2), Value::Number(0.3)));
  CHECK_FALSE(eq(Value::Number(123456789012345.0), Value::Number(123456789012346.0)));
  CHECK_FALSE(eq(Value::Number(kNaN), Value::Number(kNaN)));
  CHECK(ne(Value::Number(kNaN), Value::Number(kNaN)));
  CHECK(eq(Value::Number(kInf), Value::Number(kInf)));
  CHECK(eq(Value::Number(17), Value::String("17.0000000")));
  CHECK(eq(Value::Number(0), Value::Boolean(false)));
  CHECK_FALSE(ne(Value::Boolean(true), Value::Date(10)));
  CHECK(eq(Value::String("abc"), Value::String("abc")));
  CHECK(ne(Value::String("abc"), Value::String("def")));
  CHECK(eq(Value::String("大阪"), Value::String("大阪")));
  CHECK_FALSE(eq(Value::String("1"), Value::String("1.0")));  // two strings compare as text
  // A string facing a date is read as a date.
  CHECK(eq(Value::Date(19814), Value::String("2024-04-01")));
  CHECK(eq(Value::String("2024-04-01"), Value::Date(19814)));
  CHECK(ne(Value::Date(19814), Value::String("2024-04-02")));
  CHECK(eq(Value::Date(19814), Value::Number(19814)));
  CHECK(eq(Value::DateTime(1711931400000, 540), Value::String("2024-04-01T09:30")));
  CHECK(eq(Value::Time(34200000, 540), Value::String("09:30:00")));
}

TEST_CASE("relational operators compare numbers", "[operators]") {
  auto cmp = [](CompareOp op, const Value& a, const Value& b) { return CompareValues(op, a, b).truth(); };
  CHECK(cmp(CompareOp::kGt, Value::String("-17"), Value::String("-172")));
  CHECK_FALSE(cmp(CompareOp::kLt, Value::String("abc"), Value::String("abcd")));
  CHECK(cmp(CompareOp::kGt, Value::Boolean(true), Value::Number(0.9999)));
  CHECK(cmp(CompareOp::kLt, Value::Date(-165), Value::Date(-164)));
  CHECK(cmp(CompareOp::kLe, Value::Date(19814), Value::String("2024-04-01")));
  CHECK(cmp(CompareOp::kGe, Value::String("2024-04-02"), Value::Date(19814)));
  CHECK_FALSE(cmp(CompareOp::kLt, Value::Number(kNaN), Value::Number(1)));
  CHECK_FALSE(cmp(CompareOp::kGe, Value::Number(kNaN), Value::Number(1)));
  CHECK(cmp(CompareOp::kLe, Value::Number(5), Value::Number(5)));
}

TEST_CASE("nodesets compare existentially and errors propagate", "[operators]") {
  const Value ages = Value::Nodeset({Value::String("12"), Value::String(""), Value::String("40")});
  CHECK(CompareValues(CompareOp::kEq, ages, Value::Number(40)).truth());
  CHECK(CompareValues(CompareOp::kGt, ages, Value::Number(30)).truth());
  CHECK_FALSE(CompareValues(CompareOp::kGt, ages, Value::Number(50)).truth());
  CHECK(CompareValues(CompareOp::kEq, Value::String("12"), ages).truth());
  CHECK(CompareValues(CompareOp::kEq, Value::Nodeset({}), Value::String("")).truth());
  CHECK(CompareValues(CompareOp::kEq, ages, Value::Nodeset({Value::Number(40)})).truth());
  const Value error = Value::Error("boom");
  CHECK(CompareValues(CompareOp::kEq, error, Value::Number(1)).text() == "boom");
  CHECK(CompareValues(CompareOp::kLt, Value::Number(1), error).is_error());
}

TEST_CASE("arithmetic follows XPath 1.0 and JavaRosa", "[operators]") {
  auto num = [](ArithOp op, const Value& a, const Value& b) { return Arithmetic(op, a, b).number(); };
  CHECK(num(ArithOp::kAdd, Value::Number(5.5), Value::Number(5.5)) == 11);
  CHECK(num(ArithOp::kMul, Value::String("123"), Value::String("456")) == 56088);
  CHECK(num(ArithOp::kDiv, Value::Number(-10), Value::Number(-4)) == 2.5);
  CHECK(num(ArithOp::kDiv, Value::Number(1), Value::Number(0)) == kInf);
  CHECK(num(ArithOp::kDiv, Value::Number(-1), Value::Number(0)) == -kInf);
  CHECK(std::isnan(num(ArithOp::kDiv, Value::Number(0), Value::Number(0))));
  CHECK(num(ArithOp::kMod, Value::Number(-5), Value::Number(3)) == -2);
  CHECK(num(ArithOp::kMod, Value::Number(5), Value::Number(-3)) == 2);
  CHECK(num(ArithOp::kMod, Value::Number(3.1), Value::Number(3.1)) == 0);
  CHECK(std::isnan(num(ArithOp::kMod, Value::Number(5), Value::Number(0))));
  CHECK(num(ArithOp::kSub, Value::Date(14130), Value::Date(5026)) == 9104);
  CHECK(num(ArithOp::kAdd, Value::Date(14127), Value::Number(1)) == 14128);
  CHECK(num(ArithOp::kSub, Value::Boolean(true), Value::Number(4)) == -3);
  CHECK(std::isnan(num(ArithOp::kAdd, Value::String(""), Value::Number(1))));
  CHECK(Arithmetic(ArithOp::kAdd, Value::Number(1), Value::Error("bad")).text() == "bad");
  CHECK(Arithmetic(ArithOp::kAdd, Value::Number(1), Value::Number(2)).is_number());
}

}  // namespace
}  // namespace chosa
