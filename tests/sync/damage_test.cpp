// Damage and loss (issue 19, "Damage detected and named"), against a real chosa-collector and
// its files on disk: a byte flipped inside a stored submission is named with its UUID and never
// served or exported; a damaged b-tree page and a damaged schema page stop the start with "the
// database file is damaged: restore a backup"; a deleted collector.sqlite-wal after acknowledged
// pushes stops the start saying what is missing, until a restore or --accept-loss; an export cut
// short mid-stream is logged with its cause. Tagged [damage]: CTest runs them as collector_damage,
// in the optimised build only (each starts collectors and syncs a device).
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "acknowledged_record.h"
#include "chosa/collector/sqlite_storage.h"
#include "chosa/collector_storage.h"
#include "chosa/protocol.h"
#include "e2e_support.h"
#include "must.h"
#include "temp_dir.h"

namespace chosa::collector {
namespace {

using e2e::CollectorProcess;
using e2e::ReadFile;
using e2e::ToolRun;
using testing::Must;

constexpr char kForm[] = "coordinator_checklist";
constexpr char kDamaged[] = "the database file is damaged: restore a backup";

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

std::string DatabaseOf(const CollectorProcess& collector) { return collector.data_dir() + "/collector.sqlite"; }

// The database's page size, from its header (bytes 16-17, big-endian; 1 means 65,536).
size_t PageSize(const std::string& file) {
  REQUIRE(file.size() >= 100);
  const size_t size = (static_cast<unsigned char>(file[16]) << 8) | static_cast<unsigned char>(file[17]);
  return size == 1 ? 65536 : size;
}

// A collector with one device that pushed `count` checklists, every one acknowledged.
struct Synced {
  CollectorProcess collector;
  std::unique_ptr<e2e::Device> device;
  std::map<std::string, std::string> sent;  // uuid -> bytes

  explicit Synced(int count, std::vector<std::string> flags = {}) {
    collector.Publish({kForm});
    const std::string code = collector.EnrolCode({kForm});
    collector.Start(flags);
    Status made = e2e::MakeDevice("tablet-damage", collector.url(), collector.ca_file(), code, {}, &device);
    INFO(made.ToString());
    REQUIRE(made.ok());
    REQUIRE(device->client->Sync().Complete());
    Push(count);
  }

  void Push(int count) {
    REQUIRE(e2e::FillSubmissions(*device->store, kForm, count).ok());
    const std::map<std::string, std::string> outbox = e2e::OutboxBytes(*device->store);
    const sync::SyncReport report = e2e::SyncUntilEmpty(*device, 3);
    INFO(report.status.ToString());
    REQUIRE(report.status.ok());
    REQUIRE(report.sent == outbox.size());
    sent.insert(outbox.begin(), outbox.end());
  }
};

// Starts `serve` expecting it to refuse: its exit status, or 0 when it listened after all (then
// it is stopped). Bounded: a start that neither listens nor exits in 60 s fails the test.
int RefusedStart(CollectorProcess& collector, std::vector<std::string> flags = {}) {
  const std::string port_file = collector.dir() + "/refused-port";
  std::remove(port_file.c_str());
  std::vector<std::string> args{"serve",  "--listen",     "127.0.0.1:0", "--cert", collector.dir() + "/tls/server.pem",
                                "--key",  collector.dir() + "/tls/server-key.pem",  "--data", collector.data_dir(),
                                "--port-file", port_file, "--access-log", collector.dir() + "/access.log"};
  args.insert(args.end(), flags.begin(), flags.end());
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(e2e::kCollectorTool.c_str()));
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string log = collector.dir() + "/serve.log";
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    FILE* err = std::freopen(log.c_str(), "a", stderr);
    if (err == nullptr) _exit(127);
    execv(argv[0], argv.data());
    _exit(127);
  }
  for (int i = 0; i < 6000; ++i) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    if (!ReadFile(port_file).empty()) {
      kill(pid, SIGTERM);
      waitpid(pid, &status, 0);
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  FAIL("chosa-collector serve neither listened nor exited within 60 s");
  return -1;
}

// What serve.log gained since `before` bytes.
std::string LogSince(const CollectorProcess& collector, size_t before) { return collector.serve_log().substr(before); }

struct Fetched {
  int status = 0;
  bool complete = false;  // the body ended as HTTP says a body ends
  std::string body;       // the bytes received, complete or not
  httplib::Headers headers;
};

// GET `path` as the analyst, keeping whatever part of the body arrives.
Fetched Get(const CollectorProcess& collector, const std::string& path, const std::string& token) {
  httplib::SSLClient client("127.0.0.1", collector.port());
  client.set_ca_cert_path(collector.ca_file().c_str());
  client.enable_server_certificate_verification(true);
  client.set_read_timeout(60, 0);
  Fetched out;
  httplib::Result result = client.Get(
      path.c_str(), {{"Authorization", "Bearer " + token}},
      [&](const httplib::Response& response) {
        out.status = response.status;
        out.headers = response.headers;
        return true;
      },
      [&](const char* data, size_t size) {
        out.body.append(data, size);
        return true;
      });
  out.complete = static_cast<bool>(result);
  if (result) out.status = result->status;
  return out;
}

TEST_CASE("damage: one byte changed inside a stored submission is named by its UUID, never served or exported",
          "[damage]") {
  Synced run(6);
  REQUIRE(run.collector.Stop(SIGTERM) == 0);  // a clean stop: the WAL is checkpointed into the file
  const std::string path = DatabaseOf(run.collector);
  std::string file = ReadFile(path);
  REQUIRE(e2e::ReadFile(path + "-wal").empty());

  // The fourth submission's bytes, found in the file; one letter of its answers changed.
  auto victim = std::next(run.sent.begin(), 3);
  const std::string& uuid = victim->first;
  const std::string& bytes = victim->second;
  const size_t at = file.find(bytes);
  REQUIRE(at != std::string::npos);
  REQUIRE(file.find(bytes, at + 1) == std::string::npos);
  size_t flip = bytes.find("\"answers\"");
  REQUIRE(flip != std::string::npos);
  while (flip < bytes.size() && !(bytes[flip] >= 'a' && bytes[flip] < 'z')) ++flip;
  REQUIRE(flip < bytes.size());
  file[at + flip] = static_cast<char>(file[at + flip] + 1);
  const std::string changed = file.substr(at, bytes.size());
  WriteFile(path, file);

  // SQLite sees nothing wrong with the file: the start's quick check passes.
  const size_t logged = run.collector.serve_log().size();
  run.collector.Restart();
  const std::string token = e2e::AnalystToken(run.collector);
  const std::string route = std::string("/api/v1/forms/") + kForm + "/submissions";

  // Over HTTPS, as JSON Lines and as CSV: a 500 naming the UUID, none of the changed bytes.
  for (const char* format : {"jsonl", "csv"}) {
    INFO(format);
    const Fetched fetched = Get(run.collector, route + "?format=" + std::string(format), token);
    CHECK(fetched.complete);
    CHECK(fetched.status == 500);
    CHECK_THAT(fetched.body, Catch::Contains("submission " + uuid + " is damaged") && Catch::Contains(kDamaged));
    CHECK(fetched.body.find(changed) == std::string::npos);
    // No cursor (a client that kept it would skip what failed) nor an export's file name.
    CHECK(fetched.headers.count("X-Chosa-Cursor") == 0);
    CHECK(fetched.headers.count("Content-Disposition") == 0);
  }
  // The bureau reads it in the collector's log too.
  CHECK_THAT(LogSince(run.collector, logged), Catch::Contains("submission " + uuid + " is damaged"));
  REQUIRE(run.collector.Stop(SIGTERM) == 0);

  // chosa-collector export: exit status 1, the UUID on standard error, no changed bytes.
  const size_t tool_logged = ReadFile(run.collector.dir() + "/tool.log").size();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"export", kForm}, std::vector<std::string>{"export", kForm, "--format", "csv"}}) {
    const ToolRun exported = run.collector.Tool(args);
    CHECK(exported.exit_status == 1);
    CHECK(exported.out.find(changed) == std::string::npos);
  }
  const std::string tool_log = ReadFile(run.collector.dir() + "/tool.log").substr(tool_logged);
  CHECK(e2e::CountOf(tool_log, "submission " + uuid + " is damaged") == 2);

  // chosa-collector check: the full check names it.
  const ToolRun checked = run.collector.Tool({"check"});
  CHECK(checked.exit_status == 1);
  CHECK_THAT(checked.out, Catch::Contains("DAMAGE: submission " + uuid + " is damaged"));
  CHECK(e2e::CountOf(checked.out, "DAMAGE:") == 1);

  // The byte put back: everything is served again, exactly as received.
  file[at + flip] = static_cast<char>(file[at + flip] - 1);
  WriteFile(path, file);
  CHECK(run.collector.Tool({"check"}).exit_status == 0);
  const ToolRun exported = run.collector.Tool({"export", kForm});
  CHECK(exported.exit_status == 0);
  CHECK(exported.out.find(bytes) != std::string::npos);
}

TEST_CASE("damage: a damaged b-tree page or schema page refuses the start with the damaged-file message", "[damage]") {
  Synced run(30);
  REQUIRE(run.collector.Stop(SIGTERM) == 0);
  const std::string path = DatabaseOf(run.collector);
  const std::string pristine = ReadFile(path);
  const size_t page = PageSize(pristine);
  const size_t holding = pristine.find(run.sent.rbegin()->second);  // a page of the submissions table
  REQUIRE(holding != std::string::npos);
  REQUIRE(holding >= page);

  struct Case {
    const char* name;
    size_t from, to;  // the bytes overwritten
  };
  const Case cases[] = {
      {"a leaf page of the submissions table", holding / page * page, holding / page * page + page},
      {"the schema's page (page 1, past the file header)", 100, page},
  };
  for (const Case& damage : cases) {
    INFO(damage.name);
    std::string file = pristine;
    for (size_t i = damage.from; i < damage.to; ++i) file[i] = static_cast<char>(0xA5 ^ (i * 7));
    WriteFile(path, file);
    const size_t logged = run.collector.serve_log().size();
    CHECK(RefusedStart(run.collector) == 1);
    const std::string log = LogSince(run.collector, logged);
    CHECK_THAT(log, Catch::Contains(std::string("chosa-collector serve: ") + kDamaged));
    CHECK(log.find("listening") == std::string::npos);
    const ToolRun checked = run.collector.Tool({"check"});
    CHECK(checked.exit_status == 1);
    CHECK_THAT(checked.out, Catch::Contains(std::string("DAMAGE: ") + kDamaged));
  }
  WriteFile(path, pristine);
  CHECK(RefusedStart(run.collector) == 0);  // the same file undamaged starts
}

TEST_CASE("damage: a deleted WAL after acknowledged pushes refuses the start, naming what is missing", "[damage]") {
  constexpr int kLost = 300;
  Synced run(0);
  // The enrolment checkpointed into the file by a clean stop, and a backup of that state.
  REQUIRE(run.collector.Stop(SIGTERM) == 0);
  const std::string backup = run.collector.dir() + "/before-pushes.sqlite";
  REQUIRE(run.collector.Tool({"backup", backup}).exit_status == 0);
  run.collector.Restart();
  run.Push(kLost);
  // Killed: the acknowledged batches are in collector.sqlite-wal only (300 checklists are far from
  // SQLite's automatic checkpoint at 1,000 pages).
  REQUIRE(run.collector.Stop(SIGKILL) == -SIGKILL);
  const std::string path = DatabaseOf(run.collector);
  REQUIRE(ReadFile(path + "-wal").size() > 100000);
  REQUIRE(std::remove((path + "-wal").c_str()) == 0);

  const std::string missing = "position " + std::to_string(kLost) + " (" + std::to_string(kLost) +
                              " submissions) was acknowledged to devices: at least " + std::to_string(kLost) +
                              " acknowledged submissions are missing";
  size_t logged = run.collector.serve_log().size();
  CHECK(RefusedStart(run.collector) == 1);
  std::string log = LogSince(run.collector, logged);
  CHECK_THAT(log, Catch::Contains("the database holds submissions up to position 0 (0 submissions) but " + missing));
  CHECK_THAT(log, Catch::Contains("restore the backup that has them") && Catch::Contains("--accept-loss"));
  const size_t before_check = ReadFile(run.collector.dir() + "/tool.log").size();
  const ToolRun checked = run.collector.Tool({"check"});
  CHECK(checked.exit_status == 1);
  CHECK_THAT(checked.out, Catch::Contains("MISSING: the database holds") && Catch::Contains(missing));
  // Said once, on its MISSING: line: not again as the admin commands' warning.
  CHECK_THAT(ReadFile(run.collector.dir() + "/tool.log").substr(before_check), !Catch::Contains("warning"));
  // Not called damage: what to do differs (the -wal put back, a backup restored, --accept-loss).
  CHECK_THAT(checked.out, !Catch::Contains("DAMAGE") && !Catch::Contains(kDamaged));
  CHECK_THAT(checked.out, Catch::Contains("put back the collector.sqlite-wal"));
  // The admin commands still work on it, and warn.
  const size_t tool_logged = ReadFile(run.collector.dir() + "/tool.log").size();
  CHECK(run.collector.Tool({"forms"}).exit_status == 0);
  CHECK_THAT(ReadFile(run.collector.dir() + "/tool.log").substr(tool_logged),
             Catch::Contains("chosa-collector forms: warning: the database holds") && Catch::Contains(missing) &&
                 Catch::Contains("serve refuses this database"));
  // Refused again: a refusal changes nothing.
  CHECK(RefusedStart(run.collector) == 1);

  // restore: says what the backup lacks and resets the acknowledged position to it.
  const std::string record = run.collector.data_dir() + "/collector.acknowledged";
  const std::string record_before = ReadFile(record);
  const ToolRun restored = run.collector.Tool({"restore", backup});
  CHECK(restored.exit_status == 0);
  CHECK_THAT(restored.out, Catch::Contains("at least " + std::to_string(kLost) + " acknowledged submissions are not in it"));
  CHECK(RefusedStart(run.collector) == 0);

  // An old record put back (as an old database would be): refused, then --accept-loss serves,
  // logged, and the next start needs it no more.
  WriteFile(record, record_before);
  CHECK(RefusedStart(run.collector) == 1);
  logged = run.collector.serve_log().size();
  run.collector.Start({"--accept-loss"});
  log = LogSince(run.collector, logged);
  CHECK_THAT(log, Catch::Contains(missing) && Catch::Contains("accepted (--accept-loss)"));
  REQUIRE(run.collector.Stop(SIGTERM) == 0);
  CHECK(RefusedStart(run.collector) == 0);
}

std::string Uuid(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "%08x-0000-4000-8000-000000000000", n);
  return text;
}

TEST_CASE("damage: an export cut short mid-stream is logged with its cause, not a silent 200", "[damage]") {
  constexpr int kCount = 1500;  // past the export's first page of 1,000
  CollectorProcess collector;
  collector.Publish({"workshop_attendee_survey"});
  std::string damaged_uuid;
  {
    auto storage = testing::Must(OpenSqliteStorage(collector.data_dir()));
    std::vector<std::string> bodies;
    std::vector<IngestItem> items;
    for (int n = 1; n <= kCount; ++n) {
      bodies.push_back(R"({"uuid":")" + Uuid(n) +
                       R"(","form_id":"workshop_attendee_survey","form_version":"1","device_id":"tablet-1",)"
                       R"("answers":{"q":"zzzz-)" + std::to_string(n) + R"("}})");
    }
    for (const std::string& body : bodies) items.push_back(IngestItem{testing::Must(protocol::ReadEnvelope(body)), body, true, ""});
    REQUIRE(storage->StoreBatch(Principal{Role::kDevice, "tablet-1", {"workshop_attendee_survey"}}, items, 1).ok());
  }
  // A byte of the 1,200th submission changed: on the export's second page.
  damaged_uuid = Uuid(1200);
  const std::string path = DatabaseOf(collector);
  std::string file = ReadFile(path);
  REQUIRE(ReadFile(path + "-wal").empty());
  const size_t at = file.find("zzzz-1200\"");
  REQUIRE(at != std::string::npos);
  file[at] = 'y';
  WriteFile(path, file);

  collector.Start();
  const std::string token = e2e::AnalystToken(collector);
  const size_t logged = collector.serve_log().size();
  const Fetched fetched = Get(collector, "/api/v1/forms/workshop_attendee_survey/submissions", token);
  CHECK(fetched.status == 200);  // sent before the second page was read
  CHECK_FALSE(fetched.complete);  // no final chunk: the client sees the body cut off
  CHECK(e2e::CountOf(fetched.body, "\n") == 1000);  // the first page whole, nothing after it
  CHECK(fetched.body.find("yzzz-1200") == std::string::npos);
  REQUIRE(collector.Stop(SIGTERM) == 0);
  const std::string cause = "submission " + damaged_uuid + " is damaged";
  CHECK_THAT(LogSince(collector, logged), Catch::Contains("the export of form workshop_attendee_survey was cut short after") &&
                                              Catch::Contains(cause));
  std::string export_line;
  const std::string access = collector.access_log();
  for (size_t start = 0; start < access.size();) {
    const size_t end = access.find('\n', start);
    const std::string line = access.substr(start, end - start);
    if (line.find("/submissions") != std::string::npos) export_line = line;
    start = end == std::string::npos ? access.size() : end + 1;
  }
  CHECK_THAT(export_line, Catch::Contains("\"status\":200") && Catch::Contains("cut short") && Catch::Contains(cause));
}

TEST_CASE("The acknowledged position's file: a torn write leaves the record before it", "[damage-unit]") {
  testing::TempDir temp;
  const std::string path = temp.path() + "/collector.acknowledged";
  CHECK(Must(ReadAcknowledged(path)).position == 0);  // no file: nothing acknowledged yet
  {
    AcknowledgedRecord record;
    REQUIRE(record.Open(path).ok());
    REQUIRE(record.Advance(100, 100).ok());
    REQUIRE(record.Advance(250, 150).ok());
    REQUIRE(record.Advance(240, 0).ok());  // an older batch's position never moves it back
  }
  struct stat info;
  REQUIRE(stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  Acknowledged read = Must(ReadAcknowledged(path));
  CHECK(read.position == 250);
  CHECK(read.count == 250);
  // The newest slot torn (as by a crash mid-write): the one before stands.
  std::string bytes = ReadFile(path);
  REQUIRE(bytes.size() == 256);
  const size_t newest = bytes.find("position=250") < 128 ? 0 : 128;
  bytes[newest + 40] ^= 1;
  WriteFile(path, bytes);
  read = Must(ReadAcknowledged(path));
  CHECK(read.position == 100);
  CHECK(read.count == 100);
  // Both torn: damaged, said as such; a reset writes it whole again.
  bytes[(128 - newest) + 40] ^= 1;
  WriteFile(path, bytes);
  CHECK(ReadAcknowledged(path).status().code() == StatusCode::kCorruption);
  REQUIRE(ResetAcknowledged(path, Acknowledged{7, 7}).ok());
  CHECK(Must(ReadAcknowledged(path)).position == 7);
}

}  // namespace
}  // namespace chosa::collector
