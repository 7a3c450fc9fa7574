// Export of a form's submissions (issue 7, first part): the storage's pages in commit order, the
// opaque cursor, and `chosa-collector export` writing JSON Lines with every submission's bytes
// exactly as received, then only what arrived after the cursor it printed.
#include <catch2/catch.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "chosa/collector_storage.h"
#include "chosa/protocol.h"
#include "collector/sqlite_storage.h"
#include "e2e_support.h"
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
std::vector<std::string> SubmissionsOf(const std::string& jsonl) {
  std::vector<std::string> out;
  std::istringstream lines(jsonl);
  std::string line;
  constexpr std::string_view kKey = ",\"submission\":";
  while (std::getline(lines, line)) {
    nlohmann::json parsed = nlohmann::json::parse(line);  // each line is JSON on its own
    CHECK(parsed.contains("received_at"));
    CHECK(parsed["device_id"] == "dev-1");
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
  e2e::ToolRun bad = collector.Tool({"export", "workshop_attendee_survey", "--since", "yesterday"});
  CHECK(bad.exit_status == 2);
  CHECK(bad.out.empty());
  e2e::ToolRun unknown = collector.Tool({"export", "no_such_form"});
  CHECK(unknown.exit_status == 1);
  CHECK_THAT(e2e::ReadFile(collector.dir() + "/tool.log"), Catch::Contains("no form no_such_form is published"));
}

}  // namespace
}  // namespace chosa::collector
