// Exactly once whatever the network or the collector does (issue 6, "Faults"): a real
// chosa-collector process and a device store of 1,000 finalized submissions synced over TLS on
// loopback while
//   - the collector is killed with SIGKILL at random moments and restarted on the same port;
//   - a fault-injecting TCP proxy (fault_proxy.h) cuts connections after a random number of
//     bytes, in either direction, and slows and fragments the rest;
//   - the collector answers 429 (its per-device rate limit) and 503 (its database locked);
//   - the collector gets SIGTERM while batches are in flight (graceful shutdown).
// Each test ends with the collector holding every submission exactly once (the UUID set of the
// device's outbox before the sync, bytes identical) and the outbox empty, and checks that its
// fault really happened (kills in serve.log, cuts reported by the proxy, 429 and 503 in the
// access log, retries and duplicates in the sync reports); the control run shows none of that
// without faults. Figures are printed on standard output ("[faults] ...").
//
// Counts in CI: 1,000 submissions per test; at least 5 kills; the proxy cuts about half of the
// connections (the collector closes a connection every 4 requests, so there are many); 429 from
// --rate 5 --burst 5; 503 while a test holds the database's write lock; SIGTERM in up to 10
// rounds. The long variants (more kills, more cuts, 3,000 submissions) are hidden:
//   build-hd/tests/chosa_sync_tests "[long]"
// Retries wait through SyncOptions::sleep, shortened (except where Retry-After is checked), so
// that nothing waits minutes. No timing is asserted: only outcomes and that faults happened.
#include <signal.h>
#include <sqlite3.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "chosa/collector_storage.h"
#include "chosa/store.h"
#include "chosa/sync_client.h"
#include "e2e_support.h"
#include "fault_proxy.h"
#include "must.h"

using chosa::testing::Must;

namespace chosa::e2e {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kSubmissions = 1000;
constexpr int kWorkshopSubmissions = 20;  // the rest are coordinator checklists
const std::vector<std::string> kFaultForms = {"coordinator_checklist", "workshop_attendee_survey"};

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Figures(const std::string& line) { std::cout << "[faults] " << line << std::endl; }

// Retries that wait at most `cap_ms` (the policy's delays are computed as usual, so Retry-After
// is still read and reported).
sync::SyncOptions ShortRetries(int64_t cap_ms = 100) {
  sync::SyncOptions options;
  options.retry.base_delay_ms = 20;
  options.retry.max_delay_ms = 200;
  options.sleep = [cap_ms](int64_t millis) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(millis, cap_ms)));
  };
  return options;
}

// A collector with the checklist and the workshop survey published, and one enrolled device
// holding `submissions` finalized submissions (forms installed by a first sync).
struct FaultRun {
  CollectorProcess collector;
  std::unique_ptr<Device> device;
  std::map<std::string, std::string> expected;  // the outbox before the sync: uuid -> bytes

  void SetUp(const std::vector<std::string>& flags, const sync::SyncOptions& options, int submissions = kSubmissions) {
    collector.Publish(kFaultForms);
    const std::string code = collector.EnrolCode(kFaultForms);
    collector.Start(flags);
    Status made = MakeDevice("tablet-faults", collector.url(), collector.ca_file(), code, options, &device);
    INFO(made.ToString());
    REQUIRE(made.ok());
    sync::SyncReport installed = device->client->Sync();
    INFO(installed.status.ToString());
    REQUIRE(installed.Complete());
    REQUIRE(installed.forms_installed.size() == kFaultForms.size());
    Status filled = FillSubmissions(*device->store, "coordinator_checklist", submissions - kWorkshopSubmissions);
    if (filled.ok()) filled = FillSubmissions(*device->store, "workshop_attendee_survey", kWorkshopSubmissions);
    INFO(filled.ToString());
    REQUIRE(filled.ok());
    expected = OutboxBytes(*device->store);
    REQUIRE(expected.size() == static_cast<size_t>(submissions));
  }

  // The end of every test: the device's outbox is empty, everything is marked sent, and the
  // collector (stopped gracefully) holds exactly the outbox of before, byte for byte.
  void RequireExactlyOnce(const sync::SyncReport& report) {
    INFO(report.status.ToString());
    CHECK(report.status.ok());
    CHECK(report.left == 0);
    CHECK(report.rejected.empty());
    CHECK(report.problems.empty());
    CHECK(Must(device->store->Outbox()).empty());
    CHECK(Must(device->store->ListInstances(InstanceState::kSent)).size() == expected.size());
    CHECK(collector.Stop(SIGTERM) == 0);
    RequireCollectorHolds(collector.data_dir(), expected);
  }
};

// Counts the batches the collector answered (progress after each batch).
struct BatchCounter {
  std::atomic<int> batches{0};
  void Attach(sync::SyncOptions* options) {
    options->progress = [this](const sync::SyncProgress& progress) {
      if (progress.phase == sync::SyncProgress::Phase::kPush && progress.done > 0) ++batches;
    };
  }
  // Waits until more than `mark` batches were answered or `done` is set.
  bool WaitPast(int mark, const std::atomic<bool>& done) const {
    while (batches.load() <= mark) {
      if (done) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }
};

// Random each run (CHOSA_FAULT_SEED=N repeats the proxy's byte counts and the kill delays).
uint64_t Seed() {
  const char* given = std::getenv("CHOSA_FAULT_SEED");
  const uint64_t seed = given != nullptr ? std::strtoull(given, nullptr, 10) : std::random_device()();
  Figures("random seed " + std::to_string(seed));
  return seed;
}

// ---------------------------------------------------------------------------------------------
// The control run: the same 1,000 submissions through the proxy with no fault configured, from
// a collector never killed, not rate limited: none of the evidence the fault tests look for.

TEST_CASE("faults control: 1,000 submissions without faults show no kill, cut, 429, 503, retry or duplicate",
          "[faults]") {
  sync::SyncOptions options = ShortRetries();
  options.batch_size = 25;
  FaultRun run;
  run.SetUp({"--keep-alive-requests", "4"}, options);
  FaultProxyOptions proxy_options;
  proxy_options.target_port = run.collector.port();
  proxy_options.seed = 1;
  FaultProxy proxy(proxy_options);
  REQUIRE(proxy.Start().ok());
  REQUIRE(Reconnect(*run.device, "https://127.0.0.1:" + std::to_string(proxy.port()), options).ok());

  const sync::SyncReport report = SyncUntilEmpty(*run.device, 1);
  proxy.Stop();
  const ProxyStats stats = proxy.stats();
  CHECK(report.sent == static_cast<size_t>(kSubmissions));
  CHECK(report.duplicates == 0);
  CHECK(report.retries == 0);
  CHECK(stats.cuts.empty());
  CHECK(stats.connections >= kSubmissions / 25 / 4);  // a new connection every 4 requests
  run.RequireExactlyOnce(report);
  const std::string log = run.collector.access_log();
  CHECK(AccessLogCount(log, 200, "/api/v1/submissions") == static_cast<size_t>(kSubmissions / 25));
  CHECK(AccessLogCount(log, 429) == 0);
  CHECK(AccessLogCount(log, 503) == 0);
  CHECK(AccessLogCount(log, 400) == 0);
  CHECK(CountOf(run.collector.serve_log(), "listening on") == 1);
  Figures("control: " + std::to_string(report.sent) + " sent, " + std::to_string(stats.connections) + " connections, " +
          std::to_string(stats.bytes_upstream) + " bytes up, " + std::to_string(stats.bytes_downstream) +
          " down, 0 cuts, 0 retries");
}

// ---------------------------------------------------------------------------------------------
// SIGKILL at random moments: after the collector answered at least one batch since its last
// start, a random 0-29 ms more (so the kill lands within a batch, between a batch's commit and
// its answer, or between batches), then SIGKILL, a random 0-149 ms while it is down, and a
// restart on the same port. The device syncs all along, calling Sync() again when one gives up.

void RunKills(int kills_wanted, size_t batch_size, int submissions) {
  sync::SyncOptions options = ShortRetries();
  options.batch_size = batch_size;
  BatchCounter counter;
  counter.Attach(&options);
  FaultRun run;
  run.SetUp({}, options, submissions);
  counter.batches = 0;

  std::atomic<bool> done{false};
  sync::SyncReport report;
  std::thread syncing([&] {
    report = SyncUntilEmpty(*run.device, 300);
    done = true;
  });
  std::mt19937_64 random(Seed());
  int kills = 0;
  while (kills < kills_wanted) {
    const int mark = counter.batches.load();
    if (!counter.WaitPast(mark, done)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 30));
    if (done) break;
    run.collector.Stop(SIGKILL);
    ++kills;
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 150));  // down for a while
    run.collector.Restart();
  }
  syncing.join();

  INFO(report.status.ToString());
  CHECK(kills == kills_wanted);  // every kill landed while the device was still syncing
  CHECK(report.retries > 0);
  // Each start writes "listening on" to serve.log; a kill leaves no "stopped" behind.
  const std::string serve_log = run.collector.serve_log();
  CHECK(CountOf(serve_log, "listening on") == static_cast<size_t>(kills + 1));
  CHECK(CountOf(serve_log, "stopped") == 0);
  run.RequireExactlyOnce(report);
  CHECK(report.sent + report.duplicates == static_cast<size_t>(submissions));
  Figures("SIGKILL: " + std::to_string(kills) + " kills, " + std::to_string(submissions) + " submissions, " +
          std::to_string(report.sent) + " accepted + " + std::to_string(report.duplicates) +
          " duplicates (stored before the kill, unanswered), " + std::to_string(report.retries) + " retries, " +
          std::to_string(AccessLogCount(run.collector.access_log(), 200, "/api/v1/submissions")) +
          " pushes answered 200");
}

TEST_CASE("faults: the collector killed with SIGKILL at random moments and restarted; exactly once", "[faults]") {
  // Batches of 10: a restarted collector checks its database before listening and the device
  // then sends a batch every few milliseconds, so with 20 the 1,000 could all be sent before the
  // fifth kill came (seen once in three runs).
  RunKills(5, 10, kSubmissions);
}

TEST_CASE("faults long: 30 SIGKILLs over 3,000 submissions", "[faults][long][.]") { RunKills(30, 20, 3000); }

// ---------------------------------------------------------------------------------------------
// Connections cut and slowed by the proxy. The collector closes a connection after 4 requests
// (--keep-alive-requests 4), so the sync goes over many connections, about half of which the
// proxy cuts, after up to 6,000 bytes upstream or 3,000 downstream: a connection carries about
// 6,500 bytes up (the handshake and four pushes of 25 submissions, gzipped: the replayed
// scenarios compress well) and 3,300 down (the handshake, the answers), see the control run.

void RunCuts(double fraction, size_t min_cuts, int submissions) {
  sync::SyncOptions options = ShortRetries();
  options.batch_size = 25;
  FaultRun run;
  run.SetUp({"--keep-alive-requests", "4"}, options, submissions);
  FaultProxyOptions proxy_options;
  proxy_options.target_port = run.collector.port();
  proxy_options.cut_fraction = fraction;
  proxy_options.max_cut_upstream = 6000;
  proxy_options.max_cut_downstream = 3000;
  proxy_options.max_delay_ms = 2;
  proxy_options.max_chunk = 4096;
  proxy_options.seed = Seed();
  FaultProxy proxy(proxy_options);
  REQUIRE(proxy.Start().ok());
  REQUIRE(Reconnect(*run.device, "https://127.0.0.1:" + std::to_string(proxy.port()), options).ok());

  const sync::SyncReport report = SyncUntilEmpty(*run.device, 300);
  proxy.Stop();
  const ProxyStats stats = proxy.stats();
  size_t upstream = 0;
  std::ostringstream where;
  for (const ProxyCut& cut : stats.cuts) {
    upstream += cut.upstream ? 1 : 0;
    if (where.tellp() < 400) where << " #" << cut.connection << (cut.upstream ? " up@" : " down@") << cut.offset;
  }
  INFO("cuts:" << where.str());
  CHECK(stats.cuts.size() >= min_cuts);
  CHECK(upstream >= 1);                      // some inside a request
  CHECK(stats.cuts.size() - upstream >= 1);  // some inside a handshake or an answer
  CHECK(stats.delay_ms > 0);
  CHECK(report.retries > 0);
  run.RequireExactlyOnce(report);
  CHECK(report.sent + report.duplicates == static_cast<size_t>(submissions));
  Figures("proxy: " + std::to_string(stats.connections) + " connections, " + std::to_string(stats.cuts.size()) +
          " cut (" + std::to_string(upstream) + " upstream, " + std::to_string(stats.cuts.size() - upstream) +
          " downstream) at" + where.str() + "; " + std::to_string(stats.chunks) + " chunks delayed " +
          std::to_string(stats.delay_ms) + " ms in all; " + std::to_string(report.sent) + " accepted + " +
          std::to_string(report.duplicates) + " duplicates, " + std::to_string(report.retries) + " retries");
}

TEST_CASE("faults: connections cut after a random number of bytes and slowed by a proxy; exactly once", "[faults]") {
  RunCuts(0.5, 5, kSubmissions);
}

TEST_CASE("faults long: most connections cut over 3,000 submissions", "[faults][long][.]") { RunCuts(0.8, 30, 3000); }

// ---------------------------------------------------------------------------------------------
// 429: the collector's per-device rate limit (--rate 5 --burst 5) against 41 requests (the
// form list and 40 pushes of 25). Every 429 carries Retry-After (1 s here); the client must wait
// at least that long, so this test sleeps the delays the client asks for, in full.

TEST_CASE("faults: 429 from the per-device rate limit; Retry-After honoured; exactly once", "[faults]") {
  sync::SyncOptions options = ShortRetries();
  options.batch_size = 25;
  std::mutex mutex;
  std::vector<int64_t> waits_after_429;
  options.progress = [&](const sync::SyncProgress& progress) {
    if (progress.phase != sync::SyncProgress::Phase::kWaiting) return;
    std::lock_guard<std::mutex> lock(mutex);
    if (progress.why.find("HTTP 429") != std::string::npos) waits_after_429.push_back(progress.wait_ms);
  };
  options.sleep = [](int64_t millis) { std::this_thread::sleep_for(std::chrono::milliseconds(millis)); };
  FaultRun run;
  run.SetUp({"--rate", "5", "--burst", "5"}, options);

  const sync::SyncReport report = SyncUntilEmpty(*run.device, 20);
  run.RequireExactlyOnce(report);
  // Read once the collector has stopped: a line is written after its response is sent.
  const std::string log = run.collector.access_log();
  const size_t too_many = AccessLogCount(log, 429);
  CHECK(too_many >= 3);
  // One retry per 429, each after at least the Retry-After the collector sent.
  CHECK(waits_after_429.size() == too_many);
  CHECK(static_cast<size_t>(report.retries) == too_many);
  CHECK(std::all_of(waits_after_429.begin(), waits_after_429.end(), [](int64_t ms) { return ms >= 1000; }));
  CHECK(log.find(R"("error":"too many requests from this device; retry after 1 s")") != std::string::npos);
  CHECK(report.sent == static_cast<size_t>(kSubmissions));
  Figures("429: " + std::to_string(too_many) + " answered 429, " + std::to_string(report.retries) +
          " retries, each after >= 1000 ms (Retry-After: 1); " + std::to_string(report.sent) + " accepted");
}

// ---------------------------------------------------------------------------------------------
// 503: the test holds the collector database's write lock (BEGIN IMMEDIATE on
// data_dir/collector.sqlite) from the fourth batch on, for at least 2 s and until the collector
// has answered 503 at least once (its storage waits for the lock for its busy timeout, then gives
// up: the batch is not stored, "503, Retry-After"), then lets go; the client retries.

TEST_CASE("faults: 503 while the collector's database is locked; exactly once", "[faults]") {
  sync::SyncOptions options = ShortRetries(200);
  options.batch_size = 25;
  BatchCounter counter;
  counter.Attach(&options);
  FaultRun run;
  run.SetUp({}, options);
  counter.batches = 0;

  std::atomic<bool> done{false};
  sync::SyncReport report;
  std::thread syncing([&] {
    report = SyncUntilEmpty(*run.device, 60);
    done = true;
  });
  const bool mid_sync = counter.WaitPast(3, done);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2((run.collector.data_dir() + "/collector.sqlite").c_str(), &db, SQLITE_OPEN_READWRITE,
                          nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);  // a batch being stored finishes first
  const int locked = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  const auto since = Clock::now();
  size_t unavailable = 0;
  while (locked == SQLITE_OK && (Clock::now() - since < std::chrono::seconds(2) || unavailable == 0) &&
         Clock::now() - since < std::chrono::seconds(60)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    unavailable = AccessLogCount(run.collector.access_log(), 503, "/api/v1/submissions");
  }
  const auto held = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  syncing.join();

  CHECK(mid_sync);
  REQUIRE(locked == SQLITE_OK);
  run.RequireExactlyOnce(report);
  const std::string log = run.collector.access_log();  // complete: the collector has stopped
  unavailable = AccessLogCount(log, 503, "/api/v1/submissions");
  CHECK(unavailable >= 1);
  CHECK(log.find(R"("error":"the batch could not be stored; nothing of it was kept")") != std::string::npos);
  CHECK(report.retries >= static_cast<int>(unavailable));
  CHECK(run.collector.serve_log().find("storing a batch failed") != std::string::npos);
  CHECK(report.sent == static_cast<size_t>(kSubmissions));  // a 503 stores nothing: no duplicate
  CHECK(report.duplicates == 0);
  Figures("503: database locked " + std::to_string(held) + " ms; " + std::to_string(unavailable) +
          " pushes answered 503, " + std::to_string(report.retries) + " retries; " + std::to_string(report.sent) +
          " accepted");
}

// ---------------------------------------------------------------------------------------------
// Graceful shutdown: SIGTERM a random 0-8 ms after a batch was answered, so that the next batch
// is often in the collector's hands (the device sends it at once; the collector takes 15 ms or
// more to check and store a batch of 20). The process must exit 0 having stored only whole batches:
// the batches of a sync are the outbox, oldest first, `batch_size` at a time, so the stored UUIDs
// of each batch are all of it or none. Rounds go on (restart, sync, SIGTERM) until a push is seen
// in flight at the signal (its access log line began before the SIGTERM and ended after it, 200),
// at most 10 rounds; a final sync then completes the rest exactly once.

// The access log's "time" ("2026-11-25T02:03:04.567+00:00", always UTC) in ms since the epoch.
int64_t LogTimeMillis(const std::string& text) {
  int year, month, day, hour, minute, second, millis = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%d", &year, &month, &day, &hour, &minute, &second, &millis) < 6) {
    return -1;
  }
  struct tm when {};
  when.tm_year = year - 1900;
  when.tm_mon = month - 1;
  when.tm_mday = day;
  when.tm_hour = hour;
  when.tm_min = minute;
  when.tm_sec = second;
  return static_cast<int64_t>(timegm(&when)) * 1000 + millis;
}

// Pushes answered 200 that began before `at` and ended at or after it (ms since the epoch).
int PushesInFlightAt(const std::string& log, int64_t at) {
  int count = 0;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded() || record.value("route", "") != "/api/v1/submissions" ||
        record.value("status", 0) != 200) {
      continue;
    }
    const int64_t start = LogTimeMillis(record.value("time", ""));
    const double ms = record.value("ms", 0.0);
    if (start >= 0 && start <= at && start + static_cast<int64_t>(ms) + 1 >= at) ++count;
  }
  return count;
}

TEST_CASE("faults: SIGTERM while batches are in flight exits 0 with whole batches only; exactly once", "[faults]") {
  constexpr size_t kBatch = 20;
  constexpr int kRounds = 10;
  sync::SyncOptions options = ShortRetries(50);
  options.batch_size = kBatch;
  options.retry.max_attempts = 3;  // a stopped collector: give up soon, the next round syncs again
  BatchCounter counter;
  counter.Attach(&options);
  FaultRun run;
  run.SetUp({}, options);
  std::vector<std::string> order;  // the outbox, oldest first: the order batches are cut in
  for (const OutboxItem& item : Must(run.device->store->Outbox())) order.push_back(item.uuid);

  std::mt19937_64 random(Seed());
  int rounds = 0, caught = 0, exit_failures = 0;
  size_t broken_batches = 0, unacknowledged = 0;
  while (rounds < kRounds && (caught == 0 || rounds < 2)) {
    ++rounds;
    if (!run.collector.running()) run.collector.Restart();
    std::set<std::string> sent_before;
    for (const InstanceSummary& sent : Must(run.device->store->ListInstances(InstanceState::kSent))) {
      sent_before.insert(sent.uuid);
    }
    const size_t first = sent_before.size();  // this round's batches start here in `order`
    REQUIRE(first < order.size());
    counter.batches = 0;
    std::atomic<bool> done{false};
    std::thread syncing([&] {
      run.device->client->Sync();
      done = true;
    });
    counter.WaitPast(0, done);
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 9));
    const int64_t term_at = NowMillis();
    const int exit_status = run.collector.Stop(SIGTERM);
    exit_failures += exit_status == 0 ? 0 : 1;
    syncing.join();
    caught += PushesInFlightAt(run.collector.access_log(), term_at) > 0 ? 1 : 0;

    // Whole batches only, and everything acknowledged is stored.
    auto storage = collector::OpenSqliteStorage(run.collector.data_dir());
    REQUIRE(storage.ok());
    std::set<std::string> acknowledged;
    for (const InstanceSummary& sent : Must(run.device->store->ListInstances(InstanceState::kSent))) {
      acknowledged.insert(sent.uuid);
    }
    unacknowledged = 0;
    for (size_t begin = first; begin < order.size(); begin += kBatch) {
      size_t stored = 0, acked = 0;
      const size_t end = std::min(order.size(), begin + kBatch);
      for (size_t i = begin; i < end; ++i) {
        stored += (*storage)->SubmissionBody(order[i]).ok() ? 1 : 0;
        acked += acknowledged.count(order[i]);
      }
      if (stored != 0 && stored != end - begin) ++broken_batches;
      if (acked > stored) ++broken_batches;  // acknowledged but not stored: never
      unacknowledged += stored - std::min(stored, acked);
    }
    if (acknowledged.size() == order.size()) break;  // nothing left to interrupt
  }
  CHECK(exit_failures == 0);
  CHECK(broken_batches == 0);
  CHECK(caught >= 1);  // at least one SIGTERM came while a push was being handled
  const std::string serve_log = run.collector.serve_log();
  CHECK(CountOf(serve_log, "SIGTERM: finishing requests in flight") == static_cast<size_t>(rounds));
  CHECK(CountOf(serve_log, "chosa-collector: stopped") == static_cast<size_t>(rounds));

  // The next sync sends the rest; what was stored but not acknowledged comes back duplicate.
  run.collector.Restart();
  const size_t left = Must(run.device->store->Outbox()).size();
  const sync::SyncReport last = SyncUntilEmpty(*run.device, 5);
  CHECK(last.sent + last.duplicates == left);
  CHECK(last.duplicates == unacknowledged);
  run.RequireExactlyOnce(last);
  Figures("SIGTERM: " + std::to_string(rounds) + " rounds, all exited 0; " + std::to_string(caught) +
          " caught a push in flight; " + std::to_string(left) + " left for the final sync, " +
          std::to_string(unacknowledged) + " of them stored unacknowledged (duplicates)");
}

// A tablet keeps its connection open between syncs. cpp-httplib 0.11 waits out an idle kept-alive
// connection before it looks at stop() again: without the server shutting idle connections down,
// SIGTERM would take keep_alive_seconds (an hour here). A watchdog kills the collector after 60 s,
// so a stop that waits shows as exit status -9 instead of 0; nothing is timed.
TEST_CASE("SIGTERM stops the collector while a device keeps an idle connection open", "[sync][faults]") {
  FaultRun run;
  run.SetUp({"--keep-alive-seconds", "3600"}, ShortRetries(), 20);
  sync::SyncReport report = run.device->client->Sync();
  INFO(report.status.ToString());
  REQUIRE(report.Complete());
  REQUIRE(report.sent == 20);
  // The device's client is still alive: its connection stays open, idle.
  std::mutex mutex;
  std::condition_variable changed;
  bool stopped = false, killed = false;
  const pid_t pid = run.collector.pid();
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(mutex);
    if (!changed.wait_for(lock, std::chrono::seconds(60), [&] { return stopped; })) {
      killed = true;
      kill(pid, SIGKILL);
    }
  });
  const int status = run.collector.Stop(SIGTERM);
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopped = true;
  }
  changed.notify_all();
  watchdog.join();
  CHECK_FALSE(killed);
  CHECK(status == 0);
  RequireCollectorHolds(run.collector.data_dir(), run.expected);
}

}  // namespace
}  // namespace chosa::e2e
