// The C API's thread rules as chosa.h writes them, through libchosa.so: a sync on a background
// thread while the UI fills another draft of the same store; chosa_sync_cancel from a third
// thread in the middle of a push; chosa_store_close from one thread while others use a draft and
// the store; many threads each with their own draft of one store; one draft's calls from two
// threads serialised.
//
// The threads meet at latches (c_api_sync_support.h), never after a sleep: where the test needs "the
// sync is in the middle of its push", the sync itself (its progress callback, the app's
// http_send) stops there until the other thread has done its part. Catch2's assertions run on
// the main thread only, after the other threads were joined.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "c_api_sync_support.h"
#include "chosa/chosa.h"
#include "temp_dir.h"

using nlohmann::json;
using namespace chosa::capi_test;

namespace {

// Threads joined by Join(). When a failed REQUIRE on the main thread leaves the scope before
// that, the destructor first opens the latches they may wait at, then joins them: the test ends
// instead of std::terminate or a hang.
class Threads {
 public:
  explicit Threads(std::vector<Latch*> latches = {}) : latches_(std::move(latches)) {}
  ~Threads() {
    for (std::thread& t : threads_) {
      if (t.joinable()) {
        for (Latch* latch : latches_) latch->Open();
        break;
      }
    }
    Join();
  }
  template <typename Body>
  void Start(Body&& body) {
    threads_.emplace_back(std::forward<Body>(body));
  }
  void Join() {
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  std::vector<Latch*> latches_;
  std::vector<std::thread> threads_;
};

struct Store {
  chosa::testing::TempDir dir{"chosa-c-threads"};
  std::string path = dir.path() + "/store.sqlite";
  chosa_store* store = nullptr;
  explicit Store(const chosa_platform* platform = nullptr) { Open(platform); }
  void Open(const chosa_platform* platform = nullptr) {
    chosa_store_options options{};
    options.struct_size = sizeof options;
    options.device_id = "tablet-t1";
    options.platform = platform;
    Error error;
    INFO(error.message());
    REQUIRE(chosa_store_open(path.c_str(), &options, &store, &error) == CHOSA_OK);
    REQUIRE(chosa_store_install_form_file(store, kVisitRecord.c_str(), nullptr, &error) == CHOSA_OK);
  }
  ~Store() { chosa_store_close(store); }
};

// An enrolled sync handle of `store`.
chosa_sync* Enrolled(chosa_store* store, const Collector& collector, const std::string& code, const char* ca_file) {
  chosa_sync* sync = nullptr;
  Error error;
  INFO(error.message());
  REQUIRE(chosa_sync_open(store, &sync, &error) == CHOSA_OK);
  REQUIRE(chosa_sync_enroll(sync, collector.url().c_str(), ca_file, code.c_str(), "tablet T1", &error) == CHOSA_OK);
  return sync;
}

struct RunResult {
  chosa_code code = CHOSA_INTERNAL;
  std::string message;
  json report;
};

// Runs a sync on the calling thread (Catch-free).
RunResult RunSync(chosa_sync* sync, chosa_sync_progress_fn progress = nullptr, void* user_data = nullptr) {
  RunResult result;
  char* report = nullptr;
  Error error;
  result.code = chosa_sync_run(sync, progress, user_data, nullptr, &report, &error);
  result.message = error.message();
  if (report != nullptr) {
    result.report = json::parse(report, nullptr, /*allow_exceptions=*/false);
    chosa_free(report);
  }
  return result;
}

std::string ValueAt(chosa_draft* draft, const std::string& path) {
  char* out = nullptr;
  Error error;
  REQUIRE(chosa_draft_view_json(draft, &out, nullptr, &error) == CHOSA_OK);
  json view = json::parse(Take(out));
  INFO(view.dump());
  const json* item = chosa::testing::FindItem(view["items"], path);
  REQUIRE(item != nullptr);
  return item->value("value", "");
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("a sync on a background thread while the UI thread fills and finalizes another draft", "[threads]") {
  Collector collector;
  Store s;
  chosa_sync* sync = Enrolled(s.store, collector, collector.Code(), collector.ca_file().c_str());
  std::vector<std::string> before;
  for (int age : {65, 75, 85}) before.push_back(FillVisit(s.store, age));
  Error error;
  chosa_draft* ui = nullptr;
  REQUIRE(chosa_draft_start(s.store, "visit_record", "staff-ui", "en", &ui, &error) == CHOSA_OK);
  REQUIRE(chosa_draft_set_answer(ui, "age", "99", &error) == CHOSA_OK);

  // The sync stops in its progress callback when its push begins (the outbox read) and goes on
  // once the UI thread has finished its draft.
  struct Gate {
    Latch in_push, ui_done;
    std::atomic<bool> waited_out{false};
  } gate;
  chosa_sync_progress_fn stop_at_push = [](void* user_data, const chosa_sync_progress* p) {
    auto* g = static_cast<Gate*>(user_data);
    if (p->phase == CHOSA_SYNC_PUSH && p->done == 0 && !g->in_push.is_open()) {
      g->in_push.Open();
      if (!g->ui_done.Wait()) g->waited_out = true;
    }
  };
  RunResult run;
  std::string ui_uuid;
  {
    Threads threads({&gate.ui_done});
    threads.Start([&] { run = RunSync(sync, stop_at_push, &gate); });
    REQUIRE(gate.in_push.Wait());
    // The sync is running (between its pull and its push): the UI fills and finalizes its draft.
    for (const auto& [path, text] : {std::pair<const char*, const char*>{"adl_eat", "1"},
                                     {"adl_bath", "1"},
                                     {"visits[1]/visit_date", "2024-11-03"},
                                     {"visits[1]/services", "rehab"}}) {
      INFO(path << ": " << error.message());
      REQUIRE(chosa_draft_set_answer(ui, path, text, &error) == CHOSA_OK);
    }
    REQUIRE(chosa_draft_next(ui, &error) == CHOSA_OK);
    REQUIRE(chosa_draft_set_answer(ui, "confirmed", "OK", &error) == CHOSA_OK);
    char* out = nullptr;
    REQUIRE(chosa_draft_review_json(ui, &out, nullptr, &error) == CHOSA_OK);
    REQUIRE(json::parse(Take(out))["can_finalize"] == true);
    REQUIRE(chosa_draft_finalize(ui, &out, &error) == CHOSA_OK);
    ui_uuid = Take(out);
    REQUIRE(Instances(s.store, "finalized").size() == 4);
    REQUIRE_FALSE(gate.ui_done.is_open());  // all of it while the sync waited
    gate.ui_done.Open();
    threads.Join();
  }
  chosa_draft_close(ui);
  INFO(run.message << " " << run.report.dump());
  REQUIRE_FALSE(gate.waited_out);
  REQUIRE(run.code == CHOSA_OK);
  REQUIRE(run.report["sent"] == 3);  // what was finalized before the sync began
  REQUIRE(run.report["left"] == 0);
  REQUIRE(Uuids(s.store, "sent") == Sorted(before));
  REQUIRE(Uuids(s.store, "finalized") == std::vector<std::string>{ui_uuid});
  collector.RequireHolds(s.store, before);

  RunResult next = RunSync(sync);
  REQUIRE(next.code == CHOSA_OK);
  REQUIRE(next.report["sent"] == 1);
  before.push_back(ui_uuid);
  REQUIRE(Uuids(s.store, "sent") == Sorted(before));
  collector.RequireHolds(s.store, before);
  chosa_sync_close(sync);
}

TEST_CASE("chosa_sync_cancel from a third thread stops a push; nothing is lost or stored twice", "[threads]") {
  Collector collector;
  AppHooks app;
  app.http.ca_file = collector.ca_file();
  chosa_platform platform = AppPlatform(&app);
  Store s(&platform);
  chosa_sync* sync = Enrolled(s.store, collector, collector.Code(), nullptr);
  REQUIRE(app.secrets.secrets.size() == 1);
  REQUIRE(chosa_sync_is_enrolled(sync) == 1);
  // 101 submissions: two pushes (100 a batch).
  std::vector<std::string> all;
  for (int i = 0; i < 101; ++i) all.push_back(FillVisit(s.store, 65 + i % 50));
  std::sort(all.begin(), all.end());

  // The second push reaches the collector, which stores it; its answer is held back until the
  // cancel was issued, then lost (a cut connection): the device cannot know it was stored.
  Latch second_push_stored, cancel_issued;
  app.http.after = [&](const chosa_http_request& request, int, int status) {
    if (std::string(request.method) == "POST" && app.http.posts == 2 && status == 200) {
      second_push_stored.Open();
      cancel_issued.Wait();
      return false;
    }
    return true;
  };
  struct Seen {
    std::vector<chosa_sync_progress> events;
    std::vector<std::string> whys;
  } seen;
  chosa_sync_progress_fn record = [](void* user_data, const chosa_sync_progress* p) {
    auto* seen_so_far = static_cast<Seen*>(user_data);
    seen_so_far->events.push_back(*p);
    seen_so_far->whys.push_back(p->why);
  };
  RunResult run;
  bool cancel_met_push = false;
  {
    Threads threads({&second_push_stored, &cancel_issued});
    threads.Start([&] { run = RunSync(sync, record, &seen); });
    threads.Start([&] {
      cancel_met_push = second_push_stored.Wait();
      chosa_sync_cancel(sync);
      cancel_issued.Open();
    });
    threads.Join();
  }
  INFO(run.message << " " << run.report.dump());
  REQUIRE(cancel_met_push);
  REQUIRE(run.code == CHOSA_CANCELLED);
  REQUIRE(run.message.find("cancelled") != std::string::npos);
  REQUIRE(run.report["sent"] == 100);  // the first push, acknowledged: marked sent
  REQUIRE(run.report["left"] == 1);    // the second: not acknowledged, so still in the outbox
  REQUIRE(run.report["complete"] == false);
  REQUIRE(app.http.posts == 2);  // no request after the cancel
  // The cut connection was to be retried after a wait, which the cancel ended.
  size_t waits = 0;
  for (size_t i = 0; i < seen.events.size(); ++i) {
    if (seen.events[i].phase != CHOSA_SYNC_WAITING) continue;
    ++waits;
    REQUIRE(seen.whys[i].find("connection was cut") != std::string::npos);
  }
  REQUIRE(waits == 1);
  REQUIRE(Uuids(s.store, "sent").size() == 100);
  const std::vector<std::string> left = Uuids(s.store, "finalized");
  REQUIRE(left.size() == 1);
  std::vector<std::string> both = Uuids(s.store, "sent");
  both.push_back(left[0]);
  REQUIRE(Sorted(both) == all);
  collector.RequireHolds(s.store, all);  // the collector got all 101, once each

  // A cancel with no sync running has no effect; the next run sends what was left: the
  // collector knows it already (a duplicate), and still holds each submission once.
  chosa_sync_cancel(sync);
  app.http.after = nullptr;
  RunResult next = RunSync(sync);
  INFO(next.message << " " << next.report.dump());
  REQUIRE(next.code == CHOSA_OK);
  REQUIRE(next.report["sent"] == 0);
  REQUIRE(next.report["duplicates"] == 1);
  REQUIRE(next.report["left"] == 0);
  REQUIRE(Uuids(s.store, "sent") == all);
  collector.RequireHolds(s.store, all);
  chosa_sync_close(sync);
}

namespace {

// One round of the test below.
void CloseStoreInUse() {
  Store s;
  Error error;
  chosa_draft* draft = nullptr;
  REQUIRE(chosa_draft_start(s.store, "visit_record", nullptr, "en", &draft, &error) == CHOSA_OK);
  const int64_t id = chosa_draft_id(draft);
  REQUIRE(chosa_draft_set_answer(draft, "age", "65", &error) == CHOSA_OK);

  // One thread answers (and reads the page) until the draft says CHOSA_MISUSE; another lists the
  // store until the store says so. Neither stops before the store is closed under them.
  struct Use {
    std::atomic<int> calls{0};
    std::atomic<bool> finished{false};
    std::string fault;  // a code other than OK before, or MISUSE after, the close
    int last_age = 65;  // the last answer the draft took
    std::vector<chosa_code> after;
  } drafting, listing;
  const chosa_store* closed_store = s.store;
  {
    Threads threads;
    threads.Start([&] {
      for (int i = 0;; ++i) {
        const int age = 65 + i % 50;
        const chosa_code set = chosa_draft_set_answer(draft, "age", std::to_string(age).c_str(), nullptr);
        if (set == CHOSA_OK) drafting.last_age = age;
        char* view = nullptr;
        const chosa_code viewed = set == CHOSA_OK ? chosa_draft_view_json(draft, &view, nullptr, nullptr) : set;
        chosa_free(view);
        drafting.calls++;
        if (set != CHOSA_OK && set != CHOSA_MISUSE) drafting.fault = std::string("set: ") + chosa_code_name(set);
        if (viewed != CHOSA_OK && viewed != CHOSA_MISUSE)
          drafting.fault = std::string("view: ") + chosa_code_name(viewed);
        if (viewed != CHOSA_OK || !drafting.fault.empty()) break;
      }
      // Closed: every call on the draft says so (the handle stays until released).
      char* out = nullptr;
      int32_t position = 0;
      drafting.after = {chosa_draft_set_answer(draft, "age", "70", nullptr),
                        chosa_draft_set_answer_json(draft, "age", "70", nullptr),
                        chosa_draft_view_json(draft, &out, nullptr, nullptr),
                        chosa_draft_review_json(draft, &out, nullptr, nullptr),
                        chosa_draft_add_instance(draft, "visits", &position, nullptr),
                        chosa_draft_remove_instance(draft, "visits", 1, nullptr),
                        chosa_draft_next(draft, nullptr),
                        chosa_draft_back(draft, nullptr),
                        chosa_draft_go_to_page(draft, 0, nullptr),
                        chosa_draft_set_language(draft, "ja", nullptr),
                        chosa_draft_finalize(draft, &out, nullptr)};
      drafting.finished = true;
    });
    threads.Start([&] {
      for (;;) {
        char* out = nullptr;
        const chosa_code listed = chosa_store_list_instances(s.store, "draft", &out, nullptr);
        chosa_free(out);
        listing.calls++;
        if (listed == CHOSA_MISUSE) break;
        if (listed != CHOSA_OK) {
          listing.fault = chosa_code_name(listed);
          break;
        }
      }
      listing.finished = true;
    });
    while ((drafting.calls < 50 || listing.calls < 50) && !drafting.finished && !listing.finished) {
      std::this_thread::yield();
    }
    chosa_store_close(s.store);
    threads.Join();
  }
  INFO("drafting: " << drafting.fault << ", listing: " << listing.fault);
  REQUIRE(drafting.fault.empty());
  REQUIRE(listing.fault.empty());
  REQUIRE(drafting.calls >= 50);
  REQUIRE(listing.calls >= 50);
  for (chosa_code code : drafting.after) REQUIRE(code == CHOSA_MISUSE);
  REQUIRE(chosa_draft_id(draft) == id);
  char* out = nullptr;
  REQUIRE(chosa_store_list_forms(const_cast<chosa_store*>(closed_store), nullptr, &out, &error) == CHOSA_MISUSE);
  chosa_draft_close(draft);
  chosa_draft_close(draft);

  // Every answer the draft took before the close was saved: the last one is there.
  s.store = nullptr;
  s.Open();
  REQUIRE(chosa_draft_resume(s.store, id, &draft, &error) == CHOSA_OK);
  REQUIRE(ValueAt(draft, "age") == std::to_string(drafting.last_age));
  chosa_draft_close(draft);
}

}  // namespace

TEST_CASE("chosa_store_close from another thread while a draft and the store are in use", "[threads]") {
  // A few rounds: where the close falls among the other threads' calls differs each time (under
  // ThreadSanitizer, a call reading the store handle as it is freed shows in most rounds).
  for (int round = 0; round < 4; ++round) {
    INFO("round " << round);
    CloseStoreInUse();
  }
}

TEST_CASE("many threads each fill their own draft of one store", "[threads]") {
  Store s;
  constexpr int kThreads = 8;
  struct Filler {
    std::string fault;
    std::string uuid;
    int64_t draft_id = 0;
  };
  std::vector<Filler> fillers(kThreads);
  std::atomic<int> done{0};
  std::string lister_fault;
  {
    Threads threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.Start([&, t] {
        Filler& f = fillers[t];
        const std::string age = std::to_string(65 + t);
        const std::string date = "2024-10-" + std::string(t < 9 ? "0" : "") + std::to_string(t + 1);
        chosa_draft* draft = nullptr;
        Error error;
        auto step = [&](const char* what, chosa_code code) {
          if (code != CHOSA_OK && f.fault.empty()) f.fault = std::string(what) + ": " + error.message();
          return f.fault.empty();
        };
        if (!step("start", chosa_draft_start(s.store, "visit_record", "staff", t % 2 ? "ja" : "en", &draft, &error))) {
          done++;
          return;
        }
        f.draft_id = chosa_draft_id(draft);
        int32_t position = 0;
        step("age", chosa_draft_set_answer(draft, "age", age.c_str(), &error));
        step("adl_eat", chosa_draft_set_answer(draft, "adl_eat", "2", &error));
        step("adl_bath", chosa_draft_set_answer_json(draft, "adl_bath", "\"3\"", &error));
        step("date 1", chosa_draft_set_answer(draft, "visits[1]/visit_date", date.c_str(), &error));
        step("add", chosa_draft_add_instance(draft, "visits", &position, &error));
        if (position != 2 && f.fault.empty()) f.fault = "position " + std::to_string(position);
        step("date 2", chosa_draft_set_answer(draft, "visits[2]/visit_date", "2024-11-01", &error));
        step("services", chosa_draft_set_answer_json(draft, "visits[2]/services", "[\"nursing\",\"other\"]", &error));
        // Left half-way and taken up again, as an interrupted filling is.
        chosa_draft_close(draft);
        draft = nullptr;
        step("resume", chosa_draft_resume(s.store, f.draft_id, &draft, &error));
        if (draft != nullptr) {
          step("next", chosa_draft_next(draft, &error));
          step("language", chosa_draft_set_language(draft, t % 2 ? "en" : "ja", &error));
          step("confirmed", chosa_draft_set_answer(draft, "confirmed", "OK", &error));
          char* out = nullptr;
          if (step("finalize", chosa_draft_finalize(draft, &out, &error))) f.uuid = out;
          chosa_free(out);
          chosa_draft_close(draft);
        }
        done++;
      });
    }
    // A reader lists the store all along (once at least).
    threads.Start([&] {
      do {
        char* out = nullptr;
        for (const char* state : {"draft", "finalized"}) {
          if (chosa_store_list_instances(s.store, state, &out, nullptr) != CHOSA_OK) {
            lister_fault = std::string("listing ") + state;
            return;
          }
          json listed = json::parse(out, nullptr, false);
          chosa_free(out);
          if (!listed.is_array() || listed.size() > kThreads) {
            lister_fault = std::string("listing ") + state + ": " + listed.dump();
            return;
          }
        }
      } while (done < kThreads);
    });
  }
  REQUIRE(lister_fault.empty());
  std::set<std::string> uuids;
  std::set<int64_t> ids;
  for (int t = 0; t < kThreads; ++t) {
    INFO("thread " << t << ": " << fillers[t].fault);
    REQUIRE(fillers[t].fault.empty());
    uuids.insert(fillers[t].uuid);
    ids.insert(fillers[t].draft_id);
    // Each submission holds its own thread's answers.
    char* out = nullptr;
    size_t size = 0;
    Error error;
    REQUIRE(chosa_store_read_submission(s.store, fillers[t].uuid.c_str(), &out, &size, &error) == CHOSA_OK);
    json submission = json::parse(std::string(out, size));
    chosa_free(out);
    REQUIRE(submission["answers"]["age"] == 65 + t);
    REQUIRE(submission["answers"]["visits"].size() == 2);
    REQUIRE(submission["answers"]["visits"][0]["visit_date"] ==
            "2024-10-" + std::string(t < 9 ? "0" : "") + std::to_string(t + 1));
    REQUIRE(submission["answers"]["visits"][1]["services"] == json::array({"nursing", "other"}));
  }
  REQUIRE(uuids.size() == kThreads);
  REQUIRE(ids.size() == kThreads);
  json outbox = Instances(s.store, "finalized");
  REQUIRE(outbox.size() == kThreads);
  std::set<std::string> names;
  for (const json& item : outbox) names.insert(item["instance_name"]);
  REQUIRE(names.size() == kThreads);
  REQUIRE(names.count("visit 65") == 1);
  REQUIRE(names.count("visit 72") == 1);
  REQUIRE(Instances(s.store, "draft").empty());
}

TEST_CASE("one draft's calls from two threads are serialised, not interleaved", "[threads]") {
  Store s;
  Error error;
  chosa_draft* draft = nullptr;
  REQUIRE(chosa_draft_start(s.store, "visit_record", nullptr, "en", &draft, &error) == CHOSA_OK);
  REQUIRE(chosa_draft_next(draft, &error) == CHOSA_INVALID_ARGUMENT);  // stays on the first page
  constexpr int kRounds = 200;
  std::string faults[2];
  {
    Threads threads;
    // One thread types the age, the other adds and removes a visit: both change the page the
    // other one reads.
    threads.Start([&] {
      for (int i = 0; i < kRounds && faults[0].empty(); ++i) {
        chosa_code c = chosa_draft_set_answer(draft, "age", std::to_string(65 + i % 50).c_str(), nullptr);
        char* out = nullptr;
        if (c == CHOSA_OK) c = chosa_draft_view_json(draft, &out, nullptr, nullptr);
        if (c == CHOSA_OK && !json::accept(out)) faults[0] = "a view that is not JSON";
        chosa_free(out);
        if (c != CHOSA_OK) faults[0] = chosa_code_name(c);
      }
    });
    threads.Start([&] {
      for (int i = 0; i < kRounds && faults[1].empty(); ++i) {
        int32_t position = 0;
        chosa_code c = chosa_draft_add_instance(draft, "visits", &position, nullptr);
        if (c == CHOSA_OK && position != 2) faults[1] = "added at " + std::to_string(position);
        if (c == CHOSA_OK) c = chosa_draft_remove_instance(draft, "visits", 2, nullptr);
        if (c != CHOSA_OK && faults[1].empty()) faults[1] = chosa_code_name(c);
      }
    });
  }
  INFO(faults[0] << " | " << faults[1]);
  REQUIRE(faults[0].empty());
  REQUIRE(faults[1].empty());
  REQUIRE(ValueAt(draft, "age") == std::to_string(65 + (kRounds - 1) % 50));
  int32_t position = 0;
  REQUIRE(chosa_draft_add_instance(draft, "visits", &position, &error) == CHOSA_OK);
  REQUIRE(position == 2);  // every add was matched by its remove
  chosa_draft_close(draft);
}
