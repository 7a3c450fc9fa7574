// Sync through the C API (libchosa.so) with a real chosa-collector on loopback TLS: enrolment
// with a one-time code, the sync's progress and report, the outbox marked sent, refusals, the
// platform saying there is no network, an app's own HTTP stack behind http_send and its own
// secret store behind the secret hooks.
#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "c_api_sync_support.h"
#include "chosa/chosa.h"
#include "temp_dir.h"

using nlohmann::json;
using namespace chosa::capi_test;

namespace {

// What a sync's progress callback saw, and how often its user data was freed.
struct Progress {
  struct Event {
    int32_t phase;
    uint64_t done, total, bytes_sent;
    int64_t wait_ms;
    std::string why;
  };
  std::vector<Event> events;
  int frees = 0;

  static void Record(void* user_data, const chosa_sync_progress* p) {
    static_cast<Progress*>(user_data)->events.push_back(
        {p->phase, p->done, p->total, p->bytes_sent, p->wait_ms, p->why == nullptr ? "(null)" : p->why});
  }
  static void Free(void* user_data) { static_cast<Progress*>(user_data)->frees++; }

  std::vector<Event> Of(int32_t phase) const {
    std::vector<Event> out;
    for (const Event& e : events) {
      if (e.phase == phase) out.push_back(e);
    }
    return out;
  }
};

// Runs a sync (REQUIREs `expected`) and returns its report.
json Run(chosa_sync* sync, chosa_code expected, Progress* progress = nullptr) {
  char* report = nullptr;
  Error error;
  const chosa_code code = progress == nullptr
                              ? chosa_sync_run(sync, nullptr, nullptr, nullptr, &report, &error)
                              : chosa_sync_run(sync, Progress::Record, progress, Progress::Free, &report, &error);
  INFO(chosa_code_name(code) << ": " << error.message());
  REQUIRE(code == expected);
  return json::parse(Take(report));
}

struct Device {
  chosa::testing::TempDir dir{"chosa-c-sync"};
  std::string path = dir.path() + "/store.sqlite";
  chosa_store* store = nullptr;
  chosa_sync* sync = nullptr;
  explicit Device(const chosa_platform* platform = nullptr, const char* device_id = "tablet-c1") {
    Open(platform, device_id);
  }
  void Open(const chosa_platform* platform, const char* device_id = "tablet-c1") {
    chosa_store_options options{};
    options.struct_size = sizeof options;
    options.device_id = device_id;
    options.platform = platform;
    Error error;
    INFO(error.message());
    REQUIRE(chosa_store_open(path.c_str(), &options, &store, &error) == CHOSA_OK);
    REQUIRE(chosa_sync_open(store, &sync, &error) == CHOSA_OK);
  }
  void Close() {
    chosa_sync_close(sync);
    chosa_store_close(store);
    sync = nullptr;
    store = nullptr;
  }
  ~Device() { Close(); }
  void Install() {
    Error error;
    INFO(error.message());
    REQUIRE(chosa_store_install_form_file(store, kVisitRecord.c_str(), nullptr, &error) == CHOSA_OK);
  }
  chosa_code Enroll(const std::string& url, const char* ca_file, const std::string& code, Error& error) {
    return chosa_sync_enroll(sync, url.c_str(), ca_file, code.c_str(), "tablet C1", &error);
  }
  std::string credentials_file() const { return path + ".sync.json"; }
};

}  // namespace

TEST_CASE("a device enrols with a code, fills, and syncs through the C API", "[sync]") {
  Collector collector(/*with_checklist=*/true);
  Device device;
  device.Install();  // visit_record is here already: the pull fetches coordinator_checklist alone
  REQUIRE(chosa_sync_is_enrolled(device.sync) == 0);
  Error error;

  // Refused codes: an unknown one, and (below) one used already. Nothing is kept.
  REQUIRE(device.Enroll(collector.url(), collector.ca_file().c_str(), "ABCD-EFGH-JKMN-PQRS", error) ==
          CHOSA_PERMISSION_DENIED);
  REQUIRE(error.message().find("unknown enrolment code") != std::string::npos);
  REQUIRE(chosa_sync_is_enrolled(device.sync) == 0);
  REQUIRE_FALSE(Exists(device.credentials_file()));
  // A collector whose certificate the given CA did not sign is refused as well.
  chosa::testing::TempDir other{"chosa-c-other-ca"};
  REQUIRE(chosa::e2e::RunCollectorTool({"dev-tls", other.path() + "/tls"}, other.path() + "/log").exit_status == 0);
  const std::string code = collector.Code();
  REQUIRE(device.Enroll(collector.url(), (other.path() + "/tls/ca.pem").c_str(), code, error) ==
          CHOSA_PERMISSION_DENIED);
  REQUIRE(chosa_sync_is_enrolled(device.sync) == 0);

  // A device name or code that is not UTF-8 is refused as such, before anything is sent.
  REQUIRE(chosa_sync_enroll(device.sync, collector.url().c_str(), collector.ca_file().c_str(), code.c_str(),
                            "tablet \xff", &error) == CHOSA_INVALID_ARGUMENT);
  REQUIRE(error.message().find("the device name is not UTF-8") != std::string::npos);
  REQUIRE(device.Enroll(collector.url(), collector.ca_file().c_str(), code + "\xc3", error) == CHOSA_INVALID_ARGUMENT);
  REQUIRE(error.message().find("the enrolment code is not UTF-8") != std::string::npos);
  REQUIRE(chosa_sync_is_enrolled(device.sync) == 0);

  REQUIRE(device.Enroll(collector.url(), collector.ca_file().c_str(), code, error) == CHOSA_OK);
  REQUIRE(chosa_sync_is_enrolled(device.sync) == 1);
  struct stat st;
  REQUIRE(::stat(device.credentials_file().c_str(), &st) == 0);  // the default secret store: 0600
  REQUIRE((st.st_mode & 0777) == 0600);
  {
    Device second(nullptr, "tablet-c2");
    REQUIRE(second.Enroll(collector.url(), collector.ca_file().c_str(), code, error) == CHOSA_PERMISSION_DENIED);
    REQUIRE(error.message().find("used already") != std::string::npos);
  }

  std::vector<std::string> finalized;
  for (int age : {70, 81, 92}) finalized.push_back(FillVisit(device.store, age));
  std::sort(finalized.begin(), finalized.end());
  chosa_draft* unfinished = nullptr;
  REQUIRE(chosa_draft_start(device.store, "visit_record", nullptr, "en", &unfinished, &error) == CHOSA_OK);
  REQUIRE(chosa_draft_set_answer(unfinished, "age", "77", &error) == CHOSA_OK);
  chosa_draft_close(unfinished);

  Progress progress;
  json report = Run(device.sync, CHOSA_OK, &progress);
  INFO(report.dump());
  REQUIRE(progress.frees == 1);  // the user data is freed exactly once, before chosa_sync_run returns
  REQUIRE(report["sent"] == 3);
  REQUIRE(report["duplicates"] == 0);
  REQUIRE(report["left"] == 0);
  REQUIRE(report["rejected"].empty());
  REQUIRE(report["problems"].empty());
  REQUIRE(report["complete"] == true);
  REQUIRE(report["retries"] == 0);
  REQUIRE(report["forms_installed"] == json::array({{{"form_id", "coordinator_checklist"}, {"version", "2024.1"}}}));
  const uint64_t bytes_sent = report["bytes_sent"];
  REQUIRE(bytes_sent > 0);

  // The phases in order: the forms (one to download), then the outbox (three to send).
  std::vector<Progress::Event> forms = progress.Of(CHOSA_SYNC_FORMS), push = progress.Of(CHOSA_SYNC_PUSH);
  REQUIRE(progress.Of(CHOSA_SYNC_WAITING).empty());
  REQUIRE(forms.size() + push.size() == progress.events.size());
  REQUIRE(progress.events.front().phase == CHOSA_SYNC_FORMS);
  REQUIRE(progress.events.back().phase == CHOSA_SYNC_PUSH);
  REQUIRE(forms.front().done == 0);
  REQUIRE(forms.back().done == 1);
  REQUIRE(push.front().done == 0);
  REQUIRE(push.back().done == 3);
  uint64_t last_bytes = 0;
  for (const Progress::Event& e : progress.events) {
    REQUIRE(e.total == (e.phase == CHOSA_SYNC_FORMS ? 1u : 3u));
    REQUIRE(e.done <= e.total);
    REQUIRE(e.bytes_sent >= last_bytes);
    REQUIRE(e.why != "(null)");
    last_bytes = e.bytes_sent;
  }
  REQUIRE(last_bytes == bytes_sent);

  REQUIRE(Uuids(device.store, "sent") == finalized);
  REQUIRE(Instances(device.store, "finalized").empty());
  REQUIRE(Instances(device.store, "draft").size() == 1);  // a draft is not sent
  char* out = nullptr;
  REQUIRE(chosa_store_list_forms(device.store, "en", &out, &error) == CHOSA_OK);
  REQUIRE(json::parse(Take(out)).size() == 2);  // coordinator_checklist came with the sync
  collector.RequireHolds(device.store, finalized);

  // Nothing new: a second run sends nothing and downloads nothing.
  Progress again;
  json second = Run(device.sync, CHOSA_OK, &again);
  REQUIRE(again.frees == 1);
  REQUIRE(second["sent"] == 0);
  REQUIRE(second["duplicates"] == 0);
  REQUIRE(second["left"] == 0);
  REQUIRE(second["forms_installed"].empty());
  REQUIRE(second["complete"] == true);
  REQUIRE(again.Of(CHOSA_SYNC_PUSH).back().total == 0);
  collector.RequireHolds(device.store, finalized);

  // Without a callback the user data is still freed once; on a bad handle too.
  Progress no_callback;
  REQUIRE(chosa_sync_run(device.sync, nullptr, &no_callback, Progress::Free, nullptr, &error) == CHOSA_OK);
  REQUIRE(no_callback.frees == 1);
  REQUIRE(no_callback.events.empty());
  Progress misused;
  REQUIRE(chosa_sync_run(nullptr, Progress::Record, &misused, Progress::Free, nullptr, &error) == CHOSA_MISUSE);
  REQUIRE(misused.frees == 1);
}

TEST_CASE("an app's own HTTP stack and secret store carry the whole sync; no network, no request", "[sync]") {
  Collector collector;
  AppHooks app;
  app.http.ca_file = collector.ca_file();
  chosa_platform platform = AppPlatform(&app);
  std::vector<std::string> finalized;
  {
    Device device(&platform);
    device.Install();
    Error error;

    // The app's stack verifies the collector: trusting another CA, the enrolment is refused at
    // the first request, without retries.
    const size_t requests_before = collector.Requests();
    chosa::testing::TempDir other{"chosa-c-other-ca"};
    REQUIRE(chosa::e2e::RunCollectorTool({"dev-tls", other.path() + "/tls"}, other.path() + "/log").exit_status == 0);
    app.http.ca_file = other.path() + "/tls/ca.pem";
    const std::string code = collector.Code();
    REQUIRE(device.Enroll(collector.url(), nullptr, code, error) == CHOSA_PERMISSION_DENIED);
    REQUIRE(error.message().find("SSLServerVerification") != std::string::npos);
    REQUIRE(app.http.calls == 1);
    app.http.ca_file = collector.ca_file();

    REQUIRE(device.Enroll(collector.url(), nullptr, code, error) == CHOSA_OK);
    REQUIRE(app.http.calls == 2);
    REQUIRE(chosa_sync_is_enrolled(device.sync) == 1);
    for (int age : {66, 67}) finalized.push_back(FillVisit(device.store, age));
    std::sort(finalized.begin(), finalized.end());

    // The platform says there is no network: nothing is tried, everything stays.
    app.network = 0;
    char* out = nullptr;
    REQUIRE(chosa_sync_run(device.sync, nullptr, nullptr, nullptr, &out, &error) == CHOSA_UNAVAILABLE);
    REQUIRE(error.message().find("no network") != std::string::npos);
    json offline = json::parse(Take(out));
    REQUIRE(offline["left"] == 2);
    REQUIRE(offline["sent"] == 0);
    REQUIRE(offline["complete"] == false);
    REQUIRE(app.http.calls == 2);
    REQUIRE(Uuids(device.store, "finalized") == finalized);

    app.network = 1;
    json report = Run(device.sync, CHOSA_OK);
    REQUIRE(report["sent"] == 2);
    REQUIRE(report["left"] == 0);
    REQUIRE(Uuids(device.store, "sent") == finalized);
    // Every request of the enrolment and the sync went through the hook, and only those reached
    // the collector (its access log, complete once it has stopped): the enrolment, the forms
    // listed, the outbox pushed.
    REQUIRE(app.http.calls == 4);
    REQUIRE(app.http.posts == 1);
    REQUIRE(app.http.requests == std::vector<std::string>{"POST /api/v1/enroll", "POST /api/v1/enroll",
                                                          "GET /api/v1/forms", "POST /api/v1/submissions"});
    collector.RequireHolds(device.store, finalized);
    REQUIRE(collector.process.Stop(SIGTERM) == 0);
    REQUIRE(collector.Requests() - requests_before == 3);

    // The credentials went to the app's secret store alone: no file beside the store.
    REQUIRE_FALSE(Exists(device.credentials_file()));
    REQUIRE(app.secrets.writes == 1);
    REQUIRE(app.secrets.secrets.size() == 1);
    json kept = json::parse(app.secrets.secrets.begin()->second);
    REQUIRE(kept["collector_url"] == collector.url());
    REQUIRE(kept["device_id"] == "tablet-c1");
    REQUIRE_FALSE(kept["token"].get<std::string>().empty());
    REQUIRE(app.frees == 0);
  }
  REQUIRE(app.frees == 1);  // the store and everything made from it were released
}

TEST_CASE("credentials kept by the app's secret hooks never touch the disk and serve the next store handle", "[sync]") {
  Collector collector;
  MemorySecrets secrets;
  chosa_platform platform{};
  platform.struct_size = sizeof platform;
  UseMemorySecrets(&platform, &secrets);  // the rest: the defaults (libcurl, the system clock)
  Device device(&platform);
  device.Install();
  Error error;
  REQUIRE(chosa_sync_is_enrolled(device.sync) == 0);
  REQUIRE(device.Enroll(collector.url(), collector.ca_file().c_str(), collector.Code(), error) == CHOSA_OK);
  REQUIRE(secrets.writes == 1);
  REQUIRE_FALSE(Exists(device.credentials_file()));
  std::vector<std::string> sent{FillVisit(device.store, 90)};
  REQUIRE(Run(device.sync, CHOSA_OK)["sent"] == 1);
  REQUIRE_FALSE(Exists(device.credentials_file()));

  // The app starts again: a new store handle with the same hooks is enrolled, and syncs.
  device.Close();
  REQUIRE(secrets.frees == 1);
  device.Open(&platform);
  REQUIRE(chosa_sync_is_enrolled(device.sync) == 1);
  sent.push_back(FillVisit(device.store, 91));
  std::sort(sent.begin(), sent.end());
  REQUIRE(Run(device.sync, CHOSA_OK)["sent"] == 1);
  REQUIRE(Uuids(device.store, "sent") == sent);
  collector.RequireHolds(device.store, sent);
  REQUIRE_FALSE(Exists(device.credentials_file()));
  REQUIRE(secrets.erases == 0);

  // Another store with the same hooks is another device: not enrolled by this one's secret.
  Device other(&platform, "tablet-c9");
  REQUIRE(chosa_sync_is_enrolled(other.sync) == 0);
  REQUIRE(chosa_sync_run(other.sync, nullptr, nullptr, nullptr, nullptr, &error) == CHOSA_UNAUTHENTICATED);
}
