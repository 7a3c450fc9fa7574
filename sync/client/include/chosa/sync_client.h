// The device's sync with the collector (docs/protocol.md): enrol with a one-time code, pull the
// newest version of every form assigned to the device into the device store, and push the
// outbox in batches.
//
// Exactly once: a submission is marked sent only after the collector acknowledged it
// (`accepted`, or `duplicate`: the same UUID and content were stored before) and marked rejected
// only with the collector's reason. Whatever interrupts a sync (a lost connection, a killed app,
// a power cut), what was not acknowledged stays in the outbox and the next sync sends it again;
// the collector answers `duplicate` for what it had already stored, so nothing is stored twice.
//
// Transport failures, 5xx and 429 are retried with exponential backoff and full jitter, honouring
// Retry-After, up to RetryPolicy::max_attempts tries of one request; then the sync stops and says
// what is left for later. A 401 (a revoked or unknown token) stops the sync at once.
//
// Thread safety: one sync at a time per client; Cancel() may be called from any thread. The
// device store may be used by other threads (the UI) during a sync.
// Ownership: the client borrows its transport and its device store, which must outlive it; it
// owns a copy of its credentials and options. Reports are plain values.
#ifndef CHOSA_SYNC_CLIENT_H_
#define CHOSA_SYNC_CLIENT_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/http_transport.h"
#include "chosa/protocol.h"
#include "chosa/status.h"
#include "chosa/sync_credentials.h"

namespace chosa {
class DeviceStore;
class Env;
struct OutboxItem;
}  // namespace chosa

namespace chosa::sync {

struct RetryPolicy {
  int max_attempts = 6;                 // tries of one request within one sync, the first included
  int64_t base_delay_ms = 1000;         // the first retry waits up to this (full jitter)
  int64_t max_delay_ms = 60000;         // the ceiling of the exponential growth
  int64_t max_retry_after_ms = 300000;  // a server's Retry-After is honoured up to this
};

struct SyncProgress {
  enum class Phase : uint8_t {
    kForms,    // downloading form versions: done / total forms
    kPush,     // pushing the outbox: done / total submissions answered by the collector
    kWaiting,  // waiting `wait_ms` before retrying, because of `why`
  };
  Phase phase = Phase::kPush;
  size_t done = 0;
  size_t total = 0;
  uint64_t bytes_sent = 0;  // request bodies sent in this sync, as on the wire (compressed)
  int64_t wait_ms = 0;
  std::string why;
};

struct SyncOptions {
  Env* env = nullptr;       // randomness for the jitter; null: Env::Default()
  size_t batch_size = 100;  // submissions per push, within [1, limits.max_batch_items]
  // A batch is also cut before its (uncompressed) body passes this many bytes, and never
  // passes limits.max_decompressed_bytes. A single larger submission still goes alone.
  size_t max_batch_bytes = 4u << 20;
  bool gzip = true;         // compress push bodies ("Content-Encoding: gzip")
  protocol::Limits limits;  // the collector's limits
  RetryPolicy retry;
  // Called as the sync goes: after each batch, each form, and before each wait. On the sync's
  // own thread; keep it short.
  std::function<void(const SyncProgress&)> progress;
  // Waits `millis` before a retry. Null: the calling thread sleeps, woken early by Cancel().
  std::function<void(int64_t millis)> sleep;
};

struct RejectedSubmission {
  std::string uuid;
  std::string reason;  // the collector's, as stored by DeviceStore::MarkRejected
};

struct SyncReport {
  std::vector<protocol::FormListing> forms_installed;  // new form versions now in the store
  size_t sent = 0;                                     // accepted by the collector, marked sent
  size_t duplicates = 0;                               // the collector had them already: marked sent as well
  std::vector<RejectedSubmission> rejected;            // marked rejected, with the reason
  size_t left = 0;                                     // still in the outbox: the next sync sends them
  // What went wrong with one form or one submission without stopping the sync (a form whose
  // download does not match its listing, a submission too large for the collector).
  std::vector<std::string> problems;
  uint64_t bytes_sent = 0;
  int retries = 0;
  Status status;  // why the sync stopped before the end; OK when it ran to the end

  // Everything went: no error, nothing left, nothing rejected, no problem.
  bool Complete() const { return status.ok() && left == 0 && rejected.empty() && problems.empty(); }
};

class SyncClient {
 public:
  // `transport` talks to credentials.collector_url (made from it and credentials.tls); the
  // token may be empty until Enroll. `transport` and `store` must outlive the client; `store`
  // may be null for a client that only enrols.
  SyncClient(HttpTransport* transport, DeviceStore* store, SyncCredentials credentials, SyncOptions options = {});
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;

  // Enrols the device with a one-time code, as the identity its store keeps (the collector then
  // knows it by that id). Returns the credentials to keep (and uses them from then on). A code is used once: kPermissionDenied/kInvalidArgument carry the collector's reason.
  Result<SyncCredentials> Enroll(std::string_view code, std::string_view device_name);

  // Installs the newest listed version of every assigned form that the store does not hold,
  // after checking that the downloaded bytes have the listed SHA-256. A version already
  // installed is not downloaded again (a published version never changes). Older versions are
  // not fetched: new fillings always start on the newest, and a draft's own version is kept.
  // A form that cannot be installed is noted in report->problems; the others go on.
  Status PullForms(SyncReport* report);

  // Sends the outbox, oldest first, in batches; marks each submission as the collector answers.
  // An outbox the store cannot read stops it with the store's Status (nothing is sent).
  Status PushOutbox(SyncReport* report);

  // PullForms, then PushOutbox, unless the Env says no network is available (kUnavailable, no
  // request made), unless the pull was stopped by a 401, a refused certificate, a
  // collector out of reach or Cancel (the outbox is then counted as left).
  SyncReport Sync();

  // Stops the sync before its next request or at once during a wait; thread-safe. What was
  // acknowledged is marked; the rest stays in the outbox. The client is unusable afterwards.
  void Cancel();

  const SyncCredentials& credentials() const { return credentials_; }

 private:
  // Sends `request`, retrying transport failures, 5xx and 429 as RetryPolicy says. OK when a
  // response other than 5xx/429 arrived (the caller reads its status).
  Status Exchange(const HttpRequest& request, HttpResponse* response, SyncReport* report);
  HttpRequest Authorized(std::string method, std::string path) const;
  void Report(const SyncProgress& progress) const;
  void Wait(int64_t millis);
  // report->left from the outbox, or a problem when it cannot be read.
  void CountLeft(SyncReport* report) const;
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  struct BatchOutcome {
    Status status;           // not OK: the sync stops (what was marked stays marked)
    bool too_large = false;  // 413: nothing was marked; send fewer at a time
    std::string detail;      // the collector's words for a 413
  };
  // Pushes outbox[begin, end) in one request and marks each item as the collector answers.
  BatchOutcome PushBatch(const std::vector<OutboxItem>& outbox, size_t begin, size_t end, SyncReport* report);

  HttpTransport* transport_;
  DeviceStore* store_;
  SyncCredentials credentials_;
  SyncOptions options_;
  Env* env_;

  std::atomic<bool> cancelled_{false};
  std::mutex wait_mutex_;
  std::condition_variable wake_;
};

}  // namespace chosa::sync

#endif  // CHOSA_SYNC_CLIENT_H_
