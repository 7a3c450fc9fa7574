// The evaluation state: relevance, calculations, repeats, matrices, and the promise that an
// answer re-evaluates exactly what depends on it.
#include <catch2/catch.hpp>

#include "state/form_state.h"
#include "test_support.h"

using chosa::Form;
using chosa::FormState;
using chosa::Value;
using chosa::testing::FixedEnv;
using chosa::testing::MustLoad;

namespace {

std::string FormWith(const std::string& items, const std::string& lists = "{}") {
  return R"({"format": 1, "id": "t", "version": "1", "title": "T", "languages": ["ja", "en"],
             "choice_lists": )" + lists + R"(, "items": [)" + items + "]}";
}

const char* kScale = R"({"scale4": [{"value": "4", "label": "できる", "score": 4},
                                    {"value": "3", "label": "少しできる", "score": 3},
                                    {"value": "2", "label": "あまりできない", "score": 2},
                                    {"value": "1", "label": "できない", "score": 1}],
                         "yn": [{"value": "yes", "label": "はい"}, {"value": "no", "label": "いいえ"}]})";

}  // namespace

TEST_CASE("An answer re-evaluates exactly its dependents, stopping where nothing changed") {
  std::string items = R"({"type": "integer", "name": "hub", "label": "hub"},
                         {"type": "text", "name": "leaf", "label": "leaf"})";
  // Ten calculations and ten relevances read the hub; one calculation reads a calculation.
  for (int i = 1; i <= 10; ++i) {
    std::string n = std::to_string(i);
    items += R"(, {"type": "calculate", "name": "c)" + n + R"(", "calculation": "${hub} * )" + n + R"("})";
    items += R"(, {"type": "text", "name": "q)" + n + R"(", "label": "q", "relevant": "${hub} > )" + n + R"("})";
  }
  items += R"(, {"type": "calculate", "name": "big", "calculation": "${hub} > 100"})";
  items += R"(, {"type": "calculate", "name": "after_big", "calculation": "if(${big}, 'big', 'small') "})";
  auto form = MustLoad(FormWith(items));
  FixedEnv env;
  FormState state(form, &env);
  int32_t hub = form->Find("hub"), leaf = form->Find("leaf");

  uint64_t before = state.evaluations();
  state.SetValue(leaf, Value::String("nobody reads me"));
  CHECK(state.evaluations() - before == 0);

  before = state.evaluations();
  state.SetValue(hub, Value::Number(5));
  // c1..c10, q1..q10 relevance, big; after_big only if big changed (it did not: false -> false).
  CHECK(state.evaluations() - before == 21);
  CHECK(state.StoredValue(form->Find("c7")).ToNumber() == 35);
  CHECK(state.IsRelevant(form->Find("q4")));
  CHECK_FALSE(state.IsRelevant(form->Find("q5")));
  CHECK(state.ReadValue(form->Find("after_big")).ToString() == "small");

  before = state.evaluations();
  state.SetValue(hub, Value::Number(5));  // the same value: nothing to do
  CHECK(state.evaluations() - before == 0);

  before = state.evaluations();
  state.SetValue(hub, Value::Number(500));  // big flips: after_big is re-evaluated too
  CHECK(state.evaluations() - before == 22);
  CHECK(state.ReadValue(form->Find("after_big")).ToString() == "big");
}

TEST_CASE("A non-relevant item reads as empty, keeps its value and gets it back") {
  auto form = MustLoad(FormWith(R"(
      {"type": "select_one", "name": "knows_acp", "list": "yn", "label": "ACP"},
      {"type": "group", "name": "acp", "relevant": "${knows_acp} = 'yes'", "items": [
        {"type": "text", "name": "acp_where", "label": "where"},
        {"type": "integer", "name": "acp_times", "label": "times", "relevant": "${acp_where} != ''"}]},
      {"type": "calculate", "name": "echo", "calculation": "concat('[', ${acp_where}, ']') "})", kScale));
  FixedEnv env;
  FormState state(form, &env);
  int32_t knows = form->Find("knows_acp"), where = form->Find("acp_where"), times = form->Find("acp_times");
  CHECK_FALSE(state.IsRelevant(where));
  state.SetValue(knows, Value::String("yes"));
  CHECK(state.IsRelevant(where));
  CHECK_FALSE(state.IsRelevant(times));
  state.SetValue(where, Value::String("病院"));
  CHECK(state.IsRelevant(times));
  CHECK(state.ReadValue(form->Find("echo")).ToString() == "[病院]");

  state.SetValue(knows, Value::String("no"));  // the group hides its children, and theirs
  CHECK_FALSE(state.IsRelevant(where));
  CHECK_FALSE(state.IsRelevant(times));
  CHECK(state.ReadValue(where).ToString().empty());
  CHECK(state.StoredValue(where).ToString() == "病院");  // kept in the draft
  CHECK(state.ReadValue(form->Find("echo")).ToString() == "[]");

  state.SetValue(knows, Value::String("yes"));
  CHECK(state.ReadValue(where).ToString() == "病院");
  CHECK(state.ReadValue(form->Find("echo")).ToString() == "[病院]");
}

TEST_CASE("A matrix total skips empty rows and reads scores") {
  std::string rows;
  for (int i = 1; i <= 25; ++i) {
    char name[8];
    std::snprintf(name, sizeof name, "c%02d", i);
    rows += std::string(i > 1 ? "," : "") + R"({"name": ")" + name + R"(", "label": "item"})";
  }
  auto form = MustLoad(FormWith(R"({"type": "matrix", "name": "checklist", "list": "scale4", "label": "チェック",
                                    "rows": [)" + rows + R"(]},
                                   {"type": "calculate", "name": "total", "calculation": "sum(${checklist}) "},
                                   {"type": "calculate", "name": "answered", "calculation": "count-non-empty(${checklist}) "},
                                   {"type": "calculate", "name": "first_score", "calculation": "score(${c01}) "})", kScale));
  FixedEnv env;
  FormState state(form, &env);
  int32_t total = form->Find("total");
  CHECK(state.ReadValue(total).ToNumber() == 0);
  state.SetValue(form->Find("c01"), Value::String("4"));
  state.SetValue(form->Find("c02"), Value::String("2"));
  CHECK(state.ReadValue(total).ToNumber() == 6);  // a half-filled checklist shows its partial total
  CHECK(state.ReadValue(form->Find("answered")).ToNumber() == 2);
  CHECK(state.ReadValue(form->Find("first_score")).ToNumber() == 4);
  for (int i = 1; i <= 25; ++i) {
    char name[8];
    std::snprintf(name, sizeof name, "c%02d", i);
    state.SetValue(form->Find(name), Value::String("4"));
  }
  CHECK(state.ReadValue(total).ToNumber() == 100);
}

TEST_CASE("Repeats: siblings in the same instance, aggregates from outside, count, position") {
  auto form = MustLoad(FormWith(R"(
      {"type": "integer", "name": "n_attendees", "label": "人数"},
      {"type": "repeat", "name": "attendees", "count": "${n_attendees}", "items": [
        {"type": "text", "name": "attendee_name", "label": "氏名"},
        {"type": "integer", "name": "years", "label": "経験年数"},
        {"type": "calculate", "name": "label_line", "calculation": "concat(position(), ':', ${attendee_name}) "},
        {"type": "text", "name": "senior_note", "label": "note", "relevant": "${years} >= 10"}]},
      {"type": "calculate", "name": "total_years", "calculation": "sum(${years}) "},
      {"type": "calculate", "name": "how_many", "calculation": "count(${attendees}) "},
      {"type": "calculate", "name": "second_name", "calculation": "indexed-repeat(${attendee_name}, ${attendees}, 2) "})"));
  FixedEnv env;
  FormState state(form, &env);
  int32_t repeat = form->Find("attendees"), name = form->Find("attendee_name"), years = form->Find("years");
  CHECK(state.InstanceCount(repeat) == 0);
  state.SetValue(form->Find("n_attendees"), Value::Number(3));
  REQUIRE(state.InstanceCount(repeat) == 3);
  CHECK(state.ReadValue(form->Find("how_many")).ToNumber() == 3);

  state.SetValue(name, Value::String("山田"), 0);
  state.SetValue(name, Value::String("佐藤"), 1);
  state.SetValue(years, Value::Number(12), 1);
  state.SetValue(years, Value::Number(3), 2);
  CHECK(state.ReadValue(form->Find("label_line"), 1).ToString() == "2:佐藤");
  CHECK(state.IsRelevant(form->Find("senior_note"), 1));
  CHECK_FALSE(state.IsRelevant(form->Find("senior_note"), 2));
  CHECK(state.ReadValue(form->Find("total_years")).ToNumber() == 15);
  CHECK(state.ReadValue(form->Find("second_name")).ToString() == "佐藤");

  // A count that shrinks deletes the trailing instances.
  state.SetValue(form->Find("n_attendees"), Value::Number(1));
  CHECK(state.InstanceCount(repeat) == 1);
  CHECK(state.ReadValue(form->Find("total_years")).ToNumber() == 0);
  CHECK(state.ReadValue(form->Find("second_name")).ToString().empty());
  CHECK(state.ReadValue(form->Find("how_many")).ToNumber() == 1);
}

TEST_CASE("Adding and removing instances by hand keeps positions and aggregates right") {
  auto form = MustLoad(FormWith(R"(
      {"type": "repeat", "name": "activities", "min": 1, "items": [
        {"type": "integer", "name": "participants", "label": "参加者数", "default": "0"},
        {"type": "calculate", "name": "pos", "calculation": "position() "}]},
      {"type": "calculate", "name": "participants_total", "calculation": "sum(${participants}) "})"));
  FixedEnv env;
  FormState state(form, &env);
  int32_t repeat = form->Find("activities"), participants = form->Find("participants"), pos = form->Find("pos");
  REQUIRE(state.InstanceCount(repeat) == 1);
  CHECK(state.StoredValue(participants, 0).ToNumber() == 0);  // default
  int32_t second = state.AddInstance(repeat);
  int32_t third = state.AddInstance(repeat);
  state.SetValue(participants, Value::Number(10), 0);
  state.SetValue(participants, Value::Number(20), second);
  state.SetValue(participants, Value::Number(30), third);
  CHECK(state.ReadValue(form->Find("participants_total")).ToNumber() == 60);
  CHECK(state.ReadValue(pos, third).ToNumber() == 3);
  state.RemoveInstance(repeat, 0);
  CHECK(state.InstanceCount(repeat) == 2);
  CHECK(state.ReadValue(form->Find("participants_total")).ToNumber() == 50);
  CHECK(state.ReadValue(pos, 1).ToNumber() == 2);
  CHECK(state.StoredValue(participants, 1).ToNumber() == 30);
}

TEST_CASE("Required, read-only and constraints follow their expressions") {
  auto form = MustLoad(FormWith(R"(
      {"type": "select_one", "name": "respondent", "list": "yn", "label": "本人?"},
      {"type": "integer", "name": "age", "label": "年齢", "required": "${respondent} = 'yes'",
       "constraint": ". >= 65 and . <= 120", "read_only": "${respondent} = 'no'"},
      {"type": "text", "name": "nickname", "label": "呼び名", "constraint": "string-length() <= 4"},
      {"type": "calculate", "name": "stamp", "calculation": "once(concat('seen ', ${age})) "})", kScale));
  FixedEnv env;
  FormState state(form, &env);
  int32_t respondent = form->Find("respondent"), age = form->Find("age"), stamp = form->Find("stamp");
  CHECK_FALSE(state.IsRequired(age));
  CHECK(state.ConstraintHolds(age));  // empty: nothing to check
  state.SetValue(respondent, Value::String("yes"));
  CHECK(state.IsRequired(age));
  CHECK_FALSE(state.IsReadOnly(age));
  state.SetValue(age, Value::Number(40));
  CHECK_FALSE(state.ConstraintHolds(age));
  state.SetValue(age, Value::Number(70));
  CHECK(state.ConstraintHolds(age));
  state.SetValue(respondent, Value::String("no"));
  CHECK(state.IsReadOnly(age));
  int32_t nickname = form->Find("nickname");
  state.SetValue(nickname, Value::String("たろちゃん"));  // 5 code points, 15 bytes
  CHECK_FALSE(state.ConstraintHolds(nickname));
  state.SetValue(nickname, Value::String("たろう"));
  CHECK(state.ConstraintHolds(nickname));
  // once() kept the first non-empty value it computed ("seen " with an empty age at start).
  CHECK(state.ReadValue(stamp).ToString() == "seen ");
}
