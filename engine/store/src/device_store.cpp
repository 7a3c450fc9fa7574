// The device store's forms, instances and outbox. Autosave lives in draft.cpp; damaged stores
// in store_salvage.cpp.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "chosa/env.h"
#include "chosa/base/utf8.h"
#include "chosa/store.h"
#include "chosa/base/hex_digest.h"
#include "schema.h"
#include "store_database.h"

namespace chosa {
namespace {

InstanceState StateFromName(const std::string& name) {
  if (name == "finalized") return InstanceState::kFinalized;
  if (name == "sent") return InstanceState::kSent;
  if (name == "rejected") return InstanceState::kRejected;
  return InstanceState::kDraft;
}

// A draft's name is its name row (schema 4: the empty path in `answer`) when it has one.
constexpr const char* kSummaryColumns =
    "i.id, i.form_id, i.form_version, i.state, "
    "COALESCE((SELECT a.value FROM answer a WHERE a.instance_id = i.id AND a.path = ''), i.instance_name), "
    "i.enumerator_id, i.started_at, "
    "MAX(i.updated_at, COALESCE((SELECT MAX(a.updated_at) FROM answer a WHERE a.instance_id = i.id), 0)), "
    "i.progress, (SELECT COUNT(*) FROM answer a WHERE a.instance_id = i.id AND a.path != '' AND a.value != ''), "
    "COALESCE(i.uuid, ''), "
    "i.replaces, "
    "i.reject_reason, COALESCE(i.sent_at, 0)";

InstanceSummary ReadSummary(const Statement& row) {
  InstanceSummary s;
  s.id = row.Int(0);
  s.form_id = row.Text(1);
  s.form_version = row.Text(2);
  s.state = StateFromName(row.Text(3));
  s.instance_name = row.Text(4);
  s.enumerator_id = row.Text(5);
  s.started_at = row.Int(6);
  s.updated_at = row.Int(7);
  s.progress_percent = static_cast<int32_t>(row.Int(8));
  s.answer_count = row.Int(9);
  s.uuid = row.Text(10);
  s.replaces = row.Text(11);
  s.reject_reason = row.Text(12);
  s.sent_at = row.Int(13);
  return s;
}

}  // namespace

const char* InstanceStateName(InstanceState state) {
  switch (state) {
    case InstanceState::kDraft: return "draft";
    case InstanceState::kFinalized: return "finalized";
    case InstanceState::kSent: return "sent";
    case InstanceState::kRejected: return "rejected";
  }
  return "draft";
}

DeviceStore::DeviceStore(std::unique_ptr<StoreDatabase> db) : db_(std::move(db)) {}
DeviceStore::~DeviceStore() = default;

int DeviceStore::SchemaVersion() { return CurrentSchemaVersion(); }
const std::string& DeviceStore::path() const { return db_->path(); }
const std::string& DeviceStore::device_id() const { return db_->options().device_id; }

std::string DeviceStore::DefaultPath() {
  const char* data = std::getenv("XDG_DATA_HOME");
  if (data != nullptr && *data != '\0') return std::string(data) + "/chosa/store.sqlite";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.local/share/chosa/store.sqlite";
}

Result<std::unique_ptr<DeviceStore>> DeviceStore::Open(const std::string& path, StoreOptions options) {
  auto db = std::make_unique<StoreDatabase>(path, std::move(options));
  Status opened = db->Open();
  if (!opened.ok()) return opened;
  std::unique_ptr<DeviceStore> store(new DeviceStore(std::move(db)));
  // Tablets are shared and get lost: sent submissions past their form's retention go at once.
  Result<int64_t> purged = store->PurgeSent(false);
  if (!purged.ok()) return purged.status();
  return store;
}

// --- forms -----------------------------------------------------------------------------------

Result<InstalledForm> DeviceStore::InstallFormFile(const std::string& path) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + path + (errno != 0 ? std::string(": ") + std::strerror(errno) : ""));
  std::stringstream text;
  text << in.rdbuf();
  size_t slash = path.find_last_of('/');
  std::vector<std::string> directories{slash == std::string::npos ? "." : path.substr(0, slash)};
  return InstallForm(text.str(), directories);
}

Result<InstalledForm> DeviceStore::InstallForm(std::string_view json, const std::vector<std::string>& search_paths) {
  std::vector<std::string> directories = search_paths;
  directories.insert(directories.end(), db_->options().search_paths.begin(), db_->options().search_paths.end());
  FormLoadOptions load_options;
  load_options.search_paths = directories;
  FormLoadResult loaded = Form::Load(json, load_options);
  if (!loaded.ok()) {
    std::string faults;
    for (const Status& fault : loaded.faults) faults += "\n  " + fault.ToString();
    return Status::InvalidArgument("the form has faults:" + faults);
  }
  Result<std::string> resolved = ResolveFormReferences(json, directories);
  if (!resolved.ok()) return resolved.status();
  InstalledForm installed;
  installed.form_id = loaded.form->id();
  installed.version = loaded.form->version();
  installed.sha256 = Sha256Hex(*resolved);
  installed.installed_at = db_->env()->NowMillis();

  std::lock_guard<std::mutex> lock(db_->write_mutex);
  sqlite3* db = db_->writer.get();
  Statement existing(db, "SELECT sha256, installed_at FROM form_version WHERE form_id = ? AND version = ?");
  existing.Bind(1, installed.form_id).Bind(2, installed.version);
  int code = existing.Step();
  if (code == SQLITE_ROW) {
    if (existing.Text(0) != installed.sha256) {
      return Status::InvalidArgument("form " + installed.form_id + " version " + installed.version +
                                     " is installed with other content; a version never changes: give it a new version");
    }
    installed.installed_at = existing.Int(1);
    return installed;
  }
  if (code != SQLITE_DONE) return SqliteStatus(db, code, "reading installed forms");
  Statement insert(db,
                   "INSERT INTO form_version (form_id, version, form_json, sha256, installed_at, seq, retention_days) "
                   "VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM form_version), ?)");
  insert.Bind(1, installed.form_id).Bind(2, installed.version).Bind(3, *resolved).Bind(4, installed.sha256);
  insert.Bind(5, installed.installed_at).Bind(6, int64_t{loaded.form->settings().retention_days});
  code = insert.Step();
  if (code != SQLITE_DONE) return SqliteStatus(db, code, "installing form " + installed.form_id);
  return installed;
}

Result<std::vector<InstalledForm>> DeviceStore::ListForms() const {
  std::vector<InstalledForm> out;
  std::lock_guard<std::mutex> lock(db_->read_mutex);
  Statement rows(db_->reader.get(), "SELECT form_id, version, sha256, installed_at FROM form_version ORDER BY form_id, seq");
  int code = rows.ok() ? SQLITE_ROW : rows.prepare_code();
  while (rows.ok() && (code = rows.Step()) == SQLITE_ROW) {
    out.push_back({rows.Text(0), rows.Text(1), rows.Text(2), rows.Int(3)});
  }
  if (code != SQLITE_DONE) return SqliteStatus(db_->reader.get(), code, "listing the installed forms");
  return out;
}

Result<std::shared_ptr<const Form>> DeviceStore::LoadForm(std::string_view form_id, std::string_view version) const {
  std::string chosen_version(version);
  std::string json;
  {
    std::lock_guard<std::mutex> lock(db_->read_mutex);
    Statement row(db_->reader.get(), version.empty()
                                         ? "SELECT version, form_json FROM form_version WHERE form_id = ? ORDER BY seq DESC LIMIT 1"
                                         : "SELECT version, form_json FROM form_version WHERE form_id = ? AND version = ?");
    row.Bind(1, form_id);
    if (!version.empty()) row.Bind(2, version);
    int code = row.Step();
    if (code == SQLITE_DONE) {
      return Status::NotFound("form " + std::string(form_id) + (version.empty() ? "" : " version " + std::string(version)) +
                              " is not installed");
    }
    if (code != SQLITE_ROW) return SqliteStatus(db_->reader.get(), code, "reading form " + std::string(form_id));
    chosen_version = row.Text(0);
    json = row.Text(1);
  }
  std::string key = std::string(form_id) + "\n" + chosen_version;
  std::lock_guard<std::mutex> lock(db_->forms_mutex);
  auto cached = db_->forms.find(key);
  if (cached != db_->forms.end()) return cached->second;
  FormLoadOptions load_options;
  load_options.accept_public_key = true;  // installed by an older chosa: drafts open, never finalize
  FormLoadResult loaded = Form::Load(json, load_options);
  if (!loaded.ok()) return Status::Corruption("installed form " + key + " no longer loads: " + loaded.faults[0].ToString());
  db_->forms.emplace(key, loaded.form);
  return loaded.form;
}

// --- drafts ----------------------------------------------------------------------------------

namespace {

// Marks a draft open in this process (StoreDatabase::open_drafts) while it is being made; handed
// over to the Draft with Keep(), else let go when the making fails.
class OpenDraftClaim {
 public:
  OpenDraftClaim(StoreDatabase& db, int64_t id) : db_(db), id_(id) {
    std::lock_guard<std::mutex> lock(db_.open_drafts_mutex);
    claimed_ = db_.open_drafts.insert(id_).second;
  }
  ~OpenDraftClaim() {
    if (!claimed_ || kept_) return;
    std::lock_guard<std::mutex> lock(db_.open_drafts_mutex);
    db_.open_drafts.erase(id_);
  }
  OpenDraftClaim(const OpenDraftClaim&) = delete;
  OpenDraftClaim& operator=(const OpenDraftClaim&) = delete;
  bool claimed() const { return claimed_; }  // false: open already
  void Keep() { kept_ = true; }

 private:
  StoreDatabase& db_;
  const int64_t id_;
  bool claimed_ = false;
  bool kept_ = false;
};

}  // namespace

Result<std::unique_ptr<Draft>> DeviceStore::StartDraft(std::string_view form_id, std::string_view enumerator_id,
                                                       std::string_view language) {
  Result<std::shared_ptr<const Form>> form = LoadForm(form_id);
  if (!form.ok()) return form.status();
  // An encrypted form installed by an older chosa: its drafts open, but a new one could never be
  // finalized (Session::Finalize).
  if (!(*form)->settings().public_key.empty()) return Status::Unsupported(kEncryptedFormsUnavailable);
  SessionOptions options{std::string(language), db_->options().device_id, std::string(enumerator_id)};
  Result<std::unique_ptr<Session>> session = Session::Start(*form, db_->env(), options);
  if (!session.ok()) return session.status();
  const Session& s = **session;
  std::lock_guard<std::mutex> lock(db_->write_mutex);
  sqlite3* db = db_->writer.get();
  Statement insert(db,
                   "INSERT INTO instance (id, form_id, form_version, state, enumerator_id, language, page, started_at, "
                   "started_offset, updated_at) VALUES ((SELECT next_id FROM instance_id_sequence), ?, ?, 'draft', ?, ?, "
                   "?, ?, ?, ?)");
  insert.Bind(1, (*form)->id()).Bind(2, (*form)->version()).Bind(3, enumerator_id).Bind(4, s.language());
  insert.Bind(5, int64_t{s.page_index()}).Bind(6, s.started_at_millis()).Bind(7, int64_t{s.started_offset_minutes()});
  insert.Bind(8, s.started_at_millis());
  int code = insert.Step();
  if (code != SQLITE_DONE) return SqliteStatus(db, code, "starting a draft");
  int64_t id = sqlite3_last_insert_rowid(db);
  // Repeats start with `min` instances: saved, so that a resume finds them.
  for (int32_t repeat : (*form)->repeats()) {
    int32_t count = s.InstanceCount(repeat);
    if (count == 0) continue;
    Statement counts(db, "INSERT OR REPLACE INTO repeat_count (instance_id, repeat, count) VALUES (?, ?, ?)");
    counts.Bind(1, id).Bind(2, (*form)->item(repeat).name).Bind(3, int64_t{count});
    code = counts.Step();
    if (code != SQLITE_DONE) return SqliteStatus(db, code, "starting a draft");
  }
  OpenDraftClaim open(*db_, id);  // a new id: never open already
  open.Keep();
  return std::unique_ptr<Draft>(
      new Draft(this, id, std::move(*session), "", (*form)->settings().audit));
}

Result<std::unique_ptr<Draft>> DeviceStore::Resume(int64_t id) {
  OpenDraftClaim open(*db_, id);
  if (!open.claimed()) {
    return Status::InvalidArgument("draft " + std::to_string(id) +
                                   " is open already (in another window or handle): close it before resuming it "
                                   "again, so that its answers are kept in one place");
  }
  SessionSnapshot snapshot;
  std::string form_id, version, enumerator, replaces, state, uuid;
  {
    std::lock_guard<std::mutex> lock(db_->read_mutex);
    sqlite3* db = db_->reader.get();
    Statement row(db,
                  "SELECT form_id, form_version, state, enumerator_id, language, page, started_at, started_offset, "
                  "replaces, COALESCE(uuid, '') FROM instance WHERE id = ?");
    row.Bind(1, id);
    int code = row.Step();
    if (code == SQLITE_DONE) return Status::NotFound("there is no draft " + std::to_string(id));
    if (code != SQLITE_ROW) return SqliteStatus(db, code, "reading draft " + std::to_string(id));
    form_id = row.Text(0);
    version = row.Text(1);
    state = row.Text(2);
    enumerator = row.Text(3);
    snapshot.language = row.Text(4);
    snapshot.page = static_cast<int32_t>(row.Int(5));
    snapshot.started_at_millis = row.Int(6);
    snapshot.started_offset_minutes = static_cast<int>(row.Int(7));
    replaces = row.Text(8);
    uuid = row.Text(9);
    if (state == "finalized" || state == "sent") {
      return Status::InvalidArgument("instance " + std::to_string(id) + " is " + state +
                                     ": it cannot change" + (state == "sent" ? "; edit it as a new submission" : ""));
    }
    Statement repeats(db, "SELECT repeat, count FROM repeat_count WHERE instance_id = ?");
    repeats.Bind(1, id);
    while (repeats.Step() == SQLITE_ROW) snapshot.repeat_counts.emplace_back(repeats.Text(0), static_cast<int32_t>(repeats.Int(1)));
    // Not the draft's name row (the empty path).
    Statement answers(db, "SELECT path, value FROM answer WHERE instance_id = ? AND path != ''");
    answers.Bind(1, id);
    while ((code = answers.Step()) == SQLITE_ROW) snapshot.answers.emplace_back(answers.Text(0), answers.Text(1));
    if (code != SQLITE_DONE) return SqliteStatus(db, code, "reading the answers of draft " + std::to_string(id));
  }
  Result<std::shared_ptr<const Form>> form = LoadForm(form_id, version);
  if (!form.ok()) return form.status();
  SessionOptions options{snapshot.language, db_->options().device_id, enumerator};
  Result<std::unique_ptr<Session>> session = Session::Resume(*form, db_->env(), options, snapshot);
  if (!session.ok()) return session.status();
  if (state == "rejected") {
    // Corrected and finalized again, it becomes a new submission that replaces the rejected one.
    std::lock_guard<std::mutex> lock(db_->write_mutex);
    Statement reopen(db_->writer.get(),
                     "UPDATE instance SET state = 'draft', replaces = ?, uuid = NULL, submission = NULL, sha256 = NULL, "
                     "finalized_at = NULL WHERE id = ?");
    reopen.Bind(1, uuid).Bind(2, id);
    int code = reopen.Step();
    if (code != SQLITE_DONE) return SqliteStatus(db_->writer.get(), code, "reopening a rejected submission");
    replaces = uuid;
  }
  open.Keep();
  return std::unique_ptr<Draft>(new Draft(this, id, std::move(*session), replaces, (*form)->settings().audit));
}

Result<std::unique_ptr<Draft>> DeviceStore::EditSent(std::string_view uuid, std::string_view enumerator_id) {
  // As Session::Start: it goes into the submission.
  if (!IsValidUtf8(enumerator_id)) return Status::InvalidArgument("the enumerator id is not UTF-8");
  int64_t new_id = 0;
  {
    std::lock_guard<std::mutex> lock(db_->write_mutex);
    Connection& w = db_->writer;
    Status begun = w.Exec("BEGIN IMMEDIATE", "editing a sent submission");
    if (!begun.ok()) return begun;
    Statement copy(w.get(),
                   "INSERT INTO instance (id, form_id, form_version, state, enumerator_id, language, page, started_at, "
                   "started_offset, updated_at, instance_name, progress, replaces) SELECT (SELECT next_id FROM "
                   "instance_id_sequence), form_id, form_version, 'draft', ?, "
                   "language, 0, ?, started_offset, ?, instance_name, progress, uuid FROM instance WHERE uuid = ? AND "
                   "state = 'sent'");
    int64_t now = db_->env()->NowMillis();
    copy.Bind(1, enumerator_id).Bind(2, now).Bind(3, now).Bind(4, uuid);
    int code = copy.Step();
    if (code != SQLITE_DONE || sqlite3_changes(w.get()) != 1) {
      IgnoreError(w.Exec("ROLLBACK", "rolling back"), "the failure that made it roll back is returned");
      if (code != SQLITE_DONE) return SqliteStatus(w.get(), code, "editing a sent submission");
      return Status::NotFound("no sent submission " + std::string(uuid) + " on this device");
    }
    new_id = sqlite3_last_insert_rowid(w.get());
    Statement answers(w.get(),
                      "INSERT INTO answer (instance_id, path, value, updated_at) SELECT ?, path, value, updated_at FROM "
                      "answer WHERE instance_id = (SELECT id FROM instance WHERE uuid = ?)");
    answers.Bind(1, new_id).Bind(2, uuid);
    Statement repeats(w.get(),
                      "INSERT INTO repeat_count (instance_id, repeat, count) SELECT ?, repeat, count FROM repeat_count "
                      "WHERE instance_id = (SELECT id FROM instance WHERE uuid = ?)");
    repeats.Bind(1, new_id).Bind(2, uuid);
    if ((code = answers.Step()) != SQLITE_DONE || (code = repeats.Step()) != SQLITE_DONE) {
      IgnoreError(w.Exec("ROLLBACK", "rolling back"), "the failure that made it roll back is returned");
      return SqliteStatus(w.get(), code, "copying the answers of " + std::string(uuid));
    }
    Status committed = w.Exec("COMMIT", "editing a sent submission");
    if (!committed.ok()) return committed;
  }
  return Resume(new_id);
}

Status DeviceStore::DeleteDraft(int64_t id) {
  {
    std::lock_guard<std::mutex> open_lock(db_->open_drafts_mutex);
    if (db_->open_drafts.count(id) > 0) {
      return Status::InvalidArgument("draft " + std::to_string(id) + " is open; close it before deleting it");
    }
  }
  std::lock_guard<std::mutex> lock(db_->write_mutex);
  Statement remove(db_->writer.get(), "DELETE FROM instance WHERE id = ? AND state IN ('draft', 'rejected')");
  remove.Bind(1, id);
  int code = remove.Step();
  if (code != SQLITE_DONE) return SqliteStatus(db_->writer.get(), code, "deleting draft " + std::to_string(id));
  if (sqlite3_changes(db_->writer.get()) == 0) return Status::NotFound("there is no draft " + std::to_string(id));
  return Status::Ok();
}

Result<std::vector<InstanceSummary>> DeviceStore::ListInstances(InstanceState state) const {
  std::vector<InstanceSummary> out;
  std::lock_guard<std::mutex> lock(db_->read_mutex);
  Statement rows(db_->reader.get(), std::string("SELECT ") + kSummaryColumns +
                                        " FROM instance i WHERE i.state = ? ORDER BY i.updated_at DESC, i.id DESC");
  int code = rows.ok() ? SQLITE_ROW : rows.prepare_code();
  if (rows.ok()) rows.Bind(1, InstanceStateName(state));
  while (rows.ok() && (code = rows.Step()) == SQLITE_ROW) out.push_back(ReadSummary(rows));
  if (code != SQLITE_DONE) {
    return SqliteStatus(db_->reader.get(), code, std::string("listing the ") + InstanceStateName(state) + " instances");
  }
  return out;
}

Result<InstanceSummary> DeviceStore::GetInstance(int64_t id) const {
  std::lock_guard<std::mutex> lock(db_->read_mutex);
  Statement row(db_->reader.get(), std::string("SELECT ") + kSummaryColumns + " FROM instance i WHERE i.id = ?");
  row.Bind(1, id);
  int code = row.Step();
  if (code == SQLITE_ROW) return ReadSummary(row);
  if (code == SQLITE_DONE) return Status::NotFound("there is no instance " + std::to_string(id));
  return SqliteStatus(db_->reader.get(), code, "reading instance " + std::to_string(id));
}

// --- the outbox --------------------------------------------------------------------------------

namespace {

// The submissions `where` selects, as OutboxItems, in `order`.
constexpr const char kSubmissionColumns[] =
    "SELECT id, uuid, form_id, form_version, state, submission, sha256, finalized_at FROM instance ";

OutboxItem SubmissionFromRow(const Statement& rows) {
  OutboxItem item;
  item.id = rows.Int(0);
  item.uuid = rows.Text(1);
  item.form_id = rows.Text(2);
  item.form_version = rows.Text(3);
  item.state = StateFromName(rows.Text(4));
  item.canonical_json = rows.Text(5);
  item.sha256 = rows.Text(6);
  item.finalized_at = rows.Int(7);
  return item;
}

}  // namespace

Result<std::vector<OutboxItem>> DeviceStore::Outbox() const {
  std::vector<OutboxItem> out;
  std::lock_guard<std::mutex> lock(db_->read_mutex);
  Statement rows(db_->reader.get(),
                 std::string(kSubmissionColumns) + "WHERE state = 'finalized' ORDER BY finalized_at, id");
  int code = rows.ok() ? SQLITE_ROW : rows.prepare_code();
  while (rows.ok() && (code = rows.Step()) == SQLITE_ROW) out.push_back(SubmissionFromRow(rows));
  if (code != SQLITE_DONE) return SqliteStatus(db_->reader.get(), code, "reading the outbox");
  return out;
}

Result<OutboxItem> DeviceStore::ReadSubmission(std::string_view uuid) const {
  std::lock_guard<std::mutex> lock(db_->read_mutex);
  Statement rows(db_->reader.get(), std::string(kSubmissionColumns) + "WHERE uuid = ? AND submission IS NOT NULL");
  if (!rows.ok()) return SqliteStatus(db_->reader.get(), rows.prepare_code(), "reading a submission");
  rows.Bind(1, uuid);
  int code = rows.Step();
  if (code == SQLITE_DONE) return Status::NotFound("no submission " + std::string(uuid) + " in this store");
  if (code != SQLITE_ROW) return SqliteStatus(db_->reader.get(), code, "reading a submission");
  return SubmissionFromRow(rows);
}

Status DeviceStore::MarkSent(std::string_view uuid) {
  std::lock_guard<std::mutex> lock(db_->write_mutex);
  Statement mark(db_->writer.get(),
                 "UPDATE instance SET state = 'sent', sent_at = ? WHERE uuid = ? AND state IN ('finalized', 'sent')");
  mark.Bind(1, db_->env()->NowMillis()).Bind(2, uuid);
  int code = mark.Step();
  if (code != SQLITE_DONE) return SqliteStatus(db_->writer.get(), code, "marking a submission sent");
  if (sqlite3_changes(db_->writer.get()) == 0) return Status::NotFound("no finalized submission " + std::string(uuid));
  return Status::Ok();
}

Status DeviceStore::MarkRejected(std::string_view uuid, std::string_view reason) {
  std::lock_guard<std::mutex> lock(db_->write_mutex);
  Statement mark(db_->writer.get(),
                 "UPDATE instance SET state = 'rejected', reject_reason = ? WHERE uuid = ? AND state = 'finalized'");
  mark.Bind(1, reason).Bind(2, uuid);
  int code = mark.Step();
  if (code != SQLITE_DONE) return SqliteStatus(db_->writer.get(), code, "marking a submission rejected");
  if (sqlite3_changes(db_->writer.get()) == 0) return Status::NotFound("no finalized submission " + std::string(uuid));
  return Status::Ok();
}

Result<int64_t> DeviceStore::PurgeSent(bool all) {
  std::lock_guard<std::mutex> lock(db_->write_mutex);
  Statement purge(db_->writer.get(),
                  all ? "DELETE FROM instance WHERE state = 'sent'"
                      : "DELETE FROM instance WHERE state = 'sent' AND sent_at < ? - 86400000 * (SELECT retention_days "
                        "FROM form_version f WHERE f.form_id = instance.form_id AND f.version = instance.form_version)");
  if (!all) purge.Bind(1, db_->env()->NowMillis());
  int code = purge.Step();
  if (code != SQLITE_DONE) return SqliteStatus(db_->writer.get(), code, "deleting sent submissions");
  int64_t deleted = sqlite3_changes(db_->writer.get());
  // Form versions no draft or submission refers to any more, other than each form's newest.
  IgnoreError(db_->writer.Exec(
      "DELETE FROM form_version WHERE seq < (SELECT MAX(seq) FROM form_version n WHERE n.form_id = form_version.form_id) "
      "AND NOT EXISTS (SELECT 1 FROM instance i WHERE i.form_id = form_version.form_id AND i.form_version = "
      "form_version.version)",
      "deleting unused form versions"),
      "best effort: an unused form version takes only space, and the next purge tries again");
  return deleted;
}

}  // namespace chosa
