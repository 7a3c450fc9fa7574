// The dataset's tables: columns from every form version, and a submission's rows.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <fstream>
#include <sstream>

#include "chosa/csv_writer.h"
#include "chosa/dataset_layout.h"
#include "chosa/submission_rows.h"
#include "test_support.h"

namespace chosa::analysis {
namespace {

using testing::ReadFile;

std::shared_ptr<const Form> LoadForm(const std::string& json) { return testing::MustLoad(json); }

std::vector<std::string> ColumnNames(const Table& table) {
  std::vector<std::string> names;
  for (const Column& column : table.columns) names.push_back(column.name);
  return names;
}

const std::string kVisitRecord = std::string(CHOSA_SOURCE_DIR) + "/tests/forms/fill/visit_record.json";
const std::string kVisitSubmission = std::string(CHOSA_SOURCE_DIR) + "/tests/forms/submissions/visit_record.json";

TEST_CASE("a form's tables: metadata, one column per question, multi-select flags, a table per repeat") {
  Result<DatasetLayout> layout = DatasetLayout::FromForms({LoadForm(ReadFile(kVisitRecord))});
  REQUIRE(layout.ok());
  REQUIRE(layout->tables().size() == 2);
  CHECK(ColumnNames(layout->main_table()) ==
        std::vector<std::string>{"_uuid", "_form_version", "_device_id", "_enumerator_id", "_started_at", "_ended_at",
                                 "_received_at", "_received_from", "_replaces", "age", "sex", "adl_eat", "adl_bath",
                                 "adl_total", "comments", "confirmed"});
  CHECK(layout->tables()[1].name == "visits");
  CHECK(ColumnNames(layout->tables()[1]) ==
        std::vector<std::string>{"_submission_uuid", "_position", "visit_date", "services", "services/nursing",
                                 "services/rehab", "services/bathing", "services/other"});
  CHECK(layout->RepeatTable("visits") == 1);
  CHECK(layout->RepeatTable("nothing") == kNone);
}

TEST_CASE("versions make one dataset: the union of their columns, new ones after their predecessor") {
  const std::string v1 = ReadFile(kVisitRecord);
  // Version 2 adds a question after age and a choice to services.
  nlohmann::json form = nlohmann::json::parse(v1);
  form["version"] = "2024.2";
  nlohmann::json& person = form["items"][0]["items"][0]["items"];
  person.insert(person.begin() + 1, nlohmann::json::object({{"type", "text"}, {"name", "household"}, {"label", "Household"}}));
  nlohmann::json& services = form["choice_lists"]["services"];
  services.insert(services.end() - 1, nlohmann::json::object({{"value", "meals"}, {"label", "Meals"}}));
  const std::string v2 = form.dump();
  Result<DatasetLayout> layout = DatasetLayout::FromForms({LoadForm(v1), LoadForm(v2)});
  REQUIRE(layout.ok());
  CHECK(ColumnNames(layout->main_table())[9] == "age");
  CHECK(ColumnNames(layout->main_table())[10] == "household");
  CHECK(ColumnNames(layout->tables()[1]) ==
        std::vector<std::string>{"_submission_uuid", "_position", "visit_date", "services", "services/nursing",
                                 "services/rehab", "services/bathing", "services/meals", "services/other"});
  CHECK(layout->newest().version() == "2024.2");
  CHECK(layout->Version("2024.1") != nullptr);

  Result<DatasetLayout> mixed = DatasetLayout::FromForms({LoadForm(v1), nullptr});
  CHECK(mixed.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("a submission's rows: every answer in its column, repeats as rows, labels by language") {
  Result<DatasetLayout> layout = DatasetLayout::FromForms({LoadForm(ReadFile(kVisitRecord))});
  REQUIRE(layout.ok());
  const std::string body = ReadFile(kVisitSubmission);
  SubmissionRows rows;
  SubmissionFlattener codes(*layout);
  REQUIRE(codes.Flatten(body, Receipt{1732500000000, "d-0001"}, &rows).ok());
  const Table& main = layout->main_table();
  auto cell = [&](const char* name) -> const Cell& { return rows.main[static_cast<size_t>(main.ColumnIndex(name))]; };
  CHECK(cell("_uuid").text == "550a2393-d282-43ab-8a63-edd4b7bf59b5");
  CHECK(cell("_form_version").text == "2024.1");
  CHECK(cell("_device_id").text == "tablet-kita-01");
  CHECK(cell("_enumerator_id").text == "nurse-0420");
  CHECK(cell("_received_at").text == "2024-11-25T02:00:00.000+00:00");
  CHECK(cell("_received_from").text == "d-0001");
  CHECK(cell("_replaces").kind == CellKind::kEmpty);
  CHECK(cell("age").kind == CellKind::kNumber);
  CHECK(cell("age").text == "82");
  CHECK(cell("age").number == 82);
  CHECK(cell("sex").text == "female");
  CHECK(cell("adl_eat").text == "2");
  CHECK(cell("adl_total").text == "5");
  CHECK(cell("comments").text == "𠮷田さん宅。入浴は次回から週2回。");
  CHECK(cell("confirmed").text == "OK");

  const Table& visits = layout->tables()[1];
  REQUIRE(rows.repeats[1].count == 2);
  const Row& first = rows.repeats[1].rows[0];
  auto in = [&](const Row& row, const char* name) -> const std::string& {
    return row[static_cast<size_t>(visits.ColumnIndex(name))].text;
  };
  CHECK(in(first, "_submission_uuid") == "550a2393-d282-43ab-8a63-edd4b7bf59b5");
  CHECK(in(first, "_position") == "1");
  CHECK(in(first, "visit_date") == "2024-11-01");
  CHECK(in(first, "services") == "nursing rehab");
  CHECK(in(first, "services/nursing") == "1");
  CHECK(in(first, "services/rehab") == "1");
  CHECK(in(first, "services/bathing") == "0");
  CHECK(in(rows.repeats[1].rows[1], "_position") == "2");
  CHECK(in(rows.repeats[1].rows[1], "services") == "other");

  FlattenOptions japanese;
  japanese.labels = true;
  japanese.language = 0;
  SubmissionFlattener labels(*layout, japanese);
  REQUIRE(labels.Flatten(body, Receipt{}, &rows).ok());
  CHECK(cell("sex").text == "女性");
  CHECK(cell("adl_eat").text == "一部介助");
  CHECK(in(rows.repeats[1].rows[0], "services") == "訪問看護; 訪問リハビリ");
  CHECK(in(rows.repeats[1].rows[0], "services/nursing") == "1");

  CHECK(codes.Flatten("{\"uuid\":", Receipt{}, &rows).code() == StatusCode::kInvalidArgument);
  std::string unknown = body;
  unknown.replace(unknown.find("\"age\""), 5, "\"agf\"");
  CHECK(codes.Flatten(unknown, Receipt{}, &rows).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("replayed relevance tells an unanswered question from one that was not relevant") {
  // Survey 5: confident_after_lecture is asked only of those who attended the lecture.
  FormLoadResult loaded = Form::LoadFile(std::string(CHOSA_SOURCE_DIR) + "/schemas/examples/coordinator_checklist.json");
  REQUIRE(loaded.ok());
  std::shared_ptr<const Form> form = loaded.form;
  Result<DatasetLayout> layout = DatasetLayout::FromForms({form});
  REQUIRE(layout.ok());
  const std::string body = ReadFile(std::string(CHOSA_SOURCE_DIR) + "/tests/forms/submissions/coordinator_checklist.json");
  FlattenOptions options;
  options.mark_relevance = true;
  SubmissionFlattener flattener(*layout, options);
  SubmissionRows rows;
  REQUIRE(flattener.Flatten(body, Receipt{}, &rows).ok());
  const Table& main = layout->main_table();
  auto kind = [&](const char* name) { return rows.main[static_cast<size_t>(main.ColumnIndex(name))].kind; };
  // In the sample, the milestone is 12 months: the 9-month question was not relevant, nor the
  // practicum's confidence (no practicum).
  CHECK(kind("progress_issues") == CellKind::kNotRelevant);
  CHECK(kind("confident_after_practicum") == CellKind::kNotRelevant);
  CHECK(kind("reflection") == CellKind::kText);
  // Without its answer, the 12-month reflection is relevant but unanswered.
  std::string unanswered = body;
  const std::string reflection = ",\"reflection\":\"研修で学んだことを振り返りました。\"";
  REQUIRE(unanswered.find(reflection) != std::string::npos);
  unanswered.erase(unanswered.find(reflection), reflection.size());
  REQUIRE(flattener.Flatten(unanswered, Receipt{}, &rows).ok());
  CHECK(kind("reflection") == CellKind::kEmpty);
  CHECK(kind("progress_issues") == CellKind::kNotRelevant);
  CHECK(kind("checklist_total") == CellKind::kNumber);
}

TEST_CASE("CSV: a byte order mark, quoted fields where needed, CRLF") {
  Table table;
  for (const char* name : {"a", "b", "c"}) {
    Column column;
    column.name = name;
    table.columns.push_back(column);
  }
  std::string out;
  CsvWriter csv([&](std::string_view bytes) {
    out.append(bytes);
    return true;
  });
  Row row(3);
  row[0].kind = CellKind::kText;
  row[0].text = "山田, 花子";
  row[1].kind = CellKind::kText;
  row[1].text = "say \"hi\"\nbye";
  row[2].kind = CellKind::kNotRelevant;
  REQUIRE(csv.WriteHeader(table));
  REQUIRE(csv.WriteRow(row));
  REQUIRE(csv.Flush());
  CHECK(out == "\xEF\xBB\xBF" "a,b,c\r\n\"山田, 花子\",\"say \"\"hi\"\"\nbye\",\r\n");

  CsvWriter failing([](std::string_view) { return false; });
  failing.WriteHeader(table);
  CHECK_FALSE(failing.Flush());
  CHECK_FALSE(failing.WriteRow(row));
}

TEST_CASE("CSV: text a spreadsheet would run as a formula is written with a leading apostrophe") {
  Table table;
  Column column;
  column.name = "note";
  table.columns.push_back(column);
  auto csv_of = [&](CellKind kind, const std::string& text) {
    std::string out;
    CsvWriter csv([&](std::string_view bytes) {
      out.append(bytes);
      return true;
    });
    Row row(1);
    row[0].kind = kind;
    row[0].text = text;
    REQUIRE(csv.WriteRow(row));
    REQUIRE(csv.Flush());
    return out.substr(0, out.size() - 2);  // without CRLF
  };
  // Typed into a text question at a kiosk: shown by the spreadsheet, never run.
  CHECK(csv_of(CellKind::kText, "=HYPERLINK(\"http://x\",\"クリック\")") ==
        "\"'=HYPERLINK(\"\"http://x\"\",\"\"クリック\"\")\"");
  CHECK(csv_of(CellKind::kText, "+cmd|' /C calc'!A0") == "'+cmd|' /C calc'!A0");
  CHECK(csv_of(CellKind::kText, "-2+3") == "'-2+3");
  CHECK(csv_of(CellKind::kText, "@SUM(A1)") == "'@SUM(A1)");
  CHECK(csv_of(CellKind::kText, "\t=1") == "'\t=1");
  CHECK(csv_of(CellKind::kText, "=1") == "'=1");
  // Numbers stay numbers: a number's cell, and a code such as -99 held as text.
  CHECK(csv_of(CellKind::kNumber, "-3.5") == "-3.5");
  CHECK(csv_of(CellKind::kText, "-99") == "-99");
  CHECK(csv_of(CellKind::kText, "+81") == "+81");
  CHECK(csv_of(CellKind::kText, "a=b") == "a=b");
}

}  // namespace
}  // namespace chosa::analysis
