// The device store through its C++ API, on real SQLite files: install, autosave, resume,
// drafts, finalize, outbox states, edits, purge, migrations, concurrency.
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "chosa/store.h"
#include "chosa/view_model.h"
#include "test_support.h"
#include "must.h"

using chosa::testing::Must;

using chosa::DeviceStore;
using chosa::Draft;
using chosa::InstanceState;
using chosa::StoreOptions;
using chosa::testing::FixedEnv;
using chosa::testing::TempDir;

namespace {

const std::string kExamples = CHOSA_SOURCE_DIR "/schemas/examples";

class MovingClock : public FixedEnv {
 public:
  int64_t NowMillis() override { return now_ += 1000; }
  int64_t now_ = 1730597430000;
};

std::unique_ptr<DeviceStore> OpenStore(const std::string& path, chosa::Env* env) {
  StoreOptions options;
  options.env = env;
  options.device_id = "tablet-07";
  auto store = DeviceStore::Open(path, options);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(*store);
}

}  // namespace

TEST_CASE("Every answer is saved as it is set; a resumed draft is exactly as it was left", "[store]") {
  TempDir dir;
  MovingClock env;
  int64_t id = 0;
  {
    auto store = OpenStore(dir.File("store.sqlite"), &env);
    REQUIRE(store->InstallFormFile(kExamples + "/workshop_attendee_survey.json").ok());
    auto draft = store->StartDraft("workshop_attendee_survey", "staff-3", "en");
    REQUIRE(draft.ok());
    Draft& d = **draft;
    id = d.id();
    REQUIRE(d.SetAnswer("event_type", "workshop").ok());
    REQUIRE(d.SetAnswer("event_date", "２０２４-09-12").ok());
    REQUIRE(d.SetAnswer("block", "east").ok());
    // The drafts list shows the draft's name as soon as the answers it reads are saved.
    CHECK(store->GetInstance(d.id())->instance_name == "Multi-professional workshop 2024-09-12 East block");
    REQUIRE(d.SetAnswer("ward", "271098").ok());
    REQUIRE(d.SetAnswer("attendees[1]/attendee_name", "田中 美咲").ok());
    REQUIRE(*d.AddRepeatInstance("attendees") == 2);
    REQUIRE(*d.AddRepeatInstance("attendees") == 3);
    REQUIRE(d.SetAnswer("attendees[2]/attendee_name", "削除される人").ok());
    REQUIRE(d.SetAnswer("attendees[3]/attendee_name", "高橋 健").ok());
    REQUIRE(d.SetAnswer("attendees[3]/attendee_profession", "pharmacist").ok());
    REQUIRE(d.RemoveRepeatInstance("attendees", 2).ok());
    REQUIRE(d.SetLanguage("ja").ok());
    // The draft object is dropped without any "save": as an app killed here.
  }
  auto store = OpenStore(dir.File("store.sqlite"), &env);
  auto drafts = Must(store->ListInstances(InstanceState::kDraft));
  REQUIRE(drafts.size() == 1);
  CHECK(drafts[0].id == id);
  CHECK(drafts[0].enumerator_id == "staff-3");
  CHECK(drafts[0].answer_count == 7);
  auto resumed = store->Resume(id);
  REQUIRE(resumed.ok());
  const chosa::Session& s = (*resumed)->session();
  CHECK(s.language() == "ja");
  CHECK(*s.RepeatCount("attendees") == 2);
  CHECK(s.GetAnswer("event_date")->ToString() == "2024-09-12");
  CHECK(s.GetAnswer("attendees[2]/attendee_name")->ToString() == "高橋 健");
  CHECK(s.ReadValue("n_pharmacists")->ToNumber() == 1);  // calculations are recomputed
}

TEST_CASE("Finalize moves a draft to the outbox; sent, rejected and edited submissions", "[store]") {
  TempDir dir;
  MovingClock env;
  auto store = OpenStore(dir.File("store.sqlite"), &env);
  REQUIRE(store->InstallFormFile(kExamples + "/coordinator_checklist.json").ok());
  auto draft = store->StartDraft("coordinator_checklist", "staff-1");
  REQUIRE(draft.ok());
  Draft& d = **draft;
  // Fill from the view model: every required question gets its first choice or a valid value.
  REQUIRE(d.SetAnswer("ward", "271276").ok());
  REQUIRE(d.SetAnswer("hire_month", "2024-04-01").ok());
  REQUIRE(d.SetAnswer("year_in_post", "1").ok());
  REQUIRE(d.SetAnswer("milestone", "3").ok());
  REQUIRE(d.SetAnswer("briefing", "yes").ok());
  REQUIRE(d.SetAnswer("checklist_mindset", "mindful").ok());
  for (int i = 1; i <= 25; ++i) {
    char path[8];
    std::snprintf(path, sizeof path, "c%02d", i);
    REQUIRE(d.SetAnswer(path, "3").ok());
  }
  REQUIRE(d.SetAnswer("lecture_attended", "no").ok());
  REQUIRE(d.SetAnswer("practicum_attended", "no").ok());
  auto errors = d.session().AllErrors();
  for (const auto& e : errors) UNSCOPED_INFO(e.path << ": " << e.message);
  REQUIRE(errors.empty());
  CHECK(store->GetInstance(d.id())->instance_name == "北区 2024-04 採用3か月（実践講義・実習）");
  auto submission = d.Finalize();
  REQUIRE(submission.ok());
  CHECK_FALSE(d.SetAnswer("c01", "4").ok());  // a finalized draft is closed
  // The draft's name row (schema 4) is gone; the submission's row has the same name.
  CHECK(submission->instance_name == "北区 2024-04 採用3か月（実践講義・実習）");
  CHECK(store->GetInstance(d.id())->instance_name == "北区 2024-04 採用3か月（実践講義・実習）");
  CHECK(store->GetInstance(d.id())->answer_count == 33);

  auto outbox = Must(store->Outbox());
  REQUIRE(outbox.size() == 1);
  CHECK(outbox[0].uuid == submission->uuid);
  CHECK(outbox[0].canonical_json == submission->canonical_json);
  CHECK(outbox[0].sha256 == submission->sha256);
  CHECK(Must(store->ListInstances(InstanceState::kDraft)).empty());
  CHECK_FALSE(store->Resume(outbox[0].id).ok());  // immutable

  // Rejected: editable again, and finalized anew it replaces the rejected one.
  REQUIRE(store->MarkRejected(submission->uuid, "unknown form version").ok());
  CHECK(Must(store->Outbox()).empty());
  auto rejected = Must(store->ListInstances(InstanceState::kRejected));
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].reject_reason == "unknown form version");
  auto corrected = store->Resume(rejected[0].id);
  REQUIRE(corrected.ok());
  REQUIRE((*corrected)->SetAnswer("c01", "4").ok());
  auto again = (*corrected)->Finalize();
  REQUIRE(again.ok());
  CHECK(again->uuid != submission->uuid);
  CHECK(again->canonical_json.find("\"replaces\":\"" + submission->uuid + "\"") != std::string::npos);

  // Sent: cannot change; an edit is a new submission that names the one it replaces.
  REQUIRE(store->MarkSent(again->uuid).ok());
  REQUIRE(store->MarkSent(again->uuid).ok());  // idempotent
  auto edit = store->EditSent(again->uuid, "staff-2");
  REQUIRE(edit.ok());
  CHECK((*edit)->session().GetAnswer("c01")->ToString() == "4");
  auto edited = (*edit)->Finalize();
  REQUIRE(edited.ok());
  CHECK(edited->canonical_json.find("\"replaces\":\"" + again->uuid + "\"") != std::string::npos);
  CHECK(edited->canonical_json.find("\"enumerator_id\":\"staff-2\"") != std::string::npos);

  // Purge: within the retention period nothing goes, unless asked for at once.
  CHECK(*store->PurgeSent(false) == 0);
  CHECK(*store->PurgeSent(true) == 1);
  CHECK(Must(store->ListInstances(InstanceState::kSent)).empty());
}

TEST_CASE("Form versions: drafts keep theirs; new drafts use the newest; versions never change", "[store]") {
  TempDir dir;
  MovingClock env;
  auto store = OpenStore(dir.File("store.sqlite"), &env);
  std::ifstream in(kExamples + "/older_residents_survey.json");
  std::stringstream text;
  text << in.rdbuf();
  std::string v1 = text.str();
  std::vector<std::string> paths{kExamples};
  REQUIRE(store->InstallForm(v1, paths).ok());
  REQUIRE(store->InstallForm(v1, paths).ok());  // the same content again: fine
  auto old_draft = store->StartDraft("older_residents_survey", "s");
  REQUIRE(old_draft.ok());
  int64_t old_id = (*old_draft)->id();
  old_draft->reset();
  std::string v2 = v1;
  v2.replace(v2.find("\"version\": \"2024.1\""), 19, "\"version\": \"2025.1\"");
  REQUIRE(store->InstallForm(v2, paths).ok());
  auto modified = v1;
  modified.insert(modified.rfind('}'), ", \"settings\": {\"retention_days\": 7}");
  CHECK_FALSE(store->InstallForm(modified, paths).ok());  // same id and version, other content
  auto resumed = store->Resume(old_id);
  REQUIRE(resumed.ok());
  CHECK((*resumed)->session().form().version() == "2024.1");
  auto fresh = store->StartDraft("older_residents_survey", "s");
  REQUIRE(fresh.ok());
  CHECK((*fresh)->session().form().version() == "2025.1");
  CHECK(Must(store->ListForms()).size() == 2);
}

TEST_CASE("The audit trail records each change and goes out with the submission", "[store]") {
  TempDir dir;
  MovingClock env;
  auto store = OpenStore(dir.File("store.sqlite"), &env);
  const char* form = R"J({"format": 1, "id": "audited", "version": "1", "title": "A", "languages": ["ja"],
    "settings": {"audit": true},
    "items": [{"type": "integer", "name": "age", "label": "年齢"}, {"type": "text", "name": "memo", "label": "メモ"}]})J";
  REQUIRE(store->InstallForm(form).ok());
  auto draft = store->StartDraft("audited", "s");
  REQUIRE(draft.ok());
  REQUIRE((*draft)->SetAnswer("age", "70").ok());
  REQUIRE((*draft)->SetAnswer("age", "71").ok());
  REQUIRE((*draft)->SetAnswer("memo", "訪問").ok());
  auto submission = (*draft)->Finalize();
  REQUIRE(submission.ok());
  const std::string& json = submission->canonical_json;
  CHECK(json.find("\"audit\":[{\"at\":") != std::string::npos);
  CHECK(json.find("\"path\":\"age\",\"old\":\"\",\"new\":\"70\"") != std::string::npos);
  CHECK(json.find("\"path\":\"age\",\"old\":\"70\",\"new\":\"71\"") != std::string::npos);
  CHECK(json.find("\"path\":\"memo\",\"old\":\"\",\"new\":\"訪問\"") != std::string::npos);
}

TEST_CASE("A store made by the first schema version is upgraded, its drafts intact", "[store]") {
  TempDir dir;
  std::string path = dir.File("v1.sqlite");
  std::ifstream in(CHOSA_SOURCE_DIR "/tests/store/fixtures/store_v1.sql");
  REQUIRE(in.good());
  std::stringstream sql;
  sql << in.rdbuf();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, sql.str().c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);

  MovingClock env;
  auto store = OpenStore(path, &env);
  auto drafts = Must(store->ListInstances(InstanceState::kDraft));
  REQUIRE(drafts.size() == 1);
  auto resumed = store->Resume(drafts[0].id);
  REQUIRE(resumed.ok());
  CHECK((*resumed)->session().GetAnswer("knows")->ToString() == "yes");
  CHECK((*resumed)->session().GetAnswer("age")->ToNumber() == 81);
  REQUIRE((*resumed)->SetAnswer("age", "82").ok());
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* version = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &version, nullptr);
  REQUIRE(sqlite3_step(version) == SQLITE_ROW);
  CHECK(sqlite3_column_int(version, 0) == DeviceStore::SchemaVersion());
  sqlite3_finalize(version);
  sqlite3_close(db);
}

TEST_CASE("The UI writes while a sync thread reads the outbox and marks items sent", "[store]") {
  TempDir dir;
  auto store = OpenStore(dir.File("store.sqlite"), nullptr);
  const char* form = R"J({"format": 1, "id": "quick", "version": "1", "title": "Q", "languages": ["ja"],
    "items": [{"type": "integer", "name": "n", "label": "n", "required": true}]})J";
  REQUIRE(store->InstallForm(form).ok());
  std::atomic<bool> done{false};
  std::atomic<int> marked{0}, failures{0};
  std::thread sync([&] {  // no Catch2 assertion on this thread: failures are counted
    for (;;) {
      const bool finished = done.load();  // before the read: the last finalize is in it then
      auto outbox = store->Outbox();
      if (!outbox.ok()) {
        ++failures;
        break;
      }
      if (finished && outbox->empty()) break;
      for (const auto& item : *outbox) {
        if (store->MarkSent(item.uuid).ok()) ++marked; else ++failures;
      }
    }
  });
  int finalized = 0;
  for (int i = 0; i < 60; ++i) {
    auto draft = store->StartDraft("quick", "s");
    REQUIRE(draft.ok());
    for (int k = 0; k < 5; ++k) REQUIRE((*draft)->SetAnswer("n", std::to_string(i * 10 + k)).ok());
    REQUIRE((*draft)->Finalize().ok());
    ++finalized;
  }
  done = true;
  sync.join();
  CHECK(failures == 0);
  CHECK(marked == finalized);
  CHECK(Must(store->ListInstances(InstanceState::kSent)).size() == static_cast<size_t>(finalized));
}

TEST_CASE("Sent submissions past their form's retention are deleted when the store opens", "[store]") {
  TempDir dir;
  MovingClock env;
  std::string uuid;
  {
    auto store = OpenStore(dir.File("store.sqlite"), &env);
    const char* form = R"J({"format": 1, "id": "kept", "version": "1", "title": "K", "languages": ["ja"],
      "settings": {"retention_days": 2},
      "items": [{"type": "integer", "name": "n", "label": "n"}]})J";
    REQUIRE(store->InstallForm(form).ok());
    auto draft = store->StartDraft("kept", "s");
    REQUIRE(draft.ok());
    REQUIRE((*draft)->SetAnswer("n", "1").ok());
    auto submission = (*draft)->Finalize();
    REQUIRE(submission.ok());
    uuid = submission->uuid;
    REQUIRE(store->MarkSent(uuid).ok());
  }
  {
    env.now_ += 86400000;  // a day later: kept
    auto store = OpenStore(dir.File("store.sqlite"), &env);
    CHECK(Must(store->ListInstances(InstanceState::kSent)).size() == 1);
  }
  env.now_ += 2 * 86400000;  // past two days: gone
  auto store = OpenStore(dir.File("store.sqlite"), &env);
  CHECK(Must(store->ListInstances(InstanceState::kSent)).empty());
}

TEST_CASE("A deleted draft's id is never given to another filling", "[store]") {
  TempDir dir;
  MovingClock env;
  auto store = OpenStore(dir.File("store.sqlite"), &env);
  REQUIRE(store->InstallFormFile(kExamples + "/older_residents_survey.json").ok());
  auto first = store->StartDraft("older_residents_survey", "s");
  REQUIRE(first.ok());
  int64_t first_id = (*first)->id();
  first->reset();
  REQUIRE(store->DeleteDraft(first_id).ok());
  auto second = store->StartDraft("older_residents_survey", "s");
  REQUIRE(second.ok());
  CHECK((*second)->id() > first_id);
  CHECK_FALSE(store->Resume(first_id).ok());
}

namespace {
int64_t CountRows(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
  int64_t count = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return count;
}
}  // namespace

TEST_CASE("Deleting a draft deletes all its rows; an open draft cannot be deleted", "[store]") {
  TempDir dir;
  MovingClock env;
  const std::string path = dir.File("store.sqlite");
  auto store = OpenStore(path, &env);
  const char* form = R"J({"format": 1, "id": "visits", "version": "1", "title": "V", "languages": ["ja"],
    "settings": {"audit": true},
    "items": [{"type": "integer", "name": "age", "label": "年齢"},
              {"type": "repeat", "name": "visit", "label": "訪問",
               "items": [{"type": "text", "name": "place", "label": "場所"}]}]})J";
  REQUIRE(store->InstallForm(form).ok());
  auto draft = store->StartDraft("visits", "s");
  REQUIRE(draft.ok());
  const int64_t id = (*draft)->id();
  REQUIRE((*draft)->SetAnswer("age", "70").ok());
  REQUIRE((*draft)->AddRepeatInstance("visit").ok());
  REQUIRE((*draft)->SetAnswer("visit[1]/place", "区役所").ok());
  const std::string of = " WHERE instance_id = " + std::to_string(id);
  REQUIRE(CountRows(path, "SELECT count(*) FROM answer" + of) >= 2);
  REQUIRE(CountRows(path, "SELECT count(*) FROM repeat_count" + of) == 1);
  REQUIRE(CountRows(path, "SELECT count(*) FROM audit" + of) == 2);

  // Open: its next answer would have no instance to belong to.
  chosa::Status refused = store->DeleteDraft(id);
  CHECK_FALSE(refused.ok());
  CHECK(refused.message().find("is open") != std::string::npos);
  CHECK(CountRows(path, "SELECT count(*) FROM instance WHERE id = " + std::to_string(id)) == 1);

  draft->reset();
  REQUIRE(store->DeleteDraft(id).ok());
  CHECK(CountRows(path, "SELECT count(*) FROM instance WHERE id = " + std::to_string(id)) == 0);
  CHECK(CountRows(path, "SELECT count(*) FROM answer" + of) == 0);
  CHECK(CountRows(path, "SELECT count(*) FROM repeat_count" + of) == 0);
  CHECK(CountRows(path, "SELECT count(*) FROM audit" + of) == 0);
  store.reset();
  CHECK(DeviceStore::Check(path).ok);

  // A row left without its instance (written by something other than the store) is reported.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "INSERT INTO answer (instance_id, path, value, updated_at) VALUES (999, 'age', '1', 0)",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  chosa::StoreCheck check = DeviceStore::Check(path);
  CHECK_FALSE(check.ok);
  REQUIRE(check.problems.size() == 1);
  CHECK(check.problems[0] == "1 row has no parent row (the first: in answer, its instance row is missing)");
}

TEST_CASE("An enumerator id that is not UTF-8 is refused before anything is stored", "[store]") {
  TempDir dir;
  MovingClock env;
  auto store = OpenStore(dir.File("store.sqlite"), &env);
  REQUIRE(store->InstallForm(R"({"format": 1, "id": "mini", "version": "1", "title": "M", "languages": ["ja"],
    "items": [{"type": "text", "name": "q", "label": "Q"}]})").ok());
  // It would be written into the submission, which no reader would then accept, nor could it be
  // corrected: refused here, with nothing stored.
  auto refused = store->StartDraft("mini", "staff-\xff");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == chosa::StatusCode::kInvalidArgument);
  CHECK(refused.status().message() == "the enumerator id is not UTF-8");
  CHECK(Must(store->ListInstances(InstanceState::kDraft)).empty());
  std::unique_ptr<Draft> draft = Must(store->StartDraft("mini", "佐藤"));
  REQUIRE(draft->SetAnswer("q", "a").ok());
  const auto sent = Must(draft->Finalize());
  REQUIRE(store->MarkSent(sent.uuid).ok());
  CHECK(store->EditSent(sent.uuid, "\xc3").status().message() == "the enumerator id is not UTF-8");
  CHECK(Must(store->ListInstances(InstanceState::kDraft)).empty());
}

TEST_CASE("A draft is open once: a second resume is refused until it is closed or finalized", "[store]") {
  TempDir dir;
  MovingClock env;
  auto store = OpenStore(dir.File("store.sqlite"), &env);
  REQUIRE(store->InstallForm(R"({"format": 1, "id": "mini", "version": "1", "title": "M", "languages": ["ja"],
    "items": [{"type": "text", "name": "q", "label": "Q"}, {"type": "text", "name": "r", "label": "R"}]})").ok());
  std::unique_ptr<Draft> first = Must(store->StartDraft("mini", "s"));
  const int64_t id = first->id();
  // Two open copies would each save their own answers, and one would finalize without the
  // other's: the second is refused, and nothing changes.
  chosa::Result<std::unique_ptr<Draft>> second = store->Resume(id);
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == chosa::StatusCode::kInvalidArgument);
  CHECK(second.status().message() == "draft " + std::to_string(id) +
                                         " is open already (in another window or handle): close it before resuming "
                                         "it again, so that its answers are kept in one place");
  REQUIRE(first->SetAnswer("q", "one").ok());
  first.reset();
  // Closed: it opens again, exactly as it was left, and once more it is open once.
  std::unique_ptr<Draft> again = Must(store->Resume(id));
  CHECK(again->session().GetAnswer("q")->ToString() == "one");
  CHECK_FALSE(store->Resume(id).ok());
  REQUIRE(again->SetAnswer("r", "two").ok());
  // Finalized and rejected, it opens again though the finalized object still lives.
  const auto submission = Must(again->Finalize());
  REQUIRE(store->MarkRejected(submission.uuid, "checked by the bureau").ok());
  std::unique_ptr<Draft> corrected = Must(store->Resume(id));
  CHECK(corrected->session().GetAnswer("r")->ToString() == "two");
  again.reset();  // the finalized copy let go of nothing the corrected one holds
  CHECK_FALSE(store->Resume(id).ok());
  CHECK(store->DeleteDraft(id).message().find("is open") != std::string::npos);
  // A resume that fails (no such draft) holds nothing open.
  CHECK(store->Resume(id + 100).status().code() == chosa::StatusCode::kNotFound);
  CHECK(store->Resume(id + 100).status().code() == chosa::StatusCode::kNotFound);
}

namespace {

const char* kMiniForm = R"({"format": 1, "id": "mini", "version": "1", "title": "M", "languages": ["ja"],
    "items": [{"type": "text", "name": "q", "label": "Q"}]})";

std::unique_ptr<DeviceStore> OpenAs(const std::string& path, chosa::Env* env, const std::string& device_id) {
  StoreOptions options;
  options.env = env;
  options.device_id = device_id;
  auto store = DeviceStore::Open(path, options);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(*store);
}

std::string DeviceIdOf(const std::string& submission) {
  const std::string key = "\"device_id\":\"";
  const size_t at = submission.find(key);
  REQUIRE(at != std::string::npos);
  return submission.substr(at + key.size(), submission.find('"', at + key.size()) - at - key.size());
}

}  // namespace

TEST_CASE("A store keeps one device identity: a resumed draft is finalized as the device that started it",
          "[store]") {
  TempDir dir;
  MovingClock env;
  const std::string path = dir.File("store.sqlite");
  int64_t id = 0;
  {
    auto store = OpenAs(path, &env, "tablet-1");
    CHECK(store->device_id() == "tablet-1");
    REQUIRE(store->InstallForm(kMiniForm).ok());
    auto draft = store->StartDraft("mini", "staff-1");
    REQUIRE(draft.ok());
    REQUIRE((*draft)->SetAnswer("q", "半分まで").ok());
    id = (*draft)->id();
  }
  // Opened again without naming the device (as `chosa resume ID` does): it is the same device.
  auto store = OpenAs(path, &env, "");
  CHECK(store->device_id() == "tablet-1");
  auto resumed = store->Resume(id);
  REQUIRE(resumed.ok());
  auto submission = (*resumed)->Finalize();
  REQUIRE(submission.ok());
  CHECK(DeviceIdOf(submission->canonical_json) == "tablet-1");
  resumed->reset();  // a Draft never outlives its store
  store.reset();
  // Another identity is refused, naming the one the store holds; the store is unchanged.
  StoreOptions other;
  other.env = &env;
  other.device_id = "tablet-2";
  auto refused = DeviceStore::Open(path, other);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("is the store of device \"tablet-1\", not of \"tablet-2\"") !=
        std::string::npos);
  CHECK(OpenAs(path, &env, "tablet-1")->device_id() == "tablet-1");
}

TEST_CASE("A new store without a device id makes one of its own; a malformed one is refused", "[store]") {
  TempDir dir;
  MovingClock env;
  std::string made;
  {
    auto store = OpenAs(dir.File("a.sqlite"), &env, "");
    made = store->device_id();
  }
  CHECK(made.size() == 7 + 16);
  CHECK(made.rfind("tablet-", 0) == 0);
  CHECK(chosa::IsValidDeviceId(made));
  CHECK(OpenAs(dir.File("a.sqlite"), &env, "")->device_id() == made);
  for (const char* bad : {"ward office 3", "-tablet", "タブレット", "tablet\n1"}) {
    StoreOptions options;
    options.env = &env;
    options.device_id = bad;
    auto refused = DeviceStore::Open(dir.File("b.sqlite"), options);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().message().find("cannot be a device identity") != std::string::npos);
  }
  CHECK(chosa::IsValidDeviceId(std::string(64, 'a')));
  CHECK_FALSE(chosa::IsValidDeviceId(std::string(65, 'a')));
  CHECK(chosa::IsValidDeviceId("dev-3f9c2a7b1d04e8a6"));
  CHECK(chosa::IsValidDeviceId("kita.ward_office:3"));
}

TEST_CASE("A store of schema 5 takes its device identity from its newest submission", "[store]") {
  TempDir dir;
  MovingClock env;
  const std::string path = dir.File("store.sqlite");
  {
    auto store = OpenAs(path, &env, "tablet-07");
    REQUIRE(store->InstallForm(kMiniForm).ok());
    for (int i = 0; i < 2; ++i) {
      auto draft = store->StartDraft("mini", "staff-1");
      REQUIRE(draft.ok());
      REQUIRE((*draft)->Finalize().ok());
    }
  }
  // As an older chosa left it: no identity table, the older submission made under another name.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "DROP TABLE device_identity; PRAGMA user_version = 5;"
                       "UPDATE instance SET submission = replace(submission, '\"tablet-07\"', '\"old-name\"') "
                       "WHERE id = (SELECT MIN(id) FROM instance);",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  CHECK(OpenAs(path, &env, "")->device_id() == "tablet-07");
  CHECK_FALSE(DeviceStore::Open(path, {&env, "old-name", {}}).ok());
}

TEST_CASE("A draft of an encrypted form installed by an older chosa opens but is not finalized", "[store]") {
  TempDir dir;
  MovingClock env;
  const std::string path = dir.File("store.sqlite");
  const std::string key = R"("settings": {"public_key": "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n"}, )";
  std::string sealed = kMiniForm;
  sealed.insert(sealed.find("\"items\""), key);
  // Encryption does not exist: such a form does not load, so it cannot be installed now.
  CHECK(chosa::testing::FaultsOf(sealed) == "/settings/public_key: " + std::string(chosa::kEncryptedFormsUnavailable) + "\n");
  int64_t id = 0;
  {
    auto store = OpenAs(path, &env, "tablet-1");
    REQUIRE(store->InstallForm(kMiniForm).ok());
    auto draft = store->StartDraft("mini", "staff-1");
    REQUIRE(draft.ok());
    REQUIRE((*draft)->SetAnswer("q", "途中").ok());
    id = (*draft)->id();
  }
  // As an older chosa installed it: the stored form has the key.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* update = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "UPDATE form_version SET form_json = ?", -1, &update, nullptr) == SQLITE_OK);
  sqlite3_bind_text(update, 1, sealed.c_str(), -1, SQLITE_TRANSIENT);
  REQUIRE(sqlite3_step(update) == SQLITE_DONE);
  sqlite3_finalize(update);
  sqlite3_close(db);

  auto store = OpenAs(path, &env, "");
  auto resumed = store->Resume(id);
  REQUIRE(resumed.ok());
  CHECK((*resumed)->session().GetAnswer("q")->ToString() == "途中");
  auto finalized = (*resumed)->Finalize();
  REQUIRE_FALSE(finalized.ok());
  CHECK(finalized.status().message().find("暗号化された調査票はまだ使えません") == 0);
  CHECK(Must(store->ListInstances(InstanceState::kDraft)).size() == 1);  // still a draft, nothing lost
  CHECK(Must(store->Outbox()).empty());
  auto started = store->StartDraft("mini", "staff-1");
  REQUIRE_FALSE(started.ok());
  CHECK(started.status().message() == chosa::kEncryptedFormsUnavailable);
  resumed->reset();
}

TEST_CASE("The drafts list shows the share of questions answered, saved with the page and on close", "[store]") {
  TempDir dir;
  MovingClock env;
  auto store = OpenStore(dir.File("store.sqlite"), &env);
  REQUIRE(store->InstallFormFile(kExamples + "/coordinator_checklist.json").ok());
  int64_t id = 0;
  {
    auto draft = store->StartDraft("coordinator_checklist", "staff-1");
    REQUIRE(draft.ok());
    Draft& d = **draft;
    id = d.id();
    REQUIRE(d.SetAnswer("ward", "271276").ok());
    REQUIRE(d.SetAnswer("hire_month", "2024-04").ok());
    REQUIRE(d.SetAnswer("year_in_post", "1").ok());
    REQUIRE(d.SetAnswer("milestone", "3").ok());
    REQUIRE(d.SetAnswer("briefing", "yes").ok());
    REQUIRE(d.SetAnswer("checklist_mindset", "mindful").ok());
    REQUIRE(d.Next().ok());
    for (int i = 1; i <= 6; ++i) REQUIRE(d.SetAnswer("c0" + std::to_string(i), "4").ok());
    // 12 answers of 33 questions: the profile's 6, the checklist's 25 rows, and on the last page
    // lecture_attended and practicum_attended (their follow-ups wait for a yes; progress_issues
    // and reflection are for later milestones). Next saved the page when 6 were answered.
    chosa::FillingProgress progress = d.session().Progress();
    CHECK(progress.answered == 12);
    CHECK(progress.questions == 33);
    CHECK(progress.percent == 36);
    CHECK(store->GetInstance(id)->progress_percent == 18);  // 6 * 100 / 33, saved by Next
    CHECK(store->GetInstance(id)->answer_count == 12);
  }
  // Closing the draft saves its progress: 12 answers beside 36 %, not 0 %.
  auto drafts = Must(store->ListInstances(InstanceState::kDraft));
  REQUIRE(drafts.size() == 1);
  CHECK(drafts[0].answer_count == 12);
  CHECK(drafts[0].progress_percent == 36);
  // A resumed draft counts the same.
  auto resumed = store->Resume(id);
  REQUIRE(resumed.ok());
  CHECK((*resumed)->session().Progress().percent == 36);
  CHECK((*resumed)->session().View().navigation.answered == 12);
}
