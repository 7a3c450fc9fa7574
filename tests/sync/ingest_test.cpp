// The push pipeline (sync/collector/src/ingest.cpp) and the pool that checks a batch's lines on
// several threads (work_pool.cpp): every line checked once, results in the lines' order whatever
// thread checked them, and a failure to check that stores nothing.
#include "chosa/collector/ingest.h"

#ifdef __linux__
#include <sched.h>
#endif

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "chosa/env.h"
#include "chosa/session.h"
#include "chosa/collector/admin.h"
#include "chosa/collector/sqlite_storage.h"
#include "chosa/collector/work_pool.h"
#include "e2e_support.h"
#include "must.h"
#include "temp_dir.h"

namespace chosa::collector {
namespace {

using chosa::testing::Must;
using chosa::testing::TempDir;

constexpr int64_t kNow = 1730597430000;

TEST_CASE("WorkPool runs every item exactly once, on the caller and its helpers", "[sync][ingest]") {
  for (unsigned helpers : {0u, 1u, 3u}) {
    WorkPool pool(helpers);
    for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{100}, size_t{1000}}) {
      std::vector<std::atomic<int>> runs(n);
      pool.ForEach(n, [&](size_t i) { runs[i].fetch_add(1); });
      for (size_t i = 0; i < n; ++i) {
        INFO("helpers " << helpers << ", n " << n << ", item " << i);
        REQUIRE(runs[i].load() == 1);
      }
    }
  }
}

TEST_CASE("WorkPool serves several callers at once, each waiting only for its own items", "[sync][ingest]") {
  WorkPool pool(2);
  constexpr int kCallers = 6, kCalls = 50;
  constexpr size_t kItems = 64;
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&] {
      for (int call = 0; call < kCalls; ++call) {
        std::vector<int> done(kItems, 0);  // written by whichever thread ran the item
        pool.ForEach(kItems, [&](size_t i) { done[i] += 1; });
        for (int d : done) wrong += d == 1 ? 0 : 1;  // read after ForEach returned: all written
      }
    });
  }
  for (std::thread& t : callers) t.join();
  CHECK(wrong.load() == 0);
}

TEST_CASE("WorkPool's helpers take part: items of one call run on more than one thread", "[sync][ingest]") {
  WorkPool pool(1);
  std::mutex mutex;
  std::set<std::thread::id> threads;
  // Each item waits until two threads have started items, so the helper must have claimed one
  // while the caller held the other (the 60 s bound only keeps a broken pool from hanging the
  // suite: a working helper wakes within milliseconds).
  std::atomic<int> started{0};
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  pool.ForEach(2, [&](size_t) {
    started.fetch_add(1);
    while (started.load() < 2 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
    std::lock_guard<std::mutex> lock(mutex);
    threads.insert(std::this_thread::get_id());
  });
  CHECK(threads.size() == 2);
  // Counted by who ran them: one item each.
  CHECK(pool.items_by_helpers() == 1);
  CHECK(pool.items_by_callers() == 1);
}

#ifdef __linux__
TEST_CASE("WorkPool's default helpers follow the cores this process may use, not the machine's", "[sync][ingest]") {
  cpu_set_t allowed;
  REQUIRE(sched_getaffinity(0, sizeof allowed, &allowed) == 0);
  CHECK(WorkPool::DefaultHelpers() == static_cast<unsigned>(CPU_COUNT(&allowed)) - 1);
  int first = 0;
  while (!CPU_ISSET(first, &allowed)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);  // as under `taskset -c N` or a 1-CPU container
  const unsigned helpers_on_one_core = WorkPool::DefaultHelpers();
  REQUIRE(sched_setaffinity(0, sizeof allowed, &allowed) == 0);
  CHECK(helpers_on_one_core == 0);
}
#endif

TEST_CASE("WorkPool::InOrder hands over each item in order once it has run, and stops when abandoned",
          "[sync][ingest]") {
  for (unsigned helpers : {0u, 1u, 3u}) {
    WorkPool pool(helpers);
    for (size_t n : {size_t{1}, size_t{2}, size_t{100}, size_t{1000}}) {
      INFO("helpers " << helpers << ", n " << n);
      std::vector<int> value(n, 0);  // written by whichever thread runs the item
      std::vector<std::atomic<int>> runs(n);
      WorkPool::InOrder items(pool, n, [&](size_t i) {
        runs[i].fetch_add(1);
        value[i] = static_cast<int>(i) + 1;
      });
      int wrong = 0;
      for (size_t i = 0; i < n; ++i) {
        items.Await(i);
        wrong += value[i] == static_cast<int>(i) + 1 ? 0 : 1;  // its write is visible here
      }
      CHECK(wrong == 0);
      items.AwaitAll();
      for (size_t i = 0; i < n; ++i) REQUIRE(runs[i].load() == 1);
    }
    // Abandoned after a few items: when the scope ends no item is running, none ran twice, and
    // items no one claimed never run.
    std::vector<std::atomic<int>> runs(2000);
    std::atomic<int> running{0};
    {
      WorkPool::InOrder items(pool, runs.size(), [&](size_t i) {
        running.fetch_add(1);
        runs[i].fetch_add(1);
        for (int spin = 0; spin < 200; ++spin) std::this_thread::yield();
        running.fetch_sub(1);
      });
      items.Await(3);
    }
    CHECK(running.load() == 0);
    size_t ran = 0;
    for (const std::atomic<int>& r : runs) {
      REQUIRE(r.load() <= 1);
      ran += static_cast<size_t>(r.load());
    }
    CHECK(ran >= 4);
    // How many the helpers claimed before the scope ended is the scheduler's business (all 2000
    // on a busy machine); what is not claimed by then never runs: the pool's next batch finds
    // the counts as the scope left them.
    std::vector<int> after_scope;
    for (const std::atomic<int>& r : runs) after_scope.push_back(r.load());
    WorkPool::InOrder next(pool, 200, [](size_t) {});
    next.AwaitAll();
    for (size_t i = 0; i < runs.size(); ++i) REQUIRE(runs[i].load() == after_scope[i]);
  }
}

std::string Uuid(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "%08x-0000-4000-8000-000000000000", n);
  return text;
}

std::string Line(int n, const std::string& answer, const std::string& form = "survey",
                 const std::string& version = "1") {
  return R"({"uuid":")" + Uuid(n) + R"(","form_id":")" + form + R"(","form_version":")" + version +
         R"(","device_id":"tablet-1","language":"ja","answers":{"q":")" + answer + R"("}})";
}

// The lines of one push: valid ones, and one of each kind of refusal, in a fixed order.
std::vector<std::string> MixedLines() {
  std::vector<std::string> lines;
  for (int i = 0; i < 40; ++i) {
    switch (i % 8) {
      case 3:
        lines.push_back(Line(i, "bad"));
        break;  // the validator refuses it
      case 5:
        lines.push_back("{not json");
        break;  // unreadable
      case 6:
        lines.push_back(Line(i, "x", "other"));
        break;  // not assigned
      case 7:
        lines.push_back(Line(i, "x", "survey", "9"));
        break;  // unknown version
      default:
        lines.push_back(Line(i, "fine " + std::to_string(i)));
        break;
    }
  }
  return lines;
}

std::vector<std::string> PushMixed(unsigned helpers) {
  TempDir dir;
  auto storage = OpenSqliteStorage(dir.path());
  REQUIRE(storage.ok());
  PublishOutcome published = PublishForm(**storage, R"({"format": 1, "id": "survey", "version": "1", "title": "S",
      "languages": ["ja"], "items": [{"type": "text", "name": "q", "label": "Q"}]})",
                                         {}, kNow);
  INFO(published.status.ToString());
  REQUIRE(published.ok());
  SubmissionValidator validator = [](std::shared_ptr<const Form>, std::string_view line,
                                     const simdjson::dom::element&) {
    return line.find("\"q\":\"bad\"") == std::string_view::npos ? Status::Ok() : Status::InvalidArgument("bad answer");
  };
  Ingest ingest(**storage, protocol::Limits{}, validator, helpers);
  const std::vector<std::string> lines = MixedLines();
  std::vector<std::string_view> views(lines.begin(), lines.end());
  auto results = ingest.Push(Principal{Role::kDevice, "tablet-1", {"survey"}}, views, kNow);
  REQUIRE(results.ok());
  REQUIRE(results->size() == lines.size());
  std::vector<std::string> outcome;
  for (const protocol::PushResult& r : *results) {
    outcome.push_back(r.uuid + " " + protocol::PushStatusName(r.status) + " " + r.reason);
  }
  CHECK((*storage)->SubmissionCount("survey") == 20);  // i % 8 in {0, 1, 2, 4}: 5 each
  return outcome;
}

TEST_CASE("A push's results are the same, in the lines' order, however many threads check it", "[sync][ingest]") {
  const std::vector<std::string> alone = PushMixed(0);
  CHECK(alone[0] == Uuid(0) + " accepted ");
  CHECK(alone[3] == Uuid(3) + " rejected fails validation: bad answer");
  CHECK(alone[5].find(" rejected not a submission: ") != std::string::npos);
  CHECK(alone[6] == Uuid(6) + " rejected form other is not assigned to this device");
  CHECK(alone[7] == Uuid(7) + " rejected unknown form version survey 9");
  CHECK(PushMixed(1) == alone);
  CHECK(PushMixed(3) == alone);
}

TEST_CASE("A push whose lines cannot be checked (out of memory) stores nothing and asks for a retry",
          "[sync][ingest]") {
  TempDir dir;
  auto storage = OpenSqliteStorage(dir.path());
  REQUIRE(storage.ok());
  REQUIRE(PublishForm(**storage, R"({"format": 1, "id": "survey", "version": "1", "title": "S",
      "languages": ["ja"], "items": [{"type": "text", "name": "q", "label": "Q"}]})",
                      {}, kNow)
              .ok());
  SubmissionValidator validator = [](std::shared_ptr<const Form>, std::string_view line,
                                     const simdjson::dom::element&) -> Status {
    if (line.find("\"q\":\"huge\"") != std::string_view::npos) throw std::bad_alloc();
    return Status::Ok();
  };
  const Principal device{Role::kDevice, "tablet-1", {"survey"}};
  for (unsigned helpers : {0u, 1u}) {
    Ingest ingest(**storage, protocol::Limits{}, validator, helpers);
    // The line that cannot be checked first, in the middle (lines before it are stored inside
    // the transaction already) and last.
    for (int huge : {0, 20, 39}) {
      INFO("helpers " << helpers << ", line " << huge << " cannot be checked");
      std::vector<std::string> lines;
      for (int i = 0; i < 40; ++i) lines.push_back(Line(i, i == huge ? "huge" : "a"));
      std::vector<std::string_view> views(lines.begin(), lines.end());
      auto results = ingest.Push(device, views, kNow);
      REQUIRE_FALSE(results.ok());
      CHECK(results.status().code() == StatusCode::kUnavailable);
      CHECK((*storage)->SubmissionCount("survey") == 0);
      CHECK(Must((*storage)->ListQuarantine(true)).empty());
    }
  }
  // The storage is fine afterwards: the retry without the faulty line stores every line.
  Ingest ingest(**storage, protocol::Limits{}, validator, 1);
  std::vector<std::string> lines;
  for (int i = 0; i < 40; ++i) lines.push_back(Line(i, "a"));
  std::vector<std::string_view> views(lines.begin(), lines.end());
  auto results = ingest.Push(device, views, kNow);
  REQUIRE(results.ok());
  CHECK((*storage)->SubmissionCount("survey") == 40);
}

// Encryption is not implemented: a form with settings.public_key would send its answers in clear
// and, as the collector once did, have them stored unchecked. Such a form is refused.
const char* kSealedForm = R"({"format": 1, "id": "sealed", "version": "1", "title": "S",
    "languages": ["ja"], "settings": {"public_key": "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n"},
    "items": [{"type": "text", "name": "q", "label": "Q"}]})";

TEST_CASE("A form with a public key is not published", "[sync][ingest]") {
  TempDir dir;
  auto storage = OpenSqliteStorage(dir.path());
  REQUIRE(storage.ok());
  PublishOutcome published = PublishForm(**storage, kSealedForm, {}, kNow);
  CHECK_FALSE(published.ok());
  CHECK(published.faults.size() == 1);
  CHECK(published.faults.at(0).ToString().find("/settings/public_key: encrypted forms are not available yet") == 0);
  CHECK_FALSE((*storage)->GetFormVersion("sealed", "1").ok());
}

TEST_CASE("Pushes to a form with a public key published by an older collector are quarantined, not stored",
          "[sync][ingest]") {
  TempDir dir;
  auto storage = OpenSqliteStorage(dir.path());
  REQUIRE(storage.ok());
  // As an older collector published it: straight into the storage.
  REQUIRE((*storage)->PublishForm({"sealed", "1", kSealedForm, protocol::Sha256Hex(kSealedForm), kNow}).ok());
  Ingest ingest(**storage, protocol::Limits{}, nullptr, 1);
  const std::string clear = Line(1, "in clear", "sealed");
  auto results = ingest.Push(Principal{Role::kDevice, "tablet-1", {"sealed"}}, {clear}, kNow);
  REQUIRE(results.ok());
  REQUIRE(results->size() == 1);
  CHECK((*results)[0].status == protocol::PushStatus::kRejected);
  CHECK((*results)[0].reason.find("form sealed version 1 cannot be used: /settings/public_key: encrypted forms are "
                                  "not available yet") == 0);
  CHECK((*storage)->SubmissionCount("sealed") == 0);
}

TEST_CASE("Without a validator of its own, the collector re-validates every submission with the engine",
          "[sync][ingest]") {
  TempDir dir;
  auto storage = OpenSqliteStorage(dir.path());
  REQUIRE(storage.ok());
  const std::string form_json = R"({"format": 1, "id": "survey", "version": "1", "title": "S", "languages": ["ja"],
      "items": [{"type": "integer", "name": "age", "label": "Age", "constraint": ". <= 120"}]})";
  PublishOutcome published = PublishForm(**storage, form_json, {}, kNow);
  REQUIRE(published.ok());
  // Finalized by the engine: accepted. The same envelope with an answer out of range, or a
  // question the form does not have: refused by re-validation.
  FormLoadResult loaded = Form::Load(form_json);
  REQUIRE(loaded.ok());
  const std::shared_ptr<const Form>& form = loaded.form;
  auto session = chosa::testing::Must(Session::Start(form, Env::Default(), {"", "tablet-1", ""}));
  REQUIRE(session->SetAnswer("age", "80").ok());
  const std::string good = chosa::testing::Must(session->Finalize()).canonical_json;
  std::string too_old = good;
  too_old.replace(too_old.find("\"age\":80"), 8, "\"age\":130");
  std::string unknown = good;
  unknown.replace(unknown.find("\"age\":80"), 8, "\"agf\":80");
  too_old.replace(too_old.find("\"uuid\":\"") + 8, 36, Uuid(2));
  unknown.replace(unknown.find("\"uuid\":\"") + 8, 36, Uuid(3));
  Ingest ingest(**storage, protocol::Limits{}, nullptr, 1);
  auto results = ingest.Push(Principal{Role::kDevice, "tablet-1", {"survey"}}, {good, too_old, unknown}, kNow);
  REQUIRE(results.ok());
  REQUIRE(results->size() == 3);
  CHECK((*results)[0].status == protocol::PushStatus::kAccepted);
  CHECK((*results)[1].status == protocol::PushStatus::kRejected);
  CHECK((*results)[1].reason.find("fails validation: /answers/age") == 0);
  CHECK((*results)[2].status == protocol::PushStatus::kRejected);
  CHECK((*results)[2].reason.find("fails validation: /answers/agf") == 0);
  CHECK((*storage)->SubmissionCount("survey") == 1);
  // Stored through re-validation: nothing for `chosa-collector check` to list.
  CHECK(chosa::testing::Must((*storage)->NotRevalidated()).empty());
  const e2e::ToolRun clean = e2e::RunCollectorTool({"check", "--data", dir.path()}, dir.path() + "/check.log");
  CHECK(clean.exit_status == 0);
  CHECK(clean.out.find("The database is sound: every page, and the SHA-256 of each of its 1 submissions") == 0);
  CHECK(clean.out.find("Every stored submission was re-validated against its form version when it was stored.\n") !=
        std::string::npos);
  // A quarantined item the bureau releases joins the submissions unchecked, and is listed.
  auto quarantined = chosa::testing::Must((*storage)->ListQuarantine(false));
  REQUIRE(quarantined.size() == 2);
  REQUIRE((*storage)->ReleaseQuarantined(quarantined[0].id, kNow + 1).ok());
  auto unchecked = chosa::testing::Must((*storage)->NotRevalidated());
  REQUIRE(unchecked.size() == 1);
  CHECK(unchecked[0].uuid == Uuid(2));
  CHECK(unchecked[0].form_id == "survey");
  CHECK(unchecked[0].device_id == "tablet-1");
  const e2e::ToolRun listed = e2e::RunCollectorTool({"check", "--data", dir.path()}, dir.path() + "/check.log");
  CHECK(listed.exit_status == 1);
  CHECK(listed.out.find(Uuid(2) + "  survey") != std::string::npos);
  CHECK(listed.out.find("1 stored submission was never re-validated") != std::string::npos);
}

}  // namespace
}  // namespace chosa::collector
