// Export of a form's submissions (issue 7, first part): the storage's pages in commit order, the
// opaque cursor, and `chosa-collector export` writing JSON Lines with every submission's bytes
// exactly as received, then only what arrived after the cursor it printed.
#include <signal.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "chosa/collector_storage.h"
#include "chosa/http_transport.h"
#include "chosa/protocol.h"
#include "chosa/store.h"
#include "chosa/sync_client.h"
#include "chosa/collector/sqlite_storage.h"
#include "chosa/collector/admin.h"
#include "chosa/collector/export.h"
#include "e2e_support.h"
#include "expected_rows.h"
#include "must.h"
#include "temp_dir.h"

namespace chosa::collector {
namespace {

using chosa::testing::Must;
using chosa::testing::TempDir;

constexpr int64_t kNow = 1730597430000;

std::string Uuid(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "%08x-0000-4000-8000-000000000000", n);
  return text;
}

// A submission with Japanese text and escapes, as a device sends it.
std::string Submission(int n, const std::string& form = "workshop_attendee_survey") {
  return R"({"uuid":")" + Uuid(n) + R"(","form_id":")" + form +
         R"(","form_version":"1","device_id":"tablet-1","language":"ja","answers":{"q":"北区 \")" +
         std::to_string(n) + R"(\"\n"}})";
}

void Store(CollectorStorage& storage, const std::vector<std::string>& bodies, int64_t at) {
  std::vector<IngestItem> items;
  for (const std::string& body : bodies) {
    Result<protocol::Envelope> envelope = protocol::ReadEnvelope(body);
    REQUIRE(envelope.ok());
    items.push_back(IngestItem{*envelope, body, true, ""});
  }
  Principal device{Role::kDevice, "dev-1", {"workshop_attendee_survey", "other"}};
  auto results = storage.StoreBatch(device, items, at);
  REQUIRE(results.ok());
}

TEST_CASE("Export cursors are opaque, given back as they were; anything else is refused", "[export]") {
  for (int64_t position : {int64_t{0}, int64_t{1}, int64_t{123456789012}}) {
    CHECK(Must(protocol::DecodeCursor(protocol::EncodeCursor(position))) == position);
  }
  for (const char* bad : {"", "e1.", "e1.-3", "e1.12x", "e2.5", "5", "e1.1234567890123456789"}) {
    INFO(bad);
    CHECK(protocol::DecodeCursor(bad).status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("A form's submissions are read in commit order, a page at a time, from any position", "[export]") {
  TempDir temp;
  auto storage = Must(OpenSqliteStorage(temp.path()));
  Store(*storage, {Submission(1), Submission(2, "other"), Submission(3)}, kNow);
  Store(*storage, {Submission(4), Submission(5)}, kNow + 1000);
  const auto all = Must(storage->ReadSubmissions("workshop_attendee_survey", 0, 100));
  REQUIRE(all.size() == 4);
  std::vector<std::string> uuids;
  for (const StoredSubmission& s : all) uuids.push_back(s.uuid);
  CHECK(uuids == std::vector<std::string>{Uuid(1), Uuid(3), Uuid(4), Uuid(5)});
  CHECK(all[0].position < all[1].position);
  CHECK(all[1].position < all[2].position);
  CHECK(all[0].body == Submission(1));
  CHECK(all[0].device_id == "dev-1");
  CHECK(all[2].received_at == kNow + 1000);
  // Pages of two, each going on from the last position read.
  const auto first = Must(storage->ReadSubmissions("workshop_attendee_survey", 0, 2));
  REQUIRE(first.size() == 2);
  const auto second = Must(storage->ReadSubmissions("workshop_attendee_survey", first.back().position, 2));
  REQUIRE(second.size() == 2);
  CHECK(second[0].uuid == Uuid(4));
  CHECK(Must(storage->ReadSubmissions("workshop_attendee_survey", second.back().position, 2)).empty());
  CHECK(Must(storage->ReadSubmissions("nothing", 0, 10)).empty());
}

// The submission bytes of each exported line: the text of its "submission" value, cut from the
// line itself (parsing and re-serializing could hide a changed byte).
std::vector<std::string> SubmissionsOf(const std::string& jsonl, const std::string& device = "dev-1") {
  std::vector<std::string> out;
  std::istringstream lines(jsonl);
  std::string line;
  constexpr std::string_view kKey = ",\"submission\":";
  while (std::getline(lines, line)) {
    nlohmann::json parsed = nlohmann::json::parse(line);  // each line is JSON on its own
    CHECK(parsed.contains("received_at"));
    if (!device.empty()) CHECK(parsed["device_id"] == device);
    const size_t at = line.find(kKey);
    REQUIRE(at != std::string::npos);
    out.push_back(line.substr(at + kKey.size(), line.size() - at - kKey.size() - 1));
  }
  return out;
}

TEST_CASE("chosa-collector export writes JSON Lines, then only what arrived after its cursor", "[export][cli]") {
  e2e::CollectorProcess collector;  // not serving: export reads the data directory
  collector.Publish({"workshop_attendee_survey"});
  {
    auto storage = Must(OpenSqliteStorage(collector.data_dir()));
    Store(*storage, {Submission(1), Submission(2, "other"), Submission(3)}, kNow);
  }
  e2e::ToolRun first = collector.Tool({"export", "workshop_attendee_survey"});
  REQUIRE(first.exit_status == 0);
  CHECK(SubmissionsOf(first.out) == std::vector<std::string>{Submission(1), Submission(3)});
  const std::string log = e2e::ReadFile(collector.dir() + "/tool.log");  // the tool's standard error
  const size_t at = log.rfind("--since ");
  REQUIRE(at != std::string::npos);
  const std::string cursor = log.substr(at + 8, log.find('\n', at) - at - 8);
  REQUIRE(protocol::DecodeCursor(cursor).ok());

  {
    auto storage = Must(OpenSqliteStorage(collector.data_dir()));
    Store(*storage, {Submission(4), Submission(5, "other"), Submission(6)}, kNow + 60000);
  }
  e2e::ToolRun next = collector.Tool({"export", "workshop_attendee_survey", "--since", cursor});
  REQUIRE(next.exit_status == 0);
  CHECK(SubmissionsOf(next.out) == std::vector<std::string>{Submission(4), Submission(6)});
  // With --out, what came after the cursor goes into a file of its own: the whole export's stays.
  TempDir out;
  REQUIRE(collector.Tool({"export", "workshop_attendee_survey", "--out", out.path()}).exit_status == 0);
  REQUIRE(collector.Tool({"export", "workshop_attendee_survey", "--since", cursor, "--out", out.path()}).exit_status == 0);
  CHECK(SubmissionsOf(e2e::ReadFile(out.path() + "/workshop_attendee_survey.jsonl")).size() == 4);
  CHECK(SubmissionsOf(e2e::ReadFile(out.path() + "/workshop_attendee_survey-since-" + cursor + ".jsonl")) ==
        std::vector<std::string>{Submission(4), Submission(6)});
  e2e::ToolRun bad = collector.Tool({"export", "workshop_attendee_survey", "--since", "yesterday"});
  CHECK(bad.exit_status == 2);
  CHECK(bad.out.empty());
  // A cursor past everything held (another collector's, or from before a restore) is refused
  // rather than answered with "nothing new".
  e2e::ToolRun ahead = collector.Tool({"export", "workshop_attendee_survey", "--since", "e1.999"});
  CHECK(ahead.exit_status == 1);
  CHECK(ahead.out.empty());
  CHECK_THAT(e2e::ReadFile(collector.dir() + "/tool.log"),
             Catch::Contains("the cursor e1.999 is past everything this collector holds (e1.6)"));
  e2e::ToolRun unknown = collector.Tool({"export", "no_such_form"});
  CHECK(unknown.exit_status == 1);
  CHECK_THAT(e2e::ReadFile(collector.dir() + "/tool.log"), Catch::Contains("no form no_such_form is published"));
}

// GET `path` on the collector with `token` as the bearer.
sync::HttpResponse Get(const e2e::CollectorProcess& collector, const std::string& path, const std::string& token) {
  sync::TransportOptions options;
  options.tls.ca_file = collector.ca_file();
  auto transport = sync::MakeCurlTransport(collector.url(), options);
  REQUIRE(transport.ok());
  sync::HttpRequest request;
  request.path = path;
  if (!token.empty()) request.headers.push_back({"Authorization", "Bearer " + token});
  sync::HttpResponse response;
  Status sent = (*transport)->Send(request, &response);
  INFO(sent.ToString());
  REQUIRE(sent.ok());
  return response;
}

TEST_CASE("An analyst exports a form over HTTPS: every submission's bytes, then only the new ones", "[export]") {
  e2e::CollectorProcess collector;
  collector.Publish({"workshop_attendee_survey"});
  const std::string code = collector.EnrolCode({"workshop_attendee_survey"});
  collector.Start();
  std::unique_ptr<e2e::Device> device;
  REQUIRE(e2e::MakeDevice("tablet-export", collector.url(), collector.ca_file(), code, {}, &device).ok());
  REQUIRE(device->client->Sync().Complete());
  REQUIRE(e2e::FillSubmissions(*device->store, "workshop_attendee_survey", 30).ok());
  const std::map<std::string, std::string> sent = e2e::OutboxBytes(*device->store);
  REQUIRE(device->client->Sync().Complete());
  const std::string token = e2e::AnalystToken(collector);

  const std::string path = "/api/v1/forms/workshop_attendee_survey/submissions";
  sync::HttpResponse all = Get(collector, path, token);
  REQUIRE(all.status == 200);
  const std::vector<std::string> exported = SubmissionsOf(all.body, "");
  std::map<std::string, std::string> by_uuid;
  for (const std::string& bytes : exported) by_uuid[nlohmann::json::parse(bytes)["uuid"]] = bytes;
  CHECK(exported.size() == sent.size());
  CHECK(by_uuid == sent);  // every submission once, byte for byte
  REQUIRE(all.Header(protocol::kCursorHeader) != nullptr);
  const std::string cursor = *all.Header(protocol::kCursorHeader);

  // Nothing new: an empty export and the same cursor.
  sync::HttpResponse none = Get(collector, path + "?since=" + cursor, token);
  REQUIRE(none.status == 200);
  CHECK(none.body.empty());
  CHECK(*none.Header(protocol::kCursorHeader) == cursor);
  // Five more: exactly those.
  REQUIRE(e2e::FillSubmissions(*device->store, "workshop_attendee_survey", 5).ok());
  std::map<std::string, std::string> more = e2e::OutboxBytes(*device->store);
  REQUIRE(device->client->Sync().Complete());
  sync::HttpResponse next = Get(collector, path + "?since=" + cursor, token);
  REQUIRE(next.status == 200);
  std::map<std::string, std::string> next_by_uuid;
  for (const std::string& bytes : SubmissionsOf(next.body, "")) {
    next_by_uuid[nlohmann::json::parse(bytes)["uuid"]] = bytes;
  }
  CHECK(next_by_uuid == more);

  // Refusals: a device's token, no token, a bad cursor, an unknown form.
  CHECK(Get(collector, path, device->client->credentials().token).status == 403);
  CHECK(Get(collector, path, "").status == 401);
  CHECK(Get(collector, path + "?since=yesterday", token).status == 400);
  CHECK(Get(collector, "/api/v1/forms/no_such_form/submissions", token).status == 404);
  REQUIRE(collector.Stop(SIGTERM) == 0);
}


// `body` as a correction of submission `replaced`: a new UUID and the replaces key.
std::string Correction(const std::string& body, int n, const std::string& replaced) {
  const nlohmann::json doc = nlohmann::json::parse(body);
  std::string text = body;
  text.replace(text.find(doc["uuid"].get<std::string>()), 36, Uuid(n));
  text.replace(text.find(",\"answers\":"), 0, ",\"replaces\":\"" + replaced + "\"");
  return text;
}

std::vector<std::string> Exported(CollectorStorage& storage, const ExportOptions& options, int64_t* end = nullptr) {
  SubmissionExport dataset = Must(SubmissionExport::Begin(storage, "workshop_attendee_survey", options));
  std::vector<std::string> uuids;
  while (dataset.NextPage([&](const StoredSubmission& stored) {
    uuids.push_back(stored.uuid);
    return true;
  })) {
  }
  REQUIRE(dataset.status().ok());
  CHECK(dataset.exported() == static_cast<int64_t>(uuids.size()));
  if (end) *end = dataset.end();
  return uuids;
}

TEST_CASE("An export keeps the latest of each correction chain unless all versions are asked for", "[export]") {
  TempDir temp;
  auto storage = Must(OpenSqliteStorage(temp.path()));
  REQUIRE(PublishForm(*storage, std::string(CHOSA_SOURCE_DIR) + "/schemas/examples/workshop_attendee_survey.json", {},
                      kNow).status.ok());
  // 1 is corrected by 3, which is corrected by 5 (a chain); 2 and 4 stand alone.
  Store(*storage, {Submission(1), Submission(2), Correction(Submission(3), 3, Uuid(1))}, kNow);
  Store(*storage, {Submission(4), Correction(Submission(5), 5, Uuid(3))}, kNow + 1000);
  CHECK(Must(storage->AppliedCorrections("workshop_attendee_survey")) ==
        std::vector<AppliedCorrection>{{Uuid(3), Uuid(1)}, {Uuid(5), Uuid(3)}});
  CHECK(Must(storage->AppliedCorrections("other")).empty());
  CHECK(Exported(*storage, {}) == std::vector<std::string>{Uuid(2), Uuid(4), Uuid(5)});
  ExportOptions all;
  all.all_versions = true;
  CHECK(Exported(*storage, all) == std::vector<std::string>{Uuid(1), Uuid(2), Uuid(3), Uuid(4), Uuid(5)});

  // A limit ends the export (and its cursor) at the limit-th submission; the next goes on.
  ExportOptions two = all;
  two.limit = 2;
  int64_t end = 0;
  CHECK(Exported(*storage, two, &end) == std::vector<std::string>{Uuid(1), Uuid(2)});
  two.after = end;
  CHECK(Exported(*storage, two, &end) == std::vector<std::string>{Uuid(3), Uuid(4)});
  two.after = end;
  CHECK(Exported(*storage, two, &end) == std::vector<std::string>{Uuid(5)});
  two.after = end;
  CHECK(Exported(*storage, two, &end).empty());
  CHECK(end == two.after);
  CHECK(Must(storage->PositionAfter("workshop_attendee_survey", 0, 1)) ==
        Must(storage->ReadSubmissions("workshop_attendee_survey", 0, 1)).front().position);
  CHECK(Must(storage->PositionAfter("nothing", 7, 3)) == 7);
}


// A workbook cell as the CSV writes the same value.
std::string CellText(const nlohmann::json& cell) {
  if (cell.is_null()) return "";
  if (cell.is_string()) return cell.get<std::string>();
  if (cell.is_boolean()) return cell.get<bool>() ? "true" : "false";
  return cell.dump();
}

// The names of the files in `dir`, sorted.
std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST_CASE("chosa-collector export --out DIR: a directory for every format, the file named after the form", "[export][cli]") {
  e2e::CollectorProcess collector;  // not serving: export reads the data directory
  TempDir work;
  // A form of one text question, version "1", as Submission() fills it.
  const std::string form_file = work.path() + "/other.json";
  {
    std::FILE* file = std::fopen(form_file.c_str(), "wb");
    REQUIRE(file != nullptr);
    std::fputs(R"({"format": 1, "id": "other", "version": "1", "title": "Other", "languages": ["ja"],)"
               R"( "items": [{"type": "text", "name": "q", "label": "Q"}]})", file);
    std::fclose(file);
  }
  REQUIRE(collector.Tool({"publish", form_file}).exit_status == 0);
  {
    auto storage = Must(OpenSqliteStorage(collector.data_dir()));
    Store(*storage, {Submission(1, "other"), Submission(2, "other")}, kNow);
  }
  const std::string out = work.path() + "/out";
  REQUIRE(std::filesystem::create_directory(out));
  const std::string log = collector.dir() + "/tool.log";

  // jsonl: DIR/FORM.jsonl holds what standard output holds without --out.
  e2e::ToolRun to_stdout = collector.Tool({"export", "other"});
  REQUIRE(to_stdout.exit_status == 0);
  CHECK(SubmissionsOf(to_stdout.out) == std::vector<std::string>{Submission(1, "other"), Submission(2, "other")});
  e2e::ToolRun jsonl = collector.Tool({"export", "other", "--out", out});
  INFO(e2e::ReadFile(log));
  REQUIRE(jsonl.exit_status == 0);
  CHECK(jsonl.out.empty());
  CHECK(e2e::ReadFile(out + "/other.jsonl") == to_stdout.out);
  CHECK_THAT(e2e::ReadFile(log), Catch::Contains("Wrote " + out + "/other.jsonl\n"));
  // csv: DIR/FORM.csv; xlsx: DIR/FORM.xlsx (a zip, as every .xlsx), read back by openpyxl.
  REQUIRE(collector.Tool({"export", "other", "--format", "csv", "--out", out}).exit_status == 0);
  CHECK_THAT(e2e::ReadFile(out + "/other.csv"), Catch::Contains("_uuid") && Catch::Contains(Uuid(2)));
  e2e::ToolRun xlsx = collector.Tool({"export", "other", "--format", "xlsx", "--out", out});
  REQUIRE(xlsx.exit_status == 0);
  CHECK(xlsx.out.empty());
  CHECK_THAT(e2e::ReadFile(log), Catch::Contains("Wrote " + out + "/other.xlsx\n"));
  CHECK(e2e::ReadFile(out + "/other.xlsx").compare(0, 2, "PK") == 0);
  const nlohmann::json read = testing::ReadWorkbook(out + "/other.xlsx");
  REQUIRE(read["sheets"].size() >= 1);
  CHECK(read["sheets"][0]["name"] == "other");
  CHECK(read["sheets"][0]["rows"].size() == 3);  // the header and the two submissions
  // Nothing else is left in DIR (no .partial).
  CHECK(FilesIn(out) == std::vector<std::string>{"other.csv", "other.jsonl", "other.xlsx"});

  // --out names a directory that exists: a file (the old --out FILE.xlsx) or a missing path is
  // refused (1) and nothing is written; xlsx without --out and jsonl with --table are usage errors.
  const std::string old_style = out + "/other-old.xlsx";
  for (const std::string format : {"jsonl", "csv", "xlsx"}) {
    INFO(format);
    CHECK(collector.Tool({"export", "other", "--format", format, "--out", old_style}).exit_status == 1);
    CHECK_THAT(e2e::ReadFile(log), Catch::EndsWith(old_style + " is not a directory\n"));
    CHECK(collector.Tool({"export", "other", "--format", format, "--out", out + "/other.jsonl"}).exit_status == 1);
  }
  CHECK_FALSE(std::filesystem::exists(old_style));
  CHECK(e2e::ReadFile(out + "/other.jsonl") == to_stdout.out);  // a file given as --out is left as it was
  CHECK(FilesIn(out) == std::vector<std::string>{"other.csv", "other.jsonl", "other.xlsx"});
  CHECK(collector.Tool({"export", "other", "--format", "xlsx"}).exit_status == 2);
  CHECK(collector.Tool({"export", "other", "--table", "x"}).exit_status == 2);
  CHECK(collector.Tool({"export", "other", "--format", "csv", "--out", out, "--table", "x"}).exit_status == 2);
}

TEST_CASE("The dataset as CSV and Excel, by the CLI and over HTTPS: every answer in its column, repeats as a child table", "[export]") {
  e2e::CollectorProcess collector;
  const std::vector<std::string> forms{"workshop_attendee_survey", "medical_facility_survey"};
  collector.Publish(forms);
  const std::string code = collector.EnrolCode(forms);
  collector.Start();
  std::unique_ptr<e2e::Device> device;
  REQUIRE(e2e::MakeDevice("tablet-csv", collector.url(), collector.ca_file(), code, {}, &device).ok());
  REQUIRE(device->client->Sync().Complete());
  REQUIRE(e2e::FillSubmissions(*device->store, "workshop_attendee_survey", 6).ok());
  REQUIRE(e2e::FillSubmissions(*device->store, "medical_facility_survey", 8).ok());
  const std::map<std::string, std::string> sent = e2e::OutboxBytes(*device->store);
  REQUIRE(device->client->Sync().Complete());

  TempDir out;
  for (const std::string& form : forms) {
    e2e::ToolRun run = collector.Tool({"export", form, "--format", "csv", "--out", out.path()});
    INFO(e2e::ReadFile(collector.dir() + "/tool.log"));
    REQUIRE(run.exit_status == 0);
  }
  const std::string workshop = out.path() + "/workshop_attendee_survey.csv";
  const std::string attendees = out.path() + "/workshop_attendee_survey-attendees.csv";
  const std::string facility = out.path() + "/medical_facility_survey.csv";
  std::map<std::string, testing::ParsedCsv> csv = testing::ParseCsvFiles({workshop, attendees, facility});
  for (const auto& [path, file] : csv) {
    INFO(path);
    CHECK(file.bom);
  }
  // Every submission sent is one main row holding exactly its answers; its repeat instances are
  // the child table's rows.
  size_t main_rows = 0, attendee_rows = 0, flags_seen = 0;
  for (const auto& [uuid, bytes] : sent) {
    INFO(bytes);
    const testing::ExpectedRows expected = testing::ExpectRows(bytes);
    const std::string form = nlohmann::json::parse(bytes)["form_id"];
    const testing::ParsedCsv& table = csv[form == "workshop_attendee_survey" ? workshop : facility];
    auto row = std::find_if(table.rows.begin(), table.rows.end(),
                            [&](const testing::CsvRow& r) { return r.at("_uuid") == uuid; });
    REQUIRE(row != table.rows.end());
    testing::CheckRow(*row, expected.main);
    ++main_rows;
    for (const auto& [repeat, instances] : expected.repeats) {
      REQUIRE(repeat == "attendees");
      for (const testing::CsvRow& instance : instances) {
        auto child = std::find_if(csv[attendees].rows.begin(), csv[attendees].rows.end(), [&](const testing::CsvRow& r) {
          return r.at("_submission_uuid") == uuid && r.at("_position") == instance.at("_position");
        });
        REQUIRE(child != csv[attendees].rows.end());
        testing::CheckRow(*child, instance);
        ++attendee_rows;
      }
    }
    if (form == "medical_facility_survey" && expected.main.count("needs")) ++flags_seen;
  }
  CHECK(main_rows == sent.size());
  CHECK(csv[workshop].rows.size() + csv[facility].rows.size() == sent.size());
  CHECK(csv[attendees].rows.size() == attendee_rows);
  CHECK(attendee_rows > 0);
  CHECK(flags_seen > 0);  // the multiple choice and its 0/1 columns were exercised
  CHECK(std::count(csv[facility].header.begin(), csv[facility].header.end(), "needs/other") == 1);

  // The API gives the same bytes per table; labels in Japanese on request.
  const std::string token = e2e::AnalystToken(collector);
  const std::string path = "/api/v1/forms/workshop_attendee_survey/submissions";
  sync::HttpResponse main = Get(collector, path + "?format=csv", token);
  REQUIRE(main.status == 200);
  CHECK(main.body == e2e::ReadFile(workshop));
  CHECK(*main.Header("Content-Type") == "text/csv; charset=utf-8");
  sync::HttpResponse child = Get(collector, path + "?format=csv&table=attendees", token);
  REQUIRE(child.status == 200);
  CHECK(child.body == e2e::ReadFile(attendees));
  sync::HttpResponse labelled = Get(collector, path + "?format=csv&labels=ja", token);
  REQUIRE(labelled.status == 200);
  CHECK_THAT(labelled.body, Catch::Contains("東ブロック") && Catch::Contains("薬剤師"));
  CHECK_THAT(main.body, !Catch::Contains("東ブロック"));
  // One at a time: the limit ends the cursor early, and the next export goes on from it.
  sync::HttpResponse first = Get(collector, path + "?limit=1", token);
  REQUIRE(first.status == 200);
  CHECK(SubmissionsOf(first.body, "").size() == 1);
  sync::HttpResponse rest = Get(collector, path + "?since=" + *first.Header(protocol::kCursorHeader), token);
  CHECK(SubmissionsOf(rest.body, "").size() == 5);
  // Analysts read the form's versions and their definitions.
  sync::HttpResponse versions = Get(collector, "/api/v1/forms/workshop_attendee_survey/versions", token);
  REQUIRE(versions.status == 200);
  const auto listing = Must(protocol::ParseFormsResponse(versions.body));
  REQUIRE(listing.forms.size() == 1);
  sync::HttpResponse definition =
      Get(collector, "/api/v1/forms/workshop_attendee_survey/versions/" + listing.forms[0].version, token);
  REQUIRE(definition.status == 200);
  CHECK(nlohmann::json::parse(definition.body)["id"] == "workshop_attendee_survey");
  CHECK(Get(collector, "/api/v1/forms/workshop_attendee_survey/versions", device->client->credentials().token).status == 403);
  CHECK(Get(collector, "/api/v1/forms/no_such_form/versions", token).status == 404);

  // The workbook, by the CLI and over HTTPS, read back by openpyxl: a sheet per table holding
  // the CSV's very fields, then the questions.
  const std::string workbook = out.path() + "/workshop_attendee_survey.xlsx";
  e2e::ToolRun excel = collector.Tool({"export", "workshop_attendee_survey", "--format", "xlsx", "--out", out.path()});
  REQUIRE(excel.exit_status == 0);
  sync::HttpResponse served = Get(collector, path + "?format=xlsx", token);
  REQUIRE(served.status == 200);
  CHECK(*served.Header("Content-Type") == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  CHECK(served.body.compare(0, 2, "PK") == 0);  // a zip, as every .xlsx
  const std::string served_path = out.path() + "/served.xlsx";
  {
    std::FILE* file = std::fopen(served_path.c_str(), "wb");
    REQUIRE(file != nullptr);
    std::fwrite(served.body.data(), 1, served.body.size(), file);
    std::fclose(file);
  }
  for (const std::string& xlsx : {workbook, served_path}) {
    INFO(xlsx);
    const nlohmann::json read = testing::ReadWorkbook(xlsx);
    REQUIRE(read["sheets"].size() == 3);
    CHECK(read["sheets"][0]["name"] == "workshop_attendee_survey");
    CHECK(read["sheets"][1]["name"] == "attendees");
    CHECK(read["sheets"][2]["name"] == "questions");
    for (const auto& [sheet, csv_path] : {std::pair<int, std::string>{0, workshop}, {1, attendees}}) {
      const nlohmann::json& rows = read["sheets"][sheet]["rows"];
      const testing::ParsedCsv& table = csv[csv_path];
      REQUIRE(rows.size() == table.rows.size() + 1);
      CHECK(rows[0].get<std::vector<std::string>>() == table.header);
      for (size_t r = 0; r < table.rows.size(); ++r) {
        for (size_t c = 0; c < table.header.size(); ++c) {
          INFO(table.header[c]);
          CHECK(CellText(rows[r + 1][c]) == table.rows[r].at(table.header[c]));
        }
      }
    }
  }
  CHECK(Get(collector, path + "?format=xlsx&table=attendees", token).status == 400);
  CHECK(collector.Tool({"export", "workshop_attendee_survey", "--format", "xlsx"}).exit_status == 2);

  // Refusals name the fault.
  for (const char* query : {"?format=pdf", "?format=csv&table=nothing", "?format=csv&labels=fr", "?limit=0",
                            "?limit=ten", "?all_versions=yes", "?table=attendees", "?colour=red"}) {
    INFO(query);
    sync::HttpResponse refused = Get(collector, path + query, token);
    CHECK(refused.status == 400);
    CHECK_THAT(refused.body, Catch::Contains("error"));
  }
  e2e::ToolRun bad_format = collector.Tool({"export", "workshop_attendee_survey", "--format", "pdf"});
  CHECK(bad_format.exit_status == 2);
  e2e::ToolRun bad_labels = collector.Tool({"export", "workshop_attendee_survey", "--format", "csv", "--labels", "fr"});
  CHECK(bad_labels.exit_status == 2);
  REQUIRE(collector.Stop(SIGTERM) == 0);
}

TEST_CASE("Every version of a form exports into one dataset: the union of their columns and a version column", "[export]") {
  TempDir temp;
  auto storage = Must(OpenSqliteStorage(temp.path()));
  const std::string examples = std::string(CHOSA_SOURCE_DIR) + "/schemas/examples";
  REQUIRE(PublishForm(*storage, examples + "/workshop_attendee_survey.json", {}, kNow).status.ok());
  // Version 2 asks one more question, after the profession.
  nlohmann::json v2 = nlohmann::json::parse(e2e::ReadFile(examples + "/workshop_attendee_survey.json"));
  v2["version"] = "2024.2";
  std::function<bool(nlohmann::json&)> add_after_profession = [&](nlohmann::json& items) {
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].value("name", "") == "profession") {
        items.insert(items.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                     nlohmann::json::object({{"type", "text"}, {"name", "years_in_profession"}, {"label", "Years"}}));
        return true;
      }
      if (items[i].contains("items") && add_after_profession(items[i]["items"])) return true;
    }
    return false;
  };
  REQUIRE(add_after_profession(v2["items"]));
  PublishOutcome published = PublishForm(*storage, v2.dump(), {examples}, kNow);
  INFO(published.status.ToString());
  REQUIRE(published.status.ok());

  const std::string sample = e2e::ReadFile(std::string(CHOSA_SOURCE_DIR) + "/tests/forms/submissions/workshop_attendee_survey.json");
  const std::string sample_uuid = nlohmann::json::parse(sample)["uuid"];
  std::string second = sample;
  second.replace(second.find(sample_uuid), sample_uuid.size(), Uuid(2));
  second.replace(second.find("\"2024.1\""), 8, "\"2024.2\"");
  second.replace(second.find("\"feels_collaborating\""), 0, "\"years_in_profession\":\"12\",");
  Store(*storage, {sample, second}, kNow);

  auto tables = Must(TablesExport::Begin(*storage, "workshop_attendee_survey", {}, {}));
  std::vector<std::string> header;
  for (const analysis::Column& column : tables->layout().main_table().columns) header.push_back(column.name);
  const auto profession = std::find(header.begin(), header.end(), "profession");
  REQUIRE(profession != header.end());
  CHECK(*(profession + 1) == "years_in_profession");
  const int32_t version_column = tables->layout().main_table().ColumnIndex("_form_version");
  const int32_t years_column = tables->layout().main_table().ColumnIndex("years_in_profession");
  std::vector<std::pair<std::string, std::string>> seen;
  while (tables->NextPage([&](const analysis::SubmissionRows& rows) {
    seen.emplace_back(rows.main[static_cast<size_t>(version_column)].text,
                      rows.main[static_cast<size_t>(years_column)].text);
    return true;
  })) {
  }
  REQUIRE(tables->status().ok());
  CHECK(seen == std::vector<std::pair<std::string, std::string>>{{"2024.1", ""}, {"2024.2", "12"}});
}

}  // namespace
}  // namespace chosa::collector
