// The sync benchmark (issue 6; bench/sync_run.sh runs it, results in BENCHMARKS.md):
//  1. end to end: N coordinator checklists finalized in a device store, pushed by the sync
//     client (libcurl, gzip, batches) to a real chosa-collector process over TLS on loopback;
//  2. the collector's ingest (envelope, re-validation with the engine, one storage transaction
//     per batch) against a bare SQLite loop inserting the same bytes, in one process, same run;
//  3. D devices syncing at once against one collector.
// Prints one JSON object of figures on stdout; progress on stderr.
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "chosa/collector_storage.h"
#include "chosa/protocol.h"
#include "chosa/store.h"
#include "chosa/submission_check.h"
#include "chosa/sync_client.h"
#include "chosa/collector/admin.h"
#include "chosa/collector/ingest.h"
#include "chosa/engine/submission_check_parsed.h"
#include "chosa/scenario/scenario.h"

namespace chosa::bench {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::ordered_json;

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "chosa_sync_bench: " << message << "\n";
  std::exit(1);
}
void Check(const Status& status, const std::string& what) {
  if (!status.ok()) Die(what + ": " + status.ToString());
}
double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Args {
  std::string collector_tool, source_dir, dir;
  int submissions = 10000;
  int batch = 100;
  int devices = 50;
  int per_device = 40;
  int ingest_rounds = 3;
  std::string phases = "sync,ingest,devices";  // which parts run (the submissions are always made)
  bool Runs(const std::string& phase) const {
    return ("," + phases + ",").find("," + phase + ",") != std::string::npos;
  }
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (i + 1 >= argc) Die("missing value after " + k);
    const std::string v = argv[++i];
    if (k == "--collector-tool")
      a.collector_tool = v;
    else if (k == "--source-dir")
      a.source_dir = v;
    else if (k == "--dir")
      a.dir = v;
    else if (k == "--submissions")
      a.submissions = std::stoi(v);
    else if (k == "--batch")
      a.batch = std::stoi(v);
    else if (k == "--devices")
      a.devices = std::stoi(v);
    else if (k == "--per-device")
      a.per_device = std::stoi(v);
    else if (k == "--ingest-rounds")
      a.ingest_rounds = std::stoi(v);
    else if (k == "--phases")
      a.phases = v;
    else
      Die("unknown argument " + k);
  }
  if (a.collector_tool.empty() || a.source_dir.empty() || a.dir.empty()) {
    Die("usage: chosa_sync_bench --collector-tool PATH --source-dir REPO --dir DIR [--submissions N] [--batch B] "
        "[--devices D] [--per-device M] [--ingest-rounds R] [--phases sync,ingest,devices]");
  }
  return a;
}

// Runs chosa-collector to completion; returns its standard output.
std::string RunTool(const Args& args, std::vector<std::string> tool_args) {
  int fds[2];
  if (pipe(fds) != 0) Die("pipe");
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    std::vector<char*> argv{const_cast<char*>(args.collector_tool.c_str())};
    for (std::string& a : tool_args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) Die("chosa-collector " + tool_args.front() + " failed");
  return out;
}

// The checklist scenario that finalizes (all 25 rows answered), replayed on a draft.
class ChecklistFiller {
 public:
  ChecklistFiller(const Args& args, const Form& form) {
    const std::string path =
        args.source_dir + "/schemas/examples/scenarios/coordinator_checklist/all_fours_total_100.json";
    scenario::ParsedScenario parsed = scenario::LoadScenarioFile(path, form);
    if (!parsed.ok()) Die("cannot read " + path);
    scenario_ = *parsed.scenario;
  }
  void FinalizeOne(DeviceStore& store) {
    auto draft = store.StartDraft("coordinator_checklist", "staff-1", scenario_.language);
    Check(draft.status(), "StartDraft");
    for (const scenario::Step& step : scenario_.steps) {
      if (step.expect_blocked || step.expect_refused) continue;
      if (step.kind == scenario::StepKind::kSet || step.kind == scenario::StepKind::kClear) {
        for (const auto& [path, text] : step.answers) Check((*draft)->SetAnswer(path, text), "SetAnswer " + path);
      } else if (step.kind == scenario::StepKind::kFinalize) {
        Check((*draft)->Finalize().status(), "Finalize");
        return;
      }
    }
    Die("the scenario does not finalize");
  }

 private:
  scenario::Scenario scenario_;
};

std::unique_ptr<DeviceStore> NewDeviceStore(const std::string& path, const std::string& device_id) {
  StoreOptions options;
  options.device_id = device_id;
  auto store = DeviceStore::Open(path, options);
  Check(store.status(), "DeviceStore::Open " + path);
  return std::move(*store);
}

class Collector {
 public:
  Collector(const Args& args, const std::string& dir) : args_(args), dir_(dir) {
    std::system(("mkdir -p " + dir).c_str());
    RunTool(args, {"dev-tls", dir + "/tls"});
    RunTool(args,
            {"publish", args.source_dir + "/schemas/examples/coordinator_checklist.json", "--data", dir + "/data"});
  }
  ~Collector() { Stop(); }
  std::string Code() {
    std::string out = RunTool(args_, {"enrol-code", "--forms", "coordinator_checklist", "--data", dir_ + "/data"});
    return out.substr(0, out.find('\n'));
  }
  void Start() {
    const std::string port_file = dir_ + "/port";
    pid_ = fork();
    if (pid_ == 0) {
      const int err = open((dir_ + "/serve.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(err, 2);
      execl(args_.collector_tool.c_str(), args_.collector_tool.c_str(), "serve", "--listen", "127.0.0.1:0", "--cert",
            (dir_ + "/tls/server.pem").c_str(), "--key", (dir_ + "/tls/server-key.pem").c_str(), "--data",
            (dir_ + "/data").c_str(), "--access-log", (dir_ + "/access.log").c_str(), "--port-file", port_file.c_str(),
            "--threads", "64", "--rate", "0", static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 3000 && ReadFile(port_file).empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    port_ = std::atoi(ReadFile(port_file).c_str());
    if (port_ <= 0) Die("the collector did not start (see " + dir_ + "/serve.log)");
  }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string ca() const { return dir_ + "/tls/ca.pem"; }
  std::string data() const { return dir_ + "/data"; }

 private:
  const Args& args_;
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// A device store enrolled with the collector, ready to sync.
struct EnrolledDevice {
  std::unique_ptr<sync::HttpTransport> transport;
  std::unique_ptr<sync::SyncClient> client;
};

EnrolledDevice Enrol(Collector& collector, DeviceStore& store, int batch) {
  sync::SyncCredentials credentials;
  credentials.collector_url = collector.url();
  credentials.tls.ca_file = collector.ca();
  sync::TransportOptions transport_options;
  transport_options.tls = credentials.tls;
  auto transport = sync::MakeCurlTransport(credentials.collector_url, transport_options);
  Check(transport.status(), "MakeCurlTransport");
  sync::SyncOptions options;
  options.batch_size = static_cast<size_t>(batch);
  EnrolledDevice device;
  device.transport = std::move(*transport);
  device.client = std::make_unique<sync::SyncClient>(device.transport.get(), &store, credentials, options);
  Check(device.client->Enroll(collector.Code(), "bench").status(), "Enroll");
  sync::SyncReport forms;
  Check(device.client->PullForms(&forms), "PullForms");
  return device;
}

// The bare loop: the same bytes into submissions(uuid PRIMARY KEY, ...), one BEGIN IMMEDIATE
// per batch, a prepared statement, the collector's pragmas (WAL, synchronous=FULL).
double BareSqliteSeconds(const std::string& path, const std::vector<std::string>& bodies,
                         const std::vector<protocol::Envelope>& envelopes, int batch) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("sqlite3_open " + path);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE submissions(uuid TEXT PRIMARY KEY, "
               "form_id TEXT, form_version TEXT, device_id TEXT, received_at INTEGER, body TEXT)",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v3(db, "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?)", -1, SQLITE_PREPARE_PERSISTENT, &insert,
                     nullptr);
  const auto t0 = Clock::now();
  for (size_t start = 0; start < bodies.size(); start += static_cast<size_t>(batch)) {
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (size_t i = start; i < std::min(bodies.size(), start + static_cast<size_t>(batch)); ++i) {
      const protocol::Envelope& e = envelopes[i];
      sqlite3_bind_text(insert, 1, e.uuid.data(), static_cast<int>(e.uuid.size()), SQLITE_STATIC);
      sqlite3_bind_text(insert, 2, e.form_id.data(), static_cast<int>(e.form_id.size()), SQLITE_STATIC);
      sqlite3_bind_text(insert, 3, e.form_version.data(), static_cast<int>(e.form_version.size()), SQLITE_STATIC);
      sqlite3_bind_text(insert, 4, e.device_id.data(), static_cast<int>(e.device_id.size()), SQLITE_STATIC);
      sqlite3_bind_int64(insert, 5, 1730597430000);
      sqlite3_bind_text(insert, 6, bodies[i].data(), static_cast<int>(bodies[i].size()), SQLITE_STATIC);
      if (sqlite3_step(insert) != SQLITE_DONE) Die(std::string("bare insert: ") + sqlite3_errmsg(db));
      sqlite3_reset(insert);
    }
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) Die("bare commit");
  }
  const double seconds = Seconds(Clock::now() - t0);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return seconds;
}

// The collector's ingest of the same bytes: Ingest::Push (envelope, form version, assignment,
// CheckSubmission, StoreBatch in one transaction) into a fresh storage. `validate`: with the
// engine's re-validation, as the server runs it; without, the storage path alone.
double IngestSeconds(const Args& args, const std::string& dir, const std::vector<std::string>& bodies, int batch,
                     bool validate, double* helper_share = nullptr) {
  auto storage = collector::OpenSqliteStorage(dir);
  Check(storage.status(), "OpenSqliteStorage");
  auto published =
      collector::PublishForm(**storage, args.source_dir + "/schemas/examples/coordinator_checklist.json", {}, 0);
  Check(published.status, "PublishForm");
  // Without: a validator that accepts everything (a null one re-validates with the engine).
  collector::SubmissionValidator accept_all = [](std::shared_ptr<const Form>, std::string_view,
                                                 const simdjson::dom::element&) { return Status::Ok(); };
  collector::Ingest ingest(**storage, protocol::Limits{},
                           validate ? collector::SubmissionValidator(CheckParsedSubmission) : accept_all);
  collector::Principal device{collector::Role::kDevice, "dev-bench", {"coordinator_checklist"}};
  const auto t0 = Clock::now();
  for (size_t start = 0; start < bodies.size(); start += static_cast<size_t>(batch)) {
    std::vector<std::string_view> lines;
    for (size_t i = start; i < std::min(bodies.size(), start + static_cast<size_t>(batch)); ++i) {
      lines.push_back(bodies[i]);
    }
    auto results = ingest.Push(device, lines, 1730597430000);
    Check(results.status(), "Ingest::Push");
    for (const protocol::PushResult& r : *results) {
      if (r.status != protocol::PushStatus::kAccepted) Die("ingest refused a submission: " + r.reason);
    }
  }
  const double seconds = Seconds(Clock::now() - t0);
  if (helper_share != nullptr) *helper_share = ingest.HelperShare();
  return seconds;
}

// Where an ingested submission's time goes, each part alone on one thread (µs per submission,
// median of `rounds`): reading the envelope, the engine's re-validation, and storing items
// already checked (the storage's transaction per batch, as Ingest::Push runs it).
json CostPerSubmission(const Args& args, const std::string& dir, const std::vector<std::string>& bodies, int batch,
                       int rounds) {
  auto storage_form = collector::OpenSqliteStorage(dir + "-form");
  Check(storage_form.status(), "OpenSqliteStorage");
  auto published =
      collector::PublishForm(**storage_form, args.source_dir + "/schemas/examples/coordinator_checklist.json", {}, 0);
  Check(published.status, "PublishForm");
  auto form = Form::Load(published.version.json).form;
  const double n = static_cast<double>(bodies.size());
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::vector<double> envelope, check, store;
  std::vector<collector::IngestItem> items(bodies.size());
  for (int round = 0; round < rounds; ++round) {
    auto t0 = Clock::now();
    for (size_t i = 0; i < bodies.size(); ++i) {
      auto read = protocol::ReadEnvelope(bodies[i]);
      Check(read.status(), "ReadEnvelope");
      items[i].envelope = *read;
      items[i].body = bodies[i];
      items[i].valid = true;
    }
    envelope.push_back(Seconds(Clock::now() - t0) / n * 1e6);
    t0 = Clock::now();
    for (const std::string& body : bodies) Check(CheckSubmission(form, body), "CheckSubmission");
    check.push_back(Seconds(Clock::now() - t0) / n * 1e6);
    auto storage = collector::OpenSqliteStorage(dir + "-store" + std::to_string(round));
    Check(storage.status(), "OpenSqliteStorage");
    collector::Principal device{collector::Role::kDevice, "dev-bench", {"coordinator_checklist"}};
    t0 = Clock::now();
    for (size_t start = 0; start < items.size(); start += static_cast<size_t>(batch)) {
      const size_t count = std::min(items.size() - start, static_cast<size_t>(batch));
      auto results = (*storage)->StoreBatch(
          device, count, [&](size_t i) { return &items[start + i]; }, 1730597430000);
      Check(results.status(), "StoreBatch");
    }
    store.push_back(Seconds(Clock::now() - t0) / n * 1e6);
  }
  return json{{"envelope_us", median(envelope)}, {"check_us", median(check)}, {"store_us", median(store)}};
}

int Main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  std::system(("rm -rf " + args.dir + " && mkdir -p " + args.dir).c_str());
  json out;

  // 1. N submissions in one device store, then one sync to a collector process.
  auto store = NewDeviceStore(args.dir + "/device.sqlite", "tablet-bench");
  Check(store->InstallFormFile(args.source_dir + "/schemas/examples/coordinator_checklist.json").status(), "install");
  auto form = store->LoadForm("coordinator_checklist");
  Check(form.status(), "LoadForm");
  ChecklistFiller filler(args, **form);
  std::cerr << "sync bench: finalizing " << args.submissions << " checklists in the device store\n";
  const auto fill0 = Clock::now();
  for (int i = 0; i < args.submissions; ++i) filler.FinalizeOne(*store);
  out["fill_seconds"] = Seconds(Clock::now() - fill0);
  std::vector<std::string> bodies;
  std::vector<protocol::Envelope> envelopes;
  uint64_t body_bytes = 0;
  auto outbox = store->Outbox();
  Check(outbox.status(), "Outbox");
  for (const OutboxItem& item : *outbox) {
    bodies.push_back(item.canonical_json);
    envelopes.push_back(*protocol::ReadEnvelope(item.canonical_json));
    body_bytes += item.canonical_json.size();
  }
  out["submissions"] = bodies.size();
  out["submission_bytes_mean"] = static_cast<double>(body_bytes) / static_cast<double>(bodies.size());
  out["batch"] = args.batch;
  if (args.Runs("sync")) {
    std::cerr << "sync bench: syncing " << bodies.size() << " submissions\n";
    Collector collector(args, args.dir + "/collector");
    collector.Start();
    EnrolledDevice device = Enrol(collector, *store, args.batch);
    const auto sync0 = Clock::now();
    sync::SyncReport report = device.client->Sync();
    const double sync_seconds = Seconds(Clock::now() - sync0);
    if (!report.Complete() || report.sent != bodies.size())
      Die("the sync did not complete: " + report.status.ToString());
    collector.Stop();
    out["sync_seconds"] = sync_seconds;
    out["sync_per_second"] = static_cast<double>(bodies.size()) / sync_seconds;
    out["sync_bytes_sent"] = report.bytes_sent;
    {
      auto storage = collector::OpenSqliteStorage(collector.data());
      Check(storage.status(), "open the collector's storage");
      out["collector_holds"] = (*storage)->SubmissionCount("coordinator_checklist");
    }
  }

  // 2. Ingest against the bare loop, alternating, `ingest_rounds` times each.
  if (args.Runs("ingest")) {
    std::vector<double> bare, ingest_full, ingest_storage, helper_shares;
    for (int round = 0; round < args.ingest_rounds; ++round) {
      std::cerr << "sync bench: ingest round " << round + 1 << " of " << args.ingest_rounds << "\n";
      const std::string r = args.dir + "/round" + std::to_string(round);
      bare.push_back(BareSqliteSeconds(r + "-bare.sqlite", bodies, envelopes, args.batch));
      double helper_share = 0;
      ingest_full.push_back(IngestSeconds(args, r + "-ingest", bodies, args.batch, true, &helper_share));
      helper_shares.push_back(helper_share);
      ingest_storage.push_back(IngestSeconds(args, r + "-storage", bodies, args.batch, false));
    }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    const double n = static_cast<double>(bodies.size());
    out["bare_per_second"] = n / median(bare);
    out["ingest_per_second"] = n / median(ingest_full);
    out["ingest_storage_only_per_second"] = n / median(ingest_storage);
    out["ingest_vs_bare"] = median(bare) / median(ingest_full);
    out["ingest_storage_only_vs_bare"] = median(bare) / median(ingest_storage);
    // Lines the pool's helper thread checked, per round: about 0.57 when it has a core to
    // itself; much lower when something else holds that core (once, the device store's own
    // checkpointer thread spinning: fixed), and the ratio drops with it.
    out["ingest_helper_share_per_round"] = helper_shares;
    out["ingest_cost_per_submission"] = CostPerSubmission(args, args.dir + "/cost", bodies, args.batch, 3);
  }
  if (!args.Runs("devices")) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }

  // 3. D devices at once.
  std::cerr << "sync bench: " << args.devices << " devices with " << args.per_device << " submissions each\n";
  Collector shared(args, args.dir + "/shared");
  shared.Start();
  std::vector<std::unique_ptr<DeviceStore>> stores;
  for (int d = 0; d < args.devices; ++d) {
    stores.push_back(
        NewDeviceStore(args.dir + "/device" + std::to_string(d) + ".sqlite", "tablet-" + std::to_string(d)));
    Check(stores.back()->InstallFormFile(args.source_dir + "/schemas/examples/coordinator_checklist.json").status(),
          "install");
    for (int i = 0; i < args.per_device; ++i) filler.FinalizeOne(*stores.back());
  }
  std::vector<EnrolledDevice> devices;
  for (auto& device_store : stores) devices.push_back(Enrol(shared, *device_store, args.batch));
  std::vector<std::thread> threads;
  std::vector<sync::SyncReport> reports(stores.size());
  const auto c0 = Clock::now();
  for (size_t d = 0; d < stores.size(); ++d) {
    threads.emplace_back([&, d] { reports[d] = devices[d].client->Sync(); });
  }
  for (std::thread& t : threads) t.join();
  const double concurrent_seconds = Seconds(Clock::now() - c0);
  size_t complete = 0, sent = 0;
  for (const sync::SyncReport& r : reports) {
    complete += r.Complete() ? 1 : 0;
    sent += r.sent;
  }
  shared.Stop();
  out["devices"] = args.devices;
  out["devices_complete"] = complete;
  out["devices_sent"] = sent;
  out["devices_seconds"] = concurrent_seconds;
  out["devices_per_second"] = static_cast<double>(sent) / concurrent_seconds;
  std::cout << out.dump(2) << "\n";
  return complete == stores.size() ? 0 : 1;
}

}  // namespace
}  // namespace chosa::bench

int main(int argc, char** argv) { return chosa::bench::Main(argc, argv); }
