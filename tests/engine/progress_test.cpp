// Progress that counts answered questions (Session::Progress(), the view model's navigation): the
// evaluation state keeps the counts as answers, relevance, read-only states and repeat instances
// change. Checked here against a count from scratch over every item and instance after every
// step of many random fillings of the example surveys and of a form made to move every input of
// the count (relevance of pages, groups, repeats and matrices, read-only expressions, a repeat
// count, defaults in repeat instances); and against the review's count and a resumed session.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chosa/session.h"
#include "chosa/view_model.h"
#include "session/session_internal.h"  // StateOf
#include "state/form_state.h"
#include "test_support.h"

using chosa::AnswerRef;
using chosa::Form;
using chosa::FormState;
using chosa::Item;
using chosa::ItemType;
using chosa::Session;
using chosa::SessionOptions;
using chosa::kNone;
using chosa::testing::FixedEnv;
using chosa::testing::MustLoad;

namespace {

// Moves every input of the count: a page, a group, a repeat and a matrix that appear and
// disappear; a question read-only by expression, a matrix read-only by expression (its rows), a
// statically read-only one with a default, a question with a calculation; a count repeat; a
// min/max repeat with defaults and per-instance relevance; notes and calculates (never counted).
const char* kMovingForm = R"J({
  "format": 1, "id": "moving", "version": "1", "title": "Moving", "languages": ["ja", "en"],
  "choice_lists": {
    "yn": [{"value": "yes", "label": {"ja": "はい", "en": "Yes"}}, {"value": "no", "label": {"ja": "いいえ", "en": "No"}}],
    "scale": [{"value": "1", "label": "1"}, {"value": "2", "label": "2"}, {"value": "3", "label": "3"}]
  },
  "items": [
    {"type": "page", "name": "p1", "label": "P1", "items": [
      {"type": "select_one", "name": "gate", "list": "yn", "label": "Gate"},
      {"type": "select_one", "name": "lock", "list": "yn", "label": "Lock"},
      {"type": "integer", "name": "n", "label": "N", "constraint": ". <= 6"},
      {"type": "text", "name": "locked_text", "label": "Locked", "read_only": "${lock} = 'yes'"},
      {"type": "text", "name": "fixed", "label": "Fixed", "read_only": true, "default": "given"},
      {"type": "integer", "name": "doubled", "label": "Doubled", "calculation": "${n} * 2"},
      {"type": "note", "name": "a_note", "label": "Note ${n}"},
      {"type": "calculate", "name": "hidden_total", "calculation": "sum(${grid})"},
      {"type": "group", "name": "g", "label": "G", "relevant": "${gate} = 'yes'", "items": [
        {"type": "text", "name": "g_text", "label": "G text"},
        {"type": "acknowledge", "name": "g_ack", "label": "G ack"},
        {"type": "group", "name": "g_inner", "label": "Inner", "relevant": "${n} > 2", "items": [
          {"type": "decimal", "name": "g_inner_dec", "label": "Inner dec"}]}]},
      {"type": "matrix", "name": "grid", "list": "scale", "label": "Grid", "relevant": "${gate} != 'no'",
       "read_only": "${lock} = 'no'",
       "rows": [{"name": "r1", "label": "R1"}, {"name": "r2", "label": "R2"}, {"name": "r3", "label": "R3"}]}]},
    {"type": "page", "name": "p2", "label": "P2", "relevant": "${gate} = 'yes' or ${n} > 3", "items": [
      {"type": "select_multiple", "name": "multi", "list": "scale", "label": "Multi"},
      {"type": "rank", "name": "ranked", "list": "scale", "label": "Ranked"},
      {"type": "repeat", "name": "counted", "label": "Counted", "count": "${n}", "items": [
        {"type": "date", "name": "c_date", "label": "C date"},
        {"type": "time", "name": "c_time", "label": "C time", "relevant": "${c_date} != ''"},
        {"type": "text", "name": "c_locked", "label": "C locked", "read_only": "position() = 1"},
        {"type": "calculate", "name": "c_pos", "calculation": "position()"}]}]},
    {"type": "page", "name": "p3", "label": "P3", "items": [
      {"type": "repeat", "name": "people", "label": "People", "min": 1, "max": 4, "relevant": "${lock} != 'yes'", "items": [
        {"type": "select_one", "name": "p_kind", "list": "yn", "label": "Kind", "default": "yes"},
        {"type": "text", "name": "p_name", "label": "Name", "relevant": "${p_kind} = 'yes'"},
        {"type": "datetime", "name": "p_when", "label": "When"},
        {"type": "matrix", "name": "p_grid", "list": "scale", "label": "P grid", "relevant": "${p_kind} = 'no'",
         "rows": [{"name": "pr1", "label": "PR1"}, {"name": "pr2", "label": "PR2"}]}]}]}
  ]})J";

// Whether an item is one whose answer a person gives: written apart from the engine's own rule.
bool IsAnswerQuestion(const Item& item) {
  switch (item.type) {
    case ItemType::kText: case ItemType::kInteger: case ItemType::kDecimal: case ItemType::kSelectOne:
    case ItemType::kSelectMultiple: case ItemType::kRank: case ItemType::kDate: case ItemType::kTime:
    case ItemType::kDateTime: case ItemType::kAcknowledge: case ItemType::kMatrixRow:
      return item.calculation == kNone;
    default:
      return false;
  }
}

struct Counts {
  int32_t answered = 0, questions = 0;
  bool operator==(const Counts& other) const { return answered == other.answered && questions == other.questions; }
};

// From scratch: every item in every instance, relevance walked up through its ancestors from the
// nodes' results (each item's own `relevant` result; an ancestor without one is relevant).
Counts BruteForce(const Session& session) {
  const Form& form = session.form();
  const FormState& state = chosa::StateOf(session);
  Counts counts;
  for (size_t i = 0; i < form.items().size(); ++i) {
    const Item& item = form.items()[i];
    if (!IsAnswerQuestion(item)) continue;
    int32_t instances = item.repeat == kNone ? 1 : state.InstanceCount(item.repeat);
    for (int32_t k = 0; k < instances; ++k) {
      bool relevant = true;
      for (int32_t at = static_cast<int32_t>(i); at != kNone && relevant; at = form.item(at).parent) {
        // A repeat's own relevance lives outside its instances.
        int32_t instance = form.item(at).type == ItemType::kRepeat ? 0 : k;
        relevant = state.IsRelevant(at, instance);
      }
      if (!relevant) continue;
      int32_t owner = item.type == ItemType::kMatrixRow ? item.parent : static_cast<int32_t>(i);
      if (state.IsReadOnly(owner, k)) continue;
      ++counts.questions;
      if (!state.StoredValue(static_cast<int32_t>(i), k).is_empty()) ++counts.answered;
    }
  }
  return counts;
}

class RandomFilling {
 public:
  RandomFilling(std::shared_ptr<const Form> form, uint32_t seed) : form_(std::move(form)), random_(seed) {
    auto started = Session::Start(form_, &env_, SessionOptions{"", "tablet-1", ""});
    REQUIRE(started.ok());
    session_ = std::move(*started);
  }

  Session& session() { return *session_; }

  // One random action: mostly an answer (a choice, a number, a date, ... or a clear), sometimes a
  // repeat instance added or removed, a language switch, a page move.
  std::string Step() {
    int roll = Roll(100);
    if (roll < 6 && !form_->repeats().empty()) {
      int32_t repeat = form_->repeats()[static_cast<size_t>(Roll(static_cast<int>(form_->repeats().size())))];
      const std::string& name = form_->item(repeat).name;
      if (Roll(2) == 0) {
        bool added = session_->AddRepeatInstance(name).ok();
        return "add " + name + (added ? "" : " (refused)");
      }
      int32_t count = session_->InstanceCount(repeat);
      int32_t position = count == 0 ? 1 : 1 + Roll(count);
      bool removed = session_->RemoveRepeatInstance(name, position).ok();
      return "remove " + name + "[" + std::to_string(position) + "]" + (removed ? "" : " (refused)");
    }
    if (roll < 9) {
      const std::string& language = form_->languages()[static_cast<size_t>(Roll(static_cast<int>(form_->languages().size())))];
      REQUIRE(session_->SetLanguage(language).ok());
      return "language " + language;
    }
    if (roll < 12) {
      bool moved = (Roll(2) == 0 ? session_->Next() : session_->Back()).ok();
      return moved ? "page move" : "page move (refused)";
    }
    // An answer to any question, relevant or not (a hidden answer is kept and counts once shown).
    std::vector<AnswerRef> refs;
    for (size_t i = 0; i < form_->items().size(); ++i) {
      const Item& item = form_->items()[i];
      if (!chosa::HoldsAnswer(item.type) || item.type == ItemType::kCalculate) continue;
      int32_t instances = item.repeat == kNone ? 1 : session_->InstanceCount(item.repeat);
      for (int32_t k = 0; k < instances; ++k) refs.push_back({static_cast<int32_t>(i), k});
    }
    if (refs.empty()) return "nothing to answer";
    AnswerRef ref = refs[static_cast<size_t>(Roll(static_cast<int>(refs.size())))];
    std::string text = Roll(5) == 0 ? "" : AnswerFor(form_->item(ref.item));
    bool set = session_->SetAnswer(ref, text).ok();
    return "set " + session_->PathOf(ref) + " = \"" + text + "\"" + (set ? "" : " (refused)");
  }

 private:
  int Roll(int n) { return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(random_)); }

  std::string AnswerFor(const Item& item) {
    std::vector<std::string> values;
    if (item.list != kNone) {
      for (const chosa::Choice& c : form_->choice_lists()[static_cast<size_t>(item.list)].choices) values.push_back(c.value);
    }
    auto join = [](const std::vector<std::string>& parts) {
      std::string out;
      for (const std::string& part : parts) out += (out.empty() ? "" : " ") + part;
      return out;
    };
    switch (item.type) {
      case ItemType::kSelectOne:
      case ItemType::kMatrixRow:
        return values[static_cast<size_t>(Roll(static_cast<int>(values.size())))];
      case ItemType::kSelectMultiple: {
        std::vector<std::string> chosen;
        for (const std::string& v : values) {
          if (Roll(3) == 0) chosen.push_back(v);
        }
        return join(chosen);
      }
      case ItemType::kRank:
        std::shuffle(values.begin(), values.end(), random_);
        return join(values);
      case ItemType::kInteger:
        return std::to_string(Roll(9) - 1);
      case ItemType::kDecimal:
        return std::to_string(Roll(50)) + ".5";
      case ItemType::kDate:
        return "2024-0" + std::to_string(1 + Roll(9)) + "-1" + std::to_string(Roll(10));
      case ItemType::kTime:
        return "1" + std::to_string(Roll(10)) + ":30";
      case ItemType::kDateTime:
        return "2024-05-0" + std::to_string(1 + Roll(9)) + " 09:1" + std::to_string(Roll(10));
      case ItemType::kAcknowledge:
        return "OK";
      default:
        return Roll(3) == 0 ? "２" : "text " + std::to_string(Roll(1000));
    }
  }

  std::shared_ptr<const Form> form_;
  std::mt19937 random_;
  FixedEnv env_;
  std::unique_ptr<Session> session_;
};

// The counts as the session keeps them, the view model shows them and the review counts them.
void CheckCounts(Session& session, bool with_review, const std::string& step) {
  INFO("after: " << step);
  Counts brute = BruteForce(session);
  chosa::FillingProgress progress = session.Progress();
  REQUIRE(progress.answered == brute.answered);
  REQUIRE(progress.questions == brute.questions);
  REQUIRE(progress.percent == (brute.questions == 0 ? 100 : brute.answered * 100 / brute.questions));
  if (!with_review) return;
  chosa::ViewModel view = session.View();
  REQUIRE(view.navigation.answered == brute.answered);
  REQUIRE(view.navigation.questions == brute.questions);
  REQUIRE(view.navigation.progress_percent == progress.percent);
  chosa::Review review = session.Review();
  REQUIRE(review.answered == brute.answered);
  REQUIRE(review.questions == brute.questions);
}

// A session rebuilt from the filling's answers and instances counts once, from scratch.
void CheckResumed(const std::shared_ptr<const Form>& form_ptr, Session& session) {
  const Form& form = session.form();
  chosa::SessionSnapshot snapshot;
  snapshot.language = session.language();
  for (int32_t repeat : form.repeats()) {
    snapshot.repeat_counts.emplace_back(form.item(repeat).name, session.InstanceCount(repeat));
  }
  for (size_t i = 0; i < form.items().size(); ++i) {
    const Item& item = form.items()[i];
    if (!chosa::HoldsAnswer(item.type) || item.type == ItemType::kCalculate || item.calculation != kNone) continue;
    int32_t instances = item.repeat == kNone ? 1 : session.InstanceCount(item.repeat);
    for (int32_t k = 0; k < instances; ++k) {
      AnswerRef ref{static_cast<int32_t>(i), k};
      snapshot.answers.emplace_back(session.PathOf(ref), Session::AnswerText(session.StoredValue(ref)));
    }
  }
  FixedEnv env;
  auto resumed = Session::Resume(form_ptr, &env, SessionOptions{"", "tablet-1", ""}, snapshot);
  INFO(resumed.status().ToString());
  REQUIRE(resumed.ok());
  chosa::FillingProgress a = session.Progress(), b = (*resumed)->Progress();
  CHECK(a.answered == b.answered);
  CHECK(a.questions == b.questions);
}

void Fuzz(const std::shared_ptr<const Form>& form, int fillings, int steps) {
  for (int f = 0; f < fillings; ++f) {
    RandomFilling filling(form, static_cast<uint32_t>(1000 + f));
    INFO(form->id() << " filling " << f);
    CheckCounts(filling.session(), true, "start");
    for (int s = 0; s < steps; ++s) CheckCounts(filling.session(), s % 10 == 0, filling.Step());
    CheckCounts(filling.session(), true, "the end");
    CheckResumed(form, filling.session());
  }
}

std::shared_ptr<const Form> Example(const std::string& id) {
  auto loaded = Form::LoadFile(std::string(CHOSA_SOURCE_DIR) + "/schemas/examples/" + id + ".json");
  REQUIRE(loaded.ok());
  return loaded.form;
}

}  // namespace

TEST_CASE("Progress counts: kept incrementally, equal to a count from scratch over random fillings") {
  SECTION("a form that moves every input of the count") { Fuzz(MustLoad(kMovingForm), 60, 150); }
  for (const char* id : {"coordinator_checklist", "medical_facility_survey", "older_residents_survey",
                         "ward_activity_survey", "workshop_attendee_survey"}) {
    SECTION(id) { Fuzz(Example(id), 25, 150); }
  }
}

TEST_CASE("Progress counts: what counts and what does not") {
  FixedEnv env;
  auto started = Session::Start(MustLoad(kMovingForm), &env, SessionOptions{"en", "tablet-1", ""});
  REQUIRE(started.ok());
  Session& s = **started;
  // At the start: gate, lock, n, locked_text (not locked while lock is empty), the grid's three rows
  // (relevant while gate is not "no", writable while lock is not "no"), and one person (min 1)
  // with p_kind defaulting to yes: p_kind, p_name, p_when. Not `fixed` (read-only), `doubled`
  // (a calculation), notes and calculates; page 2 is not relevant; p_kind's default is an answer.
  chosa::FillingProgress p = s.Progress();
  CHECK(p.questions == 10);
  CHECK(p.answered == 1);
  CHECK(p.percent == 10);
  CHECK(s.View().navigation.questions == 10);

  REQUIRE(s.SetAnswer("lock", "no").ok());  // the grid becomes read-only: its rows leave the count
  CHECK(s.Progress().questions == 7);
  CHECK(s.Progress().answered == 2);
  REQUIRE(s.SetAnswer("lock", "yes").ok());  // the grid is back; locked_text and the people go
  CHECK(s.Progress().questions == 6);
  CHECK(s.Progress().answered == 1);
  REQUIRE(s.SetAnswer("lock", "").ok());
  REQUIRE(s.SetAnswer("n", "4").ok());  // page 2 appears with its multi, ranked and four instances
  // 10 + multi + ranked + 4 x (c_date, c_locked but in instance 1) = 10 + 2 + 4 + 3 = 19
  CHECK(s.Progress().questions == 19);
  CHECK(s.Progress().answered == 2);
  REQUIRE(s.SetAnswer("counted[2]/c_date", "2024-04").ok() == false);  // a day is needed here
  REQUIRE(s.SetAnswer("counted[2]/c_date", "2024-04-01").ok());        // and c_time appears
  CHECK(s.Progress().questions == 20);
  CHECK(s.Progress().answered == 3);
  REQUIRE(s.SetAnswer("n", "1").ok());  // the count shrinks: instances 2..4 and their answers go
  // page 2 stays only while gate = yes or n > 3: it is gone now, and so is the repeat
  CHECK(s.Progress().questions == 10);
  CHECK(s.Progress().answered == 2);
  REQUIRE(s.SetAnswer("gate", "yes").ok());  // the group (g_text, g_ack; g_inner not: n <= 2), page 2
  // 10 + g_text, g_ack + multi, ranked, counted[1]/c_date (its c_locked is read-only, its c_time
  // waits for the date)
  CHECK(s.Progress().questions == 10 + 2 + 3);
  CHECK(s.Progress().answered == 3);
  REQUIRE(s.AddRepeatInstance("people").ok());  // p_kind (its default), p_name, p_when
  CHECK(s.Progress().questions == 15 + 3);
  CHECK(s.Progress().answered == 4);
  REQUIRE(s.SetAnswer("people[2]/p_kind", "no").ok());  // p_name goes, the two grid rows come
  CHECK(s.Progress().questions == 18 - 1 + 2);
  CHECK(s.Progress().answered == 4);
  REQUIRE(s.RemoveRepeatInstance("people", 1).ok());
  CHECK(s.Progress().questions == 19 - 3);
  CHECK(s.Progress().answered == 3);
}

TEST_CASE("Progress counts: a form with nothing to answer is complete; the view's JSON carries the counts") {
  FixedEnv env;
  auto started = Session::Start(MustLoad(R"J({
    "format": 1, "id": "notes", "version": "1", "title": "Notes", "languages": ["en"],
    "items": [{"type": "note", "name": "hello", "label": "Hello"},
              {"type": "text", "name": "shown", "label": "Shown", "read_only": true, "default": "x"}]})J"),
                                 &env, SessionOptions{"", "tablet-1", ""});
  REQUIRE(started.ok());
  CHECK((*started)->Progress().questions == 0);
  CHECK((*started)->Progress().percent == 100);
  auto json = nlohmann::json::parse((*started)->ViewJson());
  CHECK(json["navigation"]["answered"] == 0);
  CHECK(json["navigation"]["questions"] == 0);
  CHECK(json["navigation"]["progress_percent"] == 100);
}

TEST_CASE("Progress counts: an answer costs what depends on it, not the form's size") {
  // The evaluations an answer makes do not grow with the form: a leaf answer in a form of 10 or of
  // 1,000 unrelated questions evaluates nothing and moves the count by one.
  for (int n : {10, 1000}) {
    nlohmann::json form = {{"format", 1}, {"id", "wide"}, {"version", "1"}, {"title", "Wide"}, {"languages", {"en"}}};
    form["items"] = nlohmann::json::array();
    for (int i = 0; i < n; ++i) {
      form["items"].push_back({{"type", "integer"}, {"name", "q" + std::to_string(i)}, {"label", "Q"},
                               {"relevant", i == 0 ? "true()" : "${q0} != 99"}});
    }
    FixedEnv env;
    auto started = Session::Start(MustLoad(form.dump()), &env, SessionOptions{"", "tablet-1", ""});
    REQUIRE(started.ok());
    Session& s = **started;
    const FormState& state = chosa::StateOf(s);
    uint64_t before = state.evaluations();
    REQUIRE(s.SetAnswer("q" + std::to_string(n - 1), "5").ok());
    CHECK(state.evaluations() == before);  // nothing reads the leaf
    CHECK(s.Progress().answered == 1);
    CHECK(s.Progress().questions == n);
    // The hub hides every other question: each relevance node evaluates once, and the count follows.
    REQUIRE(s.SetAnswer("q0", "99").ok());
    CHECK(state.evaluations() == before + static_cast<uint64_t>(n - 1));
    CHECK(s.Progress().questions == 1);
    CHECK(s.Progress().answered == 1);
  }
}
