// 50 tablets pushing at once against one collector (issue 6: "50 devices pushing at once all
// finish"): 50 device stores, each enrolled with its own code, each on its own thread with its own
// libcurl connection, 20 submissions each (1,000 in all), released together by a barrier. The
// collector serves 64 connections at once (--threads 64), so that no kept-alive connection waits
// in the kernel's queue behind the others. Every device must finish with its outbox empty and the
// collector must hold the 1,000 submissions exactly once, byte for byte.
//
// That the devices did push at once is checked, not assumed: each device's first push waits, in
// a transport wrapped around its own, until every device has a push in flight (issued by its
// client, not yet answered); the test asserts that this happened. Devices that ran one after the
// other (or a client that serialized them) never get there. The latch's deadline only keeps such
// a run from hanging; it is not a measure of speed.
//
// Catch2's assertions are not thread-safe: the threads record what happened, the main thread
// checks it after joining them.
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "chosa/collector_storage.h"
#include "chosa/http_transport.h"
#include "chosa/protocol.h"
#include "chosa/store.h"
#include "chosa/sync_client.h"
#include "e2e_support.h"
#include "must.h"

namespace chosa::e2e {
namespace {

using chosa::testing::Must;

constexpr int kDevices = 50;
constexpr int kPerDevice = 20;

// Lets every thread go at once.
class Barrier {
 public:
  explicit Barrier(int count) : left_(count) {}
  void ArriveAndWait() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (--left_ == 0) {
      released_.notify_all();
      return;
    }
    released_.wait(lock, [this] { return left_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable released_;
  int left_;
};

// The devices' pushes in flight: how many at most at once, and a latch that holds each device's
// first push until every device has one in flight (or the deadline passes).
class PushesInFlight {
 public:
  PushesInFlight(int devices, std::chrono::steady_clock::time_point deadline)
      : devices_(devices), deadline_(deadline) {}
  void Begin(bool first) {
    std::unique_lock<std::mutex> lock(mutex_);
    most_ = std::max(most_, ++now_);
    if (!first) return;
    ++first_pushes_;
    changed_.notify_all();
    changed_.wait_until(lock, deadline_, [this] { return first_pushes_ == devices_; });
  }
  void End() {
    std::lock_guard<std::mutex> lock(mutex_);
    --now_;
  }
  // A device that will not push (its setup failed): the others do not wait for it.
  void Abandon() {
    std::lock_guard<std::mutex> lock(mutex_);
    --devices_;
    changed_.notify_all();
  }
  int most_at_once() {
    std::lock_guard<std::mutex> lock(mutex_);
    return most_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int devices_;
  const std::chrono::steady_clock::time_point deadline_;
  int first_pushes_ = 0;
  int now_ = 0;
  int most_ = 0;
};

// A device's transport, its pushes counted by `pushes`.
class CountingTransport final : public sync::HttpTransport {
 public:
  CountingTransport(std::unique_ptr<sync::HttpTransport> inner, PushesInFlight* pushes)
      : inner_(std::move(inner)), pushes_(pushes) {}
  Status Send(const sync::HttpRequest& request, sync::HttpResponse* response) override {
    if (request.method != "POST" || request.path != protocol::kSubmissionsPath) return inner_->Send(request, response);
    pushes_->Begin(!pushed_);
    pushed_ = true;
    Status status = inner_->Send(request, response);
    pushes_->End();
    return status;
  }

 private:
  std::unique_ptr<sync::HttpTransport> inner_;
  PushesInFlight* pushes_;
  bool pushed_ = false;
};

struct DeviceRun {
  std::string setup_error;
  std::map<std::string, std::string> expected;  // its outbox before the push
  sync::SyncReport report;
  size_t outbox_after = 0;
};

// The most push requests the access log shows handled at the same instant (printed only: it is
// computed from times and durations, which a test does not assert on).
int MostPushesAtOnce(const std::string& log) {
  std::vector<std::pair<double, int>> edges;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded() || record.value("route", "") != "/api/v1/submissions") continue;
    const std::string time = record.value("time", "");
    int hour = 0, minute = 0, second = 0, millis = 0;
    if (std::sscanf(time.c_str(), "%*d-%*d-%*dT%d:%d:%d.%d", &hour, &minute, &second, &millis) < 3) continue;
    const double start = ((hour * 60 + minute) * 60 + second) * 1000.0 + millis;
    edges.emplace_back(start, 1);
    edges.emplace_back(start + record.value("ms", 0.0), -1);
  }
  std::sort(edges.begin(), edges.end());
  int now = 0, most = 0;
  for (const auto& edge : edges) most = std::max(most, now += edge.second);
  return most;
}

TEST_CASE("50 devices pushing at once against one collector all finish; every submission exactly once",
          "[faults][concurrency]") {
  CollectorProcess collector;
  collector.Publish({"coordinator_checklist"});
  // 50 one-time codes through the storage API: 50 runs of `enrol-code` would take long under ASan.
  std::vector<std::string> codes;
  {
    auto storage = collector::OpenSqliteStorage(collector.data_dir());
    REQUIRE(storage.ok());
    const int64_t expires =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count() +
        86400000;
    for (int i = 0; i < kDevices; ++i) {
      codes.push_back("CODE-" + std::to_string(1000 + i) + "-CONCURRENT");
      REQUIRE((*storage)->AddEnrolmentCode(codes.back(), {"coordinator_checklist"}, expires, "").ok());
    }
  }
  collector.Start({"--threads", "64"});

  sync::SyncOptions options;
  options.batch_size = 5;  // 4 pushes per device: 200 pushes from 50 connections
  options.retry.base_delay_ms = 20;
  options.retry.max_delay_ms = 200;
  options.sleep = [](int64_t millis) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(millis, 200)));
  };

  std::vector<DeviceRun> runs(kDevices);
  std::vector<std::unique_ptr<Device>> devices(kDevices);
  Barrier barrier(kDevices);
  PushesInFlight pushes(kDevices, std::chrono::steady_clock::now() + std::chrono::minutes(5));
  std::vector<std::thread> threads;
  const auto began = std::chrono::steady_clock::now();
  for (int i = 0; i < kDevices; ++i) {
    threads.emplace_back([&, i] {
      DeviceRun& run = runs[static_cast<size_t>(i)];
      std::unique_ptr<Device>& device = devices[static_cast<size_t>(i)];
      // Enrol, install the form, fill: each device on its own, before the barrier.
      Status status = MakeDevice("tablet-" + std::to_string(i), collector.url(), collector.ca_file(),
                                 codes[static_cast<size_t>(i)], options, &device);
      if (status.ok()) {
        sync::SyncReport installed = device->client->Sync();
        status = installed.Complete() && installed.forms_installed.size() == 1
                     ? Status::Ok()
                     : Status::Internal("installing the form: " + installed.status.ToString());
      }
      if (status.ok()) status = FillSubmissions(*device->store, "coordinator_checklist", kPerDevice);
      if (status.ok()) run.expected = OutboxBytes(*device->store);
      if (status.ok()) {  // the same client over the counting transport (nothing pushed before)
        sync::SyncCredentials credentials = device->client->credentials();
        device->client.reset();
        device->transport = std::make_unique<CountingTransport>(std::move(device->transport), &pushes);
        device->client =
            std::make_unique<sync::SyncClient>(device->transport.get(), device->store.get(), credentials, options);
      }
      run.setup_error = status.ok() ? "" : status.ToString();
      barrier.ArriveAndWait();
      if (!status.ok()) {
        pushes.Abandon();
        return;
      }
      run.report = SyncUntilEmpty(*device, 5);
      auto outbox = device->store->Outbox();  // a thread of its own: no Catch2 assertion here
      run.outbox_after = outbox.ok() ? outbox->size() : static_cast<size_t>(-1);
    });
  }
  for (std::thread& thread : threads) thread.join();
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();

  std::map<std::string, std::string> expected;
  int retries = 0;
  for (int i = 0; i < kDevices; ++i) {
    const DeviceRun& run = runs[static_cast<size_t>(i)];
    INFO("device " << i << ": " << run.setup_error << " " << run.report.status.ToString());
    REQUIRE(run.setup_error.empty());
    CHECK(run.expected.size() == static_cast<size_t>(kPerDevice));
    CHECK(run.report.status.ok());
    CHECK(run.report.left == 0);
    CHECK(run.report.rejected.empty());
    CHECK(run.report.sent + run.report.duplicates == static_cast<size_t>(kPerDevice));
    CHECK(run.outbox_after == 0);
    retries += run.report.retries;
    expected.insert(run.expected.begin(), run.expected.end());
  }
  CHECK(expected.size() == static_cast<size_t>(kDevices * kPerDevice));  // 1,000 distinct UUIDs
  // Every device had a push in flight at the same moment (the latch opened).
  CHECK(pushes.most_at_once() == kDevices);
  devices.clear();
  REQUIRE(collector.Stop(SIGTERM) == 0);
  RequireCollectorHolds(collector.data_dir(), expected);
  // Each device's submissions are stored under its own id.
  {
    auto storage = collector::OpenSqliteStorage(collector.data_dir());
    REQUIRE(storage.ok());
    const std::vector<collector::Device> enrolled = Must((*storage)->ListDevices());
    CHECK(enrolled.size() == static_cast<size_t>(kDevices));
  }
  const std::string log = collector.access_log();
  CHECK(AccessLogCount(log, 200, "/api/v1/submissions") >= static_cast<size_t>(kDevices * kPerDevice / 5));
  std::cout << "[faults] 50 devices: " << expected.size() << " submissions, " << retries << " retries, "
            << AccessLogCount(log, 200, "/api/v1/submissions") << " pushes, " << pushes.most_at_once()
            << " in flight at once, up to " << MostPushesAtOnce(log)
            << " handled at once, " << seconds << " s with setup" << std::endl;
}

}  // namespace
}  // namespace chosa::e2e
