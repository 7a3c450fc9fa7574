// The bounded quarantine (issue 19) against a real chosa-collector over TLS on loopback: a device
// floods it with large lines that are not submissions, gzip-compressed as a client would send
// them (about 40 MB a push inflating from a few hundred KB). The data directory grows by the
// device's quota and SQLite's overhead, not by what was sent; past the quota each line is
// answered `quarantine_full`; the administrator's listing shows the bytes kept of each line's
// size and the SHA-256 of the whole line. Hidden from the default run ([.flood]): CTest runs it
// in the optimised build only (tests/CMakeLists.txt).
#include <dirent.h>
#include <httplib.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/base/hex_digest.h"
#include "chosa/protocol.h"
#include "e2e_support.h"
#include "gzip.h"

namespace chosa::e2e {
namespace {

constexpr int64_t kDeviceQuota = 512 * 1024;  // --quarantine-device-bytes: 128 heads of 4 KiB
constexpr size_t kHead = 4096;
constexpr size_t kOverLimit = 1100000;  // over max_submission_bytes (1 MiB)
constexpr size_t kUnderLimit = 300000;  // within it, but not JSON
constexpr int kPushes = 3;
constexpr int kLinesPerPush = 60;


// Line `n` of the flood: every line different (a retried line is kept once), every other one
// over max_submission_bytes.
std::string FloodLine(int n) {
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "junk %05d ", n);
  std::string line(n % 2 == 0 ? kOverLimit : kUnderLimit, static_cast<char>('a' + n % 26));
  line.replace(0, std::string(prefix).size(), prefix);
  return line;
}

// The bytes of the regular files in `dir` (collector.sqlite, its -wal and -shm).
int64_t DirectoryBytes(const std::string& dir) {
  int64_t total = 0;
  DIR* listing = opendir(dir.c_str());
  REQUIRE(listing != nullptr);
  while (dirent* entry = readdir(listing)) {
    struct stat info {};
    if (stat((dir + "/" + entry->d_name).c_str(), &info) == 0 && S_ISREG(info.st_mode)) total += info.st_size;
  }
  closedir(listing);
  return total;
}

std::vector<protocol::PushResult> Push(httplib::SSLClient& client, const std::string& token,
                                       const std::vector<std::string>& lines) {
  httplib::Headers headers{{"Authorization", "Bearer " + token}, {"Content-Encoding", "gzip"}};
  const std::vector<std::string_view> views(lines.begin(), lines.end());
  auto res = client.Post(std::string(protocol::kSubmissionsPath), headers, sync::GzipCompress(protocol::JoinBatch(views), 9).value(),
                         "application/x-ndjson");
  REQUIRE(res);
  INFO(res->body.substr(0, 300));
  REQUIRE(res->status == 200);
  auto parsed = protocol::ParsePushResponse(res->body);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->results.size() == lines.size());
  return parsed->results;
}

TEST_CASE("quarantine flood: disk use stays within the device's quota; past it lines are quarantine_full",
          "[.flood][quarantine]") {
  CollectorProcess collector;
  collector.Publish({"coordinator_checklist"});
  const std::string code = collector.EnrolCode({"coordinator_checklist"});
  collector.Start({"--quarantine-device-bytes", std::to_string(kDeviceQuota)});

  httplib::SSLClient client("127.0.0.1", collector.port());
  client.set_ca_cert_path(collector.ca_file().c_str());
  client.enable_server_certificate_verification(true);
  client.set_read_timeout(120, 0);
  client.set_write_timeout(120, 0);
  auto enrolled =
      client.Post(std::string(protocol::kEnrollPath),
                  protocol::ToJson(protocol::EnrollRequest{code, "flood", "tablet-flood"}), "application/json");
  REQUIRE(enrolled);
  REQUIRE(enrolled->status == 200);
  const std::string token = protocol::ParseEnrollResponse(enrolled->body)->token;
  const int64_t before = DirectoryBytes(collector.data_dir());

  int kept = 0, full = 0;
  for (int push = 0; push < kPushes; ++push) {
    std::vector<std::string> lines;
    for (int i = 0; i < kLinesPerPush; ++i) lines.push_back(FloodLine(push * kLinesPerPush + i));
    for (const protocol::PushResult& result : Push(client, token, lines)) {
      CHECK(result.status == protocol::PushStatus::kRejected);
      CHECK(result.uuid.empty());
      if (result.reason.rfind("quarantine_full: ", 0) == 0) {
        ++full;
        CHECK_THAT(result.reason,
                   Catch::Contains("so this line was not kept; it was rejected because not a submission: "));
      } else {
        CHECK(full == 0);  // once full, it stays full
        CHECK_THAT(result.reason, Catch::StartsWith("not a submission: "));
        ++kept;
      }
    }
  }
  // Every head is 4 KiB: the quota holds exactly this many.
  CHECK(kept == kDeviceQuota / static_cast<int64_t>(kHead));
  CHECK(full == kPushes * kLinesPerPush - kept);

  // A retried line already kept is answered as before; a new one is refused.
  std::vector<protocol::PushResult> retried = Push(client, token, {FloodLine(0), FloodLine(9999)});
  CHECK_THAT(retried[0].reason, Catch::StartsWith("not a submission: ") && Catch::Contains("1100000 bytes"));
  CHECK_THAT(retried[1].reason, Catch::StartsWith("quarantine_full: "));

  // About 190 MB inflated were pushed; the directory holds the heads, B-tree pages and the WAL.
  const int64_t grown = DirectoryBytes(collector.data_dir()) - before;
  INFO("the data directory grew by " << grown << " bytes");
  CHECK(grown < 2 * kDeviceQuota + (1 << 20));

  // The listing: what was kept of each line's size, and the whole line's SHA-256.
  ToolRun listed = collector.Tool({"quarantine", "list"});
  REQUIRE(listed.exit_status == 0);
  CHECK(CountOf(listed.out, "4096 of 1100000 bytes") == static_cast<size_t>(kept / 2));
  CHECK(CountOf(listed.out, "4096 of 300000 bytes") == static_cast<size_t>(kept / 2));
  CHECK(CountOf(listed.out, Sha256Hex(FloodLine(0))) == 1);
  CHECK(CountOf(listed.out, Sha256Hex(FloodLine(kept - 1))) == 1);
  CHECK(CountOf(listed.out, Sha256Hex(FloodLine(kept))) == 0);  // refused: not kept
  ToolRun shown = collector.Tool({"quarantine", "show", "1", "--body"});
  REQUIRE(shown.exit_status == 0);
  CHECK(shown.out == FloodLine(0).substr(0, kHead));
  ToolRun released = collector.Tool({"quarantine", "release", "1"});
  CHECK(released.exit_status == 1);

  REQUIRE(collector.Stop(SIGTERM) == 0);
  const int64_t at_rest = DirectoryBytes(collector.data_dir()) - before;
  INFO("after the collector stopped (WAL checkpointed): " << at_rest << " bytes more");
  CHECK(at_rest < kDeviceQuota + kDeviceQuota / 2);
}

}  // namespace
}  // namespace chosa::e2e
