// The device store against bad files and a full disk (issue 5, "Bad input and faults"): a
// corrupted or truncated store is refused with a clear error and left as it was, Check names its
// problems and Salvage copies what is readable into a new store; an answer that cannot be written
// because the disk is full is refused with kIOError, what was saved before stays, and the session
// goes on when space returns; a store written by a newer chosa is refused and never touched.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "chosa/session.h"
#include "chosa/store.h"
#include "test_support.h"
#include "must.h"

using chosa::testing::Must;

namespace chosa {
namespace {

namespace fs = std::filesystem;

const std::string kExamples = std::string(CHOSA_SOURCE_DIR) + "/schemas/examples";

using testing::TempDir;  // tests/test_support/temp_dir.h

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

StoreOptions Options(Env* env) {
  StoreOptions options;
  options.env = env;
  options.device_id = "fault-test-device";
  return options;
}

std::unique_ptr<DeviceStore> MustOpen(const std::string& path, Env* env) {
  auto store = DeviceStore::Open(path, Options(env));
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store.value());
}

std::unique_ptr<Draft> MustStart(DeviceStore& store, const std::string& form_id) {
  auto draft = store.StartDraft(form_id, "enumerator-1");
  INFO(draft.status().ToString());
  REQUIRE(draft.ok());
  return std::move(draft.value());
}

void MustSet(Draft& draft, const std::string& path, const std::string& text) {
  Status status = draft.SetAnswer(path, text);
  INFO(path << " = " << text << ": " << status.ToString());
  REQUIRE(status.ok());
}

std::string AnswerOf(const Session& session, const std::string& path) {
  auto value = session.GetAnswer(path);
  INFO(path << ": " << value.status().ToString());
  REQUIRE(value.ok());
  return Session::AnswerText(value.value());
}

using Answers = std::map<std::string, std::string>;  // path -> AnswerText

// A store made through the API as a tablet would: the surveys installed, many drafts of the
// ward activity survey with long answers (so that the file has many pages), and one finalized
// workshop questionnaire in the outbox. Returns what each draft holds.
struct MadeStore {
  std::map<int64_t, Answers> drafts;
  std::string submission_uuid, submission_sha256;
};

MadeStore MakeStore(const std::string& path, Env* env, int drafts = 40) {
  MadeStore made;
  auto store = MustOpen(path, env);
  for (const char* form : {"ward_activity_survey", "workshop_attendee_survey"}) {
    auto installed = store->InstallFormFile(kExamples + "/" + form + ".json");
    INFO(installed.status().ToString());
    REQUIRE(installed.ok());
  }
  const char* wards[] = {"271021", "271039", "271047", "271063", "271071"};
  for (int d = 0; d < drafts; ++d) {
    auto draft = MustStart(*store, "ward_activity_survey");
    Answers answers;
    auto set = [&](const std::string& answer_path, const std::string& text) {
      MustSet(*draft, answer_path, text);
      answers[answer_path] = AnswerOf(draft->session(), answer_path);
    };
    set("ward", wards[d % 5]);
    set("fiscal_year", std::to_string(2019 + d % 6));
    set("half", d % 2 ? "first_half" : "second_half");
    set("office_type", d % 3 ? "support_office" : "ward_office");
    std::string text;
    for (int k = 0; k < 6; ++k) text += "在宅医療・介護連携の取組について記録します（第" + std::to_string(d) + "号）。";
    set("respondent", "担当者 " + std::to_string(d));
    REQUIRE(draft->Next().ok());
    set("act_a", std::to_string(1 + d % 4));
    set("act_b", std::to_string(1 + (d + 1) % 4));
    REQUIRE(draft->Next().code() == StatusCode::kInvalidArgument);  // the page is not complete
    REQUIRE(draft->GoToPage(2).ok());
    set("issues_text", text);
    set("good_practice", text + " 好事例");
    made.drafts[draft->id()] = answers;
  }
  // One workshop questionnaire finalized (the answers of its full_submission scenario).
  auto draft = MustStart(*store, "workshop_attendee_survey");
  for (auto [answer_path, text] : std::vector<std::pair<std::string, std::string>>{
           {"event_type", "workshop"}, {"event_date", "2024-09-12"}, {"block", "east"}, {"ward", "271098"},
           {"profession", "pharmacist"}, {"feels_collaborating", "yes"}, {"knew_support_office", "no"},
           {"wish_collaborate", "want"}, {"acp_awareness", "name_only"}, {"useful", "4"},
           {"comments", "グループワークが良かった"}, {"attendees[1]/attendee_name", "田中 美咲"},
           {"attendees[1]/attendee_profession", "nurse"}}) {
    MustSet(*draft, answer_path, text);
  }
  auto submission = draft->Finalize();
  INFO(submission.status().ToString());
  REQUIRE(submission.ok());
  made.submission_uuid = submission->uuid;
  made.submission_sha256 = submission->sha256;
  return made;
}

// The store is closed: everything is in the main file (the last connection checkpointed).
void RequireClosedCleanly(const std::string& path) {
  std::error_code error;
  auto wal_size = fs::file_size(path + "-wal", error);
  INFO("-wal: " << (error ? std::string("absent") : std::to_string(wal_size) + " bytes"));
  REQUIRE((error || wal_size == 0));
}

// After a refused open: the file is byte for byte what it was, and no WAL holds new pages for it.
void RequireUntouched(const std::string& path, const std::string& bytes_before) {
  REQUIRE(ReadBytes(path) == bytes_before);
  RequireClosedCleanly(path);
}

// The pages of `table`'s b-tree (its leaves) in a store file, read with SQLite's dbstat.
std::vector<int64_t> LeafPagesOf(const std::string& path, const std::string& table) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno", -1,
                             &statement, nullptr) == SQLITE_OK);
  sqlite3_bind_text(statement, 1, table.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<int64_t> pages;
  while (sqlite3_step(statement) == SQLITE_ROW) pages.push_back(sqlite3_column_int64(statement, 0));
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return pages;
}

int PageSize(const std::string& bytes) {
  REQUIRE(bytes.size() >= 100);
  int size = (static_cast<unsigned char>(bytes[16]) << 8) | static_cast<unsigned char>(bytes[17]);
  return size == 1 ? 65536 : size;
}

// The salvaged store opens, checks clean, and every draft in it resumes with answers that are
// exactly those it had (some may be missing: they were on a damaged page). Returns how many
// answers came back.
int64_t RequireSalvagedSubset(const std::string& salvaged, const MadeStore& made, Env* env) {
  StoreCheck check = DeviceStore::Check(salvaged);
  INFO(check.problems.size() << " problems in the salvaged store");
  REQUIRE(check.ok);
  auto store = MustOpen(salvaged, env);
  int64_t answers = 0;
  std::unique_ptr<Session> fresh;  // what a question holds when its answer is lost: nothing, or its default
  for (const InstanceSummary& summary : Must(store->ListInstances(InstanceState::kDraft))) {
    if (!fresh) {
      auto form = store->LoadForm("ward_activity_survey");
      INFO(form.status().ToString());
      REQUIRE(form.ok());
      auto started = Session::Start(form.value(), env);
      REQUIRE(started.ok());
      fresh = std::move(started.value());
    }
    INFO("salvaged draft " << summary.id);
    auto original = made.drafts.find(summary.id);
    REQUIRE(original != made.drafts.end());
    auto draft = store->Resume(summary.id);
    INFO(draft.status().ToString());
    REQUIRE(draft.ok());
    for (const auto& [path, text] : original->second) {
      std::string now = AnswerOf(draft.value()->session(), path);
      if (now.empty() || now == AnswerOf(*fresh, path)) continue;  // lost with the damaged page
      CHECK(now == text);
      ++answers;
    }
  }
  return answers;
}

TEST_CASE("A store file with a damaged page is refused, checked and salvaged", "[store][faults]") {
  testing::FixedEnv env;
  TempDir dir;
  std::string path = dir.File("store.sqlite");
  MadeStore made = MakeStore(path, &env);
  RequireClosedCleanly(path);
  REQUIRE(DeviceStore::Check(path).ok);  // the control: the same file before the damage

  // Overwrite a leaf page of the answers in the middle of the file with bytes that are no page.
  std::vector<int64_t> leaves = LeafPagesOf(path, "answer");
  REQUIRE(leaves.size() >= 3);
  std::string bytes = ReadBytes(path);
  int page_size = PageSize(bytes);
  int64_t page = leaves[leaves.size() / 2];
  INFO("page " << page << " of " << bytes.size() / static_cast<size_t>(page_size));
  std::string damaged = bytes;
  for (int i = 0; i < page_size; ++i) damaged[static_cast<size_t>((page - 1) * page_size + i)] = static_cast<char>(0xA5);
  WriteBytes(path, damaged);

  auto opened = DeviceStore::Open(path, Options(&env));
  INFO(opened.status().ToString());
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().code() == StatusCode::kCorruption);
  CHECK(opened.status().message().find(path) != std::string::npos);
  CHECK(opened.status().message().find("salvage") != std::string::npos);
  RequireUntouched(path, damaged);

  StoreCheck check = DeviceStore::Check(path);
  CHECK_FALSE(check.ok);
  CHECK_FALSE(check.problems.empty());
  RequireUntouched(path, damaged);

  std::string salvaged = dir.File("salvaged.sqlite");
  auto saved = DeviceStore::Salvage(path, salvaged);
  INFO(saved.status().ToString());
  REQUIRE(saved.ok());
  RequireUntouched(path, damaged);
  // Every instance row is readable (the damage is among the answers): 40 drafts and the submission.
  CHECK(*saved == static_cast<int64_t>(made.drafts.size()) + 1);
  int64_t answers = RequireSalvagedSubset(salvaged, made, &env);
  int64_t total = 0;
  for (const auto& entry : made.drafts) total += static_cast<int64_t>(entry.second.size());
  INFO(answers << " of " << total << " answers salvaged");
  CHECK(answers > 0);
  CHECK(answers < total);  // the damaged page did hold answers

  auto store = MustOpen(salvaged, &env);
  std::vector<OutboxItem> outbox = Must(store->Outbox());
  REQUIRE(outbox.size() == 1);
  CHECK(outbox[0].uuid == made.submission_uuid);
  CHECK(outbox[0].sha256 == made.submission_sha256);
  // The salvaged drafts go on: a new answer is saved.
  auto draft = store->Resume(made.drafts.begin()->first);
  REQUIRE(draft.ok());
  CHECK(draft.value()->SetAnswer("respondent", "救出後の回答").ok());

  // Salvage never writes over an existing file.
  auto again = DeviceStore::Salvage(path, salvaged);
  CHECK_FALSE(again.ok());
}

TEST_CASE("A truncated store file is refused, checked and salvaged", "[store][faults]") {
  testing::FixedEnv env;
  TempDir dir;
  std::string path = dir.File("store.sqlite");
  MadeStore made = MakeStore(path, &env);
  RequireClosedCleanly(path);
  std::string bytes = ReadBytes(path);
  int page_size = PageSize(bytes);
  size_t pages = bytes.size() / static_cast<size_t>(page_size);
  REQUIRE(pages >= 8);

  SECTION("cut at a page boundary in the middle") {
    std::string truncated = bytes.substr(0, pages / 2 * static_cast<size_t>(page_size));
    WriteBytes(path, truncated);
    auto opened = DeviceStore::Open(path, Options(&env));
    INFO(opened.status().ToString());
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.status().code() == StatusCode::kCorruption);
    RequireUntouched(path, truncated);
    StoreCheck check = DeviceStore::Check(path);
    CHECK_FALSE(check.ok);
    CHECK_FALSE(check.problems.empty());
    RequireUntouched(path, truncated);

    // Half the pages are gone, possibly with every leaf of the instance table: salvage may find
    // nothing to keep, but what it keeps is true and it never touches the damaged file.
    std::string salvaged = dir.File("salvaged.sqlite");
    auto saved = DeviceStore::Salvage(path, salvaged);
    INFO(saved.status().ToString());
    REQUIRE(saved.ok());
    RequireUntouched(path, truncated);
    RequireSalvagedSubset(salvaged, made, &env);
  }
  SECTION("cut by its last page") {
    // The common truncation (the end of a file that was growing): the header claims a page the
    // file does not have; salvage reads the header as the file is and keeps the rest.
    std::string truncated = bytes.substr(0, (pages - 1) * static_cast<size_t>(page_size));
    WriteBytes(path, truncated);
    CHECK_FALSE(DeviceStore::Check(path).ok);
    std::string salvaged = dir.File("salvaged.sqlite");
    auto saved = DeviceStore::Salvage(path, salvaged);
    INFO(saved.status().ToString());
    REQUIRE(saved.ok());
    RequireUntouched(path, truncated);
    CHECK(*saved >= 1);
    RequireSalvagedSubset(salvaged, made, &env);
  }
  SECTION("cut inside the first page") {
    std::string truncated = bytes.substr(0, 1000);
    WriteBytes(path, truncated);
    auto opened = DeviceStore::Open(path, Options(&env));
    INFO(opened.status().ToString());
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.status().code() == StatusCode::kCorruption);
    RequireUntouched(path, truncated);
    CHECK_FALSE(DeviceStore::Check(path).ok);
    RequireUntouched(path, truncated);
  }
}

TEST_CASE("A file that is not a store is refused and left alone", "[store][faults]") {
  testing::FixedEnv env;
  TempDir dir;
  std::string path = dir.File("store.sqlite");
  std::string text = "これはストアではありません。 This is not a chosa store.\n";
  for (int i = 0; i < 8; ++i) text += text;
  WriteBytes(path, text);
  auto opened = DeviceStore::Open(path, Options(&env));
  INFO(opened.status().ToString());
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().code() == StatusCode::kCorruption);
  CHECK(opened.status().message().find(path) != std::string::npos);
  RequireUntouched(path, text);
  StoreCheck check = DeviceStore::Check(path);
  CHECK_FALSE(check.ok);
  CHECK_FALSE(check.problems.empty());
  RequireUntouched(path, text);
}

TEST_CASE("A store written by a newer chosa is refused and never changed", "[store][faults]") {
  testing::FixedEnv env;
  TempDir dir;
  std::string path = dir.File("store.sqlite");
  MakeStore(path, &env, 3);
  int newer = DeviceStore::SchemaVersion() + 1;
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, ("PRAGMA user_version = " + std::to_string(newer)).c_str(), nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    REQUIRE(sqlite3_close(db) == SQLITE_OK);
  }
  RequireClosedCleanly(path);
  std::string bytes = ReadBytes(path);

  auto opened = DeviceStore::Open(path, Options(&env));
  INFO(opened.status().ToString());
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().code() == StatusCode::kUnsupported);
  CHECK(opened.status().message().find("newer") != std::string::npos);
  CHECK(opened.status().message().find(std::to_string(newer)) != std::string::npos);
  RequireUntouched(path, bytes);
  // Twice: the first refusal changed nothing that would let a second one through.
  CHECK(DeviceStore::Open(path, Options(&env)).status().code() == StatusCode::kUnsupported);
  RequireUntouched(path, bytes);

  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &statement, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
  CHECK(sqlite3_column_int(statement, 0) == newer);  // never downgraded
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

// Lowers this process's file size limit to nothing for as long as it lives: every write to a
// regular file fails (EFBIG; SIGXFSZ ignored), as on a full disk. No Catch2 assertion runs while
// it is in place (a report written to a file would fail too).
class NoSpace {
 public:
  NoSpace() {
    previous_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &previous_);
    rlimit none = previous_;
    none.rlim_cur = 0;
    ok_ = ::setrlimit(RLIMIT_FSIZE, &none) == 0;
  }
  ~NoSpace() { Restore(); }
  bool ok() const { return ok_; }
  void Restore() {
    if (restored_) return;
    ::setrlimit(RLIMIT_FSIZE, &previous_);
    ::signal(SIGXFSZ, previous_handler_);
    restored_ = true;
  }

 private:
  rlimit previous_{};
  sighandler_t previous_handler_ = SIG_DFL;
  bool ok_ = false;
  bool restored_ = false;
};

TEST_CASE("An answer that cannot be written is refused; the rest stays and the session goes on", "[store][faults]") {
  testing::FixedEnv env;
  TempDir dir;
  std::string path = dir.File("store.sqlite");
  int64_t id = 0;
  {
    auto store = MustOpen(path, &env);
    REQUIRE(store->InstallFormFile(kExamples + "/workshop_attendee_survey.json").ok());
    auto draft = MustStart(*store, "workshop_attendee_survey");
    id = draft->id();
    MustSet(*draft, "event_type", "workshop");
    MustSet(*draft, "event_date", "2024-09-12");
    MustSet(*draft, "block", "east");
    MustSet(*draft, "ward", "271098");

    Status refused, repeat_refused, then_saved;
    std::string shown_after_refusal;
    int32_t attendees_after_refusal = 0;
    {
      NoSpace full;
      REQUIRE(full.ok());
      refused = draft->SetAnswer("profession", "pharmacist");
      auto shown = draft->session().GetAnswer("profession");
      shown_after_refusal = shown.ok() ? Session::AnswerText(shown.value()) : "(" + shown.status().ToString() + ")";
      repeat_refused = draft->AddRepeatInstance("attendees").status();
      auto count = draft->session().RepeatCount("attendees");
      attendees_after_refusal = count.ok() ? *count : -1;
      full.Restore();  // space returns
      then_saved = draft->SetAnswer("profession", "nurse");
    }
    INFO("refused: " << refused.ToString());
    CHECK(refused.code() == StatusCode::kIOError);
    CHECK(refused.message().find("not saved") != std::string::npos);
    CHECK(shown_after_refusal == "");  // the session shows what is saved
    INFO("add refused: " << repeat_refused.ToString());
    CHECK(repeat_refused.code() == StatusCode::kIOError);
    CHECK(attendees_after_refusal == 1);
    INFO("after space returned: " << then_saved.ToString());
    CHECK(then_saved.ok());

    // A page move that cannot be saved: refused, and the session stays where the store has it.
    Status next_refused;
    int32_t page_after_refusal = -1;
    {
      NoSpace full;
      REQUIRE(full.ok());
      next_refused = draft->Next();
      page_after_refusal = draft->session().page_index();
    }
    INFO("next refused: " << next_refused.ToString());
    CHECK(next_refused.code() == StatusCode::kIOError);
    CHECK(page_after_refusal == 0);
    if (draft->session().page_index() == 0) REQUIRE(draft->Next().ok());
    MustSet(*draft, "feels_collaborating", "yes");
  }
  REQUIRE(DeviceStore::Check(path).ok);
  auto store = MustOpen(path, &env);
  auto draft = store->Resume(id);
  INFO(draft.status().ToString());
  REQUIRE(draft.ok());
  {
    const Session& session = draft.value()->session();
    CHECK(AnswerOf(session, "event_type") == "workshop");
    CHECK(AnswerOf(session, "event_date") == "2024-09-12");
    CHECK(AnswerOf(session, "block") == "east");
    CHECK(AnswerOf(session, "ward") == "271098");
    CHECK(AnswerOf(session, "profession") == "nurse");
    CHECK(AnswerOf(session, "feels_collaborating") == "yes");
    CHECK(*session.RepeatCount("attendees") == 1);
    CHECK(session.page_index() == 1);
  }

  // A finalize that cannot be written leaves the draft a draft and the outbox empty; once space
  // returns it finalizes.
  for (auto [answer_path, text] : std::vector<std::pair<std::string, std::string>>{
           {"knew_support_office", "no"}, {"wish_collaborate", "want"}, {"acp_awareness", "name_only"},
           {"useful", "4"}, {"attendees[1]/attendee_name", "田中 美咲"}, {"attendees[1]/attendee_profession", "nurse"}}) {
    MustSet(*draft.value(), answer_path, text);
  }
  Status finalize_refused;
  {
    NoSpace full;
    REQUIRE(full.ok());
    finalize_refused = draft.value()->Finalize().status();
  }
  INFO("finalize refused: " << finalize_refused.ToString());
  CHECK(finalize_refused.code() == StatusCode::kIOError);
  CHECK(Must(store->Outbox()).empty());
  auto instance = store->GetInstance(id);
  REQUIRE(instance.ok());
  CHECK(instance->state == InstanceState::kDraft);
  auto submission = draft.value()->Finalize();
  INFO(submission.status().ToString());
  REQUIRE(submission.ok());
  std::vector<OutboxItem> outbox = Must(store->Outbox());
  REQUIRE(outbox.size() == 1);
  CHECK(outbox[0].uuid == submission->uuid);
  CHECK(outbox[0].canonical_json == submission->canonical_json);
  CHECK(outbox[0].canonical_json.find("田中 美咲") != std::string::npos);
  REQUIRE(DeviceStore::Check(path).ok);
}

// A full disk without privileges: an SQLite VFS registered by the test as the default (the
// store opens its files with sqlite3_open_v2 and the default VFS) that passes everything to the
// "unix" VFS, except that a write past a byte budget fails with SQLITE_FULL, as SQLite reports
// ENOSPC. The budget counts the bytes written to every file (database, WAL, journals) from the
// moment it is set; none (the default) lets every write through. SetUnreadable makes every read
// fail instead (SQLITE_IOERR_READ, as an EIO from a failing card), memory-mapped pages included.
class FullDiskVfs {
 public:
  static constexpr int64_t kNoLimit = -1;

  FullDiskVfs() {
    unix_ = sqlite3_vfs_find("unix");
    REQUIRE(unix_ != nullptr);
    vfs_ = *unix_;  // the unix VFS's own methods for everything but opening a file
    vfs_.zName = "chosa-test-full-disk";
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + unix_->szOsFile;
    vfs_.xOpen = &Open;
    budget_ = kNoLimit;
    refused_ = 0;
    REQUIRE(sqlite3_vfs_register(&vfs_, 1) == SQLITE_OK);
  }
  ~FullDiskVfs() {
    sqlite3_vfs_register(unix_, 1);  // "unix" is the default again; open files keep their methods
    sqlite3_vfs_unregister(&vfs_);
    budget_ = kNoLimit;
    unreadable_ = false;
  }
  FullDiskVfs(const FullDiskVfs&) = delete;
  FullDiskVfs& operator=(const FullDiskVfs&) = delete;

  // From now on, `bytes` more may be written (kNoLimit: space returns).
  void SetBudget(int64_t bytes) { budget_ = bytes; }
  // Writes refused so far.
  int64_t refused() const { return refused_; }
  // From now on, every read fails (false: reads work again).
  void SetUnreadable(bool unreadable) { unreadable_ = unreadable; }

 private:
  // The shim's file: its methods, then the unix VFS's file that does the work.
  struct File {
    sqlite3_file base;
    sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  };
  static sqlite3_file* Real(sqlite3_file* file) { return reinterpret_cast<File*>(file)->real(); }

  static int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
    File* shim = reinterpret_cast<File*>(file);
    int code = unix_->xOpen(unix_, name, shim->real(), flags, out_flags);
    // SQLite closes a file whose open failed only when its methods are set.
    shim->base.pMethods = shim->real()->pMethods != nullptr ? &kMethods : nullptr;
    return code;
  }
  static int Write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
    int64_t left = budget_.load();
    while (left != kNoLimit) {
      if (left < amount) {
        ++refused_;
        return SQLITE_FULL;
      }
      if (budget_.compare_exchange_weak(left, left - amount)) break;
    }
    return Real(file)->pMethods->xWrite(Real(file), data, amount, offset);
  }
  static int Close(sqlite3_file* file) { return Real(file)->pMethods->xClose(Real(file)); }
  static int Read(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) {
    if (unreadable_) return SQLITE_IOERR_READ;
    return Real(file)->pMethods->xRead(Real(file), data, amount, offset);
  }
  static int Truncate(sqlite3_file* file, sqlite3_int64 size) {
    return Real(file)->pMethods->xTruncate(Real(file), size);
  }
  static int Sync(sqlite3_file* file, int flags) { return Real(file)->pMethods->xSync(Real(file), flags); }
  static int FileSize(sqlite3_file* file, sqlite3_int64* size) {
    return Real(file)->pMethods->xFileSize(Real(file), size);
  }
  static int Lock(sqlite3_file* file, int level) { return Real(file)->pMethods->xLock(Real(file), level); }
  static int Unlock(sqlite3_file* file, int level) { return Real(file)->pMethods->xUnlock(Real(file), level); }
  static int CheckReservedLock(sqlite3_file* file, int* out) {
    return Real(file)->pMethods->xCheckReservedLock(Real(file), out);
  }
  static int FileControl(sqlite3_file* file, int op, void* arg) {
    return Real(file)->pMethods->xFileControl(Real(file), op, arg);
  }
  static int SectorSize(sqlite3_file* file) { return Real(file)->pMethods->xSectorSize(Real(file)); }
  static int DeviceCharacteristics(sqlite3_file* file) {
    return Real(file)->pMethods->xDeviceCharacteristics(Real(file));
  }
  static int ShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** memory) {
    return Real(file)->pMethods->xShmMap(Real(file), region, size, extend, memory);
  }
  static int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
    return Real(file)->pMethods->xShmLock(Real(file), offset, n, flags);
  }
  static void ShmBarrier(sqlite3_file* file) { Real(file)->pMethods->xShmBarrier(Real(file)); }
  static int ShmUnmap(sqlite3_file* file, int remove) { return Real(file)->pMethods->xShmUnmap(Real(file), remove); }
  static int Fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** pages) {
    if (unreadable_) {  // no mapped page: SQLite falls back to Read
      *pages = nullptr;
      return SQLITE_OK;
    }
    return Real(file)->pMethods->xFetch(Real(file), offset, amount, pages);
  }
  static int Unfetch(sqlite3_file* file, sqlite3_int64 offset, void* pages) {
    return Real(file)->pMethods->xUnfetch(Real(file), offset, pages);
  }

  // Version 3, as the unix VFS's files (shared memory for the WAL index, memory-mapped reads).
  static constexpr sqlite3_io_methods kMethods = {3, &Close, &Read, &Write, &Truncate, &Sync, &FileSize, &Lock,
      &Unlock, &CheckReservedLock, &FileControl, &SectorSize, &DeviceCharacteristics, &ShmMap, &ShmLock, &ShmBarrier,
      &ShmUnmap, &Fetch, &Unfetch};
  static inline sqlite3_vfs* unix_ = nullptr;
  static inline std::atomic<int64_t> budget_{kNoLimit};  // the store's checkpointer writes too
  static inline std::atomic<int64_t> refused_{0};
  static inline std::atomic<bool> unreadable_{false};
  sqlite3_vfs vfs_{};
};

TEST_CASE("An answer on a full disk is refused as such; acknowledged answers stay; it goes on when space returns",
          "[store][faults]") {
  testing::FixedEnv env;
  TempDir dir;
  FullDiskVfs disk;
  std::string path = dir.File("store.sqlite");
  int64_t id = 0;
  std::map<std::string, std::string> saved;  // acknowledged answers
  {
    auto store = MustOpen(path, &env);
    REQUIRE(store->InstallFormFile(kExamples + "/workshop_attendee_survey.json").ok());
    auto draft = MustStart(*store, "workshop_attendee_survey");
    id = draft->id();
    for (auto [answer_path, text] : std::vector<std::pair<std::string, std::string>>{
             {"event_type", "workshop"}, {"event_date", "2024-09-12"}, {"block", "east"}, {"profession", "nurse"}}) {
      MustSet(*draft, answer_path, text);
      saved[answer_path] = text;
    }
    // Room for a few more answers of 3 KB, not for 30: the disk fills in the middle of one.
    disk.SetBudget(20000);
    Status refused;
    std::string refused_path;
    for (int k = 1; k <= 30 && refused.ok(); ++k) {
      std::string answer_path = "attendees[" + std::to_string(k) + "]/attendee_name";
      if (k > 1) {
        auto added = draft->AddRepeatInstance("attendees");
        if (!added.ok()) {
          refused = added.status();
          refused_path = "attendees (instance " + std::to_string(k) + ")";
          break;
        }
      }
      std::string text = std::string(3000, 'a') + " 参加者 " + std::to_string(k);
      refused = draft->SetAnswer(answer_path, text);
      if (refused.ok()) {
        saved[answer_path] = text;
      } else {
        refused_path = answer_path;
        CHECK(AnswerOf(draft->session(), answer_path) == "");  // shown as it is saved: empty
      }
    }
    INFO("refused at " << refused_path << ": " << refused.ToString());
    REQUIRE_FALSE(refused.ok());
    CHECK(disk.refused() > 0);  // refused because a write was
    CHECK(refused.code() == StatusCode::kIOError);
    CHECK(refused.message().find("the device is full") != std::string::npos);  // said plainly

    disk.SetBudget(FullDiskVfs::kNoLimit);  // space returns
    MustSet(*draft, "ward", "271098");
    saved["ward"] = "271098";
  }
  REQUIRE(DeviceStore::Check(path).ok);
  auto store = MustOpen(path, &env);
  auto draft = store->Resume(id);
  INFO(draft.status().ToString());
  REQUIRE(draft.ok());
  for (const auto& [answer_path, text] : saved) CHECK(AnswerOf(draft.value()->session(), answer_path) == text);
}

TEST_CASE("A listing of a store that cannot be read returns the error, not an empty list", "[store][faults]") {
  testing::FixedEnv env;
  TempDir dir;
  FullDiskVfs disk;
  auto store = MustOpen(dir.File("store.sqlite"), &env);
  REQUIRE(store->InstallFormFile(kExamples + "/workshop_attendee_survey.json").ok());
  auto draft = MustStart(*store, "workshop_attendee_survey");
  MustSet(*draft, "event_type", "workshop");
  REQUIRE(Must(store->ListForms()).size() == 1);
  REQUIRE(Must(store->ListInstances(InstanceState::kDraft)).size() == 1);
  REQUIRE(Must(store->Outbox()).empty());
  // A change the reader has not seen yet, so that the listings below read pages (not the reader's
  // page cache), then a storage that fails every read.
  MustSet(*draft, "event_date", "2024-09-12");
  disk.SetUnreadable(true);
  auto forms = store->ListForms();
  auto drafts = store->ListInstances(InstanceState::kDraft);
  auto outbox = store->Outbox();
  disk.SetUnreadable(false);
  for (const Status& status : {forms.status(), drafts.status(), outbox.status()}) {
    INFO(status.ToString());
    CHECK(status.code() == StatusCode::kIOError);
  }
  CHECK_FALSE(forms.ok());
  CHECK_FALSE(drafts.ok());
  CHECK_FALSE(outbox.ok());
  // Readable again: the same listings as before the fault.
  CHECK(Must(store->ListForms()).size() == 1);
  CHECK(Must(store->ListInstances(InstanceState::kDraft)).size() == 1);
  CHECK(Must(store->Outbox()).empty());
}

}  // namespace
}  // namespace chosa
