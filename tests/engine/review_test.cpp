// The review before finalize (Session::Review(), ReviewJson()): every relevant page and item with
// its answer as a person reads it and its current errors, on the example surveys; its JSON; and
// the example of docs/view-model.md, which must be what the engine writes.
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chosa/session.h"
#include "chosa/view_model.h"
#include "test_support.h"

using chosa::PageReview;
using chosa::ReviewItem;
using chosa::Session;
using chosa::SessionOptions;
using chosa::testing::FixedEnv;
using chosa::testing::MustLoad;
using chosa::testing::ReadFile;

namespace {

struct Filling {
  FixedEnv env;
  std::unique_ptr<Session> session;
  Filling(const std::string& form_path, const std::string& language) {
    auto loaded = chosa::Form::LoadFile(std::string(CHOSA_SOURCE_DIR) + "/" + form_path);
    REQUIRE(loaded.ok());
    auto started = Session::Start(loaded.form, &env, SessionOptions{language, "tablet-01", "staff-3"});
    REQUIRE(started.ok());
    session = std::move(*started);
  }
  void Set(const std::string& path, const std::string& text) {
    INFO(path << " = " << text);
    REQUIRE(session->SetAnswer(path, text).ok());
  }
};

// The item at `path` anywhere in the review (nullptr when absent).
const ReviewItem* Find(const std::vector<ReviewItem>& items, const std::string& path) {
  for (const ReviewItem& item : items) {
    if (item.path == path) return &item;
    if (const ReviewItem* found = Find(item.children, path)) return found;
  }
  return nullptr;
}

const ReviewItem* Find(const chosa::Review& review, const std::string& path) {
  for (const PageReview& page : review.pages) {
    if (const ReviewItem* found = Find(page.items, path)) return found;
  }
  return nullptr;
}

const ReviewItem& Get(const chosa::Review& review, const std::string& path) {
  const ReviewItem* item = Find(review, path);
  INFO(path);
  REQUIRE(item != nullptr);
  return *item;
}

std::vector<std::string> PageNames(const chosa::Review& review) {
  std::vector<std::string> names;
  for (const PageReview& page : review.pages) names.push_back(page.name);
  return names;
}

bool HasError(const ReviewItem& item, const std::string& kind) {
  for (const chosa::ErrorView& e : item.errors) {
    if (e.kind == kind) return true;
  }
  return false;
}

// Every item of the review, depth first.
void ForEachItem(const chosa::Review& review, const std::function<void(const ReviewItem&)>& fn) {
  std::function<void(const std::vector<ReviewItem>&)> walk = [&](const std::vector<ReviewItem>& items) {
    for (const ReviewItem& item : items) {
      fn(item);
      walk(item.children);
    }
  };
  for (const PageReview& page : review.pages) walk(page.items);
}

// The workshop questionnaire answered through its last page but for the sign-in list.
void FillWorkshopEvent(Filling* f) {
  f->Set("event_type", "workshop");
  f->Set("event_date", "2024/11/01");
  f->Set("block", "north");
  f->Set("profession", "nurse");
  f->Set("feels_collaborating", "yes");
  f->Set("knew_support_office", "no");
  f->Set("wish_collaborate", "want");
  f->Set("acp_awareness", "name_only");
  f->Set("useful", "4");
}

void CheckItemJson(const ReviewItem& item, const nlohmann::json& j) {
  INFO(item.path);
  CHECK(j.at("path") == item.path);
  CHECK(j.at("name") == item.name);
  CHECK(j.at("type") == item.type);
  CHECK(j.at("label") == item.label);
  CHECK(j.at("value") == item.value);
  CHECK(j.at("display") == item.display);
  CHECK(j.at("required") == item.required);
  REQUIRE(j.at("errors").size() == item.errors.size());
  for (size_t e = 0; e < item.errors.size(); ++e) {
    CHECK(j["errors"][e].at("kind") == item.errors[e].kind);
    CHECK(j["errors"][e].at("message") == item.errors[e].message);
  }
  REQUIRE(j.at("children").size() == item.children.size());
  for (size_t c = 0; c < item.children.size(); ++c) CheckItemJson(item.children[c], j["children"][c]);
}

void CheckReviewJson(const chosa::Review& review, const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text);
  CHECK(j.at("form_id") == review.form_id);
  CHECK(j.at("form_version") == review.form_version);
  CHECK(j.at("language") == review.language);
  CHECK(j.at("title") == review.title);
  CHECK(j.at("error_count") == review.error_count);
  CHECK(j.at("answered") == review.answered);
  CHECK(j.at("questions") == review.questions);
  CHECK(j.at("can_finalize") == review.can_finalize);
  REQUIRE(j.at("pages").size() == review.pages.size());
  for (size_t p = 0; p < review.pages.size(); ++p) {
    const PageReview& page = review.pages[p];
    const nlohmann::json& jp = j["pages"][p];
    CHECK(jp.at("page") == page.page);
    CHECK(jp.at("name") == page.name);
    CHECK(jp.at("label") == page.label);
    CHECK(jp.at("error_count") == page.error_count);
    REQUIRE(jp.at("items").size() == page.items.size());
    for (size_t i = 0; i < page.items.size(); ++i) CheckItemJson(page.items[i], jp["items"][i]);
  }
}

}  // namespace

TEST_CASE("Review: pages skipped by relevance are absent, and come back when they apply") {
  Filling f("schemas/examples/older_residents_survey.json", "ja");
  Session& s = *f.session;
  f.Set("respondent_type", "self");
  chosa::Review review = s.Review();
  CHECK(PageNames(review) == std::vector<std::string>{"p_respondent", "p_acp"});
  CHECK(review.pages[1].page == 1);
  CHECK(review.pages[1].label == "人生会議（ACP）について");
  CHECK(Find(review, "age") != nullptr);
  CHECK(Find(review, "cm_years") == nullptr);  // a question of another respondent type

  f.Set("respondent_type", "care_manager");
  review = s.Review();
  CHECK(PageNames(review) == std::vector<std::string>{"p_respondent", "p_acp", "p_care_manager"});
  CHECK(review.pages[2].page == 2);  // the index GoToPage takes, counted over all pages
  CHECK(s.GoToPage(review.pages[2].page).ok());
  CHECK(Find(review, "age") == nullptr);
  CHECK(Find(review, "cm_years") != nullptr);
  CHECK(Find(review, "cm_doctor_difficulty") != nullptr);
  // The person has not been to the care managers' page: its required questions show all the same.
  CHECK(HasError(Get(review, "cm_doctor_difficulty"), "required"));
}

TEST_CASE("Review: a Japanese survey shows choice labels, several joined by 、, and no notes or calculates") {
  Filling f("schemas/examples/older_residents_survey.json", "ja");
  Session& s = *f.session;
  f.Set("respondent_type", "self");
  f.Set("age", "８２");
  f.Set("ward", "271276");
  f.Set("acp_awareness", "name_only");
  f.Set("acp_source", "family media");  // stored in list order
  chosa::Review review = s.Review();
  CHECK(review.language == "ja");
  CHECK(review.title == "大阪市高齢者実態調査（本人・介護支援専門員・介護施設）");

  const ReviewItem& type = Get(review, "respondent_type");
  CHECK(type.label == "回答者の区分");
  CHECK(type.value == "self");
  CHECK(type.display == "本人");
  CHECK(Get(review, "ward").display == "北区");
  CHECK(Get(review, "age").value == "82");
  CHECK(Get(review, "age").display == "82");

  const ReviewItem& sources = Get(review, "acp_source");
  CHECK(sources.type == "select_multiple");
  CHECK(sources.value == "media family");
  CHECK(sources.display == "テレビ・新聞・雑誌、家族・知人");
  // Inside its group, which is reviewed with its relevant children.
  const ReviewItem& group = Get(review, "g_acp_known");
  CHECK(group.type == "group");
  REQUIRE(group.children.size() == 2);  // acp_source and acp_discussed; the "other" text is not relevant
  CHECK(group.children[0].path == "acp_source");
  CHECK(group.children[1].path == "acp_discussed");

  // Unanswered questions are there, empty, so that a person sees what is missing.
  const ReviewItem& sex = Get(review, "sex");
  CHECK(sex.value.empty());
  CHECK(sex.display.empty());
  CHECK(sex.required);
  CHECK(HasError(sex, "required"));
  CHECK(Find(review, "acp_explained") == nullptr);  // a note

  f.Set("acp_source", "media other");
  CHECK(Find(s.Review(), "acp_source_other") != nullptr);  // became relevant

  REQUIRE(s.SetLanguage("en").ok());
  review = s.Review();
  CHECK(Get(review, "acp_source").display == "TV, newspapers, magazines, Other");
  CHECK(Get(review, "respondent_type").display == "The older person");
  CHECK(review.pages[0].label == "About the respondent");
}

TEST_CASE("Review: a repeat's instances with their answers; required errors until answered; can_finalize") {
  Filling f("schemas/examples/workshop_attendee_survey.json", "ja");
  Session& s = *f.session;
  chosa::Review fresh = s.Review();
  CHECK_FALSE(fresh.can_finalize);
  // Required errors are there before the person ever tried to leave a page (unlike View()).
  CHECK(HasError(Get(fresh, "event_type"), "required"));
  CHECK(s.View().items.at(0).errors.empty());
  CHECK(fresh.error_count == static_cast<int32_t>(s.AllErrors().size()));

  FillWorkshopEvent(&f);
  f.Set("attendees[1]/attendee_name", "山田 花子");
  f.Set("attendees[1]/attendee_profession", "pharmacist");
  REQUIRE(*s.AddRepeatInstance("attendees") == 2);
  f.Set("attendees[2]/attendee_profession", "nurse");
  chosa::Review review = s.Review();

  CHECK(Get(review, "block").display == "北ブロック");
  CHECK(Get(review, "event_date").display == "2024-11-01");
  CHECK(Find(review, "acp_understood") == nullptr);  // only after an ACP seminar
  const PageReview& signin = review.pages.at(2);
  CHECK(signin.name == "p_signin");
  REQUIRE(signin.items.size() == 1);  // the notes and calculates of the page are left out
  const ReviewItem& attendees = signin.items[0];
  CHECK(attendees.type == "repeat");
  CHECK(attendees.path == "attendees");
  REQUIRE(attendees.children.size() == 2);
  const ReviewItem& first = attendees.children[0];
  CHECK(first.type == "repeat_instance");
  CHECK(first.path == "attendees[1]");
  CHECK(first.label == "参加者（1件目）");
  REQUIRE(first.children.size() == 3);  // name, profession, organisation; not the calculate
  CHECK(first.children[0].path == "attendees[1]/attendee_name");
  CHECK(first.children[0].display == "山田 花子");
  CHECK(first.children[1].display == "薬剤師");
  CHECK(first.children[2].display.empty());
  const ReviewItem& second = attendees.children[1];
  CHECK(second.label == "参加者（2件目）");
  CHECK(second.children[1].display == "看護師");
  const ReviewItem& missing = second.children[0];
  CHECK(missing.path == "attendees[2]/attendee_name");
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].kind == "required");
  CHECK(missing.errors[0].message == "回答してください。");  // the form's required_message

  CHECK(review.error_count == 1);
  CHECK(signin.error_count == 1);
  CHECK(review.pages[0].error_count == 0);
  CHECK(review.error_count == static_cast<int32_t>(s.AllErrors().size()));
  CHECK(signin.error_count == static_cast<int32_t>(s.PageErrors(2).size()));
  CHECK_FALSE(review.can_finalize);
  CHECK_FALSE(s.Finalize().ok());

  f.Set("attendees[2]/attendee_name", "佐藤 一郎");
  review = s.Review();
  CHECK(review.error_count == 0);
  CHECK(review.can_finalize);
  // Answered out of the relevant questions: event_type, event_date, block, ward, profession, 5 on
  // the second page plus comments, and 3 per attendee; ward, comments and the organisations are empty.
  CHECK(review.questions == 5 + 6 + 2 * 3);
  CHECK(review.answered == review.questions - 4);
  CHECK(s.Finalize().ok());

  REQUIRE(s.SetLanguage("en").ok());
  review = s.Review();
  CHECK(Get(review, "attendees").children.at(1).label == "Attendee #2");
  CHECK(Get(review, "attendees[1]/attendee_profession").display == "Pharmacist");
}

TEST_CASE("Review: groups, matrices with their rows, constraints and acknowledgements") {
  Filling f("tests/forms/fill/visit_record.json", "ja");
  Session& s = *f.session;
  f.Set("age", "50");  // below the constraint's 65
  f.Set("sex", "female");
  f.Set("adl_eat", "3");
  f.Set("visits[1]/visit_date", "2024-11-01");
  f.Set("visits[1]/services", "rehab nursing");
  chosa::Review review = s.Review();
  CHECK(HasError(Get(review, "age"), "constraint"));
  CHECK(Get(review, "sex").display == "女性");
  const ReviewItem& adl = Get(review, "adl");
  CHECK(adl.type == "matrix");
  CHECK(adl.required);
  REQUIRE(adl.children.size() == 2);
  CHECK(adl.children[0].type == "matrix_row");
  CHECK(adl.children[0].display == "自立");
  CHECK(HasError(adl.children[1], "required"));
  CHECK(Get(review, "visits[1]/services").display == "訪問看護、訪問リハビリ");
  const ReviewItem& confirmed = Get(review, "confirmed");
  CHECK(confirmed.type == "acknowledge");
  CHECK(confirmed.display.empty());
  CHECK(HasError(confirmed, "required"));

  f.Set("confirmed", "OK");
  review = s.Review();
  CHECK(Get(review, "confirmed").value == "OK");
  CHECK(Get(review, "confirmed").display == "はい");
  ForEachItem(review, [](const ReviewItem& item) {
    CHECK(item.type != "note");
    CHECK(item.type != "calculate");
  });
  REQUIRE(s.SetLanguage("en").ok());
  CHECK(Get(s.Review(), "confirmed").display == "Yes");
  CHECK(Get(s.Review(), "visits[1]/services").display == "Home nursing, Home rehabilitation");
}

TEST_CASE("Review: a rank shows its labels in the ranked order; a form without pages is one page") {
  auto form = MustLoad(R"J({"format": 1, "id": "r", "version": "1", "title": {"ja": "順位", "en": "Ranks"},
    "languages": ["ja", "en"],
    "choice_lists": {"abc": [{"value": "a", "label": {"ja": "甲", "en": "A"}}, {"value": "b", "label": {"ja": "乙", "en": "B"}},
                             {"value": "c", "label": {"ja": "丙", "en": "C"}}]},
    "items": [
      {"type": "rank", "name": "order", "list": "abc", "label": {"ja": "順に並べてください", "en": "Order them"}},
      {"type": "repeat", "name": "rows", "label": {"ja": "行", "en": "Row"}, "min": 2,
       "items": [{"type": "integer", "name": "n", "label": {"ja": "${order}の数", "en": "Number for ${order}"}}]}]})J");
  FixedEnv env;
  auto started = Session::Start(form, &env, SessionOptions{"ja", "tablet-01", ""});
  REQUIRE(started.ok());
  Session& s = **started;
  REQUIRE(s.SetAnswer("order", "c a b").ok());
  chosa::Review review = s.Review();
  REQUIRE(review.pages.size() == 1);
  CHECK(review.pages[0].page == 0);
  CHECK(review.pages[0].name.empty());
  CHECK(Get(review, "order").value == "c a b");
  CHECK(Get(review, "order").display == "丙、甲、乙");
  CHECK(Get(review, "rows[2]/n").label == "c a bの数");  // interpolated like the view's labels
  CHECK(review.questions == 3);
  CHECK(review.answered == 1);
  CHECK(review.can_finalize);
  CheckReviewJson(review, s.ReviewJson());
}

TEST_CASE("Review: the JSON has the struct's fields and values") {
  Filling f("schemas/examples/workshop_attendee_survey.json", "ja");
  FillWorkshopEvent(&f);
  f.Set("attendees[1]/attendee_profession", "doctor");
  REQUIRE(f.session->AddRepeatInstance("attendees").ok());
  chosa::Review review = f.session->Review();
  CheckReviewJson(review, f.session->ReviewJson());
  nlohmann::json j = nlohmann::json::parse(f.session->ReviewJson());
  CHECK(j["pages"][2]["items"][0]["children"][1]["label"] == "参加者（2件目）");
  CHECK(j["can_finalize"] == false);
}

TEST_CASE("Review: the example of docs/view-model.md is what the engine writes") {
  // The doc's example, between its markers, must equal this filling's ReviewJson().
  Filling f("schemas/examples/workshop_attendee_survey.json", "ja");
  f.Set("event_type", "workshop");
  f.Set("event_date", "2024-11-01");
  f.Set("block", "north");
  f.Set("ward", "271276");
  f.Set("profession", "nurse");
  f.Set("feels_collaborating", "yes");
  f.Set("knew_support_office", "yes");
  f.Set("worked_with_support_office", "no");
  f.Set("wish_collaborate", "want");
  f.Set("acp_awareness", "name_only");
  f.Set("useful", "4");
  f.Set("attendees[1]/attendee_name", "山田 花子");
  f.Set("attendees[1]/attendee_profession", "pharmacist");
  REQUIRE(f.session->AddRepeatInstance("attendees").ok());
  f.Set("attendees[2]/attendee_profession", "nurse");

  std::string doc = ReadFile(std::string(CHOSA_SOURCE_DIR) + "/docs/view-model.md");
  const std::string begin = "<!-- review-example:begin -->\n```json\n";
  size_t start = doc.find(begin);
  REQUIRE(start != std::string::npos);
  start += begin.size();
  size_t end = doc.find("```\n<!-- review-example:end -->", start);
  REQUIRE(end != std::string::npos);
  nlohmann::json documented = nlohmann::json::parse(doc.substr(start, end - start));
  nlohmann::json written = nlohmann::json::parse(f.session->ReviewJson());
  INFO(written.dump(2));
  CHECK(documented == written);
}
