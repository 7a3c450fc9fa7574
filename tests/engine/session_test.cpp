// The filling session: typed answers as typed on a tablet, choices, required and constraints,
// pages, repeats, language, the view model and the submission's canonical bytes.
#include <openssl/sha.h>

#include <nlohmann/json.hpp>

#include "chosa/session.h"
#include "chosa/view_model.h"
#include "session/messages.h"  // the engine's own wording of kNotAUuid
#include "test_support.h"

using chosa::ErrorKind;
using chosa::Session;
using chosa::SessionOptions;
using chosa::testing::FixedEnv;
using chosa::testing::MustLoad;

namespace {

const char* kForm = R"J({
  "format": 1, "id": "acp_check", "version": "2024.1",
  "title": {"ja": "ACP調査", "en": "ACP survey"}, "languages": ["ja", "en"],
  "settings": {"instance_name": "concat(${ward}, '-', ${age})"},
  "choice_lists": {
    "yn": [{"value": "yes", "label": {"ja": "はい", "en": "Yes"}}, {"value": "no", "label": {"ja": "いいえ", "en": "No"}}],
    "ward": [{"value": "271276", "label": {"ja": "北区", "en": "Kita"}, "attributes": {"block": "north"}},
             {"value": "271039", "label": {"ja": "福島区", "en": "Fukushima"}, "attributes": {"block": "west"}}],
    "block": [{"value": "north", "label": {"ja": "北", "en": "North"}}, {"value": "west", "label": {"ja": "西", "en": "West"}}],
    "needs": [{"value": "desk", "label": {"ja": "相談窓口", "en": "Desk"}}, {"value": "training", "label": {"ja": "研修", "en": "Training"}},
              {"value": "other", "label": {"ja": "その他", "en": "Other"}}]
  },
  "items": [
    {"type": "page", "name": "p1", "label": {"ja": "基本", "en": "Basics"}, "items": [
      {"type": "select_one", "name": "block", "list": "block", "label": {"ja": "ブロック", "en": "Block"}},
      {"type": "select_one", "name": "ward", "list": "ward", "label": {"ja": "区", "en": "Ward"}, "required": true,
       "choice_filter": "${block} = '' or block = ${block}"},
      {"type": "integer", "name": "age", "label": {"ja": "年齢", "en": "Age"}, "required": true,
       "constraint": ". >= 65 and . <= 120",
       "constraint_message": {"ja": "65〜120歳で入力してください", "en": "Enter an age from 65 to 120"}},
      {"type": "date", "name": "visit", "label": {"ja": "訪問日", "en": "Visit"}}]},
    {"type": "page", "name": "p2", "label": {"ja": "ACP", "en": "ACP"}, "items": [
      {"type": "select_one", "name": "knows_acp", "list": "yn", "label": {"ja": "ACPを知っていますか", "en": "Do you know ACP?"}, "required": true},
      {"type": "text", "name": "acp_where", "label": {"ja": "${age}歳の方: どこで?", "en": "Aged ${age}: where?"}, "relevant": "${knows_acp} = 'yes'"},
      {"type": "select_multiple", "name": "needs", "list": "needs", "label": {"ja": "必要なこと", "en": "Needs"}, "max_choices": 2}]},
    {"type": "page", "name": "p3", "label": {"ja": "追加", "en": "More"}, "relevant": "${knows_acp} = 'yes'", "items": [
      {"type": "decimal", "name": "hours", "label": {"ja": "時間", "en": "Hours"}}]}
  ]})J";

struct Fixture {
  FixedEnv env;
  std::unique_ptr<Session> session;
  explicit Fixture(const std::string& language = "") {
    SessionOptions options;
    options.language = language;
    options.device_id = "tablet-07";
    auto started = Session::Start(MustLoad(kForm), &env, options);
    REQUIRE(started.ok());
    session = std::move(*started);
  }
};

}  // namespace

TEST_CASE("Numbers and dates typed with full-width characters are read as ASCII") {
  Fixture f;
  Session& s = *f.session;
  REQUIRE(s.SetAnswer("age", "７８").ok());
  CHECK(s.GetAnswer("age")->ToNumber() == 78);
  REQUIRE(s.SetAnswer("age", "　６５　").ok());
  CHECK(s.GetAnswer("age")->ToNumber() == 65);
  REQUIRE(s.SetAnswer("hours", "１．５").ok());
  CHECK(s.GetAnswer("hours")->ToNumber() == 1.5);
  REQUIRE(s.SetAnswer("hours", "－０．２５").ok());
  CHECK(s.GetAnswer("hours")->ToNumber() == -0.25);
  REQUIRE(s.SetAnswer("visit", "２０２４／４／１").ok());
  CHECK(s.GetAnswer("visit")->ToString() == "2024-04-01");

  chosa::Status refused = s.SetAnswer("age", "1,000");
  CHECK_FALSE(refused.ok());
  CHECK(refused.message() == "桁区切りのカンマを付けずに入力してください（例: 1000）。");
  CHECK(s.GetAnswer("age")->ToNumber() == 65);  // nothing stored on a refusal
  CHECK(s.SetAnswer("age", "7.5").message() == "整数で入力してください（例: 12）。");
  CHECK(s.SetAnswer("visit", "2023-02-29").message() == "日付を 2024-04-01 の形で入力してください。");
  REQUIRE(s.SetLanguage("en").ok());
  CHECK(s.SetAnswer("age", "seventy").message() == "Enter a whole number (for example 12).");
  CHECK(s.SetAnswer("age", "99999999999999999999").message() == "The number is too large.");
}

TEST_CASE("Choices must exist and pass the choice filter; multi-selects keep list order") {
  Fixture f("en");
  Session& s = *f.session;
  CHECK(s.SetAnswer("ward", "999999").message() == "\"999999\" is not one of the choices.");
  REQUIRE(s.SetAnswer("block", "west").ok());
  // Named by its label, as the person filling saw it, not by its code.
  CHECK(s.SetAnswer("ward", "271276").message() == "\"Kita\" cannot be chosen with the answers given.");
  REQUIRE(s.SetAnswer("ward", "271039").ok());
  REQUIRE(s.SetAnswer("needs", "other desk").ok());
  CHECK(s.GetAnswer("needs")->ToString() == "desk other");
  CHECK(s.SetAnswer("needs", "desk desk").message() == "\"Desk\" is chosen twice.");
  CHECK(s.SetAnswer("knows_acp", "yes no").message() == "Choose one option only.");
  // The cascading parent changes: the ward no longer passes and shows as an error.
  REQUIRE(s.SetAnswer("block", "north").ok());
  auto errors = s.PageErrors(0);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].path == "ward");
  CHECK(errors[0].kind == ErrorKind::kChoice);
  CHECK(errors[0].message == "\"Fukushima\" cannot be chosen with the answers given.");
  REQUIRE(s.SetLanguage("ja").ok());
  CHECK(s.PageErrors(0)[0].message == "「福島区」はこの回答では選べません。");
  // The view offers what passes the filter, and names the kept answer as withdrawn, so that a
  // renderer can show what is chosen (not an empty field that still blocks next).
  const chosa::ViewModel view = s.View();
  const auto ward = std::find_if(view.items.begin(), view.items.end(), [](const chosa::ItemView& i) { return i.path == "ward"; });
  REQUIRE(ward != view.items.end());
  CHECK(ward->value == "271039");
  REQUIRE(ward->choices.size() == 1);
  CHECK(ward->choices[0].value == "271276");
  CHECK_FALSE(ward->choices[0].selected);
  REQUIRE(ward->withdrawn.size() == 1);
  CHECK(ward->withdrawn[0].value == "271039");
  CHECK(ward->withdrawn[0].label == "福島区");
  CHECK(s.ViewJson().find(R"("withdrawn":[{"value":"271039","label":"福島区"}])") != std::string::npos);
  // Chosen again from what is offered: nothing withdrawn.
  REQUIRE(s.SetAnswer("ward", "271276").ok());
  for (const chosa::ItemView& i : s.View().items) CHECK(i.withdrawn.empty());
  CHECK(errors[1].path == "age");
  CHECK(errors[1].kind == ErrorKind::kRequired);
}

TEST_CASE("Next validates the page; back always works; hidden pages are skipped") {
  Fixture f;
  Session& s = *f.session;
  CHECK(s.page_index() == 0);
  CHECK_FALSE(s.CanGoBack());
  chosa::Status blocked = s.Next();
  CHECK(blocked.message() == "このページに確認が必要な回答が2件あります。");
  CHECK(s.page_index() == 0);
  chosa::ViewModel view = s.View();
  REQUIRE(view.items.size() == 4);
  REQUIRE(view.items[1].errors.size() == 1);
  CHECK(view.items[1].errors[0].kind == "required");

  REQUIRE(s.SetAnswer("ward", "271276").ok());
  REQUIRE(s.SetAnswer("age", "40").ok());
  view = s.View();
  REQUIRE(view.items[2].errors.size() == 1);
  CHECK(view.items[2].errors[0].message == "65〜120歳で入力してください");
  CHECK_FALSE(s.Next().ok());
  REQUIRE(s.SetAnswer("age", "82").ok());
  REQUIRE(s.Next().ok());
  CHECK(s.page_index() == 1);
  CHECK(s.View().navigation.is_last);  // page 3 is hidden until ACP is known
  REQUIRE(s.SetAnswer("knows_acp", "yes").ok());
  CHECK(s.View().navigation.can_next);
  CHECK(s.View().navigation.relevant_pages == 3);
  REQUIRE(s.Next().ok());
  CHECK(s.page_index() == 2);
  REQUIRE(s.Back().ok());
  REQUIRE(s.Back().ok());
  CHECK(s.page_index() == 0);
  REQUIRE(s.GoToPage(2).ok());
  REQUIRE(s.SetAnswer("knows_acp", "no").ok());
  CHECK_FALSE(s.GoToPage(2).ok());
}

TEST_CASE("The view model follows the language and interpolates labels") {
  Fixture f;
  Session& s = *f.session;
  REQUIRE(s.SetAnswer("age", "70").ok());
  REQUIRE(s.SetAnswer("knows_acp", "yes").ok());
  REQUIRE(s.GoToPage(1).ok());
  chosa::ViewModel view = s.View();
  CHECK(view.title == "ACP調査");
  CHECK(view.page_label == "ACP");
  REQUIRE(view.items.size() == 3);
  CHECK(view.items[1].label == "70歳の方: どこで?");
  CHECK(view.items[0].choices.at(0).label == "はい");
  CHECK(view.items[0].choices.at(0).selected);
  REQUIRE(s.SetLanguage("en").ok());
  view = s.View();
  CHECK(view.items[1].label == "Aged 70: where?");
  CHECK(view.items[0].choices.at(0).label == "Yes");
  CHECK(view.navigation.page_number == 2);
  // Progress counts answered questions of the whole filling: 2 of block, ward, age, visit,
  // knows_acp, acp_where (shown now), needs and hours (page 3 shown now).
  CHECK(view.navigation.answered == 2);
  CHECK(view.navigation.questions == 8);
  CHECK(view.navigation.progress_percent == 25);

  auto json = nlohmann::json::parse(s.ViewJson());
  CHECK(json["items"][1]["label"] == "Aged 70: where?");
  CHECK(json["navigation"]["page_count"] == 3);
  CHECK(json["navigation"]["answered"] == 2);
  CHECK(json["navigation"]["questions"] == 8);
  CHECK(json["navigation"]["progress_percent"] == 25);
  CHECK(json["items"][2]["choices"].size() == 3);
  // A select_multiple's count rule: its max_choices 2, no minimum; other items carry neither.
  CHECK(view.items[2].name == "needs");
  CHECK(view.items[2].min_choices == 0);
  CHECK(view.items[2].max_choices == 2);
  CHECK(json["items"][2]["max_choices"] == 2);
  CHECK_FALSE(json["items"][2].contains("min_choices"));
  CHECK_FALSE(json["items"][0].contains("max_choices"));
  CHECK_FALSE(json["items"][0].contains("min_choices"));
}

TEST_CASE("Finalize writes the canonical submission: only relevant answers, fixed key order") {
  Fixture f;
  Session& s = *f.session;
  CHECK_FALSE(s.Finalize().ok());
  CHECK(s.AllErrors().size() == 3);  // ward, age, knows_acp
  REQUIRE(s.SetAnswer("ward", "271276").ok());
  REQUIRE(s.SetAnswer("age", "82").ok());
  REQUIRE(s.SetAnswer("visit", "2024-11-03").ok());
  REQUIRE(s.SetAnswer("knows_acp", "yes").ok());
  REQUIRE(s.SetAnswer("acp_where", "病院で \"人生会議\"").ok());
  REQUIRE(s.SetAnswer("hours", "1.5").ok());
  REQUIRE(s.SetAnswer("needs", "training desk").ok());
  REQUIRE(s.SetAnswer("knows_acp", "no").ok());  // acp_where and page 3 become non-relevant
  auto submission = s.Finalize();
  REQUIRE(submission.ok());
  CHECK(submission->canonical_json ==
        "{\"uuid\":\"" + submission->uuid + "\",\"form_id\":\"acp_check\",\"form_version\":\"2024.1\","
        "\"device_id\":\"tablet-07\",\"instance_name\":\"271276-82\",\"language\":\"ja\","
        "\"started_at\":\"2024-11-03T10:30:30.000+09:00\",\"ended_at\":\"2024-11-03T10:30:30.000+09:00\","
        "\"answers\":{\"ward\":\"271276\",\"age\":82,\"visit\":\"2024-11-03\",\"knows_acp\":\"no\","
        "\"needs\":[\"desk\",\"training\"]}}");
  CHECK(submission->instance_name == "271276-82");
  CHECK(submission->uuid.size() == 36);
  CHECK(submission->uuid[14] == '4');
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(submission->canonical_json.data()), submission->canonical_json.size(),
         digest);
  char hex[2 * SHA256_DIGEST_LENGTH + 1];
  for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  CHECK(submission->sha256 == hex);
  // The same content hashes the same; a different uuid is different content.
  auto again = s.Finalize();
  REQUIRE(again.ok());
  CHECK(again->uuid != submission->uuid);
  CHECK(again->sha256 != submission->sha256);
  // The value of a non-relevant answer is kept in the session and comes back.
  REQUIRE(s.SetAnswer("knows_acp", "yes").ok());
  CHECK(s.ReadValue("acp_where")->ToString() == "病院で \"人生会議\"");
  auto with_acp = s.Finalize("0e7f4c8a-2d5b-4f9e-8a61-3c2b1d0e9f87");
  REQUIRE(with_acp.ok());
  CHECK(with_acp->canonical_json.find("\"replaces\":\"0e7f4c8a-2d5b-4f9e-8a61-3c2b1d0e9f87\",\"answers\"") != std::string::npos);
  CHECK(with_acp->canonical_json.find("\"acp_where\":\"病院で \\\"人生会議\\\"\"") != std::string::npos);
  CHECK(with_acp->canonical_json.find("\"hours\":1.5") != std::string::npos);
}

TEST_CASE("The workshop sign-in list: repeat instances by path, min and max, per-instance values") {
  auto loaded = chosa::Form::LoadFile(CHOSA_SOURCE_DIR "/schemas/examples/workshop_attendee_survey.json");
  REQUIRE(loaded.ok());
  FixedEnv env;
  auto started = Session::Start(loaded.form, &env, SessionOptions{"en", "tablet-01", "staff-3"});
  REQUIRE(started.ok());
  Session& s = **started;
  CHECK(*s.RepeatCount("attendees") == 1);  // min 1
  CHECK_FALSE(s.RemoveRepeatInstance("attendees", 1).ok());
  REQUIRE(s.SetAnswer("attendees[1]/attendee_name", "山田 花子").ok());
  REQUIRE(s.SetAnswer("attendees[1]/attendee_profession", "pharmacist").ok());
  REQUIRE(*s.AddRepeatInstance("attendees") == 2);
  REQUIRE(s.SetAnswer("attendees[2]/attendee_name", "佐藤 一郎").ok());
  REQUIRE(s.SetAnswer("attendees[2]/attendee_profession", "nurse").ok());
  REQUIRE(*s.AddRepeatInstance("attendees") == 3);
  REQUIRE(s.SetAnswer("attendees[3]/attendee_profession", "pharmacist").ok());
  CHECK(s.ReadValue("n_attendees")->ToNumber() == 3);
  CHECK(s.ReadValue("n_pharmacists")->ToNumber() == 2);
  CHECK_FALSE(s.SetAnswer("attendees[4]/attendee_name", "x").ok());
  CHECK_FALSE(s.SetAnswer("attendee_name", "x").ok());  // a repeat child needs its position

  // Instance 3 has no name: required shows on that path only.
  auto errors = s.PageErrors(2);
  bool third_name_required = false;
  for (const auto& e : errors) third_name_required |= e.path == "attendees[3]/attendee_name" && e.kind == ErrorKind::kRequired;
  CHECK(third_name_required);
  REQUIRE(s.RemoveRepeatInstance("attendees", 2).ok());
  CHECK(s.GetAnswer("attendees[2]/attendee_profession")->ToString() == "pharmacist");
  CHECK(s.ReadValue("n_pharmacists")->ToNumber() == 2);
  for (int i = 0; i < 28; ++i) REQUIRE(s.AddRepeatInstance("attendees").ok());
  CHECK(*s.RepeatCount("attendees") == 30);
  CHECK(s.AddRepeatInstance("attendees").status().message() == "At most 30 entries can be entered.");
}

TEST_CASE("The coordinator checklist: 25 rows, a live total out of 100") {
  auto loaded = chosa::Form::LoadFile(CHOSA_SOURCE_DIR "/schemas/examples/coordinator_checklist.json");
  REQUIRE(loaded.ok());
  FixedEnv env;
  auto started = Session::Start(loaded.form, &env);
  REQUIRE(started.ok());
  Session& s = **started;
  for (int i = 1; i <= 25; ++i) {
    char path[8];
    std::snprintf(path, sizeof path, "c%02d", i);
    REQUIRE(s.SetAnswer(path, i <= 10 ? "４" : "3").ok());
    if (i == 10) CHECK(s.ReadValue("checklist_total")->ToNumber() == 40);  // partial total
  }
  CHECK(s.ReadValue("checklist_total")->ToNumber() == 40 + 15 * 3);
  REQUIRE(s.SetAnswer("c25", "").ok());
  CHECK(s.ReadValue("checklist_total")->ToNumber() == 82);
}

TEST_CASE("Guards: read-only matrices, full rankings, UUIDs, device ids, no way back, control characters") {
  auto form = MustLoad(R"J({"format": 1, "id": "g", "version": "1", "title": "G", "languages": ["ja", "en"],
    "settings": {"allow_back": false},
    "choice_lists": {"s": [{"value": "1", "label": "a"}, {"value": "2", "label": "b"}, {"value": "3", "label": "c"}]},
    "items": [
      {"type": "page", "name": "p1", "label": "1", "items": [
        {"type": "matrix", "name": "m", "list": "s", "label": "m", "read_only": true, "rows": [{"name": "m1", "label": "r"}]},
        {"type": "rank", "name": "rk", "list": "s", "label": "rank"},
        {"type": "time", "name": "at", "label": "time"},
        {"type": "text", "name": "memo", "label": "memo"}]},
      {"type": "page", "name": "p2", "label": "2", "items": [{"type": "text", "name": "t", "label": "t"}]}]})J");
  FixedEnv env;
  auto started = Session::Start(form, &env, SessionOptions{"en", "", ""});
  REQUIRE(started.ok());
  Session& s = **started;
  CHECK(s.SetAnswer("m1", "1").message() == "This item cannot be changed.");
  REQUIRE(s.SetAnswer("rk", "3 1").ok());
  auto errors = s.PageErrors(0);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].kind == ErrorKind::kCount);
  CHECK(errors[0].message == "Rank every option.");
  REQUIRE(s.SetAnswer("rk", "3 1 2").ok());
  CHECK(s.GetAnswer("rk")->ToString() == "3 1 2");  // a ranking keeps its order
  REQUIRE(s.SetAnswer("at", "9:05").ok());
  CHECK(s.GetAnswer("at")->ToString() == "09:05:00.000+09:00");
  CHECK(s.SetAnswer("memo", std::string("a\0b", 3)).message() ==
        "The text contains a control character that cannot be used.");
  REQUIRE(s.SetAnswer("memo", "二行の\nメモ").ok());
  CHECK(s.Finalize().status().message() == "The submission cannot be finalized without a device id.");
  REQUIRE(s.Next().ok());
  CHECK(s.GoToPage(0).message() == "This form does not allow going back.");
  CHECK_FALSE(s.Back().ok());

  auto with_device = Session::Start(form, &env, SessionOptions{"ja", "tablet-1", ""});
  REQUIRE(with_device.ok());
  CHECK((*with_device)->Finalize("not-a-uuid").status().message() == "「not-a-uuid」は UUID ではありません。");
  CHECK((*with_device)->SetAnswer("t", "x").ok());
  CHECK((*with_device)->SetAnswer("zz", "x").message() == "「zz」という項目はありません。");
  CHECK(Session::Start(form, &env, SessionOptions{"fr", "", ""}).status().message() ==
        "言語「fr」はこの調査票にありません。");
}

TEST_CASE("Finalize takes as `replaces` only a lower-case version 4 UUID, as CheckSubmission does") {
  auto form = MustLoad(R"J({"format": 1, "id": "u", "version": "1", "title": "U", "languages": ["ja", "en"],
    "items": [{"type": "text", "name": "t", "label": "t"}]})J");
  FixedEnv env;
  for (const char* language : {"ja", "en"}) {
    for (const char* refused : {"8C5BDA81-A8AF-402F-A8AA-2EFBF9D12748",     // upper case
                                "8c5bda81-a8af-402f-a8aa-2EFBF9D12748",     // partly upper case
                                "8c5bda81-a8af-102f-a8aa-2efbf9d12748",     // version 1
                                "8c5bda81-a8af-402f-c8aa-2efbf9d12748"}) {  // not the RFC 4122 variant
      INFO(language << " " << refused);
      auto session = Session::Start(form, &env, SessionOptions{language, "tablet-1", ""});
      REQUIRE(session.ok());
      REQUIRE((*session)->SetAnswer("t", "x").ok());
      auto finalized = (*session)->Finalize(refused);
      REQUIRE_FALSE(finalized.ok());
      CHECK(finalized.status().code() == chosa::StatusCode::kInvalidArgument);
      CHECK(finalized.status().message() == chosa::Message(chosa::MessageId::kNotAUuid, language, refused));
      CHECK((*session)->Finalize("8c5bda81-a8af-402f-a8aa-2efbf9d12748").ok());  // the same, in lower-case v4
    }
  }
}
