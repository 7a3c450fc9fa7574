// The scenario reader and runner behind `chosa test` (scenario/include/chosa/scenario/), on a small form.
#include <string>

#include <catch2/catch.hpp>

#include "chosa/form.h"
#include "chosa/scenario/json_match.h"
#include "chosa/scenario/scenario.h"
#include "chosa/scenario/scenario_runner.h"

namespace chosa {
namespace scenario {
namespace {

const char* kForm = R"json({
  "format": 1, "id": "mini", "version": "1", "title": "Mini", "languages": ["ja", "en"],
  "choice_lists": {"yn": [{"value": "yes", "label": {"ja": "はい", "en": "Yes"}},
                          {"value": "no", "label": {"ja": "いいえ", "en": "No"}}]},
  "items": [
    {"type": "integer", "name": "age", "label": "Age", "required": true, "constraint": ". >= 65",
     "constraint_message": {"ja": "65歳以上です。", "en": "65 or over."}},
    {"type": "select_one", "name": "knows", "list": "yn", "label": {"ja": "知っている", "en": "Knows"}},
    {"type": "text", "name": "why", "label": "Why", "relevant": "${knows} = 'yes'"},
    {"type": "calculate", "name": "double_age", "calculation": "${age} * 2"},
    {"type": "repeat", "name": "people", "label": "People", "min": 1, "max": 2,
     "items": [{"type": "text", "name": "person", "label": "Name"}]},
    {"type": "calculate", "name": "n", "calculation": "count(${people})"}
  ]
})json";

std::shared_ptr<const Form> MiniForm() {
  FormLoadResult loaded = Form::Load(kForm);
  for (const Status& fault : loaded.faults) UNSCOPED_INFO(fault.ToString());
  REQUIRE(loaded.ok());
  return loaded.form;
}

// Every problem, one "pointer: message" a line.
std::string Problems(const std::string& json) {
  ParsedScenario parsed = ParseScenario(json, *MiniForm());
  std::string out;
  for (const Status& problem : parsed.problems) out += problem.ToString() + "\n";
  return out;
}

ScenarioResult Run(const std::string& json) {
  std::shared_ptr<const Form> form = MiniForm();
  ParsedScenario parsed = ParseScenario(json, *form);
  for (const Status& problem : parsed.problems) UNSCOPED_INFO(problem.ToString());
  REQUIRE(parsed.ok());
  return RunScenario(*parsed.scenario, form);
}

std::string Failures(const ScenarioResult& result) {
  std::string out;
  for (const StepFailure& failure : result.failures) out += "step " + std::to_string(failure.step) + ": " + failure.message + "\n";
  return out;
}

TEST_CASE("a scenario that matches the form passes", "[scenario]") {
  ScenarioResult result = Run(R"({"name": "ok", "steps": [
    {"expect": {"hidden": ["why"], "required": ["age"], "count": {"people": 1}, "values": {"n": 1, "age": null}}},
    {"set": {"age": "６６", "knows": "yes", "people[1]/person": "山田"}},
    {"expect": {"visible": "why", "values": {"double_age": 132, "age": "66"}, "no_errors": ["age"],
                "choices": {"knows": ["yes", "no"]}, "labels": {"knows": "知っている"}}},
    {"add": "people"},
    {"add": "people", "expect_refused": true},
    {"remove": {"repeat": "people", "position": 1}},
    {"expect": {"count": {"people": 1}, "stored": {"people[1]/person": ""}}},
    {"set": {"age": 64}},
    {"expect": {"errors": {"age": [{"kind": "constraint", "message": "65歳以上です。"}]}}},
    {"language": "en"},
    {"expect": {"errors": {"age": {"kind": "constraint", "message": "65 or over."}}, "labels": {"knows": "Knows"}}},
    {"finalize": true, "expect_blocked": true},
    {"set": {"age": 70, "knows": "no"}},
    {"finalize": true},
    {"expect": {"submission": {"answers": {"age": 70, "knows": "no", "double_age": 140, "people": [{}], "n": 1},
                               "exact": true, "keys_absent": ["why"], "device_id": "test-device", "language": "en",
                               "started_at": "2024-11-03T10:30:30.000+09:00"}}}
  ]})");
  INFO(Failures(result));
  CHECK(result.passed());
  CHECK_FALSE(result.stopped);
  CHECK(result.steps_run == 15);
  REQUIRE(result.submissions.size() == 1);
  CHECK(result.submissions[0].step == 14);
}

TEST_CASE("every failed expectation is reported with its step, and the run goes on", "[scenario]") {
  ScenarioResult result = Run(R"({"name": "wrong", "steps": [
    {"set": {"age": 70, "knows": "no"}},
    {"expect": {"visible": ["why"], "values": {"double_age": 139}}},
    {"expect": {"errors": {"age": ["constraint"]}, "page": 0}}
  ]})");
  CHECK(Failures(result) ==
        "step 2: expected ${why} visible, but it is hidden\n"
        "step 2: expected ${double_age} to be 139, but it is 140\n"
        "step 3: expected ${age} to have the errors constraint, but it has none\n");
  CHECK_FALSE(result.stopped);
  CHECK(result.steps_run == 3);
}

TEST_CASE("a failed action stops the scenario: later steps depend on it", "[scenario]") {
  ScenarioResult result = Run(R"({"name": "stops", "steps": [
    {"set": {"age": "sixty"}},
    {"expect": {"values": {"age": 60}}}
  ]})");
  REQUIRE(result.failures.size() == 1);
  CHECK(result.failures[0].step == 1);
  CHECK(result.failures[0].message.rfind("could not set ${age} to \"sixty\": ", 0) == 0);
  CHECK(result.stopped);
  CHECK(result.steps_run == 1);

  result = Run(R"({"name": "blocked", "steps": [{"next": true}, {"expect": {"page": 0}}]})");
  REQUIRE(result.failures.size() == 1);
  CHECK(result.failures[0].message.rfind("next was blocked on page 0: ${age}: required (", 0) == 0);

  result = Run(R"({"name": "not refused", "steps": [{"set": {"age": 70}, "expect_refused": true}]})");
  CHECK(Failures(result) == "step 1: expected set ${age} to \"70\" to be refused, but it was accepted\n");
}

TEST_CASE("the fixed clock makes submissions reproducible", "[scenario]") {
  const char* json = R"({"name": "clock", "now": "2025-03-31T23:59:00+09:00", "steps": [
    {"set": {"age": 80}}, {"finalize": true},
    {"expect": {"submission": {"started_at": "2025-03-31T23:59:00.000+09:00", "ended_at": "2025-03-31T23:59:00.000+09:00"}}}
  ]})";
  ScenarioResult first = Run(json), second = Run(json);
  INFO(Failures(first));
  CHECK(first.passed());
  REQUIRE(first.submissions.size() == 1);
  REQUIRE(second.submissions.size() == 1);
  CHECK(first.submissions[0].canonical_json == second.submissions[0].canonical_json);
  CHECK(first.submissions[0].sha256 == second.submissions[0].sha256);
}

TEST_CASE("malformed scenarios are refused with the JSON Pointer of each mistake", "[scenario]") {
  CHECK(Problems("{\"name\": \"x\", \"steps\": [\n  {\"next\": tru}]}").find("parse error at line 2, column") == 0);

  CHECK(Problems(R"({"name": "x", "stpes": [], "steps": [{"expect": {"visibel": ["age"]}}]})") ==
        "/stpes: unknown key \"stpes\"; did you mean \"steps\"?\n"
        "/steps/0/expect/visibel: unknown key \"visibel\"; did you mean \"visible\"?\n");
  CHECK(Problems(R"({"name": "x", "steps": [{"set": {"agee": 1, "person": "a", "people[0]/person": "b"}}]})") ==
        "/steps/0/set/agee: unknown item \"agee\"; did you mean \"age\"?\n"
        "/steps/0/set/person: \"person\" is inside repeat \"people\": write \"people[1]/person\"\n"
        "/steps/0/set/people[0]~1person: bad path \"people[0]/person\": write \"name\", or \"repeat[position]/name\" inside a repeat (positions from 1)\n");
  CHECK(Problems(R"({"name": "x", "steps": [{"set": {"age": 1, "age": 2}}]})") == "/steps/0/set/age: duplicate key \"age\"\n");
  CHECK(Problems(R"({"name": "x", "steps": [{"set": {"double_age": 1}}, {"next": true, "expect": {"page": 0}}]})") ==
        "/steps/0/set/double_age: \"double_age\" is a calculate: it cannot be answered; check it under \"values\"\n"
        "/steps/1: a step has one action or expectation, not \"next\" and \"expect\": put them in two steps, so that a failure names the one that failed\n");
  CHECK(Problems(R"({"name": "x", "language": "fr", "steps": [{"add": "age"}, {"goto": 3}, {"set": {"knows": true}}]})") ==
        "/language: the form has no language \"fr\" (it has ja, en)\n"
        "/steps/0/add: \"age\" is an integer, not a repeat\n"
        "/steps/1/goto: must be from 0 to 0\n"
        "/steps/2/set/knows: a boolean is no answer: write \"OK\" for an acknowledge, or the choice value (\"yes\")\n");
  CHECK(Problems(R"({"name": "x", "steps": [{"expect": {"errors": {"age": ["constrant"]}, "submission": {"answers": {}}}}]})") ==
        "/steps/0/expect/errors/age/0: unknown error kind \"constrant\"; did you mean \"constraint\"? (kinds: required, constraint, type, choice, count, read_only, evaluation)\n"
        "/steps/0/expect/submission: no earlier step finalizes: add {\"finalize\": true} before expecting a submission\n");
  CHECK(Problems(R"({"steps": []})") == "missing \"name\": say what the scenario proves\n/steps: a scenario needs at least one step\n");
  CHECK(Problems(R"({"name": "x", "form": "other", "steps": [{"back": true, "expect_blocked": true}]})") ==
        "/form: the scenario is for form \"other\", not \"mini\"\n"
        "/steps/0/expect_blocked: expect_blocked goes with next or finalize; write \"expect_refused\": true for back\n");
}

TEST_CASE("ParseDateTime reads RFC 3339 local times with an offset", "[scenario]") {
  int64_t millis = 0;
  int offset = 0;
  REQUIRE(ParseDateTime("2024-11-03T10:30:30+09:00", &millis, &offset));
  CHECK(millis == kDefaultNowMillis);
  CHECK(offset == 540);
  REQUIRE(ParseDateTime("2024-11-03T01:30:30Z", &millis, &offset));
  CHECK(millis == kDefaultNowMillis);
  CHECK(offset == 0);
  REQUIRE(ParseDateTime("2024-11-03T10:30", &millis, &offset));  // no offset: Japan
  CHECK(millis == kDefaultNowMillis - 30000);
  CHECK_FALSE(ParseDateTime("2023-02-29T00:00", &millis, &offset));
  CHECK_FALSE(ParseDateTime("2024-11-03 10:30", &millis, &offset));
  CHECK_FALSE(ParseDateTime("2024-11-03T10:30+9", &millis, &offset));
}

TEST_CASE("expected JSON matches partially, exactly, or as a subsequence", "[scenario]") {
  Json actual = Json::parse(R"({"a": 1, "b": "100", "items": [{"path": "x", "v": 1}, {"path": "y"}, {"path": "z"}]})");
  MatchMode partial{false, false}, exact{true, false}, view{false, true};
  CHECK(Mismatch(Json::parse(R"({"a": 1.0, "b": 100})"), actual, partial).empty());
  CHECK(Mismatch(Json::parse(R"({"b": "100.0"})"), actual, partial) == "/b: expected \"100.0\", found \"100\"");
  CHECK(Mismatch(Json::parse(R"({"a": 1})"), actual, exact) == "/b: not expected, found \"100\"");
  CHECK(Mismatch(Json::parse(R"({"items": [{"path": "x"}, {"path": "z"}]})"), actual, view).empty());
  CHECK(Mismatch(Json::parse(R"({"items": [{"path": "z"}, {"path": "x"}]})"), actual, view) ==
        "/items: no element after the match of {\"path\":\"z\"} matches {\"path\":\"x\"}");
  CHECK(Mismatch(Json::parse(R"({"items": []})"), actual, view) == "/items: expected 0 elements, found 3: " +
                                                                        Describe(actual["items"]));
  CHECK(Mismatch(Json::parse(R"({"items": [{"path": "x"}]})"), actual, partial) ==
        "/items: expected 1 elements, found 3: " + Describe(actual["items"]));
  CHECK(Mismatch(Json::parse(R"({"c": null})"), actual, partial) == "/c: missing (expected null)");
}

}  // namespace
}  // namespace scenario
}  // namespace chosa
