// What the C API's sync and thread tests share (c_api_sync_test.cpp, c_api_threads_test.cpp):
// an error record, buffers taken from chosa, visit_record filled to its submission through the
// C API alone, a real chosa-collector on loopback TLS with visit_record published
// (tests/sync/e2e_support.h), an app's own HTTP stack (cpp-httplib's SSL client) behind
// chosa_platform.http_send, in-memory secret hooks, and a latch for making threads meet.
//
// Catch2's assertions are not thread-safe: the helpers named Try... and the hooks are Catch-free
// (they return what went wrong) and may run on any thread; the others REQUIRE, on the test's
// main thread only.
#ifndef CHOSA_TESTS_PLATFORM_C_API_SYNC_SUPPORT_H_
#define CHOSA_TESTS_PLATFORM_C_API_SYNC_SUPPORT_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "c_api_support.h"
#include "chosa/chosa.h"
#include "e2e_support.h"

namespace chosa::capi_test {

using chosa::testing::kVisitRecord;  // tests/forms/fill/visit_record.json (c_api_support.h)

// A chosa_error released at the end of its scope.
struct Error {
  chosa_error e = CHOSA_ERROR_INIT;
  Error() = default;
  Error(const Error&) = delete;
  Error& operator=(const Error&) = delete;
  ~Error() { chosa_error_clear(&e); }
  chosa_error* operator&() { return &e; }
  std::string message() const { return e.message == nullptr ? "" : e.message; }
};

// The text of a buffer chosa returned, which is then freed (REQUIREs it is not NULL).
std::string Take(char* buffer);
// chosa_store_list_instances(store, state), parsed (REQUIRE).
nlohmann::json Instances(chosa_store* store, const char* state);
// The UUIDs of the instances of `state`.
std::vector<std::string> Uuids(chosa_store* store, const char* state);

// Fills a new visit_record draft as a person would (age `age`, two ADL answers, the first
// visit's date, the confirmation) and finalizes it; `*uuid` receives the submission's UUID.
// Catch-free: "" when every call returned CHOSA_OK, else the failing call and its message.
std::string TryFillVisit(chosa_store* store, int age, std::string* uuid = nullptr);
// The same, REQUIRE'd; returns the UUID.
std::string FillVisit(chosa_store* store, int age);

// Waits until Open() was called, at most `limit` (then returns false: a test that never meets
// its other thread fails instead of hanging).
class Latch {
 public:
  void Open();
  bool Wait(std::chrono::seconds limit = std::chrono::seconds(60));
  bool is_open();

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

// A chosa-collector serving on loopback TLS (its dev CA: ca_file()) with visit_record published
// (and coordinator_checklist, when `with_checklist`).
struct Collector {
  e2e::CollectorProcess process;
  explicit Collector(bool with_checklist = false);
  // A one-time enrolment code for visit_record (and coordinator_checklist, when published).
  std::string Code();
  std::string url() const { return process.url(); }
  std::string ca_file() const { return process.ca_file(); }
  // Requests the collector answered so far: lines of its access log, which the collector writes
  // after each response (so complete only once it has stopped).
  size_t Requests() const;
  // REQUIREs that the collector holds exactly the submissions of `uuids`, byte for byte as the
  // device store `store` finalized them (so each once), and nothing else.
  void RequireHolds(chosa_store* store, const std::vector<std::string>& uuids) const;

 private:
  bool with_checklist_;
};

// An app's own HTTP stack: chosa_platform.http_send over cpp-httplib's SSLClient, verifying the
// collector's certificate against `ca_file` (and its host name). Each request is counted and
// noted; `after` (may be empty) runs once the response arrived, with the request's 1-based number,
// and may turn that response into a cut connection (returning false).
struct HttplibStack {
  std::string ca_file;
  std::atomic<int> calls{0};
  std::atomic<int> posts{0};  // POSTs of submissions (pushes)
  std::function<bool(const chosa_http_request& request, int call, int status)> after;
  std::mutex mutex;
  std::vector<std::string> requests;  // "METHOD path", in order
};
chosa_code HttplibSend(void* user_data, const chosa_http_request* request, chosa_http_response* response, char* message,
                       size_t message_size);

// Secret hooks keeping every secret in memory (the app's keystore); `frees` counts the stores
// that released the user data.
struct MemorySecrets {
  std::mutex mutex;
  std::map<std::string, std::string> secrets;
  std::atomic<int> reads{0}, writes{0}, erases{0}, frees{0};
};
// Sets `platform`'s secret hooks (and user_data, free_user_data) to `secrets`.
void UseMemorySecrets(chosa_platform* platform, MemorySecrets* secrets);

// A chosa_platform with both: the app's HTTP stack and its secret store (user data: an AppHooks).
struct AppHooks {
  HttplibStack http;
  MemorySecrets secrets;
  std::atomic<int> network{1};  // what network_available answers
  std::atomic<int> frees{0};
};
chosa_platform AppPlatform(AppHooks* app);

// Whether a file exists.
bool Exists(const std::string& path);

}  // namespace chosa::capi_test

#endif  // CHOSA_TESTS_PLATFORM_C_API_SYNC_SUPPORT_H_
