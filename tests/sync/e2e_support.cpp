#include "e2e_support.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "chosa/collector_storage.h"
#include "must.h"
#include "run_command.h"
#include "chosa/scenario/scenario.h"

namespace chosa::e2e {

using chosa::testing::Must;

const std::string kSource = CHOSA_SOURCE_DIR;
const std::string kCollectorTool = std::string(CHOSA_BINARY_DIR) + "/tools/chosa-collector";
const std::vector<std::string> kForms = {"coordinator_checklist", "workshop_attendee_survey", "older_residents_survey",
                                         "medical_facility_survey", "ward_activity_survey"};

namespace {

// argv for execv, built before fork: after a fork in a process with other threads (a sync
// client, a proxy) the child may call only async-signal-safe functions, so no allocation.
class Argv {
 public:
  explicit Argv(const std::vector<std::string>& args) : args_(args) {
    args_.insert(args_.begin(), kCollectorTool);
    for (std::string& a : args_) pointers_.push_back(a.data());
    pointers_.push_back(nullptr);
  }
  char* const* get() { return pointers_.data(); }

 private:
  std::vector<std::string> args_;
  std::vector<char*> pointers_;
};

// In the child: standard error to `err_path` (opened before the fork), every other inherited
// descriptor closed (a client's socket kept open by a collector would never see its close),
// then exec.
[[noreturn]] void ExecChild(Argv& argv, int out_fd, int err_fd) {
  if (out_fd >= 0) dup2(out_fd, 1);
  dup2(err_fd, 2);
  for (int fd = 3; fd < 4096; ++fd) close(fd);
  execv(kCollectorTool.c_str(), argv.get());
  _exit(127);
}

bool IsJsonFile(const std::string& name) { return name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0; }

// The finalizing scenarios of `form_id`, sorted by file name, parsed against `form`.
Status LoadFinalizing(const Form& form, const std::string& form_id, std::vector<scenario::Scenario>* out,
                      std::vector<std::string>* paths_out) {
  const std::string dir = kSource + "/schemas/examples/scenarios/" + form_id;
  std::vector<std::string> paths;
  if (DIR* listing = opendir(dir.c_str())) {
    while (dirent* entry = readdir(listing)) {
      if (IsJsonFile(entry->d_name)) paths.push_back(dir + "/" + entry->d_name);
    }
    closedir(listing);
  }
  std::sort(paths.begin(), paths.end());
  for (const std::string& path : paths) {
    scenario::ParsedScenario parsed = scenario::LoadScenarioFile(path, form);
    if (!parsed.ok()) {
      return Status::InvalidArgument(path + ": " + (parsed.problems.empty() ? "" : parsed.problems[0].ToString()));
    }
    bool finalizes = false;
    for (const scenario::Step& step : parsed.scenario->steps) {
      finalizes |= step.kind == scenario::StepKind::kFinalize && !step.expect_blocked && !step.expect_refused;
    }
    if (!finalizes) continue;
    out->push_back(std::move(*parsed.scenario));
    paths_out->push_back(path);
  }
  return Status::Ok();
}

// Replays `s` on a new draft up to its first finalize; OK when it finalized.
Status Replay(DeviceStore& store, const std::string& form_id, const scenario::Scenario& s) {
  auto draft = store.StartDraft(form_id, "staff-1", s.language);
  if (!draft.ok()) return draft.status();
  for (const scenario::Step& step : s.steps) {
    if (step.expect_blocked || step.expect_refused) continue;  // refusals are the engine tests' business
    Status status;
    switch (step.kind) {
      case scenario::StepKind::kSet:
      case scenario::StepKind::kClear:
        for (const auto& [answer_path, text] : step.answers) {
          if (status.ok()) status = (*draft)->SetAnswer(answer_path, text);
        }
        break;
      case scenario::StepKind::kAdd:
        for (int32_t i = 0; i < step.times && status.ok(); ++i)
          status = (*draft)->AddRepeatInstance(step.repeat).status();
        break;
      case scenario::StepKind::kRemove:
        status = (*draft)->RemoveRepeatInstance(step.repeat, step.position);
        break;
      case scenario::StepKind::kLanguage:
        status = (*draft)->SetLanguage(step.language);
        break;
      case scenario::StepKind::kFinalize:
        return (*draft)->Finalize().status();
      default:
        break;  // next, back, goto and expectations change nothing that is submitted
    }
    if (!status.ok()) return status;
  }
  return Status::Internal("the scenario did not finalize");
}

}  // namespace

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
  return count;
}

ToolRun RunCollectorTool(const std::vector<std::string>& args, const std::string& log) {
  int pipe_fds[2];
  REQUIRE(pipe2(pipe_fds, O_CLOEXEC) == 0);
  const int err = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  REQUIRE(err >= 0);
  Argv argv(args);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) ExecChild(argv, pipe_fds[1], err);
  close(pipe_fds[1]);
  close(err);
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

CollectorProcess::CollectorProcess() : dir_("chosa-e2e") {
  ToolRun tls = Tool({"dev-tls", dir_.path() + "/tls"});
  REQUIRE(tls.exit_status == 0);
  const std::string marker = "server key pin:";
  const size_t at = tls.out.find(marker);
  REQUIRE(at != std::string::npos);
  const size_t begin = tls.out.find("sha256//", at);
  REQUIRE(begin != std::string::npos);
  server_pin_ = tls.out.substr(begin, tls.out.find('\n', begin) - begin);
}

CollectorProcess::~CollectorProcess() { Stop(SIGKILL); }

ToolRun CollectorProcess::Tool(std::vector<std::string> args) {
  if (args.front() != "dev-tls") {
    args.push_back("--data");
    args.push_back(dir_.path() + "/data");
  }
  return RunCollectorTool(args, dir_.path() + "/tool.log");
}

void CollectorProcess::Publish(const std::vector<std::string>& forms) {
  for (const std::string& form : forms) {
    ToolRun published = Tool({"publish", kSource + "/schemas/examples/" + form + ".json"});
    INFO(published.out << ReadFile(dir_.path() + "/tool.log"));
    REQUIRE(published.exit_status == 0);
  }
}

std::string CollectorProcess::EnrolCode(const std::vector<std::string>& forms) {
  std::string list;
  for (const std::string& form : forms) list += (list.empty() ? "" : ",") + form;
  ToolRun code = Tool({"enrol-code", "--forms", list});
  INFO(ReadFile(dir_.path() + "/tool.log"));
  REQUIRE(code.exit_status == 0);
  return code.out.substr(0, code.out.find('\n'));
}

void CollectorProcess::Start(std::vector<std::string> extra) {
  extra_ = extra;
  const std::string port_file = dir_.path() + "/port";
  std::vector<std::string> args{"serve",
                                "--listen",
                                "127.0.0.1:" + std::to_string(port_),
                                "--cert",
                                dir_.path() + "/tls/server.pem",
                                "--key",
                                dir_.path() + "/tls/server-key.pem",
                                "--data",
                                dir_.path() + "/data",
                                "--access-log",
                                dir_.path() + "/access.log",
                                "--port-file",
                                port_file};
  args.insert(args.end(), extra.begin(), extra.end());
  // A restart right after a kill may find the port not yet free: try again for a while.
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::remove(port_file.c_str());
    const int err = open((dir_.path() + "/serve.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    REQUIRE(err >= 0);
    Argv argv(args);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) ExecChild(argv, -1, err);
    close(err);
    int status = 0;
    bool exited = false;
    for (int i = 0; i < 3000 && ReadFile(port_file).empty(); ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (exited) {
      pid_ = -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    const std::string port = ReadFile(port_file);
    INFO(serve_log());
    REQUIRE_FALSE(port.empty());
    port_ = std::atoi(port.c_str());
    return;
  }
  INFO(serve_log());
  FAIL("chosa-collector serve did not start");
}

int CollectorProcess::Stop(int signal) {
  if (pid_ <= 0) return 0;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

int FillScenarios(DeviceStore& store, const std::string& form_id) {
  auto form = store.LoadForm(form_id);
  REQUIRE(form.ok());
  std::vector<scenario::Scenario> scenarios;
  std::vector<std::string> paths;
  Status loaded = LoadFinalizing(**form, form_id, &scenarios, &paths);
  INFO(loaded.ToString());
  REQUIRE(loaded.ok());
  int finalized = 0;
  for (size_t i = 0; i < scenarios.size(); ++i) {
    Status replayed = Replay(store, form_id, scenarios[i]);
    INFO(paths[i] << ": " << replayed.ToString());
    REQUIRE(replayed.ok());
    ++finalized;
  }
  return finalized;
}

Status FillSubmissions(DeviceStore& store, const std::string& form_id, int count) {
  auto form = store.LoadForm(form_id);
  if (!form.ok()) return form.status();
  std::vector<scenario::Scenario> scenarios;
  std::vector<std::string> paths;
  Status status = LoadFinalizing(**form, form_id, &scenarios, &paths);
  if (!status.ok()) return status;
  if (scenarios.empty()) return Status::NotFound("no finalizing scenario for " + form_id);
  for (int i = 0; i < count; ++i) {
    const size_t which = static_cast<size_t>(i) % scenarios.size();
    status = Replay(store, form_id, scenarios[which]);
    if (!status.ok()) return Status(status.code(), paths[which] + ": " + status.message());
  }
  return Status::Ok();
}

Device::~Device() {
  client.reset();
  transport.reset();
  store.reset();
}  // then `temp`, the directory, is removed

Status MakeDevice(const std::string& name, const std::string& url, const std::string& ca_file, const std::string& code,
                  const sync::SyncOptions& options, std::unique_ptr<Device>* out) {
  std::unique_ptr<Device> device;
  try {
    device = std::make_unique<Device>();
  } catch (const std::system_error& e) {  // its temporary directory (Catch-free: this may run on any thread)
    return Status::IOError(e.what());
  }
  StoreOptions store_options;
  store_options.device_id = name;
  auto store = DeviceStore::Open(device->dir + "/store.sqlite", store_options);
  if (!store.ok()) return store.status();
  device->store = std::move(*store);
  sync::SyncCredentials credentials;
  credentials.collector_url = url;
  credentials.tls.ca_file = ca_file;
  sync::TransportOptions transport_options;
  transport_options.tls = credentials.tls;
  auto transport = sync::MakeCurlTransport(url, transport_options);
  if (!transport.ok()) return transport.status();
  device->transport = std::move(*transport);
  device->client =
      std::make_unique<sync::SyncClient>(device->transport.get(), device->store.get(), credentials, options);
  auto enrolled = device->client->Enroll(code, name);
  if (!enrolled.ok()) return enrolled.status();
  *out = std::move(device);
  return Status::Ok();
}

Status Reconnect(Device& device, const std::string& url, const sync::SyncOptions& options) {
  sync::SyncCredentials credentials = device.client->credentials();
  credentials.collector_url = url;
  sync::TransportOptions transport_options;
  transport_options.tls = credentials.tls;
  auto transport = sync::MakeCurlTransport(url, transport_options);
  if (!transport.ok()) return transport.status();
  device.client.reset();
  device.transport = std::move(*transport);
  device.client = std::make_unique<sync::SyncClient>(device.transport.get(), device.store.get(), credentials, options);
  return Status::Ok();
}

std::map<std::string, std::string> OutboxBytes(const DeviceStore& store) {
  std::map<std::string, std::string> out;
  for (const OutboxItem& item : Must(store.Outbox())) out[item.uuid] = item.canonical_json;
  return out;
}

sync::SyncReport SyncUntilEmpty(Device& device, int max_syncs) {
  sync::SyncReport total;
  for (int i = 0; i < max_syncs; ++i) {
    sync::SyncReport report = device.client->Sync();
    total.forms_installed.insert(total.forms_installed.end(), report.forms_installed.begin(),
                                 report.forms_installed.end());
    total.sent += report.sent;
    total.duplicates += report.duplicates;
    total.rejected.insert(total.rejected.end(), report.rejected.begin(), report.rejected.end());
    total.problems.insert(total.problems.end(), report.problems.begin(), report.problems.end());
    total.bytes_sent += report.bytes_sent;
    total.retries += report.retries;
    total.left = report.left;
    total.status = report.status;
    if (report.status.ok() && report.left == 0) break;
  }
  return total;
}

void RequireCollectorHolds(const std::string& data_dir, const std::map<std::string, std::string>& expected) {
  auto storage = collector::OpenSqliteStorage(data_dir);
  REQUIRE(storage.ok());
  // Every expected UUID is there with its bytes, and there is nothing else: the same set.
  CHECK((*storage)->SubmissionCount("") == static_cast<int64_t>(expected.size()));
  size_t missing = 0, different = 0;
  for (const auto& [uuid, bytes] : expected) {
    auto body = (*storage)->SubmissionBody(uuid);
    if (!body.ok()) {
      ++missing;
    } else if (*body != bytes) {
      ++different;
    }
  }
  CHECK(missing == 0);
  CHECK(different == 0);
  CHECK(Must((*storage)->ListQuarantine(true)).empty());
}

size_t AccessLogCount(const std::string& log, int status, const std::string& route) {
  const std::string with_status = "\"status\":" + std::to_string(status) + ",";
  size_t count = 0;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(with_status) == std::string::npos) continue;
    if (!route.empty() && line.find("\"route\":\"" + route + "\"") == std::string::npos) continue;
    ++count;
  }
  return count;
}

std::string AnalystToken(CollectorProcess& collector) {
  ToolRun made = collector.Tool({"analyst-token", "kenko"});
  REQUIRE(made.exit_status == 0);
  return made.out.substr(0, made.out.find('\n'));
}

ToolRun Pull(const CollectorProcess& collector, const std::string& token, const std::string& form,
             const std::string& dataset_dir, const std::string& extra, const std::string& url) {
  const std::string chosa = std::string(CHOSA_BINARY_DIR) + "/tools/chosa";
  const std::string command = "CHOSA_ANALYST_TOKEN='" + token + "' " + chosa + " pull --collector " +
                              (url.empty() ? collector.url() : url) + " --ca '" + collector.ca_file() +
                              "' --dataset '" + dataset_dir + "' " + extra + " " + form + " 2>>'" + dataset_dir + ".log'";
  const testing::CommandRun run = testing::RunCommand(command);
  return {run.exit_status, run.out};
}

}  // namespace chosa::e2e
