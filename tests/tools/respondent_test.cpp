// Simulated respondents (scenario/include/chosa/scenario/respondent.h) on the five example surveys and on small forms:
// what they finalize is what the collector accepts, a seed names the answers, the skip logic,
// choice filters, repeats, select_multiple bounds and constraints hold, and optional questions
// are sometimes left empty.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "../engine/test_support.h"
#include "chosa/form.h"
#include "chosa/session.h"
#include "chosa/store.h"
#include "chosa/submission_check.h"
#include "chosa/scenario/respondent.h"
#include "must.h"

using chosa::testing::Must;

namespace chosa {
namespace tools {
namespace {

using nlohmann::json;
using testing::FixedEnv;

constexpr int kSubmissionsPerForm = 50;

const char* const kExampleForms[] = {"coordinator_checklist", "medical_facility_survey", "older_residents_survey",
                                     "ward_activity_survey", "workshop_attendee_survey"};

std::shared_ptr<const Form> LoadExample(const std::string& form_id) {
  std::string path = std::string(CHOSA_SOURCE_DIR) + "/schemas/examples/" + form_id + ".json";
  FormLoadResult loaded = Form::LoadFile(path);
  for (const Status& fault : loaded.faults) UNSCOPED_INFO(path << ": " << fault.ToString());
  REQUIRE(loaded.ok());
  return loaded.form;
}

// One respondent on a fresh session with a fixed clock and fixed random bytes, so that the
// seed alone decides the submission.
Result<Submission> Respond(std::shared_ptr<const Form> form, uint64_t seed, double skip_optional = 0.15) {
  FixedEnv env;
  SessionOptions session_options;
  session_options.device_id = "test-device";
  Result<std::unique_ptr<Session>> started = Session::Start(form, &env, session_options);
  REQUIRE(started.ok());
  RespondentOptions options;
  options.seed = seed;
  options.skip_optional = skip_optional;
  return FillAsRespondent(**started, options);
}

Submission MustRespond(std::shared_ptr<const Form> form, uint64_t seed, double skip_optional = 0.15) {
  Result<Submission> submission = Respond(form, seed, skip_optional);
  INFO("seed " << seed);
  if (!submission.ok()) FAIL(submission.status().ToString());
  return *submission;
}

json Answers(const Submission& submission) { return json::parse(submission.canonical_json).at("answers"); }

// Seeds 1..50 of a form, each checked by the collector's own re-validation.
std::vector<json> FiftyChecked(const std::string& form_id) {
  std::shared_ptr<const Form> form = LoadExample(form_id);
  std::vector<json> answers;
  for (uint64_t seed = 1; seed <= kSubmissionsPerForm; ++seed) {
    Submission submission = MustRespond(form, seed);
    Status checked = CheckSubmission(form, submission.canonical_json);
    INFO(form_id << " seed " << seed << ": " << checked.ToString() << "\n" << submission.canonical_json);
    CHECK(checked.ok());
    answers.push_back(Answers(submission));
  }
  return answers;
}

bool Answered(const json& answers, const char* key) { return answers.contains(key); }

TEST_CASE("every example survey: 50 respondents pass the collector's re-validation", "[respondent]") {
  for (const char* form_id : kExampleForms) {
    SECTION(form_id) {
      std::vector<json> answers = FiftyChecked(form_id);
      REQUIRE(answers.size() == kSubmissionsPerForm);
      // The answers differ from respondent to respondent.
      std::set<std::string> distinct;
      for (const json& a : answers) distinct.insert(a.dump());
      CHECK(distinct.size() >= kSubmissionsPerForm - 2);
    }
  }
}

TEST_CASE("the same seed gives the same submission; another seed another one", "[respondent]") {
  for (const char* form_id : kExampleForms) {
    SECTION(form_id) {
      std::shared_ptr<const Form> form = LoadExample(form_id);
      for (uint64_t seed : {1u, 17u, 123456789u}) {
        Submission first = MustRespond(form, seed);
        Submission again = MustRespond(form, seed);
        CHECK(first.canonical_json == again.canonical_json);
        CHECK(first.sha256 == again.sha256);
        Submission other = MustRespond(form, seed + 1);
        CHECK(Answers(first) != Answers(other));
      }
    }
  }
}

// The questions a form marks optional (no required, static or computed), outside repeats.
std::vector<std::string> OptionalQuestions(const Form& form) {
  std::vector<std::string> names;
  for (const Item& item : form.items()) {
    if (!HoldsAnswer(item.type) || item.type == ItemType::kCalculate || item.calculation != kNone) continue;
    if (item.required || item.required_if != kNone || item.repeat != kNone) continue;
    if (item.type == ItemType::kMatrixRow && form.item(item.parent).required) continue;
    names.push_back(item.name);
  }
  return names;
}

struct OptionalTally {
  int answered = 0;
  int left_empty = 0;  // relevant, yet unanswered
};

// Over seeds 1..50: how often a relevant optional question was answered or left empty
// (relevance replayed from each submission by the engine).
OptionalTally TallyOptional(const std::string& form_id, double skip_optional) {
  std::shared_ptr<const Form> form = LoadExample(form_id);
  std::vector<std::string> optional = OptionalQuestions(*form);
  OptionalTally tally;
  for (uint64_t seed = 1; seed <= kSubmissionsPerForm; ++seed) {
    Submission submission = MustRespond(form, seed, skip_optional);
    Result<ReplayedSubmission> replayed = ReplaySubmission(form, submission.canonical_json);
    REQUIRE(replayed.ok());
    for (const std::string& name : optional) {
      Result<bool> relevant = replayed->session->IsRelevant(name);
      REQUIRE(relevant.ok());
      if (!*relevant) continue;
      Result<Value> value = replayed->session->GetAnswer(name);
      REQUIRE(value.ok());
      (Session::AnswerText(*value).empty() ? tally.left_empty : tally.answered)++;
    }
  }
  return tally;
}

TEST_CASE("optional questions are left empty now and then, and never when told not to", "[respondent]") {
  // The older residents' survey requires every question it shows.
  for (const char* form_id : {"coordinator_checklist", "medical_facility_survey", "ward_activity_survey",
                              "workshop_attendee_survey"}) {
    SECTION(form_id) {
      OptionalTally usual = TallyOptional(form_id, 0.15);
      INFO(form_id << ": " << usual.answered << " answered, " << usual.left_empty << " left empty");
      CHECK(usual.left_empty > 0);
      CHECK(usual.answered > usual.left_empty);  // about 15 % are left empty, not most
      OptionalTally diligent = TallyOptional(form_id, 0.0);
      CHECK(diligent.left_empty == 0);
      CHECK(diligent.answered > 0);
    }
  }
}

TEST_CASE("older residents: the ACP follow-ups appear exactly when ACP is known", "[respondent]") {
  int knows = 0, does_not = 0, professionals_knowing = 0;
  for (const json& a : FiftyChecked("older_residents_survey")) {
    const std::string awareness = a.at("acp_awareness");
    const std::string type = a.at("respondent_type");
    const bool known = awareness == "name_and_content" || awareness == "name_only";
    if (type == "self") (known ? knows : does_not)++;
    if (type != "self" && known) ++professionals_knowing;
    INFO(a.dump());
    CHECK(Answered(a, "acp_source") == known);
    CHECK(Answered(a, "acp_discussed") == (known && type == "self"));
    CHECK(Answered(a, "acp_with_clients") == (known && type != "self"));
    CHECK(Answered(a, "age") == (type == "self"));
    if (Answered(a, "age")) CHECK((a.at("age") >= 65 && a.at("age") <= 120));
    CHECK(Answered(a, "cm_doctor_difficulty") == (type == "care_manager"));
    CHECK(Answered(a, "fac_end_of_life") == (type == "care_facility"));
  }
  // About 1 older resident in 10 knows ACP by name (care professionals are not counted).
  INFO(knows << " of the older residents know ACP, " << does_not << " do not");
  CHECK(knows > 0);
  CHECK(does_not > 2 * knows);  // drawn evenly, two in three would know it
  CHECK(professionals_knowing > knows);  // so that the follow-ups for professionals occur too
}

TEST_CASE("coordinator checklist: confidence after the lecture only for those who attended", "[respondent]") {
  std::map<std::string, std::vector<double>> totals;  // by briefing
  int attended = 0, not_attended = 0;
  for (const json& a : FiftyChecked("coordinator_checklist")) {
    const bool lecture = a.at("lecture_attended") == "yes";
    (lecture ? attended : not_attended)++;
    INFO(a.dump());
    CHECK(Answered(a, "confident_after_lecture") == lecture);
    CHECK(Answered(a, "confident_after_practicum") == (a.at("practicum_attended") == "yes"));
    CHECK(a.at("checklist_answered") == 25);
    totals[a.at("briefing")].push_back(a.at("checklist_total"));
  }
  CHECK(attended > 0);
  CHECK(not_attended > 0);
  // The demo's table: the mean total is higher with the programme briefing than without.
  REQUIRE(totals["yes"].size() > 0);
  REQUIRE(totals["no"].size() > 0);
  auto mean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return sum / static_cast<double>(v.size());
  };
  INFO("with briefing " << mean(totals["yes"]) << ", without " << mean(totals["no"]));
  CHECK(mean(totals["yes"]) > mean(totals["no"]) + 5);
}

TEST_CASE("choice filters: a workshop's ward lies in its block; the main difficulty is one chosen", "[respondent]") {
  std::shared_ptr<const Form> workshop = LoadExample("workshop_attendee_survey");
  const ChoiceList& wards = workshop->choice_lists()[static_cast<size_t>(workshop->item(workshop->Find("ward")).list)];
  int wards_in_block = 0;
  for (const json& a : FiftyChecked("workshop_attendee_survey")) {
    INFO(a.dump());
    CHECK(Answered(a, "block") == (a.at("event_type") == "workshop"));
    if (!Answered(a, "block") || !Answered(a, "ward")) continue;
    int32_t ward = wards.Find(a.at("ward").get<std::string>());
    REQUIRE(ward >= 0);
    const std::string* block = wards.choices[static_cast<size_t>(ward)].Attribute("block");
    REQUIRE(block != nullptr);
    CHECK(*block == a.at("block"));
    ++wards_in_block;
  }
  CHECK(wards_in_block > 0);

  int with_main = 0;
  for (const json& a : FiftyChecked("ward_activity_survey")) {
    INFO(a.dump());
    const json& difficulties = a.at("difficulties");
    CHECK(Answered(a, "main_difficulty") == (difficulties.size() > 1));
    if (!Answered(a, "main_difficulty")) continue;
    CHECK(std::find(difficulties.begin(), difficulties.end(), a.at("main_difficulty")) != difficulties.end());
    ++with_main;
  }
  CHECK(with_main > 0);
}

TEST_CASE("repeats hold 1-4 instances within min..max; select_multiple several choices", "[respondent]") {
  std::set<size_t> attendee_counts, activity_counts, needs_counts, difficulty_counts;
  for (const json& a : FiftyChecked("workshop_attendee_survey")) {
    size_t n = a.at("attendees").size();
    CHECK((n >= 1 && n <= 4));  // min 1, max 30
    CHECK(a.at("n_attendees") == n);
    attendee_counts.insert(n);
  }
  for (const json& a : FiftyChecked("ward_activity_survey")) {
    size_t n = a.contains("activities") ? a.at("activities").size() : 0;
    CHECK(n <= 4);  // min 0, max 50: an office may report none
    activity_counts.insert(n);
    difficulty_counts.insert(a.at("difficulties").size());
  }
  for (const json& a : FiftyChecked("medical_facility_survey")) needs_counts.insert(a.at("needs").size());
  CHECK(attendee_counts.size() >= 3);
  CHECK(activity_counts.count(0) == 1);
  CHECK(*activity_counts.rbegin() >= 3);
  for (const std::set<size_t>& counts : {needs_counts, difficulty_counts}) {
    CHECK(*counts.begin() >= 1);
    CHECK(*counts.rbegin() == 3);
    CHECK(counts.size() == 3);  // 1, 2 and 3 choices all occur
  }
}

const char* const kAllTypesForm = R"json({
  "format": 1, "id": "all_types", "version": "1", "title": "All types", "languages": ["ja"],
  "choice_lists": {"abc": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"},
                           {"value": "c", "label": "C"}, {"value": "d", "label": "D"}]},
  "items": [
    {"type": "integer", "name": "score", "label": "Score", "required": true, "constraint": ". >= 65 and . <= 120"},
    {"type": "decimal", "name": "budget", "label": "Budget", "required": true, "constraint": ". > 5000"},
    {"type": "select_multiple", "name": "pair", "label": "Pair", "list": "abc", "required": true,
     "min_choices": 2, "max_choices": 2},
    {"type": "rank", "name": "order", "label": "Order", "list": "abc", "required": true},
    {"type": "time", "name": "at", "label": "At", "required": true},
    {"type": "datetime", "name": "when", "label": "When", "required": true},
    {"type": "date", "name": "day", "label": "Day", "required": true, "constraint": ". <= today()"},
    {"type": "acknowledge", "name": "consent", "label": "Consent", "required": true},
    {"type": "text", "name": "note_text", "label": "Note", "required": true}
  ]
})json";

TEST_CASE("every answer type, numbers retried until the constraint holds", "[respondent]") {
  std::shared_ptr<const Form> form = testing::MustLoad(kAllTypesForm);
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Submission submission = MustRespond(form, seed);
    INFO(submission.canonical_json);
    CHECK(CheckSubmission(form, submission.canonical_json).ok());
    json a = Answers(submission);
    CHECK((a.at("score") >= 65 && a.at("score") <= 120));
    CHECK(a.at("budget") > 5000);
    CHECK(a.at("pair").size() == 2);
    std::vector<std::string> order = a.at("order");
    std::sort(order.begin(), order.end());
    CHECK(order == std::vector<std::string>{"a", "b", "c", "d"});
    CHECK(a.at("consent") == "OK");
    CHECK(a.at("day").get<std::string>() <= "2024-11-03");  // FixedEnv's today
    CHECK(a.at("day").get<std::string>() >= "2023-11-03");
    CHECK(!a.at("note_text").get<std::string>().empty());
  }
}

TEST_CASE("a question no answer satisfies is reported, not finalized", "[respondent]") {
  std::shared_ptr<const Form> form = testing::MustLoad(R"json({
    "format": 1, "id": "impossible", "version": "1", "title": "Impossible", "languages": ["ja"],
    "items": [{"type": "integer", "name": "never", "label": "Never", "required": true,
               "constraint": ". < 0 and . > 0"}]
  })json");
  Result<Submission> submission = Respond(form, 1);
  REQUIRE(!submission.ok());
  CHECK(submission.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(submission.status().message(), Catch::Contains("never: \""));
}

TEST_CASE("through the device store: the drafts end in the outbox, as the session would", "[respondent]") {
  testing::TempDir dir;
  FixedEnv store_env;
  StoreOptions store_options;
  store_options.env = &store_env;
  store_options.device_id = "test-device";
  Result<std::unique_ptr<DeviceStore>> opened = DeviceStore::Open(dir.path() + "/store.sqlite", store_options);
  REQUIRE(opened.ok());
  DeviceStore& store = **opened;
  std::shared_ptr<const Form> form = LoadExample("workshop_attendee_survey");
  REQUIRE(store.InstallFormFile(std::string(CHOSA_SOURCE_DIR) + "/schemas/examples/workshop_attendee_survey.json").ok());
  std::vector<std::string> uuids;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    Result<std::unique_ptr<Draft>> draft = store.StartDraft("workshop_attendee_survey", "staff-1");
    REQUIRE(draft.ok());
    RespondentOptions options;
    options.seed = seed;
    Result<Submission> submission = FillAsRespondent(**draft, options);
    REQUIRE(submission.ok());
    uuids.push_back(submission->uuid);
    // The draft saw the same pages and drew the same answers as a bare session.
    CHECK(Answers(*submission) == Answers(MustRespond(form, seed)));
  }
  std::vector<OutboxItem> outbox = Must(store.Outbox());
  REQUIRE(outbox.size() == 3);
  for (size_t i = 0; i < outbox.size(); ++i) {
    CHECK(outbox[i].uuid == uuids[i]);
    CHECK(CheckSubmission(form, outbox[i].canonical_json).ok());
  }
  CHECK(Must(store.ListInstances(InstanceState::kDraft)).empty());
}

}  // namespace
}  // namespace tools
}  // namespace chosa
