// The Excel workbook, read back by another program: openpyxl (tests/analysis/read_xlsx.py).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "../engine/test_support.h"
#include "chosa/xlsx_writer.h"
#include "excel_limits.h"
#include "run_command.h"
#include "chosa/base/utf8.h"

namespace chosa::analysis {
namespace {

using nlohmann::json;
using testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Exists(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0;
}

// The workbook as openpyxl reads it (see read_xlsx.py).
json ReadWorkbook(const std::string& path) {
  const std::string command = "/usr/bin/python3 '" + std::string(CHOSA_SOURCE_DIR) +
                              "/tests/analysis/read_xlsx.py' '" + path + "' 2>&1";
  const chosa::testing::CommandRun read = chosa::testing::RunCommand(command);
  INFO(read.out.substr(0, 2000));
  REQUIRE(read.exit_status == 0);
  json workbook = json::parse(read.out, nullptr, false);
  REQUIRE_FALSE(workbook.is_discarded());
  return workbook;
}

std::vector<std::string> SheetNamesOf(const json& workbook) {
  std::vector<std::string> names;
  for (const json& sheet : workbook["sheets"]) names.push_back(sheet["name"]);
  return names;
}

const json& Sheet(const json& workbook, const std::string& name) {
  for (const json& sheet : workbook["sheets"]) {
    if (sheet["name"] == name) return sheet;
  }
  FAIL("no sheet " << name);
  throw std::logic_error("unreachable");
}

// The data rows of every sheet whose name is `base` or "base (N)", in sheet order.
json DataRows(const json& workbook, const std::string& base) {
  json rows = json::array();
  for (const json& sheet : workbook["sheets"]) {
    const std::string name = sheet["name"];
    if (name != base && name.rfind(base + " (", 0) != 0) continue;
    for (size_t r = 1; r < sheet["rows"].size(); ++r) rows.push_back(sheet["rows"][r]);
  }
  return rows;
}

// What a cell must read as: codes and text as strings, numbers as numbers, booleans as
// booleans, nothing for blanks.
json Expected(const Column& column, const Cell& cell) {
  if (cell.blank() || (cell.kind == CellKind::kText && cell.text.empty())) return nullptr;
  if (cell.kind == CellKind::kText || (column.role == ColumnRole::kAnswer && IsSelect(column.type))) return cell.text;
  if (cell.kind == CellKind::kNumber) return cell.number;
  return cell.text == "true";
}

json Header(const Table& table) {
  json header = json::array();
  for (const Column& column : table.columns) header.push_back(column.name);
  return header;
}

// The visit record with codes that lose their leading zeros as numbers ("01") and a calculation
// that is true or false.
std::shared_ptr<const Form> VisitForm() {
  json form = json::parse(ReadFile(std::string(CHOSA_SOURCE_DIR) + "/tests/forms/fill/visit_record.json"));
  for (json& choice : form["choice_lists"]["adl3"]) {
    choice["score"] = std::stoi(choice["value"].get<std::string>());  // scored like a checklist
    choice["value"] = "0" + choice["value"].get<std::string>();
  }
  json& visit_page = form["items"][0]["items"];
  visit_page.insert(visit_page.begin() + 3, json{{"type", "calculate"}, {"name", "needs_help"},
                                                 {"calculation", "${adl_total} < 6"}});
  return testing::MustLoad(form.dump());
}

json BaseSubmission() {
  json submission = json::parse(ReadFile(std::string(CHOSA_SOURCE_DIR) + "/tests/forms/submissions/visit_record.json"));
  submission["answers"]["adl_eat"] = "02";
  submission["answers"]["adl_bath"] = "03";
  submission["answers"]["needs_help"] = true;
  return submission;
}

// Three submissions: the sample (two visits), one with a blank, a numeric-looking text and an
// empty multiple choice (one visit), and one with two visits.
std::vector<std::string> Submissions() {
  json first = BaseSubmission();
  json second = BaseSubmission();
  second["uuid"] = "00000000-0000-4000-8000-000000000002";
  second["answers"]["age"] = 70;
  second["answers"].erase("sex");
  second["answers"]["comments"] = "0123";
  second["answers"]["needs_help"] = false;
  second["answers"]["visits"] = json::array({json{{"visit_date", "2024-12-01"}, {"services", json::array()}}});
  json third = BaseSubmission();
  third["uuid"] = "00000000-0000-4000-8000-000000000003";
  third["answers"]["age"] = 91;
  third["answers"]["visits"][1]["services"] = json::array({"bathing", "rehab"});
  return {first.dump(), second.dump(), third.dump()};
}

struct Dataset {
  std::shared_ptr<const Form> form = VisitForm();
  DatasetLayout layout = DatasetLayout::FromForms({form}).value();
};

// Writes `bodies` into a workbook at `path`; returns the rows each submission flattened to.
std::vector<SubmissionRows> WriteWorkbook(const Dataset& data, const std::string& path,
                                          const std::vector<std::string>& bodies, XlsxOptions options,
                                          int64_t* truncated = nullptr) {
  SubmissionFlattener flattener(data.layout, options.cells);
  Result<std::unique_ptr<XlsxWorkbook>> workbook = XlsxWorkbook::Create(path, data.layout, options);
  INFO(workbook.status().ToString());
  REQUIRE(workbook.ok());
  std::vector<SubmissionRows> all;
  for (const std::string& body : bodies) {
    SubmissionRows& rows = all.emplace_back();
    REQUIRE(flattener.Flatten(body, Receipt{1732500000000, "d-0001"}, &rows).ok());
    Status added = (*workbook)->Add(rows);
    INFO(added.ToString());
    REQUIRE(added.ok());
  }
  Status closed = (*workbook)->Close();
  INFO(closed.ToString());
  REQUIRE(closed.ok());
  if (truncated != nullptr) *truncated = (*workbook)->truncated_cells();
  return all;
}

TEST_CASE("xlsx: every cell of every table as openpyxl reads it, typed") {
  TempDir dir;
  Dataset data;
  const std::string path = dir.File("visits.xlsx");
  std::vector<SubmissionRows> rows = WriteWorkbook(data, path, Submissions(), XlsxOptions{});
  const json workbook = ReadWorkbook(path);

  CHECK(SheetNamesOf(workbook) == std::vector<std::string>{"visit_record", "visits", "questions"});
  for (const json& sheet : workbook["sheets"]) {
    INFO(sheet["name"]);
    CHECK(sheet["frozen"] == "A2");
    CHECK(sheet["header_bold"] == true);
    CHECK(sheet["codes_not_flagged"] == true);  // no green triangle inviting "convert to number"
    // Filter buttons over the header and every row written, every column.
    const json& written = sheet["rows"];
    REQUIRE(written[0].size() <= 26);  // one letter names the last column
    const std::string last_column(1, static_cast<char>('A' + written[0].size() - 1));
    CHECK(sheet["filter"] == "A1:" + last_column + std::to_string(written.size()));
  }

  // Every cell, both tables.
  const auto& tables = data.layout.tables();
  for (size_t t = 0; t < tables.size(); ++t) {
    const json& sheet = workbook["sheets"][t];
    CHECK(sheet["rows"][0] == Header(tables[t]));
    json expected = json::array();
    for (const SubmissionRows& submission : rows) {
      std::vector<const Row*> table_rows;
      if (t == 0) table_rows.push_back(&submission.main);
      for (size_t i = 0; t > 0 && i < submission.repeats[t].count; ++i) table_rows.push_back(&submission.repeats[t].rows[i]);
      for (const Row* row : table_rows) {
        json cells = json::array();
        for (size_t c = 0; c < row->size(); ++c) cells.push_back(Expected(tables[t].columns[c], (*row)[c]));
        expected.push_back(cells);
      }
    }
    CHECK(DataRows(workbook, sheet["name"]) == expected);
  }

  // The same, cell by cell where the type is the point.
  const json& main = Sheet(workbook, "visit_record");
  REQUIRE(main["rows"].size() == 4);
  auto at = [&](const json& sheet, size_t row, const std::string& column) -> const json& {
    const json& header = sheet["rows"][0];
    const auto found = std::find(header.begin(), header.end(), column);
    REQUIRE(found != header.end());
    return sheet["rows"][row][static_cast<size_t>(found - header.begin())];
  };
  CHECK(at(main, 1, "_uuid") == "550a2393-d282-43ab-8a63-edd4b7bf59b5");
  CHECK(at(main, 1, "_received_from") == "d-0001");
  CHECK(at(main, 1, "_replaces").is_null());
  CHECK(at(main, 1, "age").is_number());
  CHECK(at(main, 1, "age") == 82);
  CHECK(at(main, 1, "sex") == "female");
  CHECK(at(main, 1, "adl_eat").is_string());
  CHECK(at(main, 1, "adl_eat") == "02");
  CHECK(at(main, 1, "adl_bath") == "03");
  CHECK(at(main, 1, "adl_total") == 5);
  CHECK(at(main, 1, "needs_help") == true);
  CHECK(at(main, 1, "comments") == "𠮷田さん宅。入浴は次回から週2回。");
  CHECK(at(main, 1, "confirmed") == "OK");
  CHECK(at(main, 2, "sex").is_null());
  CHECK(at(main, 2, "comments").is_string());
  CHECK(at(main, 2, "comments") == "0123");
  CHECK(at(main, 2, "needs_help") == false);
  CHECK(at(main, 3, "age") == 91);

  const json& visits = Sheet(workbook, "visits");
  REQUIRE(visits["rows"].size() == 6);
  CHECK(at(visits, 1, "_submission_uuid") == "550a2393-d282-43ab-8a63-edd4b7bf59b5");
  CHECK(at(visits, 1, "_position") == 1);
  CHECK(at(visits, 1, "visit_date") == "2024-11-01");
  CHECK(at(visits, 1, "services") == "nursing rehab");
  CHECK(at(visits, 1, "services/nursing").is_number());
  CHECK(at(visits, 1, "services/nursing") == 1);
  CHECK(at(visits, 1, "services/bathing") == 0);
  CHECK(at(visits, 2, "_position") == 2);
  CHECK(at(visits, 2, "services") == "other");
  CHECK(at(visits, 3, "_submission_uuid") == "00000000-0000-4000-8000-000000000002");
  CHECK(at(visits, 3, "services").is_null());  // none ticked: an empty list
  CHECK(at(visits, 3, "services/other") == 0);
  CHECK(at(visits, 5, "services") == "bathing rehab");
  CHECK(at(visits, 5, "services/bathing") == 1);
}

TEST_CASE("xlsx: the questions sheet describes every column and every choice in each language") {
  TempDir dir;
  Dataset data;
  const std::string path = dir.File("visits.xlsx");
  WriteWorkbook(data, path, Submissions(), XlsxOptions{});
  const json questions = Sheet(ReadWorkbook(path), "questions")["rows"];
  CHECK(questions[0] == json::array({"table", "column", "role", "type", "label (ja)", "label (en)", "choice",
                              "choice label (ja)", "choice label (en)", "score"}));
  auto row_of = [&](const std::string& column, const std::string& role) -> json {
    for (const json& row : questions) {
      if (row[1] == column && row[2] == role) return row;
    }
    return nullptr;
  };
  const json null;
  CHECK(row_of("_uuid", "metadata") == json::array({"visit_record", "_uuid", "metadata", null, null, null, null, null, null, null}));
  CHECK(row_of("_position", "metadata") == json::array({"visits", "_position", "metadata", null, null, null, null, null, null, null}));
  CHECK(row_of("age", "answer") == json::array({"visit_record", "age", "answer", "integer", "年齢", "Age", null, null, null, null}));
  CHECK(row_of("adl_total", "answer") == json::array({"visit_record", "adl_total", "answer", "calculate", null, null, null, null, null, null}));
  CHECK(row_of("services/rehab", "choice_flag") ==
        json::array({"visits", "services/rehab", "choice_flag", "select_multiple", "提供したサービス", "Services given", "rehab",
              "訪問リハビリ", "Home rehabilitation", null}));

  // Each select question's row is followed by one per choice.
  json expected_sex = json::array({
      json::array({"visit_record", "sex", "answer", "select_one", "性別", "Sex", null, null, null, null}),
      json::array({"visit_record", "sex", "choice", null, null, null, "female", "女性", "Female", null}),
      json::array({"visit_record", "sex", "choice", null, null, null, "male", "男性", "Male", null}),
  });
  json expected_adl = json::array({
      json::array({"visit_record", "adl_eat", "answer", "matrix_row", "食事", "Eating", null, null, null, null}),
      json::array({"visit_record", "adl_eat", "choice", null, null, null, "03", "自立", "Independent", 3}),
      json::array({"visit_record", "adl_eat", "choice", null, null, null, "02", "一部介助", "Needs some help", 2}),
      json::array({"visit_record", "adl_eat", "choice", null, null, null, "01", "全介助", "Needs full help", 1}),
  });
  auto rows_from = [&](const std::string& column, size_t count) {
    for (size_t r = 0; r < questions.size(); ++r) {
      if (questions[r][1] == column) {
        return json(std::vector<json>(questions.begin() + static_cast<std::ptrdiff_t>(r),
                                      questions.begin() + static_cast<std::ptrdiff_t>(std::min(r + count, questions.size()))));
      }
    }
    return json();
  };
  CHECK(rows_from("sex", 3) == expected_sex);
  CHECK(rows_from("adl_eat", 4) == expected_adl);
  CHECK(rows_from("services", 5)[4] == json::array({"visits", "services", "choice", null, null, null, "other", "その他", "Other", null}));

  // The columns, in table order, and nothing else but choices.
  json described = json::array();
  size_t choices = 0;
  for (size_t r = 1; r < questions.size(); ++r) {
    if (questions[r][2] == "choice") {
      ++choices;
      continue;
    }
    described.push_back(json::array({questions[r][0], questions[r][1]}));
  }
  json columns = json::array();
  for (size_t t = 0; t < data.layout.tables().size(); ++t) {
    for (const Column& column : data.layout.tables()[t].columns) {
      columns.push_back(json::array({t == 0 ? "visit_record" : "visits", column.name}));
    }
  }
  CHECK(described == columns);
  CHECK(choices == 2 + 3 + 3 + 4);  // sex, adl_eat, adl_bath, services
}

TEST_CASE("xlsx: a table longer than a sheet goes on in the next, its header repeated") {
  TempDir dir;
  Dataset data;
  const std::vector<std::string> bodies = Submissions();
  WriteWorkbook(data, dir.File("whole.xlsx"), bodies, XlsxOptions{});
  XlsxOptions small;
  small.max_rows_per_sheet = 3;
  WriteWorkbook(data, dir.File("split.xlsx"), bodies, small);
  const json whole = ReadWorkbook(dir.File("whole.xlsx"));
  const json split = ReadWorkbook(dir.File("split.xlsx"));

  // Sheets come as they are needed: the visits overflow first (the second submission's visit),
  // then the main table (the third submission), then the third's second visit.
  std::vector<std::string> names = SheetNamesOf(split);
  REQUIRE(names.size() > 6);
  CHECK(std::vector<std::string>(names.begin(), names.begin() + 6) ==
        std::vector<std::string>{"visit_record", "visits", "visits (2)", "visit_record (2)", "visits (3)", "questions"});
  // The questions, 37 rows, two to a sheet.
  CHECK(names.size() == 5 + 19);
  CHECK(names.back() == "questions (19)");

  for (const json& sheet : split["sheets"]) {
    INFO(sheet["name"]);
    CHECK(sheet["rows"].size() <= 3);
    CHECK(sheet["rows"].size() >= 2);
    CHECK(sheet["frozen"] == "A2");
    CHECK(sheet["header_bold"] == true);
    CHECK(sheet["filter"].is_string());  // every part of a split table has its own
    const std::string name = sheet["name"];
    const json& header = name.rfind("visit_record", 0) == 0 ? Sheet(whole, "visit_record")["rows"][0]
                         : name.rfind("visits", 0) == 0     ? Sheet(whole, "visits")["rows"][0]
                                                            : Sheet(whole, "questions")["rows"][0];
    CHECK(sheet["rows"][0] == header);
  }
  // Read one after the other, the parts are the whole table.
  for (const char* base : {"visit_record", "visits", "questions"}) {
    INFO(base);
    CHECK(DataRows(split, base) == DataRows(whole, base));
    CHECK(DataRows(split, base).size() >= 3);
  }
}

TEST_CASE("xlsx: choices as labels; the workbook's title in their language") {
  TempDir dir;
  Dataset data;
  const std::string codes_path = dir.File("codes.xlsx");
  WriteWorkbook(data, codes_path, Submissions(), XlsxOptions{});
  const json codes = ReadWorkbook(codes_path);
  CHECK(codes["title"] == "訪問記録（サンプル）");
  CHECK(codes["comments"] == "Form visit_record, choices as codes");

  XlsxOptions english;
  english.cells.labels = true;
  english.cells.language = 1;
  const std::string labels_path = dir.File("labels.xlsx");
  WriteWorkbook(data, labels_path, Submissions(), english);
  const json labels = ReadWorkbook(labels_path);
  CHECK(labels["title"] == "Visit record (sample)");
  CHECK(labels["comments"] == "Form visit_record, choices as labels (en)");
  const size_t sex = static_cast<size_t>(data.layout.main_table().ColumnIndex("sex"));
  const size_t adl_eat = static_cast<size_t>(data.layout.main_table().ColumnIndex("adl_eat"));
  CHECK(Sheet(labels, "visit_record")["rows"][1][sex] == "Female");
  CHECK(Sheet(labels, "visit_record")["rows"][1][adl_eat] == "Needs some help");
  CHECK(Sheet(labels, "visits")["rows"][1][3] == "Home nursing; Home rehabilitation");
  CHECK(Sheet(labels, "visits")["rows"][1][4] == 1);
}

TEST_CASE("xlsx: a select's answer stays a code even when the submission gives a number") {
  TempDir dir;
  Dataset data;
  json body = BaseSubmission();
  body["answers"]["adl_eat"] = 2;  // not what a device writes, but the flattener makes it a number
  SubmissionFlattener flattener(data.layout);
  SubmissionRows rows;
  REQUIRE(flattener.Flatten(body.dump(), Receipt{}, &rows).ok());
  const size_t adl_eat = static_cast<size_t>(data.layout.main_table().ColumnIndex("adl_eat"));
  REQUIRE(rows.main[adl_eat].kind == CellKind::kNumber);
  Result<std::unique_ptr<XlsxWorkbook>> workbook = XlsxWorkbook::Create(dir.File("x.xlsx"), data.layout);
  REQUIRE(workbook.ok());
  REQUIRE((*workbook)->Add(rows).ok());
  REQUIRE((*workbook)->Close().ok());
  const json cell = Sheet(ReadWorkbook(dir.File("x.xlsx")), "visit_record")["rows"][1][adl_eat];
  CHECK(cell.is_string());
  CHECK(cell == "2");
}

TEST_CASE("xlsx: a text longer than Excel's 32,767 characters is cut at a character boundary") {
  TempDir dir;
  Dataset data;
  // 40,000 characters: "a", 32,765 of あ, 𠮷 (two of Excel's characters: it would make 32,768),
  // then 7,233 of い.
  std::string long_text = "a";
  for (int i = 0; i < 32765; ++i) long_text += "あ";
  long_text += "𠮷";
  for (int i = 0; i < 7233; ++i) long_text += "い";
  std::string full;  // exactly the limit: kept whole
  for (int i = 0; i < 32767; ++i) full += "あ";
  json first = BaseSubmission();
  first["answers"]["comments"] = long_text;
  json second = BaseSubmission();
  second["uuid"] = "00000000-0000-4000-8000-000000000002";
  second["answers"]["comments"] = full;

  int64_t truncated = -1;
  const std::string path = dir.File("long.xlsx");
  WriteWorkbook(data, path, {first.dump(), second.dump()}, XlsxOptions{}, &truncated);
  CHECK(truncated == 1);
  const json main = Sheet(ReadWorkbook(path), "visit_record");
  const size_t comments = static_cast<size_t>(data.layout.main_table().ColumnIndex("comments"));
  const std::string cut = main["rows"][1][comments];
  CHECK(IsValidUtf8(cut));
  CHECK(cut.size() == 1 + 32765 * 3);
  CHECK(cut == long_text.substr(0, 1 + 32765 * 3));
  size_t characters = 0;
  for (size_t i = 0; i < cut.size(); i += Utf8SequenceLength(cut, i)) ++characters;
  CHECK(characters == 32766);
  CHECK(main["rows"][2][comments] == full);
}

TEST_CASE("xlsx: Excel's prefix counts a character beyond the BMP as two; sheet names obey Excel's rules") {
  CHECK(ExcelPrefixBytes("abc", 2) == 2);
  CHECK(ExcelPrefixBytes("あいう", 2) == 6);
  CHECK(ExcelPrefixBytes("a𠮷b", 2) == 1);
  CHECK(ExcelPrefixBytes("a𠮷b", 3) == 5);
  CHECK(ExcelPrefixBytes("", 0) == 0);

  SheetNames names;
  CHECK(names.Claim("questions") == "questions");
  CHECK(names.Claim("Questions") == "Questions (2)");  // Excel ignores case
  CHECK(names.Claim("a[b]:c*d?e/f\\g") == "a_b__c_d_e_f_g");
  CHECK(names.Claim("'quoted'") == "_quoted_");
  CHECK(names.Claim("") == "_");
  CHECK(names.Claim("History") == "History (2)");
  const std::string long_name = "a_repeat_name_of_more_than_thirty_one_characters";
  CHECK(names.Claim(long_name) == long_name.substr(0, 31));
  CHECK(names.Claim(long_name, 2) == long_name.substr(0, 27) + " (2)");
  CHECK(names.Claim(long_name) == long_name.substr(0, 27) + " (3)");
  // 31 of Excel's characters: 𠮷 counts two, so fifteen of them and "x" fill a name.
  std::string wide;
  for (int i = 0; i < 20; ++i) wide += "𠮷";
  CHECK(names.Claim(wide) == wide.substr(0, 15 * 4));
}

TEST_CASE("xlsx: failures are Status values and leave no file behind") {
  TempDir dir;
  Dataset data;
  SubmissionFlattener flattener(data.layout);
  SubmissionRows rows;
  REQUIRE(flattener.Flatten(Submissions()[0], Receipt{}, &rows).ok());

  SECTION("a path that cannot be written") {
    Result<std::unique_ptr<XlsxWorkbook>> missing = XlsxWorkbook::Create(dir.File("no-such-dir/x.xlsx"), data.layout);
    CHECK(missing.status().code() == StatusCode::kIOError);
    CHECK_THAT(missing.status().message(), Catch::Contains("no-such-dir/x.xlsx"));
    Result<std::unique_ptr<XlsxWorkbook>> directory = XlsxWorkbook::Create(dir.path(), data.layout);
    CHECK(directory.status().code() == StatusCode::kIOError);
  }
  SECTION("rows per sheet out of range") {
    XlsxOptions options;
    options.max_rows_per_sheet = 1;
    CHECK(XlsxWorkbook::Create(dir.File("x.xlsx"), data.layout, options).status().code() == StatusCode::kInvalidArgument);
    options.max_rows_per_sheet = 1048577;
    CHECK(XlsxWorkbook::Create(dir.File("x.xlsx"), data.layout, options).status().code() == StatusCode::kInvalidArgument);
    CHECK_FALSE(Exists(dir.File("x.xlsx")));
  }
  SECTION("the directory vanishes before Close: libxlsxwriter's error, named") {
    const std::string sub = dir.File("sub");
    REQUIRE(::mkdir(sub.c_str(), 0700) == 0);
    XlsxOptions options;
    options.tmpdir = dir.path();
    Result<std::unique_ptr<XlsxWorkbook>> workbook = XlsxWorkbook::Create(sub + "/x.xlsx", data.layout, options);
    REQUIRE(workbook.ok());
    REQUIRE((*workbook)->Add(rows).ok());
    REQUIRE(::unlink((sub + "/x.xlsx").c_str()) == 0);
    REQUIRE(::rmdir(sub.c_str()) == 0);
    Status closed = (*workbook)->Close();
    CHECK(closed.code() == StatusCode::kIOError);
    CHECK_THAT(closed.message(), Catch::Contains("writing the workbook") && Catch::Contains("x.xlsx"));
    CHECK((*workbook)->Add(rows).code() == StatusCode::kIOError);  // the failure again
  }
  SECTION("a row without its table's columns; calls after a failure or Close") {
    Result<std::unique_ptr<XlsxWorkbook>> workbook = XlsxWorkbook::Create(dir.File("x.xlsx"), data.layout);
    REQUIRE(workbook.ok());
    CHECK(Exists(dir.File("x.xlsx")));
    SubmissionRows short_rows = rows;
    short_rows.main.pop_back();
    Status added = (*workbook)->Add(short_rows);
    CHECK(added.code() == StatusCode::kInvalidArgument);
    CHECK((*workbook)->Add(rows).code() == StatusCode::kInvalidArgument);
    CHECK((*workbook)->Close().message() == added.message());
    CHECK_FALSE(Exists(dir.File("x.xlsx")));

    Result<std::unique_ptr<XlsxWorkbook>> closed = XlsxWorkbook::Create(dir.File("y.xlsx"), data.layout);
    REQUIRE(closed.ok());
    REQUIRE((*closed)->Add(rows).ok());
    REQUIRE((*closed)->Close().ok());
    CHECK((*closed)->rows_written() == std::vector<int64_t>{1, 2});
    CHECK((*closed)->Add(rows).code() == StatusCode::kInvalidArgument);
    CHECK((*closed)->Close().code() == StatusCode::kInvalidArgument);
    CHECK(Exists(dir.File("y.xlsx")));
  }
  SECTION("a workbook dropped without Close leaves no file") {
    {
      Result<std::unique_ptr<XlsxWorkbook>> workbook = XlsxWorkbook::Create(dir.File("z.xlsx"), data.layout);
      REQUIRE(workbook.ok());
      REQUIRE((*workbook)->Add(rows).ok());
    }
    CHECK_FALSE(Exists(dir.File("z.xlsx")));
  }
}

}  // namespace
}  // namespace chosa::analysis
