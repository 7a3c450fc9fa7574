// CheckSubmission, and CheckParsedSubmission (the same, given the parse): what the collector runs
// on every submission it receives. Every submission the engine finalizes passes; each kind of
// tampering is refused with the JSON Pointer of the fault; no input, however broken, crashes it.
#include "chosa/submission_check.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "chosa/session.h"
#include "chosa/base/json_reader.h"
#include "chosa/engine/submission_check_parsed.h"
#include "test_support.h"

using chosa::AuditEntry;
using chosa::Form;
using chosa::Session;
using chosa::SessionOptions;
using chosa::Status;
using chosa::StatusCode;
using chosa::testing::FixedEnv;
using chosa::testing::MustLoad;
using Json = nlohmann::ordered_json;  // keeps the engine's key order

namespace {

// Both entry points, which must agree on every input: CheckSubmission parses the text itself;
// CheckParsedSubmission (the collector's, after reading the envelope) is given the parse, when
// the text parses at all.
Status Checked(std::shared_ptr<const Form> form, std::string_view text) {
  Status whole = chosa::CheckSubmission(form, text);
  chosa::JsonDocument document;
  chosa::JsonLimits limits;
  limits.max_depth = chosa::kSubmissionMaxDepth;
  if (document.Parse(text, limits).ok()) {
    Status given_parse = chosa::CheckParsedSubmission(form, text, document.root());
    CHECK(given_parse.ToString() == whole.ToString());
  }
  return whole;
}

const char* const kExampleForms[] = {"coordinator_checklist", "medical_facility_survey", "older_residents_survey",
                                     "ward_activity_survey", "workshop_attendee_survey"};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::shared_ptr<const Form> LoadFormFile(const std::string& path) {
  chosa::FormLoadResult loaded = Form::LoadFile(path);
  for (const Status& fault : loaded.faults) UNSCOPED_INFO(fault.ToString());
  REQUIRE(loaded.ok());
  return loaded.form;
}

std::shared_ptr<const Form> LoadExample(const std::string& id) {
  return LoadFormFile(std::string(CHOSA_SOURCE_DIR) + "/schemas/examples/" + id + ".json");
}

// A scenario's answer as the text a person types (docs/scenarios.md, "Answers in set").
std::string TypedText(const Json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string text;
    for (const Json& v : value) text += (text.empty() ? "" : " ") + TypedText(v);
    return text;
  }
  return value.dump();
}

// Replays the actions of a scenario file (set, clear, add, remove, language, finalize), skipping
// those meant to be refused and every expectation, and returns each submission it finalized.
std::vector<std::string> FinalizedBy(const std::shared_ptr<const Form>& form, const std::string& path,
                                     chosa::Env* env) {
  Json scenario = Json::parse(ReadFile(path));
  SessionOptions options;
  options.device_id = "test-device";
  if (scenario.contains("language")) options.language = scenario["language"].get<std::string>();
  if (scenario.contains("enumerator_id")) options.enumerator_id = scenario["enumerator_id"].get<std::string>();
  auto started = Session::Start(form, env, options);
  REQUIRE(started.ok());
  Session& session = **started;
  std::vector<std::string> out;
  int number = 0;
  for (const Json& step : scenario["steps"]) {
    ++number;
    INFO(path << ": step " << number);
    if (step.contains("expect_refused") || step.contains("expect_blocked")) continue;
    if (step.contains("set")) {
      for (const auto& answer : step["set"].items()) {
        Status set = session.SetAnswer(answer.key(), TypedText(answer.value()));
        INFO(answer.key() << ": " << set.ToString());
        REQUIRE(set.ok());
      }
    } else if (step.contains("clear")) {
      Json paths = step["clear"].is_array() ? step["clear"] : Json::array({step["clear"]});
      for (const Json& clear : paths) REQUIRE(session.ClearAnswer(clear.get<std::string>()).ok());
    } else if (step.contains("add")) {
      const Json& add = step["add"];
      std::string repeat = add.is_string() ? add.get<std::string>() : add["repeat"].get<std::string>();
      int times = add.is_object() && add.contains("times") ? add["times"].get<int>() : 1;
      for (int i = 0; i < times; ++i) REQUIRE(session.AddRepeatInstance(repeat).ok());
    } else if (step.contains("remove")) {
      REQUIRE(
          session
              .RemoveRepeatInstance(step["remove"]["repeat"].get<std::string>(), step["remove"]["position"].get<int>())
              .ok());
    } else if (step.contains("language")) {
      REQUIRE(session.SetLanguage(step["language"].get<std::string>()).ok());
    } else if (step.contains("finalize")) {
      auto done = session.Finalize();
      INFO(done.status().ToString());
      REQUIRE(done.ok());
      out.push_back(done->canonical_json);
    }
  }
  return out;
}

std::vector<std::string> ScenarioFiles(const std::string& form_id) {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(CHOSA_SOURCE_DIR) + "/schemas/examples/scenarios/" + form_id)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The first submission the scenario finalizes, at +09:00.
std::string FromScenario(const std::shared_ptr<const Form>& form, const std::string& form_id,
                         const std::string& scenario) {
  FixedEnv env;
  std::vector<std::string> made = FinalizedBy(
      form, std::string(CHOSA_SOURCE_DIR) + "/schemas/examples/scenarios/" + form_id + "/" + scenario, &env);
  REQUIRE(!made.empty());
  return made.front();
}

// Inserts `key` into `object` right after `after`, where the engine would write it.
Json InsertAfter(const Json& object, const std::string& after, const std::string& key, const Json& value) {
  Json out = Json::object();
  for (const auto& field : object.items()) {
    out[field.key()] = field.value();
    if (field.key() == after) out[key] = value;
  }
  return out;
}

void ExpectFault(const Status& status, const std::string& pointer, const std::string& message) {
  INFO(status.ToString());
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.pointer() == pointer);
  CHECK_THAT(status.message(), Catch::Contains(message));
}

Status Check(const std::shared_ptr<const Form>& form, const Json& submission) {
  return Checked(form, submission.dump());
}

}  // namespace

TEST_CASE("Every submission the engine finalizes from the example scenarios passes re-validation") {
  // Two device zones: the timestamps carry +09:00 or -05:00, and today() moves with them.
  FixedEnv tokyo;
  FixedEnv new_york(1730597430000, -300);
  int checked = 0;
  for (const char* form_id : kExampleForms) {
    auto form = LoadExample(form_id);
    for (const std::string& scenario : ScenarioFiles(form_id)) {
      for (chosa::Env* env : {static_cast<chosa::Env*>(&tokyo), static_cast<chosa::Env*>(&new_york)}) {
        for (const std::string& submission : FinalizedBy(form, scenario, env)) {
          INFO(scenario << "\n" << submission);
          CHECK(Checked(form, submission).ToString() == "OK");
          ++checked;
        }
      }
    }
  }
  CHECK(checked >= 14);  // every example form finalizes at least once in its scenarios
}

TEST_CASE("The sample submissions written by chosa fill pass re-validation") {
  const std::string dir = std::string(CHOSA_SOURCE_DIR) + "/tests/forms/submissions/";
  for (const char* form_id : kExampleForms) {
    INFO(form_id);
    CHECK(Checked(LoadExample(form_id), ReadFile(dir + form_id + ".json")).ToString() == "OK");
  }
  // A group, a matrix, a repeat with select_multiple, an acknowledgement and an enumerator.
  auto visit_record = LoadFormFile(std::string(CHOSA_SOURCE_DIR) + "/tests/forms/fill/visit_record.json");
  std::string sample = ReadFile(dir + "visit_record.json");
  CHECK(Checked(visit_record, sample).ToString() == "OK");
  // With an audit trail (settings.audit), filled through a store.
  auto audited = LoadFormFile(std::string(CHOSA_SOURCE_DIR) + "/tests/forms/fill/visit_record_audit.json");
  const std::string audited_sample = ReadFile(dir + "visit_record_audit.json");
  CHECK(audited_sample.find(",\"audit\":[{\"at\":") != std::string::npos);
  CHECK(Checked(audited, audited_sample).ToString() == "OK");
  // Against another form, or another version of it, it is refused.
  ExpectFault(Checked(LoadExample("workshop_attendee_survey"), sample), "/form_id",
              "form \"visit_record\" is not this form (\"workshop_attendee_survey\")");
  Json v = Json::parse(sample);
  v["answers"]["visits"][1]["services"] = Json::array({"other", "nursing"});
  ExpectFault(Check(visit_record, v), "/answers/visits/1/services/1",
              "not in choice-list order: \"nursing\" comes before \"other\" in list");
  v = Json::parse(sample);
  v["answers"]["adl_total"] = 6;
  ExpectFault(Check(visit_record, v), "/answers/adl_total", "calculated value 6 differs from the engine's 5");
}

TEST_CASE("A tampered workshop submission is refused at the JSON Pointer of the fault") {
  auto form = LoadExample("workshop_attendee_survey");
  const std::string original = FromScenario(form, "workshop_attendee_survey", "full_submission.json");
  REQUIRE(Checked(form, original).ok());
  const Json base = Json::parse(original);
  REQUIRE(base.dump() == original);  // nlohmann writes the canonical bytes: mutations stay canonical
  Json s;

  SECTION("a value not in the choice list") {
    s = base;
    s["answers"]["useful"] = "9";
    ExpectFault(Check(form, s), "/answers/useful", "\"9\" is not one of the choices of list");
  }
  SECTION("a choice the choice filter excludes: 福島区 is in the west block, not the east") {
    s = base;
    s["answers"]["ward"] = "271039";
    ExpectFault(Check(form, s), "/answers/ward", "\"271039\" is not offered here: the choice filter excludes it");
  }
  SECTION("a required answer removed") {
    s = base;
    s["answers"].erase("profession");
    ExpectFault(Check(form, s), "/answers/profession", "required answer missing");
  }
  SECTION("a required answer removed inside a repeat instance") {
    s = base;
    s["answers"]["attendees"][1].erase("attendee_name");
    ExpectFault(Check(form, s), "/answers/attendees/1/attendee_name", "required answer missing");
  }
  SECTION("a non-relevant answer present") {
    s = base;
    s["answers"] = InsertAfter(base["answers"], "profession", "profession_other", "事務職");
    ExpectFault(Check(form, s), "/answers/profession_other", "not relevant here");
  }
  SECTION("a tampered calculation, outside and inside a repeat") {
    s = base;
    s["answers"]["n_attendees"] = 3;
    ExpectFault(Check(form, s), "/answers/n_attendees", "calculated value 3 differs from the engine's 2");
    s = base;
    s["answers"]["attendees"][0]["attendee_is_pharmacist"] = 1;
    ExpectFault(Check(form, s), "/answers/attendees/0/attendee_is_pharmacist",
                "calculated value 1 differs from the engine's 0");
    s = base;
    s["answers"].erase("n_pharmacists");
    ExpectFault(Check(form, s), "/answers/n_pharmacists", "calculated value missing: the engine's is 1");
  }
  SECTION("an unknown question, with the name it was probably meant to be") {
    s = base;
    s["answers"]["comentz"] = "x";
    ExpectFault(Check(form, s), "/answers/comentz", "unknown question; did you mean \"comments\"?");
    s = base;
    s["answers"]["attendees"][0]["shoe_size"] = 26;
    ExpectFault(Check(form, s), "/answers/attendees/0/shoe_size", "unknown question");
    s = base;
    s["answers"]["attendees"][0]["ward"] = "271098";
    ExpectFault(Check(form, s), "/answers/attendees/0/ward", "not a question of repeat \"attendees\"");
    s = base;
    s["answers"]["attendee_name"] = "x";
    ExpectFault(Check(form, s), "/answers/attendee_name", "a question of repeat \"attendees\"");
  }
  SECTION("a repeat instance count outside min..max (1..30)") {
    s = base;
    s["answers"]["attendees"] = Json::array();
    ExpectFault(Check(form, s), "/answers/attendees", "0 instances; the form asks for at least 1");
    s = base;
    for (int i = 0; i < 29; ++i) s["answers"]["attendees"].push_back(base["answers"]["attendees"][0]);
    ExpectFault(Check(form, s), "/answers/attendees", "31 instances; the form allows at most 30");
    s = base;
    s["answers"]["attendees"] = "田中";
    ExpectFault(Check(form, s), "/answers/attendees", "a repeat is an array of instance objects, not a string");
  }
  SECTION("answers out of document order") {
    s = base;
    Json answers = Json::object();
    answers["block"] = base["answers"]["block"];
    for (const auto& field : base["answers"].items()) {
      if (field.key() != "block") answers[field.key()] = field.value();
    }
    s["answers"] = answers;
    ExpectFault(Check(form, s), "/answers/event_type", "out of document order: the engine writes it before \"block\"");
  }
  SECTION("the envelope: form version, extra key, UUID, language, timestamps, key order, instance name") {
    s = base;
    s["form_version"] = "2024.2";
    ExpectFault(Check(form, s), "/form_version", "version \"2024.2\" is not this form version (\"2024.1\")");
    s = base;
    s["signature"] = "x";
    ExpectFault(Check(form, s), "/signature", "unknown key \"signature\"");
    s = base;
    s["uuid"] = "not-a-uuid";
    ExpectFault(Check(form, s), "/uuid", "not a version 4 UUID in lower case");
    s = base;
    s["uuid"] = "6BA7B810-9DAD-11D1-80B4-00C04FD430C8";  // upper case, version 1
    ExpectFault(Check(form, s), "/uuid", "not a version 4 UUID");
    s = base;
    s["language"] = "fr";
    ExpectFault(Check(form, s), "/language", "language \"fr\" is not one of the form's (ja, en)");
    s = base;
    s["ended_at"] = "2024-11-03T10:30:30+09:00";
    ExpectFault(Check(form, s), "/ended_at", "not a timestamp as the engine writes it");
    s = base;
    s["started_at"] = "2024-02-30T10:30:30.000+09:00";
    ExpectFault(Check(form, s), "/started_at", "not a timestamp");
    s = base;
    s["started_at"] = "2024-11-03T10:30:30.000-00:00";
    ExpectFault(Check(form, s), "/started_at", "not a timestamp");
    s = base;
    s.erase("device_id");
    ExpectFault(Check(form, s), "/device_id", "required key missing");
    s = base;
    s.erase("instance_name");
    ExpectFault(Check(form, s), "/instance_name", "required key missing");
    s = base;
    s["instance_name"] = "workshop 2024-09-12 west";
    ExpectFault(Check(form, s), "/instance_name",
                "instance name \"workshop 2024-09-12 west\" differs from the engine's \"Multi-professional workshop "
                "2024-09-12 East block\"");
    s = InsertAfter(base, "device_id", "enumerator_id", "");
    ExpectFault(Check(form, s), "/enumerator_id", "must not be empty");
    s = InsertAfter(base, "device_id", "enumerator_id", "staff-0042");
    CHECK(Check(form, s).ToString() == "OK");
    s = InsertAfter(base, "ended_at", "replaces", "8c5bda81-a8af-402f-a8aa-2efbf9d12748");
    CHECK(Check(form, s).ToString() == "OK");
    s = InsertAfter(base, "ended_at", "replaces", "8C5BDA81-A8AF-402F-A8AA-2EFBF9D12748");
    ExpectFault(Check(form, s), "/replaces", "not a version 4 UUID");
    s = Json::object();
    s["form_id"] = base["form_id"];
    for (const auto& field : base.items()) {
      if (field.key() != "form_id") s[field.key()] = field.value();
    }
    ExpectFault(Check(form, s), "/uuid", "key out of order: the engine writes \"uuid\" before \"form_id\"");
    s = base;
    s["device_id"] = 7;
    ExpectFault(Check(form, s), "/device_id", "a string expected, not a number");
    s = base;
    s["answers"] = Json::array();
    ExpectFault(Check(form, s), "/answers", "an object expected, not an array");
  }
  SECTION("bytes that are not the engine's canonical ones") {
    std::string spaced = original;
    spaced.insert(original.find(':') + 1, " ");
    ExpectFault(Checked(form, spaced), "/uuid", "not canonical JSON");
    std::string escaped = original;
    size_t at = escaped.find("\"workshop\"");
    escaped.replace(at, 10, "\"\\u0077orkshop\"");  // the same string, escaped needlessly
    ExpectFault(Checked(form, escaped), "/answers/event_type", "not canonical JSON");
    ExpectFault(Checked(form, original + "\n"), "", "not canonical JSON");
    ExpectFault(Checked(form, "\xEF\xBB\xBF" + original), "", "not canonical JSON");
  }
  SECTION("malformed JSON, deep nesting, wrong types") {
    ExpectFault(Checked(form, original.substr(0, original.size() / 2)), "", "malformed JSON");
    ExpectFault(Checked(form, ""), "", "malformed JSON");
    ExpectFault(Checked(form, "[]"), "", "a submission is a JSON object, not an array");
    std::string deep = original;
    deep.insert(deep.size() - 2, ",\"deep\":" + std::string(200, '[') + std::string(200, ']'));
    ExpectFault(Checked(form, deep), "/answers/deep/0/0/0/0/0/0/0/0/0/0/0/0/0/0", "malformed JSON: ");
    s = base;
    s["answers"]["comments"] = Json::array({"a"});
    ExpectFault(Check(form, s), "/answers/comments", "a string expected for this text question, not an array");
    s = base;
    s["answers"]["comments"] = nullptr;
    ExpectFault(Check(form, s), "/answers/comments", "a string expected for this text question, not null");
    s = base;
    s["answers"]["comments"] = "";
    ExpectFault(Check(form, s), "/answers/comments", "an empty answer has no key");
    s = base;
    s["answers"]["event_date"] = "2024/09/12";
    ExpectFault(Check(form, s), "/answers/event_date", "is not a date as the engine writes it (\"2024-09-12\")");
    s = base;
    s["answers"]["n_attendees"] = Json::object();
    ExpectFault(Check(form, s), "/answers/n_attendees", "an answer is a number, a string, a boolean or an array");
  }
}

TEST_CASE("Tampered answers of the other surveys: constraints, choice-list order, relevance, numbers") {
  SECTION("older residents: an age outside 65..120, a select_multiple reordered, a follow-up made irrelevant") {
    auto form = LoadExample("older_residents_survey");
    const Json self = Json::parse(FromScenario(form, "older_residents_survey", "acp_followups.json"));
    Json s = self;
    s["answers"]["age"] = 150;
    ExpectFault(Check(form, s), "/answers/age", "answer 150 does not meet its constraint");
    s = self;
    s["answers"]["age"] = 1e300;
    ExpectFault(Check(form, s), "/answers/age", "The number is too large.");
    s = self;
    s["answers"]["age"] = 78.5;
    ExpectFault(Check(form, s), "/answers/age", "not a whole number");
    std::string text = self.dump();
    std::string fraction = text;
    fraction.replace(fraction.find("\"age\":78") + 8, 0, ".0");
    ExpectFault(Checked(form, fraction), "/answers/age", "not canonical JSON");
    std::string huge = text;
    huge.replace(huge.find("\"age\":78") + 6, 2, "1e400");
    ExpectFault(Checked(form, huge), "", "malformed JSON");

    const Json facility = Json::parse(FromScenario(form, "older_residents_survey", "care_facility_submission.json"));
    REQUIRE(facility["answers"]["acp_source"] == Json::array({"seminar", "care"}));
    s = facility;
    s["answers"]["acp_source"] = Json::array({"care", "seminar"});
    ExpectFault(Check(form, s), "/answers/acp_source/1",
                "not in choice-list order: \"seminar\" comes before \"care\" in list");
    s = facility;
    s["answers"]["acp_source"] = Json::array({"seminar", "seminar"});
    ExpectFault(Check(form, s), "/answers/acp_source/1", "\"seminar\" is chosen twice");
    s = facility;
    s["answers"]["acp_source"] = Json::array();
    ExpectFault(Check(form, s), "/answers/acp_source", "an empty selection has no key");
    s = facility;
    s["answers"]["acp_awareness"] = "neither";  // its follow-ups are no longer asked
    ExpectFault(Check(form, s), "/answers/acp_source", "not relevant here");
  }
  SECTION("medical facilities: a mean that is not the engine's") {
    auto form = LoadExample("medical_facility_survey");
    Json s = Json::parse(FromScenario(form, "medical_facility_survey", "facility_type_questions.json"));
    REQUIRE(Check(form, s).ok());
    s["answers"]["collaboration_mean"] = 2.7;
    ExpectFault(Check(form, s), "/answers/collaboration_mean", "calculated value 2.7 differs from the engine's 2.67");
  }
  SECTION("ward activities: difficulties out of order; a matrix row off the list") {
    auto form = LoadExample("ward_activity_survey");
    const Json base = Json::parse(FromScenario(form, "ward_activity_survey", "activities_repeat.json"));
    REQUIRE(Check(form, base).ok());
    Json s = base;
    s["answers"]["difficulties"] = Json::array({"staff", "budget"});
    ExpectFault(Check(form, s), "/answers/difficulties/1", "not in choice-list order");
    s = base;
    s["answers"]["act_c"] = "5";
    ExpectFault(Check(form, s), "/answers/act_c", "\"5\" is not one of the choices of list");
    s = base;
    s["answers"]["act_c"] = "4";  // a valid change, but the total no longer adds up
    ExpectFault(Check(form, s), "/answers/progress_total", "calculated value 17 differs from the engine's 18");
    s["answers"]["progress_total"] = 18;
    CHECK(Check(form, s).ToString() == "OK");
  }
  SECTION("coordinator checklist: a row removed is a required answer missing") {
    auto form = LoadExample("coordinator_checklist");
    Json s = Json::parse(FromScenario(form, "coordinator_checklist", "all_fours_total_100.json"));
    s["answers"].erase("c13");
    ExpectFault(Check(form, s), "/answers/c13", "required answer missing");
  }
}

namespace {

// Every answer type, a default, a read-only value, a repeat counted by an expression, a boolean
// calculation and an audit trail.
const char* kAllTypes = R"J({
  "format": 1, "id": "all_types", "version": "3", "title": "T", "languages": ["ja", "en"],
  "settings": {"instance_name": "concat('n', ${n_visits})", "audit": true},
  "choice_lists": {
    "yes_no": [{"value": "yes", "label": "はい"}, {"value": "no", "label": "いいえ"}],
    "s": [{"value": "1", "label": "a"}, {"value": "2", "label": "b"}, {"value": "3", "label": "c"}]},
  "items": [
    {"type": "decimal", "name": "weight", "label": "w", "constraint": ". > 0",
     "constraint_message": {"ja": "正の数", "en": "A positive number"}},
    {"type": "time", "name": "start_time", "label": "t"},
    {"type": "datetime", "name": "visited_at", "label": "dt"},
    {"type": "rank", "name": "priorities", "list": "s", "label": "rank"},
    {"type": "text", "name": "memo", "label": "memo", "default": "なし"},
    {"type": "text", "name": "office", "label": "office", "read_only": true, "default": "北区"},
    {"type": "text", "name": "locked", "label": "locked", "read_only": true},
    {"type": "integer", "name": "n_visits", "label": "n", "required": true},
    {"type": "repeat", "name": "visits", "count": "${n_visits}", "items": [
      {"type": "date", "name": "visit_date", "label": "d", "required": true},
      {"type": "select_one", "name": "again", "list": "yes_no", "label": "again"}]},
    {"type": "calculate", "name": "heavy", "calculation": "${weight} > 60"},
    {"type": "acknowledge", "name": "confirmed", "label": "ok", "required": true}]})J";

std::string FillAllTypes(const std::shared_ptr<const Form>& form, bool keep_memo, bool with_audit) {
  FixedEnv env(1730597430000, -300);
  auto started = Session::Start(form, &env, SessionOptions{"en", "tablet-ny", "staff-9"});
  REQUIRE(started.ok());
  Session& s = **started;
  REQUIRE(s.SetAnswer("weight", "52.5").ok());
  REQUIRE(s.SetAnswer("start_time", "14:30").ok());
  REQUIRE(s.SetAnswer("visited_at", "2024-04-01 09:30").ok());
  REQUIRE(s.SetAnswer("priorities", "3 1 2").ok());
  if (!keep_memo) REQUIRE(s.ClearAnswer("memo").ok());
  REQUIRE(s.SetAnswer("n_visits", "2").ok());
  REQUIRE(s.SetAnswer("visits[1]/visit_date", "2024-11-01").ok());
  REQUIRE(s.SetAnswer("visits[1]/again", "yes").ok());
  REQUIRE(s.SetAnswer("visits[2]/visit_date", "2024/11/15").ok());
  REQUIRE(s.SetAnswer("confirmed", "ok").ok());
  std::vector<AuditEntry> audit = {{1730597400000, "weight", "", "52.5"}, {1730597410000, "memo", "なし", ""}};
  auto done = s.Finalize("", with_audit ? &audit : nullptr);
  INFO(done.status().ToString());
  REQUIRE(done.ok());
  return done->canonical_json;
}

}  // namespace

TEST_CASE("Every answer type, defaults, read-only values, a counted repeat and the audit trail") {
  auto form = MustLoad(kAllTypes);
  const std::string cleared = FillAllTypes(form, false, true);
  const std::string kept = FillAllTypes(form, true, false);
  INFO(cleared);
  CHECK(Checked(form, cleared).ToString() == "OK");
  CHECK(Checked(form, kept).ToString() == "OK");
  const Json base = Json::parse(cleared);
  REQUIRE(base["answers"]["start_time"] == "14:30:00.000-05:00");
  REQUIRE_FALSE(base["answers"].contains("memo"));  // the default the person cleared stays cleared
  REQUIRE(Json::parse(kept)["answers"]["memo"] == "なし");
  Json s;

  s = base;
  s["answers"]["weight"] = -1;
  ExpectFault(Check(form, s), "/answers/weight", "answer -1 does not meet its constraint (A positive number)");
  s = base;
  s["answers"]["weight"] = "52.5";
  ExpectFault(Check(form, s), "/answers/weight", "a number expected for this decimal question, not a string");
  s = base;
  s["answers"]["start_time"] = "14:30:00-05:00";
  ExpectFault(Check(form, s), "/answers/start_time", "is not a time as the engine writes it (\"14:30:00.000-05:00\")");
  s = base;
  s["answers"]["visited_at"] = "2024-04-01T09:30:00.000Z";
  ExpectFault(Check(form, s), "/answers/visited_at", "is not a datetime as the engine writes it");
  s = base;
  s["answers"]["priorities"] = Json::array({"3", "1"});
  ExpectFault(Check(form, s), "/answers/priorities", "the ranking must order every option offered");
  s = base;
  s["answers"]["priorities"] = Json::array({"2", "1", "3"});  // any order: a ranking
  CHECK(Check(form, s).ToString() == "OK");
  s = base;
  s["answers"]["office"] = "南区";
  ExpectFault(Check(form, s), "/answers/office", "answer \"南区\" differs from the engine's \"北区\"");
  s = base;
  s["answers"].erase("office");
  ExpectFault(Check(form, s), "/answers/office", "answer missing: the engine writes \"北区\"");
  s = base;
  s["answers"] = InsertAfter(base["answers"], "office", "locked", "x");
  ExpectFault(Check(form, s), "/answers/locked", "a read-only question: it takes no answer here");
  s = base;
  s["answers"]["visits"].push_back(Json::object());
  ExpectFault(Check(form, s), "/answers/visits", "3 instances, but the engine has 2 (from its count expression)");
  s = base;
  s["answers"]["visits"][1]["again"] = "maybe";
  ExpectFault(Check(form, s), "/answers/visits/1/again", "\"maybe\" is not one of the choices of list yes_no");
  s = base;
  s["answers"]["heavy"] = true;
  ExpectFault(Check(form, s), "/answers/heavy", "calculated value true differs from the engine's false");
  s = base;
  s["answers"]["confirmed"] = "ok";
  ExpectFault(Check(form, s), "/answers/confirmed", "an acknowledge is \"OK\", not \"ok\"");
  s = base;
  s["answers"]["n_visits"] = 2.5;
  ExpectFault(Check(form, s), "/answers/n_visits", "not a whole number");

  s = base;
  s["audit"][0]["at"] = "yesterday";
  ExpectFault(Check(form, s), "/audit/0/at", "not a timestamp as the engine writes it");
  s = base;
  s["audit"][1]["who"] = "x";
  ExpectFault(Check(form, s), "/audit/1/who", "unknown key \"who\"");
  s = base;
  s["audit"][1].erase("new");
  ExpectFault(Check(form, s), "/audit/1/new", "required key missing");
  s = base;
  s["audit"] = Json::object();
  ExpectFault(Check(form, s), "/audit", "an array of changes expected, not an object");
  s = base;
  s["audit"] = Json::array();
  CHECK(Check(form, s).ToString() == "OK");
}

TEST_CASE("Random damage to valid submissions never crashes re-validation") {
  // Byte-level mutations mostly break the JSON; tree-level ones keep it well-formed and reach
  // the envelope, the answers and the replay. Run under ASan by scripts/test.sh.
  struct Base {
    std::shared_ptr<const Form> form;
    std::string json;
  };
  std::vector<Base> bases;
  auto workshop = LoadExample("workshop_attendee_survey");
  bases.push_back({workshop, FromScenario(workshop, "workshop_attendee_survey", "full_submission.json")});
  auto ward = LoadExample("ward_activity_survey");
  bases.push_back({ward, FromScenario(ward, "ward_activity_survey", "activities_repeat.json")});
  auto all_types = MustLoad(kAllTypes);
  bases.push_back({all_types, FillAllTypes(all_types, false, true)});

  std::mt19937 random(20241103);
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : std::uniform_int_distribution<size_t>(0, n - 1)(random); };
  // Tables read better packed.
  // clang-format off
  const std::string kTokens[] = {"{", "}", "[", "]", "\"", ",", ":", "\\", "\\u", "0", "-", "e9", ".", "null",
                                 "1e308", "18446744073709551616", "\xFF", "\xC3", std::string(1, '\0'), "\xEF\xBB\xBF"};
  // clang-format on
  auto outcome_ok = [](const Status& status) {
    return status.ok() || (status.code() == StatusCode::kInvalidArgument && !status.message().empty() &&
                           (status.pointer().empty() || status.pointer()[0] == '/'));
  };

  int refused = 0;
  for (int round = 0; round < 300; ++round) {
    const Base& base = bases[static_cast<size_t>(round) % bases.size()];
    std::string text = base.json;
    int edits = 1 + static_cast<int>(pick(3));
    for (int e = 0; e < edits; ++e) {
      size_t at = pick(text.size() + 1);
      switch (pick(5)) {
        case 0:
          if (!text.empty()) text[std::min(at, text.size() - 1)] ^= static_cast<char>(1 << pick(8));
          break;
        case 1:
          text.insert(at, kTokens[pick(std::size(kTokens))]);
          break;
        case 2:
          text.erase(at, pick(12));
          break;
        case 3:
          text.insert(at, text.substr(pick(text.size()), pick(40)));
          break;
        default:
          text.insert(at, std::string(pick(100), pick(2) ? '[' : '{'));
          break;
      }
    }
    Status status = Checked(base.form, text);
    INFO(text << "\n" << status.ToString());
    CHECK(outcome_ok(status));
    refused += !status.ok();
  }
  CHECK(refused > 250);

  // Tree-level: replace, delete or duplicate a random value anywhere with values of every type.
  // clang-format off
  const Json kValues[] = {0, -0.0, 1e300, 9007199254740993ull, -1, 2.5, "", "yes", "OK", "2024-11-01",
                          "14:30:00.000+09:00", true, false, nullptr, Json::array(), Json::array({"1", "1"}),
                          Json::object(), Json::array({Json::object()}), std::string(5000, 'x'), "\x01"};
  // clang-format on
  for (int round = 0; round < 300; ++round) {
    const Base& base = bases[static_cast<size_t>(round) % bases.size()];
    Json doc = Json::parse(base.json);
    int edits = 1 + static_cast<int>(pick(2));
    for (int e = 0; e < edits; ++e) {
      Json* node = &doc;
      while ((node->is_object() || node->is_array()) && !node->empty() && pick(3) != 0) {
        if (node->is_object()) {
          std::string key = std::next(node->begin(), static_cast<long>(pick(node->size()))).key();
          node = &(*node)[key];
        } else {
          node = &(*node)[pick(node->size())];
        }
      }
      switch (pick(3)) {
        case 0:
          *node = kValues[pick(std::size(kValues))];
          break;
        case 1:
          if (node->is_object() && !node->empty()) {
            std::string key = std::next(node->begin(), static_cast<long>(pick(node->size()))).key();
            node->erase(key);
          } else if (node->is_array() && !node->empty()) {
            node->erase(pick(node->size()));
          }
          break;
        default:
          if (node->is_array()) {
            if (!node->empty()) node->push_back((*node)[pick(node->size())]);
          } else if (node->is_object()) {
            (*node)["extra_" + std::to_string(pick(3))] = kValues[pick(std::size(kValues))];
          }
          break;
      }
    }
    std::string text = doc.dump(-1, ' ', false, Json::error_handler_t::replace);
    Status status = Checked(base.form, text);
    INFO(text << "\n" << status.ToString());
    CHECK(outcome_ok(status));
    if (status.ok()) {
      // Whatever passes must still be a submission the engine could have made of this form.
      Json passed = Json::parse(text);
      CHECK(passed["form_id"] == doc["form_id"]);
    }
  }
}
