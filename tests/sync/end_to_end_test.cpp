// End to end, as the bureau and the field staff would run it: a real `chosa-collector` process
// (certificates from its dev-tls, forms published and a code made with its admin commands)
// serving TLS on loopback, and a device store synced through the libcurl transport.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "chosa/collector_storage.h"
#include "chosa/protocol.h"
#include "chosa/store.h"
#include "chosa/sync_client.h"
#include "scenario.h"

namespace chosa {
namespace {

const std::string kSource = CHOSA_SOURCE_DIR;
const std::string kCollectorTool = std::string(CHOSA_BINARY_DIR) + "/tools/chosa-collector";

std::string MakeTempDir() {
  char path[] = "/tmp/chosa-e2e-XXXXXX";
  REQUIRE(mkdtemp(path) != nullptr);
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct ToolRun {
  int exit_status = -1;
  std::string out;
};

// Runs chosa-collector with `args` to completion; its standard output is returned, its standard
// error goes to `log`.
ToolRun RunCollectorTool(const std::vector<std::string>& args, const std::string& log) {
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(pipe_fds[1], 1);
    const int err = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(err, 2);
    close(pipe_fds[0]);
    std::vector<char*> argv{const_cast<char*>(kCollectorTool.c_str())};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  ToolRun run;
  char buffer[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0) run.out.append(buffer, static_cast<size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// A collector process on loopback with its own data directory, TLS files and access log.
class CollectorProcess {
 public:
  CollectorProcess() : dir_(MakeTempDir()) {
    REQUIRE(Tool({"dev-tls", dir_ + "/tls"}).exit_status == 0);
  }
  ~CollectorProcess() {
    Stop(SIGKILL);
    std::system(("rm -rf " + dir_).c_str());
  }

  ToolRun Tool(std::vector<std::string> args) {
    if (args.front() != "dev-tls") {
      args.push_back("--data");
      args.push_back(dir_ + "/data");
    }
    return RunCollectorTool(args, dir_ + "/tool.log");
  }

  // Starts serving on `port` (0: a free one, then kept for restarts).
  void Start(std::vector<std::string> extra = {}) {
    const std::string port_file = dir_ + "/port";
    std::remove(port_file.c_str());
    std::vector<std::string> args{"serve",      "--listen",      "127.0.0.1:" + std::to_string(port_),
                                  "--cert",     dir_ + "/tls/server.pem", "--key", dir_ + "/tls/server-key.pem",
                                  "--data",     dir_ + "/data",  "--access-log", dir_ + "/access.log",
                                  "--port-file", port_file};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      const int err = open((dir_ + "/serve.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(err, 2);
      std::vector<char*> argv{const_cast<char*>(kCollectorTool.c_str())};
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    for (int i = 0; i < 3000 && ReadFile(port_file).empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const std::string port = ReadFile(port_file);
    REQUIRE_FALSE(port.empty());
    port_ = std::atoi(port.c_str());
  }

  // Ends the server with `signal`; returns its exit status (-signal when killed by it).
  int Stop(int signal) {
    if (pid_ <= 0) return 0;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string ca_file() const { return dir_ + "/tls/ca.pem"; }
  std::string data_dir() const { return dir_ + "/data"; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Fills and finalizes one draft per finalizing scenario of `form_id` (schemas/examples), replaying
// the scenario's steps on the device store's draft; returns how many were finalized.
int FillScenarios(DeviceStore& store, const std::string& form_id) {
  auto form = store.LoadForm(form_id);
  REQUIRE(form.ok());
  const std::string dir = kSource + "/schemas/examples/scenarios/" + form_id;
  int finalized = 0;
  std::vector<std::string> paths;
  if (DIR* listing = opendir(dir.c_str())) {
    while (dirent* entry = readdir(listing)) {
      const std::string name = entry->d_name;
      if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) paths.push_back(dir + "/" + name);
    }
    closedir(listing);
  }
  std::sort(paths.begin(), paths.end());
  for (const std::string& path : paths) {
    scenario::ParsedScenario parsed = scenario::LoadScenarioFile(path, **form);
    REQUIRE(parsed.ok());
    bool finalizes = false;
    for (const scenario::Step& step : parsed.scenario->steps) {
      finalizes |= step.kind == scenario::StepKind::kFinalize && !step.expect_blocked && !step.expect_refused;
    }
    if (!finalizes) continue;
    auto draft = store.StartDraft(form_id, "staff-1", parsed.scenario->language);
    REQUIRE(draft.ok());
    for (const scenario::Step& step : parsed.scenario->steps) {
      if (step.expect_blocked || step.expect_refused) continue;  // refusals are the engine tests' business
      switch (step.kind) {
        case scenario::StepKind::kSet:
        case scenario::StepKind::kClear:
          for (const auto& [answer_path, text] : step.answers) (*draft)->SetAnswer(answer_path, text);
          break;
        case scenario::StepKind::kAdd:
          for (int32_t i = 0; i < step.times; ++i) REQUIRE((*draft)->AddRepeatInstance(step.repeat).ok());
          break;
        case scenario::StepKind::kRemove:
          REQUIRE((*draft)->RemoveRepeatInstance(step.repeat, step.position).ok());
          break;
        case scenario::StepKind::kLanguage:
          REQUIRE((*draft)->SetLanguage(step.language).ok());
          break;
        case scenario::StepKind::kFinalize: {
          auto submission = (*draft)->Finalize();
          INFO(path);
          REQUIRE(submission.ok());
          ++finalized;
          break;
        }
        default:
          break;  // next, back, goto and expectations change nothing that is submitted
      }
      if (step.kind == scenario::StepKind::kFinalize) break;
    }
  }
  return finalized;
}

const std::vector<std::string> kForms = {"coordinator_checklist", "workshop_attendee_survey",
                                         "older_residents_survey", "medical_facility_survey",
                                         "ward_activity_survey"};

TEST_CASE("end to end: enrol, pull the forms, fill the surveys, sync; exactly once, byte for byte") {
  CollectorProcess collector;
  for (const std::string& form : kForms) {
    ToolRun published = collector.Tool({"publish", kSource + "/schemas/examples/" + form + ".json"});
    INFO(published.out << ReadFile(collector.dir() + "/tool.log"));
    REQUIRE(published.exit_status == 0);
  }
  std::string forms_list;
  for (const std::string& form : kForms) forms_list += (forms_list.empty() ? "" : ",") + form;
  ToolRun code = collector.Tool({"enrol-code", "--forms", forms_list});
  REQUIRE(code.exit_status == 0);
  const std::string enrolment_code = code.out.substr(0, code.out.find('\n'));
  collector.Start();

  const std::string device_dir = MakeTempDir();
  StoreOptions store_options;
  store_options.device_id = "tablet-e2e";
  auto store = DeviceStore::Open(device_dir + "/store.sqlite", store_options);
  REQUIRE(store.ok());

  sync::SyncCredentials credentials;
  credentials.collector_url = collector.url();
  credentials.tls.ca_file = collector.ca_file();
  sync::TransportOptions transport_options;
  transport_options.tls = credentials.tls;
  auto transport = sync::MakeCurlTransport(credentials.collector_url, transport_options);
  REQUIRE(transport.ok());
  sync::SyncClient client(transport->get(), store->get(), credentials);
  auto enrolled = client.Enroll(enrolment_code, "e2e tablet");
  REQUIRE(enrolled.ok());

  // The first sync installs the five forms (nothing to push yet).
  sync::SyncReport first = client.Sync();
  INFO(first.status.ToString());
  REQUIRE(first.Complete());
  CHECK(first.forms_installed.size() == kForms.size());
  CHECK((*store)->ListForms().size() == kForms.size());

  int finalized = 0;
  for (const std::string& form : kForms) finalized += FillScenarios(**store, form);
  REQUIRE(finalized >= 6);  // every example survey's finalizing scenarios
  std::map<std::string, std::string> sent_bytes;  // uuid -> canonical JSON, as the device holds it
  for (const OutboxItem& item : (*store)->Outbox()) sent_bytes[item.uuid] = item.canonical_json;
  REQUIRE(sent_bytes.size() == static_cast<size_t>(finalized));

  sync::SyncReport second = client.Sync();
  INFO(second.status.ToString());
  REQUIRE(second.Complete());
  CHECK(second.sent == sent_bytes.size());
  CHECK(second.duplicates == 0);
  CHECK((*store)->Outbox().empty());

  // A third sync sends nothing.
  sync::SyncReport third = client.Sync();
  REQUIRE(third.Complete());
  CHECK(third.sent == 0);
  CHECK(third.bytes_sent == 0);

  // The collector holds exactly those submissions, byte for byte.
  REQUIRE(collector.Stop(SIGTERM) == 0);
  {
    auto storage = collector::OpenSqliteStorage(collector.data_dir());
    REQUIRE(storage.ok());
    int64_t stored = 0;
    for (const std::string& form : kForms) stored += (*storage)->SubmissionCount(form);
    CHECK(stored == static_cast<int64_t>(sent_bytes.size()));
    for (const auto& [uuid, bytes] : sent_bytes) {
      auto body = (*storage)->SubmissionBody(uuid);
      REQUIRE(body.ok());
      CHECK(*body == bytes);
    }
    CHECK((*storage)->ListQuarantine(true).empty());
  }

  // Pushing the same bytes again (a device that lost the answers) gives duplicate, stores nothing.
  collector.Start();
  auto again = sync::MakeCurlTransport(collector.url(), transport_options);
  REQUIRE(again.ok());
  std::vector<std::string_view> lines;
  for (const auto& entry : sent_bytes) lines.push_back(entry.second);
  sync::HttpRequest push;
  push.method = "POST";
  push.path = std::string(protocol::kSubmissionsPath);
  push.headers = {{"Authorization", "Bearer " + client.credentials().token},
                  {"Content-Type", std::string(protocol::kBatchContentType)}};
  push.body = protocol::JoinBatch(lines);
  sync::HttpResponse response;
  REQUIRE((*again)->Send(push, &response).ok());
  REQUIRE(response.status == 200);
  auto results = protocol::ParsePushResponse(response.body);
  REQUIRE(results.ok());
  REQUIRE(results->results.size() == sent_bytes.size());
  for (const protocol::PushResult& r : results->results) CHECK(r.status == protocol::PushStatus::kDuplicate);
  REQUIRE(collector.Stop(SIGTERM) == 0);
  const std::string log = ReadFile(collector.dir() + "/access.log");
  CHECK(log.find(R"("route":"/api/v1/submissions","status":200)") != std::string::npos);
  std::system(("rm -rf " + device_dir).c_str());
}

}  // namespace
}  // namespace chosa
