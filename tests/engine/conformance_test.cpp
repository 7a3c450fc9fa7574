// Runs every expression of JavaRosa's (ODK's engine) reference answers through chosa and
// prints agreed / departed / not offered per category. Fails on a disagreement that
// tests/conformance/departures.json does not list, on a listed departure that now agrees, and
// on "unknown function" for any function DESIGN.md names.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "chosa/expression.h"
#include "test_support.h"

namespace {

using chosa::Result;
using chosa::Value;
using nlohmann::json;

// The functions DESIGN.md names: chosa must offer every one of them.
const std::set<std::string> kDesignFunctions = {
    "if", "selected", "count-selected", "coalesce", "concat", "string-length", "substr", "regex", "round", "int",
    "number", "sum", "count", "min", "max", "today", "now", "format-date", "position", "once", "score",
    "indexed-repeat", "not"};

bool SameNumber(double got, double want) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  double scale = std::max(1.0, std::fabs(want));
  return std::fabs(got - want) <= 1e-12 * scale;
}

// "" when `got` matches the case's expectation, otherwise what chosa gave instead.
std::string Compare(const json& expect, const std::string& type, const Result<Value>& got) {
  bool failed = !got.ok() || got->is_error();
  std::string shown = !got.ok() ? "load error: " + got.status().ToString()
                      : got->is_error() ? "error value: " + got->text()
                                        : got->ToString();
  if (expect.is_object() && expect.contains("error")) return failed ? "" : shown;
  if (failed) return shown;
  const Value& v = *got;
  if (expect.is_object() && expect.contains("nan")) return std::isnan(v.ToNumber()) && v.is_number() ? "" : shown;
  if (expect.is_object() && expect.contains("inf")) {
    double want = expect["inf"].get<int>() > 0 ? HUGE_VAL : -HUGE_VAL;
    return v.is_number() && v.ToNumber() == want ? "" : shown;
  }
  if (expect.is_boolean()) return v.is_boolean() && v.ToBoolean() == expect.get<bool>() ? "" : shown;
  if (expect.is_number()) return v.is_number() && SameNumber(v.ToNumber(), expect.get<double>()) ? "" : shown;
  if (expect.is_string()) {
    if (type == "date") return v.type() == Value::Type::kDate && v.ToString() == expect.get<std::string>() ? "" : shown;
    return v.is_string() && v.ToString() == expect.get<std::string>() ? "" : shown;
  }
  return "unreadable expectation";
}

}  // namespace

TEST_CASE("Conformance with ODK's JavaRosa on expressions over literals", "[conformance]") {
  std::ifstream cases(CHOSA_SOURCE_DIR "/tests/conformance/xpath_cases.jsonl");
  REQUIRE(cases.good());
  std::ifstream departures_file(CHOSA_SOURCE_DIR "/tests/conformance/departures.json");
  REQUIRE(departures_file.good());
  json departures = json::parse(departures_file);

  // JavaRosa's answers were recorded in UTC; chosa reads the zone from its Env.
  chosa::testing::FixedEnv utc(1730597430000, 0);
  struct Tally { int agreed = 0, departed = 0, not_offered = 0; };
  std::map<std::string, Tally> by_category;
  std::set<std::string> seen;
  std::string line;
  int total = 0;
  while (std::getline(cases, line)) {
    if (line.empty()) continue;
    json c = json::parse(line);
    std::string expr = c["expr"], category = c["category"], type = c["type"];
    ++total;
    seen.insert(expr);
    Result<Value> got = chosa::EvaluateStandalone(expr, &utc);
    bool unknown_function = !got.ok() && got.status().message().rfind("unknown function ", 0) == 0;
    std::string mismatch = Compare(c["expect"], type, got);
    bool listed = departures.contains(expr);
    INFO("case: " << expr << "  expected: " << c["expect"].dump() << "  chosa: " << mismatch);
    if (unknown_function) {
      std::string name = got.status().message().substr(17);
      name = name.substr(0, name.find('('));
      CHECK(kDesignFunctions.count(name) == 0);  // DESIGN.md's functions must all exist
      CHECK(listed);                             // and the missing ones are owned up to
      ++by_category[category].not_offered;
    } else if (mismatch.empty()) {
      CHECK_FALSE(listed);  // a listed departure that now agrees must leave the list
      ++by_category[category].agreed;
    } else {
      CHECK(listed);  // a disagreement nobody explained
      ++by_category[category].departed;
    }
  }
  for (const auto& entry : departures.items()) {
    INFO("departures.json lists a case that is not in xpath_cases.jsonl: " << entry.key());
    CHECK(seen.count(entry.key()) == 1);
    CHECK(entry.value().is_string());
  }
  int agreed = 0, departed = 0, not_offered = 0;
  std::printf("conformance with JavaRosa (%d cases):\n", total);
  for (const auto& entry : by_category) {
    std::printf("  %-18s agreed %3d  departed %2d  not offered %2d\n", entry.first.c_str(), entry.second.agreed,
                entry.second.departed, entry.second.not_offered);
    agreed += entry.second.agreed;
    departed += entry.second.departed;
    not_offered += entry.second.not_offered;
  }
  std::printf("  %-18s agreed %3d  departed %2d  not offered %2d\n", "total", agreed, departed, not_offered);
  CHECK(total == agreed + departed + not_offered);
  CHECK(total > 150);
}
