// The analysis dataset `chosa pull` keeps: SQL tables with relevance, idempotent pages,
// corrections, new form versions, CSV files.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

#include "chosa/analysis_dataset.h"
#include "test_support.h"

namespace chosa::analysis {
namespace {

using testing::ReadFile;
using testing::TempDir;

const std::string kSource = CHOSA_SOURCE_DIR;
const std::string kForm = ReadFile(kSource + "/tests/forms/fill/visit_record.json");
const std::string kSample = ReadFile(kSource + "/tests/forms/submissions/visit_record.json");
const std::string kSampleUuid = "550a2393-d282-43ab-8a63-edd4b7bf59b5";

std::string Uuid(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "%08x-0000-4000-8000-000000000000", n);
  return text;
}

// The sample visit record as submission `n`, optionally correcting `replaces`.
std::string Visit(int n, const std::string& replaces = "") {
  std::string body = kSample;
  body.replace(body.find(kSampleUuid), kSampleUuid.size(), Uuid(n));
  if (!replaces.empty()) body.replace(body.find(",\"answers\":"), 0, ",\"replaces\":\"" + replaces + "\"");
  return body;
}

std::vector<ReceivedSubmission> Page(std::vector<std::string> bodies) {
  std::vector<ReceivedSubmission> out;
  for (std::string& body : bodies) out.push_back({std::move(body), 1732500000000, "d-0001", std::nullopt});
  return out;
}

// Runs a query on the dataset file with SQLite itself: each row's columns as text, "NULL" for NULL.
std::vector<std::vector<std::string>> Query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  INFO(sql);
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
  std::vector<std::vector<std::string>> rows;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int c = 0; c < sqlite3_column_count(statement); ++c) {
      const unsigned char* text = sqlite3_column_text(statement, c);
      row.push_back(sqlite3_column_type(statement, c) == SQLITE_NULL ? "NULL" : reinterpret_cast<const char*>(text));
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return rows;
}

using Rows = std::vector<std::vector<std::string>>;

TEST_CASE("A dataset holds each submission once, as SQL tables with NULL for what was not relevant") {
  TempDir dir;
  const std::string path = dir.path() + "/visit_record.sqlite";
  auto dataset = AnalysisDataset::Open(path, "visit_record", false);
  REQUIRE(dataset.ok());
  CHECK((*dataset)->cursor().empty());
  CHECK((*dataset)->layout().status().code() == StatusCode::kNotFound);
  REQUIRE((*dataset)->AddFormVersion({"2024.1", "abc"}, kForm).ok());
  // The same version again is nothing new; other content under its name is refused.
  CHECK((*dataset)->AddFormVersion({"2024.1", "abc"}, kForm).ok());
  CHECK((*dataset)->AddFormVersion({"2024.1", "def"}, kForm).code() == StatusCode::kAlreadyExists);

  REQUIRE((*dataset)->AddPage(Page({Visit(1), Visit(2)}), "e1.2").ok());
  CHECK((*dataset)->cursor() == "e1.2");
  // A page added again (a pull interrupted after the commit, before it knew) adds nothing.
  REQUIRE((*dataset)->AddPage(Page({Visit(2), Visit(3)}), "e1.3").ok());
  CHECK(*(*dataset)->SubmissionCount() == 3);
  CHECK(Query(path, "SELECT \"_uuid\", age, typeof(age), sex, adl_total, comments FROM submissions ORDER BY _seq") ==
        Rows{{Uuid(1), "82", "integer", "female", "5", "𠮷田さん宅。入浴は次回から週2回。"},
             {Uuid(2), "82", "integer", "female", "5", "𠮷田さん宅。入浴は次回から週2回。"},
             {Uuid(3), "82", "integer", "female", "5", "𠮷田さん宅。入浴は次回から週2回。"}});
  CHECK(Query(path, "SELECT \"_submission_uuid\", \"_position\", visit_date, services, \"services/nursing\", "
                    "\"services/bathing\" FROM repeat_visits WHERE \"_submission_uuid\" = '" + Uuid(1) + "'") ==
        Rows{{Uuid(1), "1", "2024-11-01", "nursing rehab", "1", "0"}, {Uuid(1), "2", "2024-11-15", "other", "0", "0"}});

  // Reopened, it knows its form, versions and cursor; another form's name is refused.
  dataset->reset();
  auto again = AnalysisDataset::Open(path, "visit_record", false);
  REQUIRE(again.ok());
  CHECK((*again)->cursor() == "e1.3");
  CHECK((*again)->versions().size() == 1);
  CHECK(AnalysisDataset::Open(path, "other_form", false).status().code() == StatusCode::kInvalidArgument);
  CHECK(AnalysisDataset::Open(path, "visit_record", true).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("Relevance is replayed: a question not relevant is NULL, a relevant one unanswered is ''") {
  TempDir dir;
  const std::string path = dir.path() + "/coordinator_checklist.sqlite";
  // A published definition is self-contained: the ward list's $ref replaced by the code list.
  nlohmann::json form = nlohmann::json::parse(ReadFile(kSource + "/schemas/examples/coordinator_checklist.json"));
  nlohmann::json wards = nlohmann::json::parse(ReadFile(kSource + "/schemas/codelists/wards.json"));
  for (auto& [name, list] : form["choice_lists"].items()) {
    if (list.is_object() && list.contains("$ref")) list = wards.contains("choices") ? wards["choices"] : wards;
  }
  auto dataset = AnalysisDataset::Open(path, "coordinator_checklist", false);
  REQUIRE(dataset.ok());
  Status added = (*dataset)->AddFormVersion({"2024.1", "x"}, form.dump());
  INFO(added.ToString());
  REQUIRE(added.ok());
  std::string body = ReadFile(kSource + "/tests/forms/submissions/coordinator_checklist.json");
  const std::string reflection = ",\"reflection\":\"研修で学んだことを振り返りました。\"";
  body.erase(body.find(reflection), reflection.size());
  REQUIRE((*dataset)->AddPage(Page({body}), "e1.1").ok());
  CHECK(Query(path, "SELECT progress_issues, reflection, confident_after_practicum, checklist_total, c01 FROM submissions") ==
        Rows{{"NULL", "", "NULL", "64", "4"}});
}

TEST_CASE("Corrections: the latest of each chain unless the dataset keeps all versions") {
  TempDir dir;
  for (bool all_versions : {false, true}) {
    INFO("all versions: " << all_versions);
    const std::string path = dir.path() + (all_versions ? "/all.sqlite" : "/latest.sqlite");
    auto dataset = AnalysisDataset::Open(path, "visit_record", all_versions);
    REQUIRE(dataset.ok());
    REQUIRE((*dataset)->AddFormVersion({"2024.1", "abc"}, kForm).ok());
    // 1 then its correction 2 in a later page; 3 corrected by 4 in the same page.
    REQUIRE((*dataset)->AddPage(Page({Visit(1), Visit(3), Visit(4, Uuid(3))}), "e1.3").ok());
    REQUIRE((*dataset)->AddPage(Page({Visit(2, Uuid(1))}), "e1.4").ok());
    // A corrected submission arriving again (re-sent) stays out of a latest-only dataset.
    REQUIRE((*dataset)->AddPage(Page({Visit(1)}), "e1.5").ok());
    const Rows uuids = Query(path, "SELECT \"_uuid\", \"_replaces\" FROM submissions ORDER BY _seq");
    if (all_versions) {
      CHECK(uuids == Rows{{Uuid(1), ""}, {Uuid(3), ""}, {Uuid(4), Uuid(3)}, {Uuid(2), Uuid(1)}});
    } else {
      CHECK(uuids == Rows{{Uuid(4), Uuid(3)}, {Uuid(2), Uuid(1)}});
      CHECK(Query(path, "SELECT COUNT(*) FROM repeat_visits WHERE \"_submission_uuid\" IN ('" + Uuid(1) + "', '" +
                            Uuid(3) + "')") == Rows{{"0"}});
    }
  }
}

TEST_CASE("Corrections: only what the collector applies hides a submission, not what a body declares") {
  TempDir dir;
  const std::string path = dir.path() + "/latest.sqlite";
  auto dataset = AnalysisDataset::Open(path, "visit_record", /*all_versions=*/false);
  REQUIRE(dataset.ok());
  REQUIRE((*dataset)->AddFormVersion({"2024.1", "abc"}, kForm).ok());
  // 2 (another device's) names 1 before 1 arrives: its line says it corrects nothing (null).
  // 4 names 3 and its line says so. 6's line comes from an older collector (no "corrects"):
  // its own `replaces` is taken.
  std::vector<ReceivedSubmission> first = Page({Visit(2, Uuid(1)), Visit(3), Visit(4, Uuid(3)), Visit(5), Visit(6, Uuid(5))});
  first[0].corrects = std::string();
  first[2].corrects = Uuid(3);
  REQUIRE((*dataset)->AddPage(first, "e1.5").ok());
  REQUIRE((*dataset)->AddPage(Page({Visit(1)}), "e1.6").ok());
  CHECK(Query(path, "SELECT \"_uuid\" FROM submissions ORDER BY _seq") ==
        Rows{{Uuid(2)}, {Uuid(4)}, {Uuid(6)}, {Uuid(1)}});
}

TEST_CASE("A new form version adds its columns; the CSV files hold every table") {
  TempDir dir;
  const std::string path = dir.path() + "/visit_record.sqlite";
  auto dataset = AnalysisDataset::Open(path, "visit_record", false);
  REQUIRE(dataset.ok());
  REQUIRE((*dataset)->AddFormVersion({"2024.1", "abc"}, kForm).ok());
  REQUIRE((*dataset)->AddPage(Page({Visit(1)}), "e1.1").ok());
  nlohmann::json v2 = nlohmann::json::parse(kForm);
  v2["version"] = "2024.2";
  v2["items"][1]["items"].push_back(nlohmann::json::object({{"type", "text"}, {"name", "follow_up"}, {"label", "Follow-up"}}));
  CHECK((*dataset)->AddFormVersion({"2024.3", "v3"}, v2.dump()).code() == StatusCode::kInvalidArgument);
  REQUIRE((*dataset)->AddFormVersion({"2024.2", "v2"}, v2.dump()).ok());
  std::string second = Visit(2);
  second.replace(second.find("\"2024.1\""), 8, "\"2024.2\"");
  second.replace(second.find("\"confirmed\":\"OK\""), 16, "\"confirmed\":\"OK\",\"follow_up\":\"来月\"");
  REQUIRE((*dataset)->AddPage(Page({second}), "e1.2").ok());
  // Version 1's submission never had the question: NULL, not an unanswered ''.
  CHECK(Query(path, "SELECT \"_form_version\", follow_up FROM submissions ORDER BY _seq") ==
        Rows{{"2024.1", "NULL"}, {"2024.2", "来月"}});

  Result<std::vector<std::string>> files = (*dataset)->WriteCsvFiles(dir.path());
  REQUIRE(files.ok());
  CHECK(*files == std::vector<std::string>{dir.path() + "/visit_record.csv", dir.path() + "/visit_record-visits.csv"});
  const std::string main = ReadFile(dir.path() + "/visit_record.csv");
  CHECK(main.rfind("\xEF\xBB\xBF_uuid,_form_version,", 0) == 0);
  CHECK(std::count(main.begin(), main.end(), '\n') == 3);
  CHECK(main.find("来月") != std::string::npos);
  const std::string visits = ReadFile(dir.path() + "/visit_record-visits.csv");
  CHECK(std::count(visits.begin(), visits.end(), '\n') == 5);  // the header and two instances each
  CHECK((*dataset)->WriteCsvFiles(dir.path() + "/missing/dir").status().code() == StatusCode::kIOError);
  // The workbook: written whole (a zip, as every .xlsx), or an error and no file at all.
  REQUIRE((*dataset)->WriteWorkbook(dir.path() + "/visit_record.xlsx").ok());
  CHECK(ReadFile(dir.path() + "/visit_record.xlsx").compare(0, 2, "PK") == 0);
  CHECK(std::fopen((dir.path() + "/visit_record.xlsx.partial.xlsx").c_str(), "rb") == nullptr);
  CHECK((*dataset)->WriteWorkbook(dir.path() + "/missing/dir/x.xlsx").code() == StatusCode::kIOError);

  CHECK(AnalysisDataset::OpenExisting(dir.path() + "/none.sqlite").status().code() == StatusCode::kNotFound);
  auto existing = AnalysisDataset::OpenExisting(path);
  REQUIRE(existing.ok());
  CHECK((*existing)->form_id() == "visit_record");
  int seen = 0;
  REQUIRE((*existing)->ForEachSubmission({}, [&](const SubmissionRows& rows) {
    ++seen;
    CHECK(rows.repeats[1].count == 2);
    return Status::Ok();
  }).ok());
  CHECK(seen == 2);
}

TEST_CASE("A file that is not a dataset is refused, not changed") {
  TempDir dir;
  const std::string path = dir.path() + "/other.sqlite";
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  CHECK(AnalysisDataset::Open(path, "visit_record", false).status().code() == StatusCode::kInvalidArgument);
  CHECK(AnalysisDataset::OpenExisting(path).status().code() == StatusCode::kInvalidArgument);
  CHECK(Query(path, "SELECT name FROM sqlite_master") == Rows{{"t"}});
}

}  // namespace
}  // namespace chosa::analysis
