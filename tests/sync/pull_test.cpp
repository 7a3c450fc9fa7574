// chosa pull (issue 7): the bureau's analysis dataset kept up to date from the collector's export
// API: every answer of every submission arrives unchanged, later pulls fetch only what is new,
// and a pull cut off part-way and run again ends with every submission exactly once.
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "e2e_support.h"
#include "run_command.h"
#include "expected_rows.h"
#include "fault_proxy.h"
#include "chosa/scenario/respondent.h"
#include "temp_dir.h"

namespace chosa {
namespace {

using chosa::testing::TempDir;

const std::string kChosa = std::string(CHOSA_BINARY_DIR) + "/tools/chosa";

using PullRun = e2e::ToolRun;
using e2e::Pull;

// uuid -> _body of the dataset's submissions (each UUID once: the column is UNIQUE, and the
// count of rows is compared too).
std::map<std::string, std::string> DatasetBodies(const std::string& path, int64_t* rows) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT \"_uuid\", _body FROM submissions", -1, &statement, nullptr) == SQLITE_OK);
  std::map<std::string, std::string> out;
  *rows = 0;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    out[reinterpret_cast<const char*>(sqlite3_column_text(statement, 0))] =
        reinterpret_cast<const char*>(sqlite3_column_text(statement, 1));
    ++*rows;
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return out;
}

// Publishes `form`, starts the collector and enrols a device `name` for it, which has synced
// once (the form installed).
std::unique_ptr<e2e::Device> ServingWithDevice(e2e::CollectorProcess& collector, const std::string& form,
                                               const std::string& name) {
  collector.Publish({form});
  const std::string code = collector.EnrolCode({form});
  collector.Start();
  std::unique_ptr<e2e::Device> device;
  REQUIRE(e2e::MakeDevice(name, collector.url(), collector.ca_file(), code, {}, &device).ok());
  REQUIRE(device->client->Sync().Complete());
  return device;
}

using e2e::AnalystToken;

TEST_CASE("chosa pull: every answer arrives unchanged, then only what is new", "[export][pull]") {
  e2e::CollectorProcess collector;
  const std::string form = "workshop_attendee_survey";
  std::unique_ptr<e2e::Device> device = ServingWithDevice(collector, form, "tablet-pull");
  REQUIRE(e2e::FillSubmissions(*device->store, form, 12).ok());
  std::map<std::string, std::string> sent = e2e::OutboxBytes(*device->store);
  REQUIRE(device->client->Sync().Complete());
  const std::string token = AnalystToken(collector);

  TempDir work;
  const std::string datasets = work.path() + "/datasets";
  PullRun first = Pull(collector, token, form, datasets, "--page 5");
  INFO(e2e::ReadFile(datasets + ".log"));
  REQUIRE(first.exit_status == 0);
  CHECK_THAT(first.out, Catch::Contains("12 new submissions") && Catch::Contains("12 in the dataset"));
  int64_t rows = 0;
  CHECK(DatasetBodies(datasets + "/" + form + ".sqlite", &rows) == sent);  // byte for byte
  CHECK(rows == 12);

  // The CSV files, read by Python's csv module, hold every answer of every submission.
  auto csv = testing::ParseCsvFiles({datasets + "/" + form + ".csv", datasets + "/" + form + "-attendees.csv"});
  const testing::ParsedCsv& main = csv[datasets + "/" + form + ".csv"];
  const testing::ParsedCsv& attendees = csv[datasets + "/" + form + "-attendees.csv"];
  CHECK(main.rows.size() == sent.size());
  size_t instances = 0;
  for (const auto& [uuid, bytes] : sent) {
    const testing::ExpectedRows expected = testing::ExpectRows(bytes);
    auto row = std::find_if(main.rows.begin(), main.rows.end(), [&](const testing::CsvRow& r) { return r.at("_uuid") == uuid; });
    REQUIRE(row != main.rows.end());
    testing::CheckRow(*row, expected.main);
    for (const auto& [repeat, list] : expected.repeats) {
      for (const testing::CsvRow& instance : list) {
        auto child = std::find_if(attendees.rows.begin(), attendees.rows.end(), [&](const testing::CsvRow& r) {
          return r.at("_submission_uuid") == uuid && r.at("_position") == instance.at("_position");
        });
        REQUIRE(child != attendees.rows.end());
        testing::CheckRow(*child, instance);
        ++instances;
      }
    }
  }
  CHECK(attendees.rows.size() == instances);

  // With --labels, the CSV files hold the choices' labels (the dataset is the same); with
  // --xlsx, a workbook too, whose sheets read back (openpyxl) as the CSV files.
  PullRun labelled = Pull(collector, token, form, datasets, "--labels ja --xlsx");
  REQUIRE(labelled.exit_status == 0);
  CHECK_THAT(e2e::ReadFile(datasets + "/" + form + ".csv"), Catch::Contains("薬剤師"));
  CHECK_THAT(labelled.out, Catch::Contains(datasets + "/" + form + ".xlsx"));
  {
    const nlohmann::json read = testing::ReadWorkbook(datasets + "/" + form + ".xlsx");
    auto labelled_csv = testing::ParseCsvFiles({datasets + "/" + form + ".csv", datasets + "/" + form + "-attendees.csv"});
    const std::string files[] = {datasets + "/" + form + ".csv", datasets + "/" + form + "-attendees.csv"};
    for (size_t sheet = 0; sheet < 2; ++sheet) {
      const nlohmann::json& rows_read = read["sheets"][sheet]["rows"];
      const testing::ParsedCsv& table = labelled_csv[files[sheet]];
      REQUIRE(rows_read.size() == table.rows.size() + 1);
      for (size_t r = 0; r < table.rows.size(); ++r) {
        for (size_t c = 0; c < table.header.size(); ++c) {
          const nlohmann::json& cell = rows_read[r + 1][c];
          const std::string text_of = cell.is_null() ? "" : cell.is_string() ? cell.get<std::string>() : cell.dump();
          CHECK(text_of == table.rows[r].at(table.header[c]));
        }
      }
    }
  }
  CHECK(Pull(collector, token, form, datasets, "--labels fr").exit_status == 1);

  // Nothing new: nothing fetched. Then eight more arrive between pulls: only those are new.
  PullRun idle = Pull(collector, token, form, datasets);
  REQUIRE(idle.exit_status == 0);
  CHECK_THAT(idle.out, Catch::Contains("0 new submissions (0 received), 12 in the dataset"));
  REQUIRE(e2e::FillSubmissions(*device->store, form, 8).ok());
  sent = e2e::OutboxBytes(*device->store);
  REQUIRE(device->client->Sync().Complete());
  PullRun second = Pull(collector, token, form, datasets, "--page 3");
  REQUIRE(second.exit_status == 0);
  CHECK_THAT(second.out, Catch::Contains("8 new submissions (8 received), 20 in the dataset"));
  std::map<std::string, std::string> all = DatasetBodies(datasets + "/" + form + ".sqlite", &rows);
  CHECK(rows == 20);
  for (const auto& [uuid, bytes] : sent) CHECK(all[uuid] == bytes);

  // Long answers: a page that does not fit the response limit is asked for again in halves;
  // a limit that not even the form's definition fits is an error, not a loop.
  const std::string small = work.path() + "/small";
  size_t export_bytes = 0;  // of the 20 submissions as exported lines
  for (const auto& [uuid, bytes] : all) export_bytes += bytes.size() + 100;
  REQUIRE(export_bytes > 16 * 1024);  // 20 do not fit in 16 KB (the form's definition, 12 KB, does)
  PullRun halved = Pull(collector, token, form, small, "--page 20 --max-response-kb 16");
  INFO(e2e::ReadFile(small + ".log"));
  REQUIRE(halved.exit_status == 0);
  CHECK_THAT(halved.out, Catch::Contains("20 in the dataset") && Catch::Contains("pages halved"));
  CHECK(DatasetBodies(small + "/" + form + ".sqlite", &rows) == all);
  PullRun too_small = Pull(collector, token, form, work.path() + "/tiny", "--max-response-kb 1");
  CHECK(too_small.exit_status == 1);
  CHECK_THAT(e2e::ReadFile(work.path() + "/tiny.log"), Catch::Contains("the response is larger than 1024 bytes"));

  // The report of the pulled dataset: each choice counted as the submissions say.
  const std::string report_dir = work.path() + "/report";
  const std::string report_command = kChosa + " report '" + datasets + "/" + form + ".sqlite' --lang en --out '" +
                                     report_dir + "' 2>>'" + datasets + ".log'";
  const testing::CommandRun report = testing::RunCommand(report_command);
  CHECK(report.exit_status == 0);
  CHECK_THAT(report.out, Catch::Contains("20 submissions"));
  CHECK_THAT(e2e::ReadFile(report_dir + "/report.html"), Catch::Contains("<svg"));
  std::map<std::string, int> professions;
  for (const auto& [uuid, bytes] : all) {
    const nlohmann::json answers = nlohmann::json::parse(bytes)["answers"];
    if (answers.contains("profession")) ++professions[answers["profession"].get<std::string>()];
  }
  REQUIRE_FALSE(professions.empty());
  auto table = testing::ParseCsvFiles({report_dir + "/profession.csv"})[report_dir + "/profession.csv"];
  for (const auto& [profession, count] : professions) {
    INFO(profession);
    auto row = std::find_if(table.rows.begin(), table.rows.end(), [&](const testing::CsvRow& r) {
      return r.at(table.header[1]) == profession;
    });
    REQUIRE(row != table.rows.end());
    CHECK(row->at(table.header[2]) == std::to_string(count));
  }
  CHECK(std::system((kChosa + " report '" + datasets + "/" + form + ".sqlite' --by nothing --out '" + report_dir +
                     "' 2>/dev/null >/dev/null").c_str()) == 2 * 256);

  // Refusals: a wrong token, a form the collector does not have, usage.
  PullRun refused = Pull(collector, "not-a-token", form, datasets);
  CHECK(refused.exit_status == 1);
  CHECK_THAT(e2e::ReadFile(datasets + ".log"), Catch::Contains("the collector answered 401"));
  CHECK(Pull(collector, token, "no_such_form", datasets).exit_status == 1);
  CHECK(Pull(collector, token, form, datasets, "--page 0").exit_status == 2);
  CHECK(Pull(collector, token, form, datasets, "--all-versions").exit_status == 1);  // fixed at creation
  REQUIRE(collector.Stop(SIGTERM) == 0);
}

TEST_CASE("chosa pull cut off part-way and run again ends with every submission exactly once", "[export][pull][faults]") {
  e2e::CollectorProcess collector;
  const std::string form = "workshop_attendee_survey";
  std::unique_ptr<e2e::Device> device = ServingWithDevice(collector, form, "tablet-cut");
  REQUIRE(e2e::FillSubmissions(*device->store, form, 40).ok());
  const std::map<std::string, std::string> sent = e2e::OutboxBytes(*device->store);
  REQUIRE(device->client->Sync().Complete());
  const std::string token = AnalystToken(collector);
  const int port = std::stoi(collector.url().substr(collector.url().rfind(':') + 1));

  // Through a proxy that cuts a connection once, somewhere in the first 60 KB it sends back
  // (the form's definition, then pages of 4 submissions): find a seed whose cut leaves the
  // dataset part-filled, which is the case to prove. The proxy's first planned cut is upstream
  // (set past any request's size here, so never made): a first pull, of a form the collector
  // does not have, takes that connection; the real pull's connection is cut downstream.
  TempDir work;
  const std::string datasets = work.path() + "/datasets";
  const std::string path = datasets + "/" + form + ".sqlite";
  int64_t rows_after_cut = 0;
  for (uint64_t seed = 1; seed <= 30 && (rows_after_cut == 0 || rows_after_cut == 40); ++seed) {
    std::system(("rm -rf '" + datasets + "'").c_str());
    e2e::FaultProxyOptions options;
    options.target_port = port;
    options.cut_fraction = 1;
    options.max_cut_upstream = uint64_t{1} << 40;
    options.max_cut_downstream = 60000;
    options.seed = seed;
    e2e::FaultProxy proxy(options);
    REQUIRE(proxy.Start().ok());
    const std::string through = "https://127.0.0.1:" + std::to_string(proxy.port());
    REQUIRE(Pull(collector, token, "no_such_form", work.path() + "/other", "", through).exit_status == 1);
    PullRun cut = Pull(collector, token, form, datasets, "--page 4", through);
    proxy.Stop();
    if (cut.exit_status != 1) continue;  // the cut fell after the last response
    int64_t rows = 0;
    if (FILE* exists = std::fopen(path.c_str(), "rb")) {
      std::fclose(exists);
      DatasetBodies(path, &rows);
    }
    rows_after_cut = rows;
  }
  INFO(e2e::ReadFile(datasets + ".log"));
  REQUIRE(rows_after_cut > 0);
  REQUIRE(rows_after_cut < 40);
  CHECK_THAT(e2e::ReadFile(datasets + ".log"), Catch::Contains("pull again to go on"));

  PullRun again = Pull(collector, token, form, datasets, "--page 4");
  REQUIRE(again.exit_status == 0);
  int64_t rows = 0;
  CHECK(DatasetBodies(path, &rows) == sent);
  CHECK(rows == 40);
  CHECK_THAT(again.out, Catch::Contains(std::to_string(40 - rows_after_cut) + " new submissions"));
  REQUIRE(collector.Stop(SIGTERM) == 0);
}

// Rows of a query on the dataset, each column as text or "NULL".
std::vector<std::map<std::string, std::string>> QueryRows(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
  std::vector<std::map<std::string, std::string>> rows;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    std::map<std::string, std::string> row;
    for (int c = 0; c < sqlite3_column_count(statement); ++c) {
      const unsigned char* text = sqlite3_column_text(statement, c);
      row[sqlite3_column_name(statement, c)] =
          sqlite3_column_type(statement, c) == SQLITE_NULL ? "NULL" : reinterpret_cast<const char*>(text);
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return rows;
}

TEST_CASE("chosa pull round trip of simulated respondents: multi-selects, unanswered and non-relevant questions", "[export][pull]") {
  e2e::CollectorProcess collector;
  const std::string form = "medical_facility_survey";
  std::unique_ptr<e2e::Device> device = ServingWithDevice(collector, form, "tablet-respondents");
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    auto draft = device->store->StartDraft(form, "staff-7");
    REQUIRE(draft.ok());
    tools::RespondentOptions options;
    options.seed = seed;
    auto finalized = tools::FillAsRespondent(**draft, options);
    INFO(finalized.status().ToString());
    REQUIRE(finalized.ok());
  }
  const std::map<std::string, std::string> sent = e2e::OutboxBytes(*device->store);
  REQUIRE(sent.size() == 60);
  REQUIRE(device->client->Sync().Complete());
  const std::string token = AnalystToken(collector);
  TempDir work;
  const std::string datasets = work.path() + "/datasets";
  REQUIRE(Pull(collector, token, form, datasets, "--page 25").exit_status == 0);
  const std::string path = datasets + "/" + form + ".sqlite";
  int64_t rows = 0;
  CHECK(DatasetBodies(path, &rows) == sent);
  CHECK(rows == 60);

  // Every answer in its CSV column (the CSV files are written from the dataset).
  auto csv = testing::ParseCsvFiles({datasets + "/" + form + ".csv"})[datasets + "/" + form + ".csv"];
  REQUIRE(csv.rows.size() == 60);
  for (const testing::CsvRow& row : csv.rows) testing::CheckRow(row, testing::ExpectRows(sent.at(row.at("_uuid"))).main);

  // In SQL, the form's skip logic read independently of the engine: a question shown and left
  // empty is '', a question not shown is NULL, and the 0/1 columns follow the list.
  int unanswered = 0, not_relevant = 0, several_needs = 0;
  for (const auto& row : QueryRows(path, "SELECT * FROM submissions")) {
    const nlohmann::json answers = nlohmann::json::parse(sent.at(row.at("_uuid")))["answers"];
    INFO(row.at("_uuid"));
    const bool hospital = answers.value("facility_type", "") == "hospital";
    CHECK((row.at("hospital_liaison_dept") == "NULL") == !hospital);
    const bool knows = answers.value("knows_support_office", "") == "yes";
    CHECK((row.at("used_support_office") == "NULL") == !knows);
    const std::vector<std::string> needs = answers.value("needs", std::vector<std::string>{});
    const bool other = std::find(needs.begin(), needs.end(), "other") != needs.end();
    CHECK((row.at("needs_other") == "NULL") == !other);
    for (const auto& [column, value] : row) {
      if (column.rfind("needs/", 0) != 0) continue;
      const bool ticked = std::find(needs.begin(), needs.end(), column.substr(6)) != needs.end();
      if (answers.contains("needs")) {
        CHECK(value == (ticked ? "1" : "0"));
      } else {
        CHECK((value.empty() || value == "NULL"));  // unanswered: no 0s claimed
      }
    }
    for (const auto& [column, value] : row) {
      if (column[0] == '_' || column.find('/') != std::string::npos) continue;
      if (answers.contains(column)) {
        CHECK(value != "NULL");
        CHECK_FALSE(value.empty());
      }
      unanswered += value.empty() ? 1 : 0;
      not_relevant += value == "NULL" ? 1 : 0;
    }
    several_needs += needs.size() >= 2 ? 1 : 0;
  }
  CHECK(unanswered > 0);    // the respondents left some optional questions empty
  CHECK(not_relevant > 0);  // and skip logic hid others
  CHECK(several_needs > 0);
  REQUIRE(collector.Stop(SIGTERM) == 0);
}

// The permission bits of `path` ("700"), or "missing".
std::string Mode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "missing";
  char text[8];
  std::snprintf(text, sizeof text, "%o", static_cast<unsigned>(st.st_mode & 0777));
  return text;
}

TEST_CASE("chosa pull without --dataset keeps the datasets in ${XDG_DATA_HOME:-~/.local/share}/chosa/datasets, never the current directory", "[export][pull][cli]") {
  e2e::CollectorProcess collector;
  const std::string form = "workshop_attendee_survey";
  std::unique_ptr<e2e::Device> device = ServingWithDevice(collector, form, "tablet-default-dir");
  REQUIRE(e2e::FillSubmissions(*device->store, form, 3).ok());
  REQUIRE(device->client->Sync().Complete());
  const std::string token = AnalystToken(collector);

  TempDir work;
  const std::string cwd = work.path() + "/cwd", home = work.path() + "/home", log = work.path() + "/pull.log";
  REQUIRE(std::system(("mkdir '" + cwd + "' '" + home + "'").c_str()) == 0);
  // `chosa pull` from `cwd`, with `environment` (assignments for env(1)) and no --dataset.
  auto pull = [&](const std::string& environment) {
    const std::string command = "cd '" + cwd + "' && env -u XDG_DATA_HOME -u HOME " + environment +
                                " CHOSA_ANALYST_TOKEN='" + token + "' " + kChosa + " pull --collector " + collector.url() +
                                " --ca '" + collector.ca_file() + "' --xlsx " + form + " 2>>'" + log + "'";
    return testing::RunCommand(command);
  };
  int64_t rows = 0;

  // XDG_DATA_HOME first: the directories pull makes are its user's only; it says where it wrote.
  const std::string xdg = work.path() + "/xdg";
  testing::CommandRun with_xdg = pull("XDG_DATA_HOME='" + xdg + "' HOME='" + home + "'");
  INFO(e2e::ReadFile(log));
  REQUIRE(with_xdg.exit_status == 0);
  const std::string datasets = xdg + "/chosa/datasets";
  CHECK_THAT(with_xdg.out, Catch::Contains("3 in the dataset " + datasets + "/" + form + ".sqlite\n") &&
                               Catch::Contains("  " + datasets + "/" + form + ".csv\n") &&
                               Catch::Contains("  " + datasets + "/" + form + ".xlsx\n"));
  DatasetBodies(datasets + "/" + form + ".sqlite", &rows);
  CHECK(rows == 3);
  CHECK(Mode(xdg) == "700");
  CHECK(Mode(xdg + "/chosa") == "700");
  CHECK(Mode(datasets) == "700");

  // Else HOME's ~/.local/share, made as well.
  testing::CommandRun with_home = pull("HOME='" + home + "'");
  REQUIRE(with_home.exit_status == 0);
  const std::string home_datasets = home + "/.local/share/chosa/datasets";
  CHECK_THAT(with_home.out, Catch::Contains("3 in the dataset " + home_datasets + "/" + form + ".sqlite\n"));
  DatasetBodies(home_datasets + "/" + form + ".sqlite", &rows);
  CHECK(rows == 3);
  for (const std::string& dir : {home + "/.local", home + "/.local/share", home + "/.local/share/chosa", home_datasets}) {
    INFO(dir);
    CHECK(Mode(dir) == "700");
  }
  // An empty XDG_DATA_HOME counts as unset.
  CHECK(pull("XDG_DATA_HOME= HOME='" + home + "'").exit_status == 0);

  // Neither: refused, nothing written. The current directory stays empty throughout.
  CHECK(pull("").exit_status == 1);
  CHECK_THAT(e2e::ReadFile(log), Catch::Contains("neither XDG_DATA_HOME nor HOME is set: give --dataset DIR"));
  CHECK(std::system(("test -z \"$(ls -A '" + cwd + "')\"").c_str()) == 0);

  // The usage names every option the command takes.
  const testing::CommandRun help = testing::RunCommand(kChosa + " pull --help && " + kChosa + " help");
  REQUIRE(help.exit_status == 0);
  const std::string& usage = help.out;
  for (const char* option : {"--dataset DIR", "--ca FILE", "--pin PIN", "--all-versions", "--page N", "--labels LANG",
                             "--xlsx", "--max-response-kb N", "chosa/datasets"}) {
    INFO(option);
    CHECK(e2e::CountOf(usage, option) >= 2);  // in `chosa pull --help` and in `chosa help`
  }
  REQUIRE(collector.Stop(SIGTERM) == 0);
}

}  // namespace
}  // namespace chosa
