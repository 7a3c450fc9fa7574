// chosa_sync_*: enrolment and sync with a collector through the C API. The credentials are a
// secret of the store (through the app's secret hooks: by default the 0600 file
// `<store>.sync.json`, the one the `chosa sync` command keeps), so an app and the command line
// share an enrolment.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "c_boundary.h"
#include "c_handles.h"
#include "chosa/sync_client.h"
#include "chosa/sync_credentials.h"
#include "platform_json.h"

using namespace chosa;
using namespace chosa::capi;

struct chosa_sync final : StoreChild {
  void Cancel() override {
    std::lock_guard<std::mutex> lock(client_mutex);
    if (running != nullptr) {
      cancelled = true;
      running->Cancel();
    }
  }
  void Detach() override {}  // a run holds the store open: nothing runs while the store closes

  std::shared_ptr<StoreCore> core;
  std::mutex run_mutex;  // one run or enrolment at a time
  std::mutex client_mutex;
  sync::SyncClient* running = nullptr;  // the client of the run in progress, for Cancel
  bool cancelled = false;               // Cancel stopped the run in progress
};

namespace {

constexpr const char kNotASync[] = "not an open sync handle (NULL, or closed already)";

std::string SecretName(const StoreCore& core) { return sync::CredentialsPathFor(core.path); }

template <typename Body>
chosa_code WithSync(chosa_sync* handle, chosa_error* error, Body&& body) {
  if (!IsLive(handle, HandleKind::kSync)) return Fail(error, CHOSA_MISUSE, kNotASync);
  return Guard(error, [&]() -> chosa_code {
    std::lock_guard<std::mutex> one_run(handle->run_mutex);
    std::shared_lock<std::shared_mutex> open(handle->core->lifetime);
    if (handle->core->closed) return Fail(error, CHOSA_MISUSE, std::string("this sync cannot run: ") + kClosedStore);
    return body(*handle->core);
  });
}

// Makes the client's C callback out of the app's, freeing the app's user data when done.
struct ProgressCallback {
  chosa_sync_progress_fn fn;
  void* user_data;
  void (*free_user_data)(void*);
  ~ProgressCallback() {
    if (free_user_data != nullptr) free_user_data(user_data);
  }
  void operator()(const sync::SyncProgress& p) const {
    if (fn == nullptr) return;
    chosa_sync_progress c{};
    c.phase = p.phase == sync::SyncProgress::Phase::kForms  ? CHOSA_SYNC_FORMS
              : p.phase == sync::SyncProgress::Phase::kPush ? CHOSA_SYNC_PUSH
                                                             : CHOSA_SYNC_WAITING;
    c.done = p.done;
    c.total = p.total;
    c.bytes_sent = p.bytes_sent;
    c.wait_ms = p.wait_ms;
    c.why = p.why.c_str();
    fn(user_data, &c);
  }
};

}  // namespace

extern "C" {

chosa_code chosa_sync_open(chosa_store* store, chosa_sync** out, chosa_error* error) {
  if (out == nullptr) return Fail(error, CHOSA_INVALID_ARGUMENT, "chosa_sync_open: `out` is NULL");
  *out = nullptr;
  return WithStore(store, error, [&](const std::shared_ptr<StoreCore>& core) {
    return GiveChild(std::make_unique<chosa_sync>(), HandleKind::kSync, core, out);
  });
}

void chosa_sync_close(chosa_sync* handle) {
  CloseChild(handle, [] {});
}

chosa_code chosa_sync_enroll(chosa_sync* handle, const char* collector_url, const char* ca_file, const char* code,
                             const char* device_name, chosa_error* error) {
  return WithSync(handle, error, [&](StoreCore& core) -> chosa_code {
    sync::SyncCredentials credentials;
    credentials.collector_url = std::string(Arg(collector_url));
    // Kept as an absolute path: the app's working directory at a later sync may be another.
    if (!Arg(ca_file).empty()) credentials.tls.ca_file = std::filesystem::absolute(std::string(Arg(ca_file))).string();
    Result<std::unique_ptr<sync::HttpTransport>> transport =
        core.hooks->Transport(credentials.collector_url, credentials.tls);
    if (!transport.ok()) return Fail(error, transport.status());
    sync::SyncOptions options;
    options.env = core.hooks.get();
    sync::SyncClient client(transport->get(), core.store.get(), credentials, options);
    Result<sync::SyncCredentials> enrolled = client.Enroll(Arg(code), Arg(device_name));
    if (!enrolled.ok()) return Fail(error, enrolled.status());
    return Report(error, sync::SaveCredentials(*core.hooks, SecretName(core), *enrolled));
  });
}

int32_t chosa_sync_is_enrolled(chosa_sync* handle) {
  chosa_code code = WithSync(handle, nullptr, [&](StoreCore& core) -> chosa_code {
    return sync::LoadCredentials(*core.hooks, SecretName(core)).ok() ? CHOSA_OK : CHOSA_NOT_FOUND;
  });
  return code == CHOSA_OK ? 1 : 0;
}

chosa_code chosa_sync_run(chosa_sync* handle, chosa_sync_progress_fn progress, void* user_data,
                          void (*free_user_data)(void* user_data), char** out_report, chosa_error* error) {
  ProgressCallback callback{progress, user_data, free_user_data};  // frees the user data on return
  return WithSync(handle, error, [&](StoreCore& core) -> chosa_code {
    Result<sync::SyncCredentials> credentials = sync::LoadCredentials(*core.hooks, SecretName(core));
    if (!credentials.ok()) {
      if (credentials.status().code() == StatusCode::kNotFound) {
        return Fail(error, CHOSA_UNAUTHENTICATED, "this device is not enrolled: chosa_sync_enroll first");
      }
      return Fail(error, credentials.status());
    }
    Result<std::unique_ptr<sync::HttpTransport>> transport =
        core.hooks->Transport(credentials->collector_url, credentials->tls);
    if (!transport.ok()) return Fail(error, transport.status());
    sync::SyncOptions options;
    options.env = core.hooks.get();
    options.progress = [&callback](const sync::SyncProgress& p) { callback(p); };
    sync::SyncClient client(transport->get(), core.store.get(), *credentials, options);
    {
      std::lock_guard<std::mutex> lock(handle->client_mutex);
      handle->running = &client;
      handle->cancelled = false;
    }
    sync::SyncReport report = client.Sync();
    bool cancelled;
    {
      std::lock_guard<std::mutex> lock(handle->client_mutex);
      handle->running = nullptr;
      cancelled = handle->cancelled;
    }
    if (out_report != nullptr) {
      chosa_code given = Give(SyncReportInfo(report).dump(), out_report, nullptr, error);
      if (given != CHOSA_OK) return given;
    }
    if (report.status.ok()) return CHOSA_OK;
    if (cancelled) return Fail(error, CHOSA_CANCELLED, "the sync was cancelled; what was not sent stays in the outbox");
    return Fail(error, report.status);
  });
}

void chosa_sync_cancel(chosa_sync* handle) {
  if (!IsLive(handle, HandleKind::kSync)) return;
  handle->Cancel();
}

}  // extern "C"
