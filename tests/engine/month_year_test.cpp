// A date question with appearance month-year takes a month as typed on a tablet and stores the
// first day of that month, as ODK does; its refusal asks for a month.
#include "chosa/session.h"
#include "chosa/view_model.h"
#include "test_support.h"

using chosa::Session;
using chosa::SessionOptions;
using chosa::testing::FixedEnv;
using chosa::testing::MustLoad;

namespace {

const char* kForm = R"J({
  "format": 1, "id": "months", "version": "1", "title": "Months", "languages": ["ja", "en"],
  "items": [
    {"type": "date", "name": "hired", "label": {"ja": "採用月", "en": "Month of hire"}, "appearance": "month-year"},
    {"type": "date", "name": "moved", "label": {"ja": "転居月", "en": "Month moved"}, "appearance": "no-calendar month-year",
     "default": "2023-07-19"},
    {"type": "date", "name": "visited", "label": {"ja": "訪問日", "en": "Visit"}},
    {"type": "datetime", "name": "called", "label": {"ja": "電話", "en": "Call"}, "appearance": "month-year"}
  ]})J";

std::unique_ptr<Session> Start(FixedEnv& env, const std::string& language) {
  SessionOptions options;
  options.language = language;
  options.device_id = "tablet-1";
  auto started = Session::Start(MustLoad(kForm), &env, options);
  REQUIRE(started.ok());
  return std::move(*started);
}

std::string Stored(const Session& s, const std::string& path) { return s.GetAnswer(path)->ToString(); }

}  // namespace

TEST_CASE("month-year: YYYY-MM, YYYY/MM and full-width digits are stored as the first of the month") {
  FixedEnv env;
  auto s = Start(env, "ja");
  struct Case {
    const char* typed;
    const char* stored;
  };
  for (const Case& c : {Case{"2024-04", "2024-04-01"}, Case{"2024/4", "2024-04-01"}, Case{"２０２４－１０", "2024-10-01"},
                        Case{"２０２４／０９", "2024-09-01"}, Case{" 2024-11 ", "2024-11-01"},
                        // A whole date is the first of its month too.
                        Case{"2024-04-15", "2024-04-01"}, Case{"2024/02/29", "2024-02-01"},
                        Case{"２０２４－１２－３１", "2024-12-01"}}) {
    INFO(c.typed);
    REQUIRE(s->SetAnswer("hired", c.typed).ok());
    CHECK(Stored(*s, "hired") == c.stored);
    CHECK(s->GetAnswer("hired")->type() == chosa::Value::Type::kDate);
  }
  // The view keeps the stored date; the review shows the month.
  REQUIRE(s->SetAnswer("hired", "2024-06").ok());
  chosa::ViewModel view = s->View();
  REQUIRE(view.items.size() == 4);
  CHECK(view.items[0].value == "2024-06-01");
  CHECK(view.items[0].appearance == "month-year");
  chosa::Review review = s->Review();
  CHECK(review.pages[0].items[0].value == "2024-06-01");
  CHECK(review.pages[0].items[0].display == "2024-06");
  // Clearing still clears.
  REQUIRE(s->SetAnswer("hired", "").ok());
  CHECK(s->GetAnswer("hired")->is_empty());
}

TEST_CASE("month-year: what is not a month is refused with a message that asks for a month") {
  FixedEnv env;
  for (const char* language : {"ja", "en"}) {
    auto s = Start(env, language);
    REQUIRE(s->SetAnswer("hired", "2024-05").ok());
    for (const char* typed : {"2024-13", "2024-00", "2024", "24-04", "2024-04-", "2024-4-31", "2024/04-01", "April",
                              "2024-04-01T00:00", "0000-04"}) {
      INFO(language << " " << typed);
      chosa::Status refused = s->SetAnswer("hired", typed);
      REQUIRE_FALSE(refused.ok());
      CHECK(refused.message() == (std::string(language) == "ja" ? "年月を 2024-04 の形で入力してください。"
                                                               : "Enter a month as 2024-04."));
      CHECK(Stored(*s, "hired") == "2024-05-01");  // nothing stored
    }
  }
}

TEST_CASE("month-year: other dates still need a day; the appearance is a word among others") {
  FixedEnv env;
  auto s = Start(env, "en");
  // A date without the appearance takes only a whole date, and keeps its day.
  chosa::Status refused = s->SetAnswer("visited", "2024-04");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.message() == "Enter a date as 2024-04-01.");
  REQUIRE(s->SetAnswer("visited", "2024-04-15").ok());
  CHECK(Stored(*s, "visited") == "2024-04-15");
  // "no-calendar month-year" is month-year; its default is the first of the default's month.
  CHECK(Stored(*s, "moved") == "2023-07-01");
  REQUIRE(s->SetAnswer("moved", "2023-08").ok());
  CHECK(Stored(*s, "moved") == "2023-08-01");
  // month-year means nothing to a datetime.
  REQUIRE(s->SetAnswer("called", "2024-04-15 09:30").ok());
  CHECK(s->View().items[3].value == "2024-04-15 09:30");
}

TEST_CASE("month-year: a saved or submitted day is taken as it was saved, not moved") {
  // Drafts and submissions made before month-year took months may hold any day; a resume (and the
  // collector's re-validation, which resumes) keeps it rather than changing an answer silently.
  FixedEnv env;
  chosa::SessionSnapshot snapshot;
  snapshot.answers = {{"hired", "2024-04-15"}};
  auto resumed = Session::Resume(MustLoad(kForm), &env, {"en", "tablet-1", ""}, snapshot);
  REQUIRE(resumed.ok());
  CHECK(Stored(**resumed, "hired") == "2024-04-15");
}
