// The device store's benchmark (issue 5, "Benchmark"; bench/store_run.sh runs it and
// BENCHMARKS.md "## Device store" has the results). Everything is measured in one process, on
// real files in --dir, each side next to the bare SQLite job it is compared with:
//
//   chosa_store_bench --form2000 form_2000.chosa.json --plan2000 plan_2000.json
//                     --checklist schemas/examples/coordinator_checklist.json --dir DIR
//                     [--rounds 12] [--fillings 30] [--flips 2000] [--paced-fillings 60]
//                     [--pause-us 1000] [--checkpoint-pages 1000] [--finalizes 31]
//                     [--resumes 21] [--submissions 1000] [--phases autosave,finalize,resume,size]
//                     [--json OUT] [--profile store|bare|bare-bg|replica
//                     [--profile-form checklist|form2000|flip]
//                     [--seconds S]]
//
//  autosave  Draft::SetAnswer on a store file against a bare SQLite loop doing the same durable
//            job: the same (instance_id, path, value, updated_at) rows, the same pragmas (WAL,
//            synchronous=NORMAL, the store's page size, automatic checkpoints off), one reused
//            prepared `INSERT OR REPLACE INTO answer ...` per answer, each its own transaction
//            (autocommit). Two bare variants: checkpoints on a background thread with the store's
//            policy (a second connection, primed by one read, PASSIVE, woken by a WAL hook once
//            the WAL holds --checkpoint-pages pages, then every 250 more while the writer goes on
//            and at once when it pauses for 1 ms), and no checkpoint at all during the run.
//            Session::SetAnswer without a store shows the engine's own share; three more bare
//            arms add, one at a time, what the store does (its writer mutex, its checkpoints as
//            it made them before 2026-11-25 and as it makes them now), and one what enforcing
//            foreign keys would cost (the store no longer does since schema 5), for the
//            diagnosis table. The arms take turns round by round (the order rotates), so the
//            disk's and the machine's moods fall on all of them alike. Answer sets: fillings of
//            the coordinator checklist (36 answers each) and of the generated 2,000-question
//            form (the plan's 1,637 answers); one answer changed back and forth (REPLACE of an
//            existing row); checklist fillings with a pause between answers (a tablet's pace).
//  finalize  Draft::Finalize (validation, the submission, one synchronous=FULL transaction)
//            against one bare synchronous=FULL transaction inserting the same submission bytes
//            (uuid, canonical JSON, sha256, time) into a bare outbox, after the same answers were
//            written through the bare autosave loop; alternating which side goes first.
//  resume    DeviceStore::Resume of a draft with 2,000 answers of the 2,000-question form, on a
//            freshly opened store (nothing cached) and again on the same store, against
//            Form::Load of the form's JSON text alone; with the parts: reading the 2,000 rows
//            with a bare SELECT, Session::Resume from an in-memory snapshot.
//  size      1,000 coordinator checklists filled and finalized in a fresh store; the file sizes
//            (main file, WAL, shared memory) after a TRUNCATE checkpoint, against the same store
//            with only the form installed.
// Prints the Markdown table on stdout; --json writes every figure. No timing is asserted: exits
// 1 only when an operation fails.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "chosa/env.h"
#include "chosa/form.h"
#include "chosa/session.h"
#include "chosa/store.h"
#include "chosa/value.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
namespace fs = std::filesystem;

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "chosa_store_bench: " << message << "\n";
  std::exit(1);
}

void Check(const chosa::Status& status, const std::string& what) {
  if (!status.ok()) Die(what + ": " + status.ToString());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Median, p99 (nearest rank), max of samples in µs.
struct Stats {
  size_t n = 0;
  double median = 0, p99 = 0, max = 0, min = 0, mean = 0, total = 0;
};

Stats Summarize(std::vector<double> samples) {
  Stats s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  auto rank = [&](double q) {
    size_t k = static_cast<size_t>(std::ceil(q * static_cast<double>(samples.size())));
    return samples[std::min(samples.size() - 1, k == 0 ? 0 : k - 1)];
  };
  s.n = samples.size();
  s.median = rank(0.5);
  s.p99 = rank(0.99);
  s.min = samples.front();
  s.max = samples.back();
  for (double x : samples) s.total += x;
  s.mean = s.total / static_cast<double>(s.n);
  return s;
}

json ToJson(const Stats& s) {
  return {{"n", s.n}, {"median_us", s.median}, {"p99_us", s.p99}, {"max_us", s.max},
          {"min_us", s.min}, {"mean_us", s.mean}, {"total_us", s.total}};
}

// ---------------------------------------------------------------------------------------------
// Raw SQLite helpers.

void Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    Die("SQL `" + sql + "`: " + message);
  }
}

std::string QueryText(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) Die("SQL `" + sql + "`: " + sqlite3_errmsg(db));
  std::string out;
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(stmt, 0);
    if (t != nullptr) out = reinterpret_cast<const char*>(t);
  } else if (rc != SQLITE_DONE) {
    std::string message = sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    Die("SQL `" + sql + "`: " + message);
  }
  sqlite3_finalize(stmt);
  return out;
}

int64_t QueryInt(sqlite3* db, const std::string& sql) { return std::stoll("0" + QueryText(db, sql)); }

sqlite3* OpenRaw(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    Die("cannot open " + path + ": " + message);
  }
  sqlite3_busy_timeout(db, 5000);
  return db;
}

int64_t FileSize(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(st.st_size);
}

void RemoveStore(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix);
}

// What the store's file says about itself: page size and the `answer` table's definition, so that
// the bare side uses the very same row format and key.
struct StoreShape {
  int64_t page_size = 4096;
  std::string answer_ddl;
  std::string journal_mode;
};

StoreShape ReadShape(const std::string& path) {
  sqlite3* db = OpenRaw(path, SQLITE_OPEN_READONLY);
  StoreShape s;
  s.page_size = QueryInt(db, "PRAGMA page_size");
  s.answer_ddl = QueryText(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'answer'");
  s.journal_mode = QueryText(db, "PRAGMA journal_mode");
  sqlite3_close(db);
  if (s.answer_ddl.empty()) Die(path + " has no `answer` table");
  return s;
}

// ---------------------------------------------------------------------------------------------
// The bare SQLite side: the fastest honest way to keep each answer durably as the store
// promises (it survives an app kill; the concurrent reader of the outbox stays possible, so the
// locking mode is the normal one, not EXCLUSIVE).

enum class CheckpointPolicy {
  kNone,        // no checkpoint while it runs
  kBackground,  // the store's policy (engine/store/src/wal_checkpointer.h): a WAL hook wakes a
                // checkpointer thread (PASSIVE, its own connection, primed by one read) once the
                // WAL holds N pages; while the writer goes on, another checkpoint once `step`
                // more pages were written since the last one copied; when the writer pauses (no
                // commit for `idle_ms`), one at once, so that the next write starts the WAL over
  kChasing,     // diagnosis only: the store's policy before 2026-11-25: a request made during a
                // checkpoint runs another at once (a writer that never pauses is chased by a
                // checkpoint, and so an fdatasync of the WAL, every few hundred microseconds)
};

struct BareOptions {
  CheckpointPolicy policy = CheckpointPolicy::kBackground;
  int checkpoint_pages = 1000;
  int checkpoint_step = 250;  // the store's WalCheckpointer::kCheckpointStep
  int idle_ms = 1;            // the store's WalCheckpointer::kIdleMillis
  // Diagnosis only, each adding one thing the store does to the bare loop:
  bool foreign_keys = false;  // PRAGMA foreign_keys=ON and a parent `instance` row per filling
  bool writer_mutex = false;  // a std::mutex held around each write, as the store's writer lock
                              // (its statements are prepared once with SQLITE_PREPARE_PERSISTENT
                              // and bound with SQLITE_STATIC, as here; its connections NOMUTEX)
};

class BareStore {
 public:
  BareStore(const std::string& path, const StoreShape& shape, BareOptions options)
      : path_(path), o_(options) {
    RemoveStore(path);
    // One thread uses this connection: no per-call mutex (SQLITE_OPEN_NOMUTEX).
    db_ = OpenRaw(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
    Exec(db_, "PRAGMA page_size = " + std::to_string(shape.page_size));
    if (QueryText(db_, "PRAGMA journal_mode = WAL") != "wal") Die("bare: WAL refused");
    Exec(db_, "PRAGMA synchronous = NORMAL");
    Exec(db_, "PRAGMA wal_autocheckpoint = 0");
    // The store's own `answer` definition (foreign keys are off here, as SQLite's default: its
    // REFERENCES clause costs nothing); and a bare outbox for the finalize comparison.
    if (o_.foreign_keys) {
      Exec(db_, "PRAGMA foreign_keys = ON");
      Exec(db_, "CREATE TABLE instance (id INTEGER PRIMARY KEY)");
    }
    Exec(db_, shape.answer_ddl);
    Exec(db_,
         "CREATE TABLE outbox (uuid TEXT PRIMARY KEY, canonical_json TEXT NOT NULL, sha256 TEXT NOT NULL, "
         "finalized_at INTEGER NOT NULL) WITHOUT ROWID");
    Prepare(&insert_, "INSERT OR REPLACE INTO answer (instance_id, path, value, updated_at) VALUES (?1, ?2, ?3, ?4)");
    Prepare(&outbox_, "INSERT INTO outbox (uuid, canonical_json, sha256, finalized_at) VALUES (?1, ?2, ?3, ?4)");
    Prepare(&begin_, "BEGIN");
    Prepare(&commit_, "COMMIT");
    if (o_.policy != CheckpointPolicy::kNone) {
      checkpointer_db_ = OpenRaw(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
      // A connection learns that the file is in WAL mode when it first reads it; until then
      // sqlite3_wal_checkpoint_v2 on it does nothing (returns SQLITE_OK, pnLog = -1).
      QueryInt(checkpointer_db_, "SELECT count(*) FROM sqlite_master");
      // Replaces SQLite's automatic checkpoint hook (already off): after each commit the writer
      // learns the WAL's size and, when a checkpoint is due, wakes the checkpointer. It never waits.
      sqlite3_wal_hook(db_, &BareStore::WalHook, this);
      thread_ = std::thread([this] { CheckpointLoop(); });
    }
  }

  ~BareStore() {
    if (thread_.joinable()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
      }
      cv_.notify_one();
      thread_.join();
    }
    for (sqlite3_stmt* s : {insert_, outbox_, begin_, commit_}) sqlite3_finalize(s);
    sqlite3_close(checkpointer_db_);
    sqlite3_close(db_);
  }

  // A new filling (untimed): its parent row when foreign keys are on.
  void NewInstance(int64_t id) {
    if (o_.foreign_keys) Exec(db_, "INSERT OR IGNORE INTO instance (id) VALUES (" + std::to_string(id) + ")");
  }

  // One answer, its own transaction (autocommit): bind, step, reset.
  void SetAnswer(int64_t instance, const std::string& path, const std::string& value) {
    if (o_.writer_mutex) {
      std::lock_guard<std::mutex> lock(write_mutex_);
      Write(instance, path, value);
    } else {
      Write(instance, path, value);
    }
  }

  // One synchronous=FULL transaction inserting a submission's bytes.
  void Finalize(const std::string& uuid, const std::string& canonical, const std::string& sha256) {
    Step(begin_);
    sqlite3_bind_text(outbox_, 1, uuid.data(), static_cast<int>(uuid.size()), SQLITE_STATIC);
    sqlite3_bind_text(outbox_, 2, canonical.data(), static_cast<int>(canonical.size()), SQLITE_STATIC);
    sqlite3_bind_text(outbox_, 3, sha256.data(), static_cast<int>(sha256.size()), SQLITE_STATIC);
    sqlite3_bind_int64(outbox_, 4, NowMillis());
    Step(outbox_);
    Step(commit_);
  }

  void SetSynchronous(const char* level) { Exec(db_, std::string("PRAGMA synchronous = ") + level); }
  int64_t checkpoints() const { return checkpoints_.load(); }
  int64_t effective_checkpoints() const { return effective_checkpoints_.load(); }
  sqlite3* db() const { return db_; }

 private:
  void Write(int64_t instance, const std::string& path, const std::string& value) {
    sqlite3_bind_int64(insert_, 1, instance);
    sqlite3_bind_text(insert_, 2, path.data(), static_cast<int>(path.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert_, 3, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    sqlite3_bind_int64(insert_, 4, NowMillis());
    int rc = sqlite3_step(insert_);
    sqlite3_reset(insert_);
    if (rc != SQLITE_DONE) Die(std::string("bare insert: ") + sqlite3_errmsg(db_));
  }
  void Prepare(sqlite3_stmt** stmt, const char* sql) {
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr);
    if (rc != SQLITE_OK) Die(std::string("bare: ") + sqlite3_errmsg(db_));
  }
  void Step(sqlite3_stmt* stmt) {
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) Die(std::string("bare: ") + sqlite3_errmsg(db_));
  }
  // As the store's WalCheckpointer::Due: past the threshold, when nothing of the WAL was copied
  // yet (a smaller WAL than the last copy started over) or `step` more pages were written.
  bool Due(int pages) const {
    if (pages < o_.checkpoint_pages) return false;
    if (o_.policy == CheckpointPolicy::kChasing) return true;
    int copied = copied_.load();
    return pages < copied || pages - copied >= o_.checkpoint_step;
  }
  static int WalHook(void* self, sqlite3*, const char*, int pages) {
    auto* b = static_cast<BareStore*>(self);
    if (pages < b->last_pages_) b->copied_.store(0);  // the WAL started over
    b->last_pages_ = pages;
    b->commits_.store(b->commits_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    b->wal_pages_.store(pages);
    if (b->Due(pages) && !b->requested_.exchange(true)) {
      // Taking the mutex (empty) orders the flag with the checkpointer's wait: no lost wake-up.
      { std::lock_guard<std::mutex> lock(b->mu_); }
      b->cv_.notify_one();
    }
    return SQLITE_OK;
  }
  void CheckpointLoop() {
    auto asked = [this] { return stop_ || requested_.load(); };
    std::unique_lock<std::mutex> lock(mu_);
    bool behind = false;  // the last checkpoint left frames (written meanwhile) to copy
    int last_copied = -1;
    while (!stop_) {
      if (!behind) {
        cv_.wait(lock, asked);
      } else {
        // Copied when the writer pauses, or when the hook asks again (kBackground).
        uint64_t seen = commits_.load(std::memory_order_relaxed);
        if (!cv_.wait_for(lock, std::chrono::milliseconds(o_.idle_ms), asked) &&
            commits_.load(std::memory_order_relaxed) != seen) {
          continue;
        }
      }
      if (stop_) return;
      uint64_t commits = commits_.load(std::memory_order_relaxed);
      // kChasing clears the request before the checkpoint: one made meanwhile runs another at once.
      if (o_.policy == CheckpointPolicy::kChasing) requested_ = false;
      lock.unlock();
      int log = -1, done = -1;
      sqlite3_wal_checkpoint_v2(checkpointer_db_, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &done);
      ++checkpoints_;
      if (log >= 0) ++effective_checkpoints_;
      lock.lock();
      if (o_.policy == CheckpointPolicy::kChasing) continue;
      requested_.store(false);
      if (log < 0 || done < 0) {
        behind = false;
        continue;
      }
      copied_.store(done);
      if (Due(wal_pages_.load())) requested_.store(true);
      behind = (log > done || commits_.load(std::memory_order_relaxed) != commits) && done != last_copied;
      last_copied = done;
    }
  }

  std::string path_;
  BareOptions o_;
  sqlite3* db_ = nullptr;
  sqlite3* checkpointer_db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* outbox_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  std::mutex write_mutex_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> requested_{false};
  std::atomic<int> wal_pages_{0};
  std::atomic<int> copied_{0};
  std::atomic<uint64_t> commits_{0};
  int last_pages_ = 0;
  bool stop_ = false;
  std::atomic<int64_t> checkpoints_{0};
  std::atomic<int64_t> effective_checkpoints_{0};  // that found the WAL (pnLog >= 0)
};

BareOptions Bare(CheckpointPolicy policy, int pages, bool foreign_keys = false, bool writer_mutex = false) {
  BareOptions o;
  o.policy = policy;
  o.checkpoint_pages = pages;
  o.foreign_keys = foreign_keys;
  o.writer_mutex = writer_mutex;
  return o;
}

// ---------------------------------------------------------------------------------------------
// The answers.

using Answers = std::vector<std::pair<std::string, std::string>>;

struct Workload {
  std::string name;                   // "checklist", "form2000"
  std::string form_id;
  std::shared_ptr<const chosa::Form> form;
  std::string text;                   // the form's JSON
  std::string file;
  Answers answers;                    // one complete filling, in order
  std::vector<std::pair<std::string, int32_t>> repeats;  // instances to add first (untimed)
};

// A complete coordinator checklist: every question of the profile, all 25 rows, the training
// page with both follow-ups and the 12-month reflection.
Answers ChecklistAnswers() {
  Answers a = {{"ward", "271276"},  {"hire_month", "2024-04-01"}, {"year_in_post", "1"},
               {"milestone", "12"}, {"briefing", "yes"},          {"checklist_mindset", "mindful"}};
  for (int i = 1; i <= 25; ++i) {
    char row[8];
    std::snprintf(row, sizeof row, "c%02d", i);
    a.emplace_back(row, std::to_string(4 - (i - 1) % 4));
  }
  a.insert(a.end(), {{"lecture_attended", "yes"},
                     {"confident_after_lecture", "yes"},
                     {"practicum_attended", "yes"},
                     {"confident_after_practicum", "no"},
                     {"reflection", "研修で学んだことを振り返りました。次の面談では事業所との連携を話し合います。"}});
  return a;
}

std::shared_ptr<const chosa::Form> LoadForm(const std::string& text, const std::string& file) {
  chosa::FormLoadOptions options;
  options.search_paths.push_back(fs::path(file).parent_path().string());  // its $ref code lists
  auto r = chosa::Form::Load(text, options);
  if (!r.ok()) {
    for (const auto& f : r.faults) std::cerr << file << ": " << f.ToString() << "\n";
    Die("the form does not load: " + file);
  }
  return r.form;
}

std::unique_ptr<chosa::Session> StartSession(const Workload& w) {
  auto s = chosa::Session::Start(w.form, nullptr, {"", "bench-device", "bench"});
  if (!s.ok()) Die("Session::Start: " + s.status().ToString());
  for (const auto& [repeat, count] : w.repeats) {
    while (*s.value()->RepeatCount(repeat) < count) {
      auto added = s.value()->AddRepeatInstance(repeat);
      if (!added.ok()) Die("AddRepeatInstance: " + added.status().ToString());
    }
  }
  return std::move(s.value());
}

std::unique_ptr<chosa::Draft> StartDraft(chosa::DeviceStore& store, const Workload& w) {
  auto d = store.StartDraft(w.form_id, "bench");
  if (!d.ok()) Die("StartDraft(" + w.form_id + "): " + d.status().ToString());
  for (const auto& [repeat, count] : w.repeats) {
    while (*d.value()->session().RepeatCount(repeat) < count) {
      auto added = d.value()->AddRepeatInstance(repeat);
      if (!added.ok()) Die("Draft::AddRepeatInstance: " + added.status().ToString());
    }
  }
  return std::move(d.value());
}

std::unique_ptr<chosa::DeviceStore> OpenStore(const std::string& path) {
  chosa::StoreOptions options;
  options.device_id = "bench-device";
  auto s = chosa::DeviceStore::Open(path, options);
  if (!s.ok()) Die("DeviceStore::Open(" + path + "): " + s.status().ToString());
  return std::move(s.value());
}

// Answers for every other answerable question of the form, to reach `total` answers in a draft:
// a question hidden by skip logic keeps its answer (the interviewer answered, then changed the
// gate), and a resumed draft must bring it back.
Answers ExtraAnswers(const Workload& w, size_t total) {
  std::set<std::string> taken;
  for (const auto& a : w.answers) taken.insert(a.first);
  auto probe = StartSession(w);
  for (const auto& [path, text] : w.answers) Check(probe->SetAnswer(path, text), "SetAnswer(" + path + ")");
  Answers extra;
  const chosa::Form& form = *w.form;
  for (const chosa::Item& item : form.items()) {
    if (w.answers.size() + extra.size() >= total) break;
    if (!chosa::HoldsAnswer(item.type) || item.type == chosa::ItemType::kCalculate) continue;
    if (item.repeat != chosa::kNone || item.read_only || item.read_only_if != chosa::kNone) continue;
    if (taken.count(item.name) != 0) continue;
    std::vector<std::string> candidates;
    switch (item.type) {
      case chosa::ItemType::kText: candidates = {"後から非表示になった質問への回答"}; break;
      case chosa::ItemType::kInteger: candidates = {"40", "1"}; break;
      case chosa::ItemType::kDecimal: candidates = {"12.5", "1"}; break;
      case chosa::ItemType::kDate: candidates = {"2024-05-01"}; break;
      case chosa::ItemType::kTime: candidates = {"09:30"}; break;
      case chosa::ItemType::kDateTime: candidates = {"2024-05-01T09:30"}; break;
      default:
        if (chosa::IsSelect(item.type) && item.list != chosa::kNone) {
          for (const auto& c : form.choice_lists()[static_cast<size_t>(item.list)].choices) candidates.push_back(c.value);
        }
    }
    for (const std::string& c : candidates) {
      if (probe->SetAnswer(item.name, c).ok()) {
        extra.emplace_back(item.name, c);
        break;
      }
    }
  }
  return extra;
}

// ---------------------------------------------------------------------------------------------
// The phases.

struct Options {
  std::string form2000, plan2000, checklist, dir, json_out;
  int rounds = 12;          // autosave: rounds per arm (each round: `fillings` checklists, one 2,000 filling)
  int fillings = 30;        // checklist fillings per round
  int flips = 2000;         // one answer changed back and forth, per arm
  int paced_fillings = 60;  // checklist fillings per arm at a tablet-like pace (a pause between answers)
  int pause_us = 1000;      // the pause, untimed
  int finalizes = 31;       // checklist finalizes per side (the 2,000 form: a third)
  int resumes = 21;
  int submissions = 1000;
  int checkpoint_pages = 1000;
  std::set<std::string> phases = {"autosave", "finalize", "resume", "size"};
  std::string profile;      // "store" or "bare": only that autosave loop, for perf
  std::string profile_form = "checklist";  // or "form2000"
  double seconds = 10;
};

struct Arm {
  Arm() = default;
  explicit Arm(std::string n) : name(std::move(n)) {}
  std::string name;
  std::vector<double> us;
  double wall_us = 0;
  size_t answers = 0;
  Stats stats() const { return Summarize(us); }
  double per_second() const { return wall_us > 0 ? static_cast<double>(answers) * 1e6 / wall_us : 0; }
};

json ArmJson(const Arm& a) {
  json j = ToJson(a.stats());
  j["answers_per_second"] = a.per_second();
  j["answers"] = a.answers;
  return j;
}

class Bench {
 public:
  explicit Bench(Options o) : o_(std::move(o)) {
    fs::create_directories(o_.dir);
    checklist_.name = "checklist";
    checklist_.file = o_.checklist;
    checklist_.text = ReadFile(o_.checklist);
    checklist_.form = LoadForm(checklist_.text, o_.checklist);
    checklist_.form_id = checklist_.form->id();
    checklist_.answers = ChecklistAnswers();

    big_.name = "form2000";
    big_.file = o_.form2000;
    big_.text = ReadFile(o_.form2000);
    big_.form = LoadForm(big_.text, o_.form2000);
    big_.form_id = big_.form->id();
    json plan = json::parse(ReadFile(o_.plan2000));
    for (const auto& a : plan["answers"]) big_.answers.emplace_back(a[0].get<std::string>(), a[1].get<std::string>());
    big_.repeats.emplace_back(plan["repeat"]["name"].get<std::string>(), plan["repeat"]["instances"].get<int>());
    out_["plan_answers_2000"] = big_.answers.size();
  }

  int Run() {
    fsync_ = MachineProbe();
    out_["fdatasync_4k_start"] = ToJson(fsync_);
    if (!o_.profile.empty()) return Profile();
    // Between phases the dirty pages that a phase left (a closed store checkpoints its whole WAL)
    // are written back first, untimed, so that the writeback does not fall on the next phase.
    auto settle = [] {
      ::sync();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    };
    if (o_.phases.count("autosave")) Autosave(), settle();
    if (o_.phases.count("finalize")) Finalize(), settle();
    if (o_.phases.count("resume")) Resume(), settle();
    if (o_.phases.count("size")) Size();
    fsync_end_ = MachineProbe();
    out_["fdatasync_4k_end"] = ToJson(fsync_end_);
    if (!o_.json_out.empty()) {
      std::ofstream f(o_.json_out);
      f << out_.dump(1) << "\n";
      if (!f) Die("cannot write " + o_.json_out);
    }
    PrintTable();
    return 0;
  }

 private:
  std::string Path(const std::string& name) const { return (fs::path(o_.dir) / name).string(); }

  // A fresh store with both forms installed.
  std::unique_ptr<chosa::DeviceStore> FreshStore(const std::string& path) {
    RemoveStore(path);
    auto store = OpenStore(path);
    for (const Workload* w : {&checklist_, &big_}) {
      auto installed = store->InstallFormFile(w->file);
      if (!installed.ok()) Die("InstallForm(" + w->file + "): " + installed.status().ToString());
    }
    return store;
  }

  // fdatasync of a 4 KiB write in --dir: what one durable commit costs this disk at least.
  Stats MachineProbe() {
    std::string path = Path("fsync-probe");
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) Die("cannot create " + path);
    std::vector<char> page(4096, 'x');
    std::vector<double> us;
    for (int i = 0; i < 200; ++i) {
      if (pwrite(fd, page.data(), page.size(), static_cast<off_t>((i % 16) * 4096)) != 4096) Die("probe write");
      auto t0 = Clock::now();
      if (fdatasync(fd) != 0) Die("fdatasync");
      us.push_back(Micros(Clock::now() - t0));
    }
    close(fd);
    fs::remove(path);
    out_["dir"] = o_.dir;
    out_["sqlite_version"] = sqlite3_libversion();
    return Summarize(us);
  }

  // --- autosave ------------------------------------------------------------------------------
  // The arms, measured in turns. The first four make the results table; the last four are the
  // diagnosis: the bare loop with one more thing the store does at each step (its writer mutex,
  // then its checkpoints as they were before and as they are: a replica of its SQL), and the bare
  // loop with foreign keys on.
  enum ArmId { kStore, kBareBg, kBareNone, kSession, kBareFk, kBareMutex, kBareChasing, kBareReplica, kArms };
  static const char* ArmName(int a) {
    static const char* names[] = {"store", "bare_background_checkpoint", "bare_no_checkpoint", "session_alone",
                                  "bare_foreign_keys", "bare_writer_mutex",
                                  "bare_store_replica_chasing_checkpoints", "bare_store_replica"};
    return names[a];
  }
  struct AutosaveSet {
    Arm arms[kArms];
    Arm& operator[](int a) { return arms[a]; }
    const Arm& operator[](int a) const { return arms[a]; }
  };

  void Autosave() {
    std::cerr << "store bench: autosave\n";
    const std::string store_path = Path("autosave-store.sqlite");
    auto store = FreshStore(store_path);
    shape_ = ReadShape(store_path);
    const int pages = o_.checkpoint_pages;
    std::unique_ptr<BareStore> bares[kArms];
    bares[kBareBg] = std::make_unique<BareStore>(Path("autosave-bare-bg.sqlite"), shape_, Bare(CheckpointPolicy::kBackground, pages));
    bares[kBareNone] = std::make_unique<BareStore>(Path("autosave-bare-none.sqlite"), shape_, Bare(CheckpointPolicy::kNone, pages));
    bares[kBareFk] = std::make_unique<BareStore>(Path("diag-bare-fk.sqlite"), shape_, Bare(CheckpointPolicy::kNone, pages, true));
    bares[kBareMutex] = std::make_unique<BareStore>(Path("diag-bare-mutex.sqlite"), shape_,
                                                    Bare(CheckpointPolicy::kNone, pages, false, true));
    bares[kBareChasing] = std::make_unique<BareStore>(Path("diag-bare-replica-chasing.sqlite"), shape_,
                                                      Bare(CheckpointPolicy::kChasing, pages, false, true));
    bares[kBareReplica] = std::make_unique<BareStore>(Path("diag-bare-replica.sqlite"), shape_,
                                                      Bare(CheckpointPolicy::kBackground, pages, false, true));
    out_["store_page_size"] = shape_.page_size;
    out_["store_journal_mode"] = shape_.journal_mode;
    out_["answer_ddl"] = shape_.answer_ddl;

    int64_t next_bare_id = 1;
    // One complete filling on one arm; the draft, session or parent row is made untimed.
    auto fill = [&](int arm, const Workload& w, Arm& into, int pause_us = 0) {
      std::unique_ptr<chosa::Draft> draft;
      std::unique_ptr<chosa::Session> session;
      int64_t id = next_bare_id++;
      if (arm == kStore) draft = StartDraft(*store, w);
      else if (arm == kSession) session = StartSession(w);
      else bares[arm]->NewInstance(id);
      auto t0 = Clock::now();
      for (const auto& [path, text] : w.answers) {
        auto a = Clock::now();
        if (arm == kStore) {
          chosa::Status st = draft->SetAnswer(path, text);
          if (!st.ok()) Die("Draft::SetAnswer(" + path + "): " + st.ToString());
        } else if (arm == kSession) {
          chosa::Status st = session->SetAnswer(path, text);
          if (!st.ok()) Die("Session::SetAnswer(" + path + "): " + st.ToString());
        } else {
          bares[arm]->SetAnswer(id, path, text);
        }
        double us = Micros(Clock::now() - a);
        into.us.push_back(us);
        if (pause_us > 0) {
          into.wall_us += us;  // paced: answers per second of the time spent answering
          std::this_thread::sleep_for(std::chrono::microseconds(pause_us));
        }
      }
      if (pause_us == 0) into.wall_us += Micros(Clock::now() - t0);
      into.answers += w.answers.size();
    };

    // Warm-up, untimed: every arm once (the page cache, the form's first evaluation).
    {
      AutosaveSet warm;
      for (int arm = 0; arm < kArms; ++arm) fill(arm, checklist_, warm[arm]);
    }
    for (const Workload* w : {&checklist_, &big_}) {
      AutosaveSet& set = w == &checklist_ ? checklist_set_ : big_set_;
      int fillings = w == &checklist_ ? o_.fillings : 1;
      for (int round = 0; round < o_.rounds; ++round) {
        // The order of the arms rotates from round to round.
        for (int k = 0; k < kArms; ++k) {
          int arm = (round + k) % kArms;
          for (int f = 0; f < fillings; ++f) fill(arm, *w, set[arm]);
        }
      }
      std::cerr << "store bench: autosave " << w->name << " done\n";
    }
    // How large the WAL files grew: a WAL that a checkpoint caught up with restarts from its
    // beginning at the next write, so its size stays near the checkpoint threshold.
    json wal_sizes;
    wal_sizes["store"] = FileSize(store_path + "-wal");
    wal_sizes["bare_background_checkpoint"] = FileSize(Path("autosave-bare-bg.sqlite") + "-wal");
    wal_sizes["bare_no_checkpoint"] = FileSize(Path("autosave-bare-none.sqlite") + "-wal");
    wal_sizes["bare_store_replica_chasing_checkpoints"] = FileSize(Path("diag-bare-replica-chasing.sqlite") + "-wal");
    wal_sizes["bare_store_replica"] = FileSize(Path("diag-bare-replica.sqlite") + "-wal");
    out_["autosave_wal_bytes_after_fillings"] = wal_sizes;
    store_wal_bytes_ = wal_sizes["store"].get<int64_t>();
    bare_bg_wal_bytes_ = wal_sizes["bare_background_checkpoint"].get<int64_t>();
    bare_none_wal_bytes_ = wal_sizes["bare_no_checkpoint"].get<int64_t>();

    // At a tablet's pace: a pause between answers (untimed) lets the checkpointer catch up, as
    // it does when a person types. The four main arms, one filling each in turns.
    for (int f = 0; f < o_.paced_fillings; ++f) {
      for (int k = 0; k < 4; ++k) {
        int arm = (f + k) % 4;
        fill(arm, checklist_, paced_set_[arm], o_.pause_us);
      }
    }

    // One answer changed back and forth: REPLACE of an existing row (c01 between 3 and 4), in
    // blocks of 100 sets per arm, the arms in turns.
    {
      auto draft = StartDraft(*store, checklist_);
      auto session = StartSession(checklist_);
      for (const auto& [path, text] : checklist_.answers) {
        Check(draft->SetAnswer(path, text), "SetAnswer");
        Check(session->SetAnswer(path, text), "SetAnswer");
      }
      int64_t bare_id = next_bare_id++;
      for (int arm = 0; arm < kArms; ++arm) {
        if (!bares[arm]) continue;
        bares[arm]->NewInstance(bare_id);
        for (const auto& [path, text] : checklist_.answers) bares[arm]->SetAnswer(bare_id, path, text);
      }
      const std::string path = "c01", a = "3", b = "4";
      const int block = 100;
      for (int done = 0, turn = 0; done < o_.flips; done += block, ++turn) {
        for (int k = 0; k < kArms; ++k) {
          int arm = (turn + k) % kArms;
          Arm& into = flip_set_[arm];
          for (int i = 0; i < block; ++i) {
            const std::string& v = i % 2 == 0 ? a : b;
            auto t0 = Clock::now();
            if (arm == kStore) Check(draft->SetAnswer(path, v), "Draft::SetAnswer(c01)");
            else if (arm == kSession) Check(session->SetAnswer(path, v), "Session::SetAnswer(c01)");
            else bares[arm]->SetAnswer(bare_id, path, v);
            double us = Micros(Clock::now() - t0);
            into.us.push_back(us);
            into.wall_us += us;
            into.answers += 1;
          }
        }
      }
    }
    auto set_json = [](const AutosaveSet& s) {
      json j;
      for (int arm = 0; arm < kArms; ++arm) j[ArmName(arm)] = ArmJson(s[arm]);
      return j;
    };
    out_["autosave"] = {{"checklist", set_json(checklist_set_)}, {"form2000", set_json(big_set_)},
                        {"change_one_answer", set_json(flip_set_)}, {"checklist_paced", set_json(paced_set_)}};
    out_["autosave"]["pause_us"] = o_.pause_us;
    bare_ckpt_run_ = bares[kBareBg]->checkpoints();
    chasing_ckpt_run_ = bares[kBareChasing]->checkpoints();
    replica_ckpt_run_ = bares[kBareReplica]->checkpoints();
    out_["autosave"]["bare_checkpoints_run"] = bares[kBareBg]->checkpoints();
    out_["autosave"]["bare_checkpoints_effective"] = bares[kBareBg]->effective_checkpoints();
    out_["autosave"]["replica_chasing_checkpoints_run"] = bares[kBareChasing]->checkpoints();
    out_["autosave"]["replica_checkpoints_run"] = bares[kBareReplica]->checkpoints();
    out_["autosave"]["checkpoint_pages"] = o_.checkpoint_pages;
    out_["autosave"]["checkpoint_step"] = BareOptions().checkpoint_step;
    out_["autosave"]["checkpoint_idle_ms"] = BareOptions().idle_ms;
    autosave_done_ = true;
  }

  // --- finalize ------------------------------------------------------------------------------
  void Finalize() {
    std::cerr << "store bench: finalize\n";
    const std::string store_path = Path("finalize-store.sqlite");
    auto store = FreshStore(store_path);
    StoreShape shape = ReadShape(store_path);
    BareStore bare(Path("finalize-bare.sqlite"), shape, Bare(CheckpointPolicy::kBackground, o_.checkpoint_pages));
    int64_t bare_id = 1;
    for (const Workload* w : {&checklist_, &big_}) {
      int n = w == &checklist_ ? o_.finalizes : std::max(5, o_.finalizes / 3);
      std::vector<double> store_us, bare_us, session_us;
      size_t bytes = 0;
      // Each side fills (untimed) and then finalizes (timed), in turns, the order alternating.
      // The bare side writes the same answers through its autosave loop (synchronous=NORMAL)
      // first, so that its FULL commit has the same unsynced WAL frames to make durable as the
      // store's; then one synchronous=FULL transaction inserts the bytes of a real submission
      // of the same form and answers (the store's previous one; the first store finalize is a
      // warm-up that provides them).
      auto finalize_store = [&]() {
        auto d = StartDraft(*store, *w);
        for (const auto& [path, text] : w->answers) Check(d->SetAnswer(path, text), "SetAnswer(" + path + ")");
        auto t0 = Clock::now();
        auto sub = d->Finalize();
        double us = Micros(Clock::now() - t0);
        if (!sub.ok()) Die("Draft::Finalize: " + sub.status().ToString());
        return std::make_pair(us, std::move(sub.value()));
      };
      chosa::Submission previous = finalize_store().second;
      for (int i = 1; i <= n; ++i) {
        auto bare_one = [&] {
          int64_t id = ++bare_id;
          bare.NewInstance(id);
          for (const auto& [path, text] : w->answers) bare.SetAnswer(id, path, text);
          bare.SetSynchronous("FULL");
          auto t0 = Clock::now();
          bare.Finalize(previous.uuid, previous.canonical_json, previous.sha256);
          bare_us.push_back(Micros(Clock::now() - t0));
          bare.SetSynchronous("NORMAL");
        };
        if (i % 2 == 1) bare_one();
        auto [us, sub] = finalize_store();
        store_us.push_back(us);
        if (i % 2 == 0) bare_one();
        bytes = sub.canonical_json.size();
        previous = std::move(sub);
      }
      // The engine's share: Session::Finalize alone (validation, canonical JSON, SHA-256).
      auto session = StartSession(*w);
      for (const auto& [path, text] : w->answers) Check(session->SetAnswer(path, text), "SetAnswer");
      for (int i = 0; i < n; ++i) {
        auto t0 = Clock::now();
        auto sub = session->Finalize();
        session_us.push_back(Micros(Clock::now() - t0));
        if (!sub.ok()) Die("Session::Finalize: " + sub.status().ToString());
      }
      FinalizeResult& r = w == &checklist_ ? finalize_checklist_ : finalize_big_;
      r.store = Summarize(store_us);
      r.bare = Summarize(bare_us);
      r.session = Summarize(session_us);
      r.bytes = bytes;
      out_["finalize"][w->name] = {{"store", ToJson(r.store)}, {"bare_full_transaction", ToJson(r.bare)},
                                   {"session_finalize_alone", ToJson(r.session)}, {"submission_bytes", bytes}};
    }
    finalize_done_ = true;
  }

  // --- resume --------------------------------------------------------------------------------
  void Resume() {
    std::cerr << "store bench: resume\n";
    const std::string store_path = Path("resume-store.sqlite");
    int64_t id = 0;
    Answers all = big_.answers;
    {
      auto store = FreshStore(store_path);
      Answers extra = ExtraAnswers(big_, 2000);
      all.insert(all.end(), extra.begin(), extra.end());
      auto draft = StartDraft(*store, big_);
      for (const auto& [path, text] : all) Check(draft->SetAnswer(path, text), "Draft::SetAnswer(" + path + ")");
      Check(draft->Next(), "Draft::Next");  // a page other than the first, to be restored too
      id = draft->id();
      draft.reset();
      auto summary = store->GetInstance(id);
      if (!summary.ok()) Die("GetInstance: " + summary.status().ToString());
      resume_answers_ = summary->answer_count;
    }
    // The rows as stored, for the parts below.
    sqlite3* raw = OpenRaw(store_path, SQLITE_OPEN_READONLY);
    resume_rows_ = QueryInt(raw, "SELECT count(*) FROM answer WHERE instance_id = " + std::to_string(id));
    std::vector<double> load_us, cold_us, warm_us, select_us, session_us;
    chosa::SessionSnapshot snapshot;
    snapshot.page = 1;
    snapshot.repeat_counts = big_.repeats;
    for (int rep = 0; rep < o_.resumes; ++rep) {
      auto load = [&] {
        auto t0 = Clock::now();
        auto r = chosa::Form::Load(big_.text);
        load_us.push_back(Micros(Clock::now() - t0));
        if (!r.ok()) Die("Form::Load");
      };
      if (rep % 2 == 0) load();
      {
        auto store = OpenStore(store_path);  // untimed; nothing loaded or cached yet
        auto t0 = Clock::now();
        auto d = store->Resume(id);
        cold_us.push_back(Micros(Clock::now() - t0));
        if (!d.ok()) Die("Resume: " + d.status().ToString());
        if (rep == 0) CheckResumed(*d.value(), all);
        d.value().reset();
        t0 = Clock::now();
        auto again = store->Resume(id);
        warm_us.push_back(Micros(Clock::now() - t0));
        if (!again.ok()) Die("Resume (again): " + again.status().ToString());
      }
      if (rep % 2 == 1) load();
      // The parts: the rows read with a bare SELECT; Session::Resume from them.
      {
        sqlite3_stmt* stmt = nullptr;
        auto t0 = Clock::now();
        sqlite3_prepare_v2(raw, "SELECT path, value FROM answer WHERE instance_id = ?1", -1, &stmt, nullptr);
        sqlite3_bind_int64(stmt, 1, id);
        snapshot.answers.clear();
        while (sqlite3_step(stmt) == SQLITE_ROW) {
          snapshot.answers.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
                                        reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)));
        }
        sqlite3_finalize(stmt);
        select_us.push_back(Micros(Clock::now() - t0));
      }
      {
        auto t0 = Clock::now();
        auto s = chosa::Session::Resume(big_.form, nullptr, {"", "bench-device", "bench"}, snapshot);
        session_us.push_back(Micros(Clock::now() - t0));
        if (!s.ok()) Die("Session::Resume: " + s.status().ToString());
      }
    }
    sqlite3_close(raw);
    resume_load_ = Summarize(load_us);
    resume_cold_ = Summarize(cold_us);
    resume_warm_ = Summarize(warm_us);
    resume_select_ = Summarize(select_us);
    resume_session_ = Summarize(session_us);
    out_["resume"] = {{"answers", resume_answers_},
                      {"answer_rows", resume_rows_},
                      {"form_load", ToJson(resume_load_)},
                      {"store_resume_fresh_store", ToJson(resume_cold_)},
                      {"store_resume_again", ToJson(resume_warm_)},
                      {"select_rows", ToJson(resume_select_)},
                      {"session_resume_from_snapshot", ToJson(resume_session_)}};
    resume_done_ = true;
  }

  // The resumed draft has every answer (as Session::AnswerText of what was set) and the page.
  void CheckResumed(const chosa::Draft& d, const Answers& all) {
    auto fresh = StartSession(big_);
    for (const auto& [path, text] : all) Check(fresh->SetAnswer(path, text), "SetAnswer");
    for (const auto& [path, text] : all) {
      auto want = fresh->GetAnswer(path);
      auto got = d.session().GetAnswer(path);
      if (!want.ok() || !got.ok() ||
          chosa::Session::AnswerText(*want) != chosa::Session::AnswerText(*got)) {
        Die("the resumed draft differs at " + path);
      }
    }
    if (d.session().page_index() != 1) Die("the resumed draft is not on its page");
  }

  // --- size ----------------------------------------------------------------------------------
  void Size() {
    std::cerr << "store bench: size (" << o_.submissions << " submissions)\n";
    const std::string path = Path("size-store.sqlite");
    RemoveStore(path);
    auto store = OpenStore(path);
    auto installed = store->InstallFormFile(checklist_.file);
    if (!installed.ok()) Die("InstallForm: " + installed.status().ToString());
    auto sizes = [&](const char* label) {
      // The WAL as the store's own background checkpoints left it, then a TRUNCATE checkpoint
      // from a connection of our own (the store stays open, idle).
      int64_t wal_before = FileSize(path + "-wal");
      sqlite3* raw = OpenRaw(path, SQLITE_OPEN_READWRITE);
      QueryInt(raw, "SELECT count(*) FROM sqlite_master");  // reads the header: WAL mode known
      // The store's own checkpointer may be busy with the same WAL (SQLITE_BUSY): try again.
      int log = -1, done = -1, rc = SQLITE_BUSY, attempts = 0;
      auto until = Clock::now() + std::chrono::seconds(30);
      while (Clock::now() < until) {
        ++attempts;
        rc = sqlite3_wal_checkpoint_v2(raw, "main", SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
        if (rc == SQLITE_OK && FileSize(path + "-wal") == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      json j = {{"checkpoint_rc", rc}, {"checkpoint_attempts", attempts}, {"checkpoint_log_pages", log},
                {"checkpointed_pages", done},
                {"wal_bytes_before_checkpoint", wal_before},
                {"main_bytes", FileSize(path)}, {"wal_bytes", FileSize(path + "-wal")},
                {"shm_bytes", FileSize(path + "-shm")},
                {"page_count", QueryInt(raw, "PRAGMA page_count")},
                {"freelist_count", QueryInt(raw, "PRAGMA freelist_count")},
                {"answer_rows", QueryInt(raw, "SELECT count(*) FROM answer")},
                {"instances", QueryInt(raw, "SELECT count(*) FROM instance")}};
      sqlite3_close(raw);
      if (rc != SQLITE_OK) std::cerr << "store bench: the checkpoint (" << label << ") returned " << rc << "\n";
      return j;
    };
    json empty = sizes("empty");
    size_t submission_bytes = 0;
    auto t0 = Clock::now();
    for (int i = 0; i < o_.submissions; ++i) {
      auto d = StartDraft(*store, checklist_);
      for (const auto& [p, text] : checklist_.answers) Check(d->SetAnswer(p, text), "SetAnswer(" + p + ")");
      auto sub = d->Finalize();
      if (!sub.ok()) Die("Finalize: " + sub.status().ToString());
      submission_bytes += sub->canonical_json.size();
    }
    double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    json full = sizes("full");
    out_["size"] = {{"submissions", o_.submissions}, {"empty", empty}, {"full", full},
                    {"submission_bytes_total", submission_bytes}, {"fill_and_finalize_seconds", seconds}};
    size_empty_ = empty["main_bytes"].get<int64_t>() + empty["wal_bytes"].get<int64_t>();
    size_full_ = full["main_bytes"].get<int64_t>() + full["wal_bytes"].get<int64_t>();
    size_wal_ = full["wal_bytes"].get<int64_t>();
    size_shm_ = full["shm_bytes"].get<int64_t>();
    size_submission_bytes_ = submission_bytes;
    size_answer_rows_ = full["answer_rows"].get<int64_t>();
    size_seconds_ = seconds;
    size_done_ = true;
  }

  // --- profile -------------------------------------------------------------------------------
  // Fills the 2,000-question form and checklists again and again for --seconds through one side
  // only, for `perf record`.
  int Profile() {
    const std::string store_path = Path("profile-store.sqlite");
    auto store = FreshStore(store_path);
    StoreShape shape = ReadShape(store_path);
    BareOptions options;
    if (o_.profile == "bare") options = Bare(CheckpointPolicy::kNone, o_.checkpoint_pages);
    else if (o_.profile == "bare-bg") options = Bare(CheckpointPolicy::kBackground, o_.checkpoint_pages);
    else if (o_.profile == "replica") options = Bare(CheckpointPolicy::kBackground, o_.checkpoint_pages, false, true);
    else if (o_.profile != "store") Die("--profile store|bare|bare-bg|replica");
    BareStore bare(Path("profile-bare.sqlite"), shape, options);
    const bool flip = o_.profile_form == "flip";
    const Workload& w = o_.profile_form == "form2000" ? big_ : checklist_;
    auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.seconds));
    std::vector<double> us;
    int64_t id = 1;
    std::unique_ptr<chosa::Draft> draft;
    auto t0 = Clock::now();
    while (Clock::now() < end) {
      if (o_.profile == "store") {
        if (!flip || !draft) draft = StartDraft(*store, w);
      } else if (!flip || id == 1) {
        bare.NewInstance(++id);
      }
      for (size_t i = 0; i < w.answers.size(); ++i) {
        const std::string& p = flip ? w.answers[8].first : w.answers[i].first;  // c01 when flipping
        const std::string& text = flip ? (i % 2 == 0 ? std::string("3") : std::string("4")) : w.answers[i].second;
        auto a = Clock::now();
        if (o_.profile == "store") Check(draft->SetAnswer(p, text), "SetAnswer");
        else bare.SetAnswer(id, p, text);
        us.push_back(Micros(Clock::now() - a));
      }
    }
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    Stats st = Summarize(us);
    std::cerr << "profile " << o_.profile << " " << o_.profile_form << ": " << st.n << " answers in " << s << " s, "
              << st.n / s << " answers/s; median " << st.median << " us, p99 " << st.p99 << " us\n";
    return 0;
  }

  // --- the table -----------------------------------------------------------------------------
  static std::string Time(double us) {
    char buf[64];
    if (us < 1) std::snprintf(buf, sizeof buf, "%.2f µs", us);
    else if (us < 10) std::snprintf(buf, sizeof buf, "%.1f µs", us);
    else if (us < 1000) std::snprintf(buf, sizeof buf, "%.0f µs", us);
    else if (us < 10000) std::snprintf(buf, sizeof buf, "%.2f ms", us / 1000);
    else if (us < 1e6) std::snprintf(buf, sizeof buf, "%.1f ms", us / 1000);
    else std::snprintf(buf, sizeof buf, "%.2f s", us / 1e6);
    return buf;
  }
  static std::string Ratio(double a, double b) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2fx", b > 0 ? a / b : 0.0);
    return buf;
  }
  static std::string Count(double x) {
    std::string s = std::to_string(static_cast<int64_t>(std::llround(x)));
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
    return s;
  }
  static std::string Bytes(double b) {
    char buf[32];
    if (b >= 1048576) std::snprintf(buf, sizeof buf, "%.2f MiB", b / 1048576);
    else if (b >= 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024);
    else std::snprintf(buf, sizeof buf, "%.0f B", b);
    return buf;
  }

  void PrintTable() {
    std::ostream& o = std::cout;
    o << "| measure | chosa store | bare SQLite | ratio | bare, no checkpoint | ratio | Session alone |\n";
    o << "|---|---:|---:|---:|---:|---:|---:|\n";
    auto autosave_rows = [&](const std::string& title, const AutosaveSet& s) {
      Stats st = s[kStore].stats(), bb = s[kBareBg].stats(), bn = s[kBareNone].stats(), ss = s[kSession].stats();
      auto row = [&](const std::string& what, double a, double b, double c, double d) {
        o << "| " << title << ", " << what << " | " << Time(a) << " | " << Time(b) << " | " << Ratio(a, b) << " | "
          << Time(c) << " | " << Ratio(a, c) << " | " << Time(d) << " |\n";
      };
      row("median", st.median, bb.median, bn.median, ss.median);
      row("p99", st.p99, bb.p99, bn.p99, ss.p99);
      row("max", st.max, bb.max, bn.max, ss.max);
      o << "| " << title << ", answers per second | " << Count(s[kStore].per_second()) << " | "
        << Count(s[kBareBg].per_second()) << " | " << Ratio(s[kBareBg].per_second(), s[kStore].per_second()) << " | "
        << Count(s[kBareNone].per_second()) << " | " << Ratio(s[kBareNone].per_second(), s[kStore].per_second())
        << " | " << Count(s[kSession].per_second()) << " |\n";
      o << "| &nbsp;&nbsp;timed answers per side | " << Count(static_cast<double>(st.n)) << " | "
        << Count(static_cast<double>(bb.n)) << " |  | " << Count(static_cast<double>(bn.n)) << " |  | "
        << Count(static_cast<double>(ss.n)) << " |\n";
    };
    if (autosave_done_) {
      autosave_rows("autosave, checklist fillings", checklist_set_);
      autosave_rows("autosave, 2,000-question form fillings", big_set_);
      autosave_rows("autosave, one answer changed back and forth", flip_set_);
      autosave_rows("autosave, checklist fillings at a tablet's pace (" + Time(o_.pause_us) + " between answers)",
                    paced_set_);
      o << "| WAL file after the fillings above (" << Count(static_cast<double>(checklist_set_[kStore].answers +
                                                                          big_set_[kStore].answers))
        << " answers a side) | " << Bytes(static_cast<double>(store_wal_bytes_)) << " | "
        << Bytes(static_cast<double>(bare_bg_wal_bytes_)) << " |  | " << Bytes(static_cast<double>(bare_none_wal_bytes_))
        << " |  | - |\n";
    }
    if (finalize_done_) {
      for (const FinalizeResult* r : {&finalize_checklist_, &finalize_big_}) {
        std::string title = r == &finalize_checklist_ ? "finalize, checklist" : "finalize, 2,000-question form";
        title += " (" + Bytes(static_cast<double>(r->bytes)) + ")";
        auto row = [&](const std::string& what, double a, double b, double c) {
          o << "| " << title << ", " << what << " | " << Time(a) << " | " << Time(b) << " | " << Ratio(a, b)
            << " | - |  | " << Time(c) << " |\n";
        };
        row("median", r->store.median, r->bare.median, r->session.median);
        row("p99", r->store.p99, r->bare.p99, r->session.p99);
        row("max", r->store.max, r->bare.max, r->session.max);
      }
    }
    if (resume_done_) {
      o << "\n| resume of a draft with " << Count(static_cast<double>(resume_answers_))
        << " answers (2,000-question form) | median | p99 | max | vs Form::Load (median) |\n";
      o << "|---|---:|---:|---:|---:|\n";
      auto row = [&](const std::string& what, const Stats& s) {
        o << "| " << what << " | " << Time(s.median) << " | " << Time(s.p99) << " | " << Time(s.max) << " | "
          << Ratio(s.median, resume_load_.median) << " |\n";
      };
      row("Form::Load of the form's JSON alone", resume_load_);
      row("DeviceStore::Resume, store just opened", resume_cold_);
      row("DeviceStore::Resume again, same store", resume_warm_);
      row("&nbsp;&nbsp;part: SELECT of the " + Count(static_cast<double>(resume_rows_)) + " answer rows", resume_select_);
      row("&nbsp;&nbsp;part: Session::Resume from the snapshot in memory", resume_session_);
    }
    if (size_done_) {
      double per1000 = static_cast<double>(size_full_ - size_empty_) * 1000.0 / o_.submissions;
      o << "\n| store size, coordinator checklist | bytes |\n|---|---:|\n";
      o << "| store with the form installed, no submissions (main + WAL) | " << Bytes(static_cast<double>(size_empty_))
        << " |\n";
      o << "| after " << Count(o_.submissions) << " finalized submissions, TRUNCATE checkpoint: main + WAL | "
        << Bytes(static_cast<double>(size_full_)) << " (WAL " << Bytes(static_cast<double>(size_wal_)) << ", -shm "
        << Bytes(static_cast<double>(size_shm_)) << " besides) |\n";
      o << "| **per 1,000 submissions** | **" << Bytes(per1000) << "** |\n";
      o << "| canonical submission JSON, per 1,000 | "
        << Bytes(static_cast<double>(size_submission_bytes_) * 1000.0 / o_.submissions) << " |\n";
      o << "| answer rows kept after finalize | " << Count(static_cast<double>(size_answer_rows_)) << " |\n";
      o << "| time to fill and finalize them (36 autosaves + 1 finalize each) | "
        << Time(size_seconds_ * 1e6) << " |\n";
    }
    o << "\nfdatasync of a 4 KiB write in " << o_.dir << " (200 calls), before the run: median "
      << Time(fsync_.median) << ", p99 " << Time(fsync_.p99) << ", max " << Time(fsync_.max) << "; after it: median "
      << Time(fsync_end_.median) << ", p99 " << Time(fsync_end_.p99) << ", max " << Time(fsync_end_.max)
      << ". SQLite " << sqlite3_libversion();
    if (autosave_done_) o << "; the store's page size " << shape_.page_size;
    o << ".\n";

    // Targets.
    o << "\n| target | measured | met |\n|---|---:|:---:|\n";
    if (autosave_done_) {
      // Met only against the faster bare loop (median and answers per second alike); the ratio
      // against the bare loop with the store's checkpoint policy is shown beside it.
      for (const AutosaveSet* s : {&checklist_set_, &big_set_, &flip_set_, &paced_set_}) {
        std::string what = s == &checklist_set_ ? "checklist fillings"
                           : s == &big_set_     ? "2,000-question form fillings"
                           : s == &flip_set_    ? "one answer changed back and forth"
                                                : "checklist fillings at a tablet's pace";
        const Arm& st = (*s)[kStore];
        const Arm& bg = (*s)[kBareBg];
        const Arm& none = (*s)[kBareNone];
        double bare_median = std::min(bg.stats().median, none.stats().median);
        double bare_rate = std::max(bg.per_second(), none.per_second());
        double r_median = st.stats().median / bare_median;
        double r_rate = bare_rate / st.per_second();
        bool met = r_median <= 1.25 && r_rate <= 1.25;
        char buf[240];
        std::snprintf(buf, sizeof buf, "%.2fx median, %.2fx answers/s (vs the same checkpoint policy: %.2fx, %.2fx)",
                      r_median, r_rate, st.stats().median / bg.stats().median, bg.per_second() / st.per_second());
        o << "| autosave (" << what << "): at most 1.25x the faster bare loop | " << buf << " | "
          << (met ? "yes" : "**NO**") << " |\n";
      }
    }
    if (resume_done_) {
      double r = resume_cold_.median / resume_load_.median;
      char buf[120];
      std::snprintf(buf, sizeof buf, "%.2fx (%s vs %s)", r, Time(resume_cold_.median).c_str(),
                    Time(resume_load_.median).c_str());
      o << "| resume of a 2,000-answer draft (store just opened) under 2x Form::Load | " << buf << " | "
        << (r < 2 ? "yes" : "**NO**") << " |\n";
    }

    // Where the store's time per answer goes: the bare loop with one more thing the store does at
    // each step (none of them checkpoints but the last), medians in the same run.
    if (autosave_done_) {
      o << "\n| autosave, where the time goes (median per answer) | checklist fillings | 2,000-question form | one answer changed |\n";
      o << "|---|---:|---:|---:|\n";
      auto row = [&](const std::string& what, int arm) {
        o << "| " << what << " | " << Time(checklist_set_[arm].stats().median) << " | "
          << Time(big_set_[arm].stats().median) << " | " << Time(flip_set_[arm].stats().median) << " |\n";
      };
      row("bare loop, no checkpoint", kBareNone);
      row("+ a mutex held around each write (the store's writer lock)", kBareMutex);
      row("+ checkpoints as the store made them before: another at once after a commit made during one", kBareChasing);
      row("+ checkpoints as the store makes them: by 250 pages, and when the writer pauses (a replica of the "
          "store's SQL path)",
          kBareReplica);
      row("bare loop with the store's checkpoint policy (the table's \"bare SQLite\")", kBareBg);
      row("bare loop, no checkpoint, with PRAGMA foreign_keys=ON (what the store would pay to enforce "
          "its REFERENCES on each write; it does not since schema 5)",
          kBareFk);
      row("Session::SetAnswer alone (the engine, no store)", kSession);
      row("**Draft::SetAnswer (the store)**", kStore);
      o << "\nCheckpoints during the fillings: bare loop " << Count(static_cast<double>(bare_ckpt_run_))
        << "; the replica with the store's checkpoints before " << Count(static_cast<double>(chasing_ckpt_run_))
        << ", as they are " << Count(static_cast<double>(replica_ckpt_run_)) << ". WAL files after them: the store "
        << Bytes(static_cast<double>(store_wal_bytes_)) << ", bare loop "
        << Bytes(static_cast<double>(bare_bg_wal_bytes_)) << ", bare loop without checkpoints "
        << Bytes(static_cast<double>(bare_none_wal_bytes_)) << ".\n";
    }
  }

  struct FinalizeResult {
    Stats store, bare, session;
    size_t bytes = 0;
  };

  Options o_;
  Workload checklist_, big_;
  json out_;
  Stats fsync_, fsync_end_;
  StoreShape shape_;
  AutosaveSet checklist_set_, big_set_, flip_set_, paced_set_;
  int64_t store_wal_bytes_ = 0, bare_bg_wal_bytes_ = 0, bare_none_wal_bytes_ = 0;
  int64_t bare_ckpt_run_ = 0, chasing_ckpt_run_ = 0, replica_ckpt_run_ = 0;
  FinalizeResult finalize_checklist_, finalize_big_;
  Stats resume_load_, resume_cold_, resume_warm_, resume_select_, resume_session_;
  int64_t resume_answers_ = 0, resume_rows_ = 0;
  int64_t size_empty_ = 0, size_full_ = 0, size_wal_ = 0, size_shm_ = 0, size_answer_rows_ = 0;
  size_t size_submission_bytes_ = 0;
  double size_seconds_ = 0;
  bool autosave_done_ = false, finalize_done_ = false, resume_done_ = false, size_done_ = false;
};

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value after " + k);
      return argv[++i];
    };
    if (k == "--form2000") o.form2000 = next();
    else if (k == "--plan2000") o.plan2000 = next();
    else if (k == "--checklist") o.checklist = next();
    else if (k == "--dir") o.dir = next();
    else if (k == "--json") o.json_out = next();
    else if (k == "--rounds") o.rounds = std::stoi(next());
    else if (k == "--fillings") o.fillings = std::stoi(next());
    else if (k == "--flips") o.flips = std::stoi(next());
    else if (k == "--paced-fillings") o.paced_fillings = std::stoi(next());
    else if (k == "--pause-us") o.pause_us = std::stoi(next());
    else if (k == "--finalizes") o.finalizes = std::stoi(next());
    else if (k == "--resumes") o.resumes = std::stoi(next());
    else if (k == "--submissions") o.submissions = std::stoi(next());
    else if (k == "--checkpoint-pages") o.checkpoint_pages = std::stoi(next());
    else if (k == "--profile") o.profile = next();
    else if (k == "--seconds") o.seconds = std::stod(next());
    else if (k == "--profile-form") o.profile_form = next();
    else if (k == "--phases") {
      o.phases.clear();
      std::stringstream ss(next());
      for (std::string p; std::getline(ss, p, ',');) o.phases.insert(p);
    } else {
      Die("unknown argument " + k);
    }
  }
  if (o.form2000.empty() || o.plan2000.empty() || o.checklist.empty() || o.dir.empty()) {
    Die("usage: chosa_store_bench --form2000 F --plan2000 P --checklist C --dir DIR [--json OUT]");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Bench bench(ParseArgs(argc, argv));
  return bench.Run();
}
