// What the end-to-end sync tests share: a real `chosa-collector` process (its dev-tls
// certificates, admin commands and `serve` on loopback), and device stores filled by replaying
// the example surveys' scenarios (schemas/examples/scenarios) as a person would.
//
// Catch2's assertions are not thread-safe: the functions that REQUIRE run on the test's main
// thread only; FillSubmissions and the Catch-free helpers may run on any thread.
#ifndef CHOSA_TESTS_SYNC_E2E_SUPPORT_H_
#define CHOSA_TESTS_SYNC_E2E_SUPPORT_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "chosa/status.h"
#include "chosa/store.h"
#include "chosa/sync_client.h"
#include "temp_dir.h"

namespace chosa::e2e {

extern const std::string kSource;         // the source tree
extern const std::string kCollectorTool;  // the chosa-collector binary of this build
// The five example surveys (schemas/examples).
extern const std::vector<std::string> kForms;

std::string ReadFile(const std::string& path);
// How many times `needle` occurs in `text`.
size_t CountOf(const std::string& text, const std::string& needle);

struct ToolRun {
  int exit_status = -1;
  std::string out;
};

// Runs chosa-collector with `args` to completion; its standard output is returned, its standard
// error goes to `log`.
ToolRun RunCollectorTool(const std::vector<std::string>& args, const std::string& log);

// A collector process on loopback with its own data directory, TLS files (dev-tls), access log
// (access.log) and standard error (serve.log), both appended to across restarts.
class CollectorProcess {
 public:
  CollectorProcess();
  ~CollectorProcess();
  CollectorProcess(const CollectorProcess&) = delete;
  CollectorProcess& operator=(const CollectorProcess&) = delete;

  // An admin command on this collector's data directory (dev-tls takes none).
  ToolRun Tool(std::vector<std::string> args);
  // Publishes the example surveys `forms` (REQUIRE) and returns a one-time code for them.
  void Publish(const std::vector<std::string>& forms);
  std::string EnrolCode(const std::vector<std::string>& forms);

  // Starts serving on the port of the first start (0 the first time: a free one), with `extra`
  // flags; REQUIREs that it listens.
  void Start(std::vector<std::string> extra = {});
  // Starts again with the flags of the last Start (after a kill: on the same port).
  void Restart() { Start(extra_); }
  // Ends the server with `signal`; returns its exit status (-signal when killed by it).
  int Stop(int signal);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  int port() const { return port_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string ca_file() const { return dir_.path() + "/tls/ca.pem"; }
  std::string data_dir() const { return dir_.path() + "/data"; }
  std::string access_log() const { return ReadFile(dir_.path() + "/access.log"); }
  std::string serve_log() const { return ReadFile(dir_.path() + "/serve.log"); }
  const std::string& dir() const { return dir_.path(); }
  // The pin of the server key dev-tls made ("sha256//...").
  const std::string& server_pin() const { return server_pin_; }

 private:
  testing::TempDir dir_;  // removed last, after the server is stopped
  std::string server_pin_;
  std::vector<std::string> extra_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Fills and finalizes one draft per finalizing scenario of `form_id` (schemas/examples), replaying
// the scenario's steps on the device store's draft (REQUIRE); returns how many were finalized.
int FillScenarios(DeviceStore& store, const std::string& form_id);

// Finalizes `count` submissions of `form_id` by replaying its finalizing scenarios round-robin
// (each finalize is a new UUID). Catch-free: usable from any thread.
Status FillSubmissions(DeviceStore& store, const std::string& form_id, int count);

// A device on the collector: its own store (device id `name`) enrolled with a one-time code,
// the libcurl transport to `url` trusting `ca_file`, and a sync client with `options`.
struct Device {
  testing::TempDir temp{"chosa-device"};  // removed last, after the store is closed
  std::string dir = temp.path();
  std::unique_ptr<DeviceStore> store;
  std::unique_ptr<sync::HttpTransport> transport;
  std::unique_ptr<sync::SyncClient> client;
  ~Device();
};
// Catch-free; the status says what failed.
Status MakeDevice(const std::string& name, const std::string& url, const std::string& ca_file, const std::string& code,
                  const sync::SyncOptions& options, std::unique_ptr<Device>* device);
// Another client for the same device (same store and credentials), over a new transport to
// `url` (e.g. through a proxy) with `options`.
Status Reconnect(Device& device, const std::string& url, const sync::SyncOptions& options);

// The outbox as uuid -> canonical bytes.
std::map<std::string, std::string> OutboxBytes(const DeviceStore& store);

// Syncs until the outbox is empty, as a tablet would at its next syncs, at most `max_syncs`
// times. Adds up the reports (status: the last one's). Catch-free.
sync::SyncReport SyncUntilEmpty(Device& device, int max_syncs);

// REQUIREs that the collector's data directory (the server stopped, or not) holds exactly the
// submissions `expected` (uuid -> bytes), byte for byte, and nothing in quarantine.
void RequireCollectorHolds(const std::string& data_dir, const std::map<std::string, std::string>& expected);

// Access log lines whose status is `status` (on route `route` when given).
size_t AccessLogCount(const std::string& log, int status, const std::string& route = "");

// A new analyst token of the collector (`analyst-token kenko`).
std::string AnalystToken(CollectorProcess& collector);

// Runs `chosa pull` for `form` into `dataset_dir` with `token` against `url` (default: the
// collector's), `extra` added to its arguments; its standard error goes to DATASET_DIR.log.
ToolRun Pull(const CollectorProcess& collector, const std::string& token, const std::string& form,
             const std::string& dataset_dir, const std::string& extra = "", const std::string& url = "");

}  // namespace chosa::e2e

#endif  // CHOSA_TESTS_SYNC_E2E_SUPPORT_H_
