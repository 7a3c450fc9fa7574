// jr:choice-name(value, '${question}'), ODK's spelling: the label of a chosen choice in the
// session's language, wherever an expression is evaluated (calculations, relevance, the instance
// name), following a language switch; and the load faults of a malformed call.
#include <nlohmann/json.hpp>

#include "chosa/session.h"
#include "chosa/store.h"
#include "chosa/submission_check.h"
#include "chosa/view_model.h"
#include "test_support.h"
#include "must.h"

using chosa::Session;
using chosa::SessionOptions;
using chosa::testing::FaultsOf;
using chosa::testing::FixedEnv;
using chosa::testing::MustLoad;

namespace {

const char* kForm = R"J({
  "format": 1, "id": "names", "version": "1", "title": "Names", "languages": ["ja", "en"],
  "settings": {"instance_name": "normalize-space(concat(jr:choice-name(${ward}, '${ward}'), ' ', jr:choice-name(${needs}, '${needs}')))"},
  "choice_lists": {
    "wards": [{"value": "271276", "label": {"ja": "北区", "en": "Kita"}},
              {"value": "271039", "label": {"ja": "福島区", "en": "Fukushima"}}],
    "needs": [{"value": "desk", "label": {"ja": "相談窓口", "en": "Desk"}}, {"value": "training", "label": {"ja": "研修", "en": "Training"}},
              {"value": "other", "label": {"ja": "その他", "en": "Other"}}],
    "scale": [{"value": "4", "label": {"ja": "できる", "en": "Can do"}}, {"value": "1", "label": {"ja": "できない", "en": "Cannot do"}}],
    "professions": [{"value": "nurse", "label": {"ja": "看護師", "en": "Nurse"}}, {"value": "pharmacist", "label": {"ja": "薬剤師", "en": "Pharmacist"}}]
  },
  "items": [
    {"type": "select_one", "name": "ward", "list": "wards", "label": {"ja": "区", "en": "Ward"}},
    {"type": "select_multiple", "name": "needs", "list": "needs", "label": {"ja": "必要なこと", "en": "Needs"}},
    {"type": "matrix", "name": "grid", "list": "scale", "label": {"ja": "表", "en": "Grid"},
     "rows": [{"name": "c01", "label": {"ja": "一", "en": "One"}}]},
    {"type": "calculate", "name": "ward_name", "calculation": "jr:choice-name(${ward}, '${ward}')"},
    {"type": "calculate", "name": "needs_names", "calculation": "jr:choice-name(${needs}, '${needs}')"},
    {"type": "calculate", "name": "row_name", "calculation": "jr:choice-name(${c01}, '${c01}')"},
    {"type": "calculate", "name": "literal_name", "calculation": "jr:choice-name('271039', '${ward}')"},
    {"type": "calculate", "name": "unknown_name", "calculation": "jr:choice-name('999999', '${ward}')"},
    {"type": "calculate", "name": "spaced", "calculation": "jr:choice-name(${ward}, ' ${ward} ')"},
    {"type": "note", "name": "kita_note", "label": {"ja": "北区の方へ", "en": "For Kita"},
     "relevant": "jr:choice-name(${ward}, '${ward}') = 'Kita'"},
    {"type": "repeat", "name": "people", "label": {"ja": "参加者", "en": "People"}, "min": 2, "items": [
      {"type": "select_one", "name": "profession", "list": "professions", "label": {"ja": "職種", "en": "Profession"}},
      {"type": "calculate", "name": "profession_name", "calculation": "jr:choice-name(${profession}, '${profession}')"}]},
    {"type": "calculate", "name": "all_professions", "calculation": "join(' / ', ${profession_name})"}
  ]})J";

std::string Read(const Session& s, const std::string& path) { return s.ReadValue(path)->ToString(); }

std::unique_ptr<Session> Start(FixedEnv& env, const std::string& language) {
  auto started = Session::Start(MustLoad(kForm), &env, SessionOptions{language, "tablet-1", ""});
  REQUIRE(started.ok());
  return std::move(*started);
}

}  // namespace

TEST_CASE("jr:choice-name gives the chosen choice's label in the session's language") {
  FixedEnv env;
  auto s = Start(env, "ja");
  // Nothing chosen: "" (and a value that is no choice gives nothing, as in ODK).
  CHECK(Read(*s, "ward_name").empty());
  CHECK(Read(*s, "needs_names").empty());
  CHECK(Read(*s, "unknown_name").empty());
  CHECK(Read(*s, "literal_name") == "福島区");
  CHECK(s->InstanceName().empty());

  REQUIRE(s->SetAnswer("ward", "271276").ok());
  REQUIRE(s->SetAnswer("needs", "other desk").ok());
  REQUIRE(s->SetAnswer("c01", "4").ok());
  REQUIRE(s->SetAnswer("people[1]/profession", "pharmacist").ok());
  REQUIRE(s->SetAnswer("people[2]/profession", "nurse").ok());
  CHECK(Read(*s, "ward_name") == "北区");
  CHECK(Read(*s, "spaced") == "北区");
  // A select_multiple: every label in list order, joined as the review joins them.
  CHECK(Read(*s, "needs_names") == "相談窓口、その他");
  CHECK(Read(*s, "row_name") == "できる");
  CHECK(Read(*s, "people[1]/profession_name") == "薬剤師");
  CHECK(Read(*s, "all_professions") == "薬剤師 / 看護師");
  CHECK(s->InstanceName() == "北区 相談窓口、その他");
  CHECK_FALSE(*s->IsRelevant("kita_note"));

  // Switching language re-evaluates what reads labels: calculations in every instance, relevance,
  // and what reads those in turn.
  REQUIRE(s->SetLanguage("en").ok());
  CHECK(Read(*s, "ward_name") == "Kita");
  CHECK(Read(*s, "needs_names") == "Desk, Other");
  CHECK(Read(*s, "row_name") == "Can do");
  CHECK(Read(*s, "literal_name") == "Fukushima");
  CHECK(Read(*s, "people[2]/profession_name") == "Nurse");
  CHECK(Read(*s, "all_professions") == "Pharmacist / Nurse");
  CHECK(*s->IsRelevant("kita_note"));
  CHECK(s->InstanceName() == "Kita Desk, Other");
  REQUIRE(s->SetLanguage("ja").ok());
  CHECK(Read(*s, "ward_name") == "北区");
  CHECK_FALSE(*s->IsRelevant("kita_note"));

  // An instance added later computes in the current language.
  REQUIRE(s->AddRepeatInstance("people").ok());
  REQUIRE(s->SetAnswer("people[3]/profession", "nurse").ok());
  CHECK(Read(*s, "people[3]/profession_name") == "看護師");
}

TEST_CASE("jr:choice-name: a session started or resumed in English computes in English") {
  FixedEnv env;
  auto s = Start(env, "en");
  REQUIRE(s->SetAnswer("ward", "271039").ok());
  CHECK(Read(*s, "ward_name") == "Fukushima");
  chosa::SessionSnapshot snapshot;
  snapshot.language = "en";
  snapshot.answers = {{"ward", "271276"}, {"needs", "training"}};
  auto resumed = Session::Resume(MustLoad(kForm), &env, SessionOptions{"", "tablet-1", ""}, snapshot);
  REQUIRE(resumed.ok());
  CHECK(Read(**resumed, "ward_name") == "Kita");
  CHECK((*resumed)->InstanceName() == "Kita Training");
}

TEST_CASE("jr:choice-name: the submission keeps the labels of its language, and the collector agrees") {
  FixedEnv env;
  auto form = MustLoad(kForm);
  for (const char* language : {"ja", "en"}) {
    auto started = Session::Start(form, &env, SessionOptions{language, "tablet-1", ""});
    REQUIRE(started.ok());
    Session& s = **started;
    REQUIRE(s.SetAnswer("ward", "271276").ok());
    REQUIRE(s.SetAnswer("people[1]/profession", "nurse").ok());
    auto submission = s.Finalize();
    REQUIRE(submission.ok());
    auto json = nlohmann::json::parse(submission->canonical_json);
    CHECK(json["instance_name"] == (std::string(language) == "ja" ? "北区" : "Kita"));
    CHECK(json["answers"]["ward_name"] == (std::string(language) == "ja" ? "北区" : "Kita"));
    // Re-validation resumes in the envelope's language, so the calculated labels match.
    chosa::Status checked = chosa::CheckSubmission(form, submission->canonical_json);
    INFO(checked.ToString());
    CHECK(checked.ok());
  }
}

TEST_CASE("jr:choice-name: a malformed call is a load fault that says what to write") {
  auto with = [](const std::string& calculation) {
    return std::string(R"J({"format": 1, "id": "f", "version": "1", "title": "F", "languages": ["en"],
      "choice_lists": {"wards": [{"value": "271276", "label": "Kita"}]},
      "items": [{"type": "select_one", "name": "ward", "list": "wards", "label": "Ward"},
                {"type": "integer", "name": "age", "label": "Age"},
                {"type": "calculate", "name": "c", "calculation": ")J") +
           calculation + R"J("}]})J";
  };
  CHECK(FaultsOf(with("jr:choice-name(${ward}, ${ward})"))
            .find("col 25: jr:choice-name() names its question in quotes as its second argument: "
                  "jr:choice-name(${ward}, '${ward}')") != std::string::npos);
  CHECK(FaultsOf(with("jr:choice-name(${ward}, 'ward')")).find("names its question in quotes") != std::string::npos);
  CHECK(FaultsOf(with("jr:choice-name(${ward}, '${wrd}')")).find("col 25: unknown name ${wrd}; did you mean ${ward}?") !=
        std::string::npos);
  CHECK(FaultsOf(with("jr:choice-name(${age}, '${age}')"))
            .find("jr:choice-name() needs a question with choices; ${age} is a integer") != std::string::npos);
  CHECK(FaultsOf(with("jr:choice-name(${ward})")).find("takes 2") != std::string::npos);
  CHECK(FaultsOf(with("choice-name(${ward}, '${ward}')")).find("unknown function") != std::string::npos);
}

TEST_CASE("jr:choice-name: a draft's name follows the language it is filled in", "[store]") {
  chosa::testing::TempDir dir;
  FixedEnv env;
  chosa::StoreOptions options;
  options.env = &env;
  options.device_id = "tablet-07";
  auto store = chosa::testing::Must(chosa::DeviceStore::Open(dir.File("store.sqlite"), options));
  std::string path = dir.File("names.json");
  {
    std::ofstream out(path);
    out << kForm;
  }
  REQUIRE(store->InstallFormFile(path).ok());
  int64_t id = 0;
  {
    auto draft = chosa::testing::Must(store->StartDraft("names", "staff-1", "ja"));
    id = draft->id();
    // The name is saved with the answer it reads, in the draft's language ...
    REQUIRE(draft->SetAnswer("ward", "271039").ok());
    CHECK(store->GetInstance(id)->instance_name == "福島区");
    // ... and again when the language changes.
    REQUIRE(draft->SetLanguage("en").ok());
    CHECK(store->GetInstance(id)->instance_name == "Fukushima");
    REQUIRE(draft->SetAnswer("needs", "desk").ok());
    CHECK(store->GetInstance(id)->instance_name == "Fukushima Desk");
  }
  auto drafts = chosa::testing::Must(store->ListInstances(chosa::InstanceState::kDraft));
  REQUIRE(drafts.size() == 1);
  CHECK(drafts[0].instance_name == "Fukushima Desk");
}
