// The form loader on sound forms: the compiled model, shared code lists through $ref, the
// five example surveys, and faults that need more than one broken file to show.
#include <string>

#include <catch2/catch.hpp>

#include "chosa/form.h"
#include "expr/ast.h"
#include "form/form_internals.h"
#include "test_support.h"

using chosa::Form;
using chosa::FormLoadOptions;
using chosa::ItemType;
using chosa::kNone;
using chosa::testing::FaultsOf;
using chosa::testing::MustLoad;

namespace {

const std::string kSchemas = CHOSA_SOURCE_DIR "/schemas";

std::string Minimal(const std::string& items, const std::string& extra = "") {
  return R"({"format": 1, "id": "t", "version": "1", "title": {"ja": "テスト", "en": "Test"},
             "languages": ["ja", "en"], )" + extra + R"("items": [)" + items + "]}";
}

}  // namespace

TEST_CASE("The example surveys load, with the shared code lists resolved") {
  for (const char* name : {"coordinator_checklist", "medical_facility_survey", "older_residents_survey",
                           "ward_activity_survey", "workshop_attendee_survey"}) {
    INFO(name);
    auto result = Form::LoadFile(kSchemas + "/examples/" + name + ".json");
    for (const auto& fault : result.faults) UNSCOPED_INFO(fault.ToString());
    REQUIRE(result.ok());
    CHECK(result.form->languages() == std::vector<std::string>{"ja", "en"});
  }
  auto checklist = Form::LoadFile(kSchemas + "/examples/coordinator_checklist.json").form;
  int32_t matrix = checklist->Find("checklist");
  REQUIRE(matrix != kNone);
  CHECK(checklist->item(matrix).type == ItemType::kMatrix);
  CHECK(checklist->item(matrix).children.size() == 25);
  CHECK(checklist->item(checklist->Find("c25")).type == ItemType::kMatrixRow);
}

TEST_CASE("A $ref code list is read from the form's directory or the search paths") {
  FormLoadOptions options;
  options.search_paths.push_back(kSchemas);
  auto form = MustLoad(Minimal(R"({"type": "select_one", "name": "ward", "list": "wards", "label": "区",
                                   "choice_filter": "block = 'north'"})",
                               R"("choice_lists": {"wards": {"$ref": "codelists/wards.json"}}, )"),
                       options);
  const auto& wards = form->choice_lists().at(0);
  REQUIRE(wards.choices.size() == 24);
  int32_t kita = wards.Find("271276");  // 北区, with its check digit
  REQUIRE(kita != kNone);
  CHECK(wards.choices[static_cast<size_t>(kita)].label.Get(0) == "北区");
  CHECK(wards.choices[static_cast<size_t>(kita)].label.Get(1) == "Kita");
  CHECK(*wards.choices[static_cast<size_t>(kita)].Attribute("block") == "north");

  std::string missing = FaultsOf(Minimal(R"({"type": "select_one", "name": "ward", "list": "wards", "label": "区"})",
                                         R"("choice_lists": {"wards": {"$ref": "codelists/nowhere.json"}}, )"));
  CHECK(missing.find("/choice_lists/wards/$ref: code list not found: codelists/nowhere.json") != std::string::npos);
}

TEST_CASE("Items get dense indices, parents, pages and value slots per block") {
  auto form = MustLoad(Minimal(R"(
      {"type": "page", "name": "p1", "label": "1", "items": [
        {"type": "text", "name": "a", "label": "a"},
        {"type": "group", "name": "g", "label": "g", "items": [{"type": "integer", "name": "b", "label": "b"}]}]},
      {"type": "page", "name": "p2", "label": "2", "items": [
        {"type": "repeat", "name": "r", "items": [
          {"type": "text", "name": "c", "label": "c"}, {"type": "decimal", "name": "d", "label": "d"}]}]})"));
  CHECK(form->pages().size() == 2);
  const auto& b = form->item(form->Find("b"));
  CHECK(form->item(b.parent).name == "g");
  CHECK(form->item(b.page).name == "p1");
  const auto& d = form->item(form->Find("d"));
  CHECK(form->item(d.repeat).name == "r");
  CHECK(form->repeat_slots(form->Find("r")) == 2);
  CHECK(d.slot == 1);
  CHECK(form->root_slots() == 6);  // p1, a, g, b, p2, r: every item outside the repeat
}

TEST_CASE("Faults are all reported, in document order") {
  std::string faults = FaultsOf(Minimal(R"(
      {"type": "text", "name": "ward", "label": "区"},
      {"type": "text", "name": "b", "label": "b", "relevant": "${wrd} = 'x'"},
      {"type": "txt", "name": "c", "label": "c"},
      {"type": "integer", "name": "d", "label": {"ja": "d"}, "relevent": "1 = 1"},
      {"type": "calculate", "name": "e", "calculation": "${f}"},
      {"type": "calculate", "name": "f", "calculation": "${e} + 1"})"));
  CHECK(faults ==
        "/items/1/relevant: col 1: unknown name ${wrd}; did you mean ${ward}?\n"
        "/items/2/type: unknown item type \"txt\"; did you mean \"text\"?\n"
        "/items/3/label: missing language \"en\"\n"
        "/items/3/relevent: unknown property \"relevent\"; did you mean \"relevant\"?\n"
        "/items/4/calculation: reference cycle: ${e} (calculation) -> ${f} (calculation) -> ${e} (calculation)\n");
}

TEST_CASE("A constant fault is a load error only where every evaluation meets it") {
  // Branches that may not be taken load (ODK's engines answer them); the fault is met only if
  // the branch is taken.
  CHECK(FaultsOf(Minimal(R"j(
      {"type": "integer", "name": "a", "label": "a"},
      {"type": "calculate", "name": "b", "calculation": "if(${a} > 1, date('x'), 1)"},
      {"type": "calculate", "name": "c", "calculation": "${a} > 1 or date('x') > 0"},
      {"type": "calculate", "name": "d", "calculation": "coalesce(${a}, date('x'))"})j")) == "");
  // Met on every evaluation: refused at load, at the fault's column.
  CHECK(FaultsOf(Minimal(R"j(
      {"type": "integer", "name": "a", "label": "a"},
      {"type": "calculate", "name": "b", "calculation": "${a} + date('x')"},
      {"type": "calculate", "name": "c", "calculation": "if(date('x') > ${a}, 1, 2)"})j")) ==
        "/items/1/calculation: col 8: not a date: 'x'\n"
        "/items/2/calculation: col 4: not a date: 'x'\n");
}

TEST_CASE("The dependency graph ranks nodes after what they read") {
  auto form = MustLoad(Minimal(R"(
      {"type": "integer", "name": "a", "label": "a"},
      {"type": "calculate", "name": "b", "calculation": "${a} * 2"},
      {"type": "calculate", "name": "c", "calculation": "${b} + ${a}"},
      {"type": "text", "name": "d", "label": "d", "relevant": "${c} > 3"},
      {"type": "text", "name": "e", "label": "e"})"));
  const auto& graph = chosa::GraphOf(*form);
  using chosa::NodeProperty;
  int32_t b = graph.NodeOf(form->Find("b"), NodeProperty::kCalculation);
  int32_t c = graph.NodeOf(form->Find("c"), NodeProperty::kCalculation);
  int32_t d = graph.NodeOf(form->Find("d"), NodeProperty::kRelevant);
  CHECK(graph.node(b).rank < graph.node(c).rank);
  CHECK(graph.node(c).rank < graph.node(d).rank);
  CHECK(graph.ReadersOf(form->Find("a")).size() == 2);
  CHECK(graph.ReadersOf(form->Find("e")).empty());
  CHECK(graph.NodeOf(form->Find("e"), NodeProperty::kRelevant) == kNone);
}
