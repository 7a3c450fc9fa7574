// Autosave: every change of a Draft is written before the call returns.
#include <algorithm>
#include <atomic>
#include <cstdio>

#include "chosa/env.h"
#include "chosa/store.h"
#include "store_database.h"
#include "store_testing.h"

namespace chosa {

namespace store_testing {
namespace {
std::atomic<bool> autosave_disabled{false};
}  // namespace
void SetAutosaveDisabled(bool disabled) { autosave_disabled.store(disabled, std::memory_order_relaxed); }
bool AutosaveDisabled() { return autosave_disabled.load(std::memory_order_relaxed); }
}  // namespace store_testing

namespace {

// "attendees[3]/name" -> 3 when the path is inside `repeat`, else 0.
int32_t PositionIn(std::string_view path, std::string_view repeat) {
  if (path.size() <= repeat.size() + 2 || path.compare(0, repeat.size(), repeat) != 0 || path[repeat.size()] != '[') {
    return 0;
  }
  int32_t position = 0;
  for (size_t i = repeat.size() + 1; i < path.size() && path[i] != ']'; ++i) {
    if (path[i] < '0' || path[i] > '9' || position > 1000000) return 0;
    position = position * 10 + (path[i] - '0');
  }
  return position;
}

// Runs one of the writer's kept statements that returns no rows; SQLITE_DONE when it did.
int Run(Statement& statement) {
  int code = statement.Step();
  statement.Reset();
  return code;
}

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT on the writer, rolling back on failure.
template <typename Body>
Status InTransaction(StoreDatabase& db, std::string_view doing, Body body) {
  int code = Run(db.begin_write);
  if (code != SQLITE_DONE) return SqliteStatus(db.writer.get(), code, doing);
  Status done = body();
  if (!done.ok()) {
    IgnoreError(db.writer.Exec("ROLLBACK", "rolling back"), "the failure that made it roll back is returned");
    return done;
  }
  code = Run(db.commit);
  if (code == SQLITE_DONE) return Status::Ok();
  Status failed = SqliteStatus(db.writer.get(), code, doing);
  IgnoreError(db.writer.Exec("ROLLBACK", "rolling back"), "the failure that made it roll back is returned");
  return failed;
}

// The answer's path as the store keeps it ("age", "visits[2]/visit_date"): the item's own name,
// or built in `buffer` (reused from answer to answer) inside a repeat.
std::string_view SavedPath(const Form& form, const AnswerRef& ref, std::string& buffer) {
  const Item& item = form.item(ref.item);
  if (item.repeat == kNone) return item.name;
  char position[16];
  int length = std::snprintf(position, sizeof position, "[%d]/", ref.instance + 1);
  buffer.assign(form.item(item.repeat).name).append(position, static_cast<size_t>(length)).append(item.name);
  return buffer;
}

// Session::AnswerText of a stored answer without a copy for text and choices (the value itself);
// other types are formatted into `buffer`.
std::string_view SavedText(const Value& value, std::string& buffer) {
  if (value.is_string()) return value.text();
  buffer = Session::AnswerText(value);
  return buffer;
}

}  // namespace

Draft::Draft(DeviceStore* store, int64_t id, std::unique_ptr<Session> session, std::string replaces, bool audit)
    : store_(store), id_(id), session_(std::move(session)), replaces_(std::move(replaces)), audit_(audit) {
  // The store marked the draft open (open_drafts) before making it; the destructor lets it go.
  const Form& form = session_->form();
  for (int32_t repeat : form.repeats()) saved_counts_.push_back(session_->InstanceCount(repeat));
  // The items the draft's name reads: an answer to one of them renames the draft at once, so
  // the drafts list is right even after a kill.
  names_draft_.assign(form.items().size(), false);
  if (form.settings().instance_name != kNone) {
    for (int32_t read : form.ItemsReadBy(form.settings().instance_name)) names_draft_[static_cast<size_t>(read)] = true;
  }
}

std::string Draft::InstanceName() const {
  return session_->InstanceName();
}

Draft::~Draft() {
  if (closed_) return;  // let go at finalize: the instance may be open again since (rejected, resumed)
  IgnoreError(SavePage(), "best effort: only the name and progress the drafts list shows");
  std::lock_guard<std::mutex> lock(store_->db_->open_drafts_mutex);
  store_->db_->open_drafts.erase(id_);
}

Status Draft::SaveAnswer(int32_t item, std::string_view path, std::string_view old_text, std::string_view new_text) {
  StoreDatabase& db = *store_->db_;
  if (store_testing::AutosaveDisabled()) return Status::Ok();
  // An answer the draft's name reads renames it at once (so that the drafts list is right even
  // after a kill): the name row sits beside the answers, and the same statement writes both.
  bool renames = names_draft_[static_cast<size_t>(item)];
  std::string name = renames ? InstanceName() : std::string();
  int64_t now = db.env()->NowMillis();
  std::lock_guard<std::mutex> lock(db.write_mutex);
  auto write_answer = [&]() -> Status {
    // A cleared answer is kept as "" rather than deleted: on resume it must override a default.
    // The texts outlive the step, so SQLite need not copy them; every parameter is bound anew.
    Statement& statement = renames ? db.upsert_answer_and_name : db.upsert_answer;
    statement.Bind(1, id_).BindStatic(2, path).BindStatic(3, new_text).Bind(4, now);
    if (renames) statement.BindStatic(5, name);
    int code = Run(statement);
    // The caller names the answer; the Status says only what went wrong.
    return code == SQLITE_DONE ? Status::Ok() : SqliteStatus(db.writer.get(), code, "");
  };
  bool counts_changed = false;
  // saved_counts_ has one count per repeat of the form: a form without repeats reads nothing more.
  for (size_t r = 0; r < saved_counts_.size(); ++r) {
    counts_changed |= session_->InstanceCount(session_->form().repeats()[r]) != saved_counts_[r];
  }
  if (!audit_ && !counts_changed) return write_answer();  // the hot path: one statement, autocommit
  return InTransaction(db, "", [&]() -> Status {
    Status written = write_answer();
    if (!written.ok()) return written;
    if (audit_) {
      Statement& audit = db.insert_audit;
      audit.Bind(1, id_).Bind(2, id_).Bind(3, now).BindStatic(4, path).BindStatic(5, old_text).BindStatic(6, new_text);
      int code = Run(audit);
      if (code != SQLITE_DONE) return SqliteStatus(db.writer.get(), code, "saving the audit trail");
    }
    return counts_changed ? SaveRepeatCounts() : Status::Ok();
  });
}

// REQUIRES: the writer lock, inside a transaction. A count expression that shrank also deletes
// the answers of the instances it removed.
Status Draft::SaveRepeatCounts() {
  StoreDatabase& db = *store_->db_;
  const Form& form = session_->form();
  for (size_t r = 0; r < form.repeats().size(); ++r) {
    int32_t repeat = form.repeats()[r];
    int32_t count = session_->InstanceCount(repeat);
    if (count == saved_counts_[r]) continue;
    const std::string& name = form.item(repeat).name;
    for (int32_t k = count + 1; k <= saved_counts_[r]; ++k) {
      // Every path of instance k sorts between "name[k]/" and "name[k]0" ('/' < '0').
      Statement remove(db.writer.get(), "DELETE FROM answer WHERE instance_id = ? AND path >= ? AND path < ?");
      std::string prefix = name + "[" + std::to_string(k) + "]";
      remove.Bind(1, id_).Bind(2, prefix + "/").Bind(3, prefix + "0");
      int code = remove.Step();
      if (code != SQLITE_DONE) return SqliteStatus(db.writer.get(), code, "removing answers of " + prefix);
    }
    Statement save(db.writer.get(), "INSERT OR REPLACE INTO repeat_count (instance_id, repeat, count) VALUES (?, ?, ?)");
    save.Bind(1, id_).Bind(2, name).Bind(3, int64_t{count});
    int code = save.Step();
    if (code != SQLITE_DONE) return SqliteStatus(db.writer.get(), code, "saving repeat " + name);
  }
  for (size_t r = 0; r < form.repeats().size(); ++r) saved_counts_[r] = session_->InstanceCount(form.repeats()[r]);
  return Status::Ok();
}

Status Draft::SetAnswer(std::string_view path, std::string_view text) {
  if (closed_) return Status::InvalidArgument("this draft was finalized");
  Result<AnswerRef> ref = session_->Resolve(path);
  if (!ref.ok()) return ref.status();
  Value before = session_->StoredValue(*ref);
  Status set = session_->SetAnswer(*ref, text);
  if (!set.ok()) return set;
  const Value& after = session_->StoredValue(*ref);
  if (after.SameAs(before)) return Status::Ok();
  // The old text is needed only by the audit trail.
  Status saved = SaveAnswer(ref->item, SavedPath(session_->form(), *ref, path_buffer_),
                            audit_ ? Session::AnswerText(before) : std::string(), SavedText(after, text_buffer_));
  if (!saved.ok()) {
    // What is shown must be what is saved: the answer goes back to its saved value.
    session_->RestoreValue(*ref, before);
    return Status(saved.code(), "the answer was not saved: " + saved.message(), session_->PathOf(*ref));
  }
  return Status::Ok();
}

Result<int32_t> Draft::AddRepeatInstance(std::string_view repeat) {
  if (closed_) return Status::InvalidArgument("this draft was finalized");
  Result<int32_t> position = session_->AddRepeatInstance(repeat);
  if (!position.ok()) return position;
  StoreDatabase& db = *store_->db_;
  std::lock_guard<std::mutex> lock(db.write_mutex);
  Status saved = InTransaction(db, "adding an entry", [&] { return SaveRepeatCounts(); });
  if (!saved.ok()) {
    // Undoes the append above, which took the count past `min`: it cannot be refused.
    IgnoreError(session_->RemoveRepeatInstance(repeat, *position), "removes the instance just added");
    return saved;
  }
  return position;
}

Status Draft::RemoveRepeatInstance(std::string_view repeat, int32_t position) {
  if (closed_) return Status::InvalidArgument("this draft was finalized");
  Status removed = session_->RemoveRepeatInstance(repeat, position);
  if (!removed.ok()) return removed;
  StoreDatabase& db = *store_->db_;
  std::lock_guard<std::mutex> lock(db.write_mutex);
  return InTransaction(db, "removing an entry", [&]() -> Status {
    // Later entries move down by one: their saved paths are renamed in position order.
    Statement rows(db.writer.get(), "SELECT path FROM answer WHERE instance_id = ? AND path >= ? AND path < ?");
    std::string name(repeat);
    rows.Bind(1, id_).Bind(2, name + "[").Bind(3, name + "\\");
    std::vector<std::pair<int32_t, std::string>> paths;
    int code;
    while ((code = rows.Step()) == SQLITE_ROW) {
      std::string path = rows.Text(0);
      int32_t k = PositionIn(path, name);
      if (k >= position) paths.emplace_back(k, std::move(path));
    }
    if (code != SQLITE_DONE) return SqliteStatus(db.writer.get(), code, "reading entries");
    std::sort(paths.begin(), paths.end());
    for (const auto& entry : paths) {
      if (entry.first == position) {
        Statement remove(db.writer.get(), "DELETE FROM answer WHERE instance_id = ? AND path = ?");
        remove.Bind(1, id_).Bind(2, entry.second);
        code = remove.Step();
      } else {
        std::string renamed = name + "[" + std::to_string(entry.first - 1) + "]" +
                              entry.second.substr(entry.second.find(']') + 1);
        Statement move(db.writer.get(), "UPDATE answer SET path = ? WHERE instance_id = ? AND path = ?");
        move.Bind(1, renamed).Bind(2, id_).Bind(3, entry.second);
        code = move.Step();
      }
      if (code != SQLITE_DONE) return SqliteStatus(db.writer.get(), code, "moving entries");
    }
    return SaveRepeatCounts();
  });
}

Status Draft::SavePage() {
  StoreDatabase& db = *store_->db_;
  std::string name = InstanceName();
  int32_t progress = session_->Progress().percent;
  int64_t now = db.env()->NowMillis();
  std::lock_guard<std::mutex> lock(db.write_mutex);
  auto update = [&]() -> Status {
    Statement page(
        db.writer.get(),
        "UPDATE instance SET page = ?, language = ?, instance_name = ?, progress = ?, updated_at = ? WHERE id = ?");
    page.Bind(1, int64_t{session_->page_index()}).Bind(2, session_->language()).Bind(3, name);
    page.Bind(4, int64_t{progress}).Bind(5, now).Bind(6, id_);
    int code = page.Step();
    return code == SQLITE_DONE ? Status::Ok() : SqliteStatus(db.writer.get(), code, "saving the page");
  };
  if (session_->form().settings().instance_name == kNone) return update();
  // The name row is what the drafts list shows: it follows the name here too (a name that reads
  // a calculation changes without an answer it reads directly).
  return InTransaction(db, "saving the page", [&]() -> Status {
    Status updated = update();
    if (!updated.ok()) return updated;
    Statement row(db.writer.get(),
                  "INSERT OR REPLACE INTO answer (instance_id, path, value, updated_at) VALUES (?, '', ?, ?)");
    row.Bind(1, id_).Bind(2, name).Bind(3, now);
    int code = row.Step();
    return code == SQLITE_DONE ? Status::Ok() : SqliteStatus(db.writer.get(), code, "saving the page");
  });
}

// Runs a navigation or language change and saves it; if it cannot be saved, the session goes
// back to where the store has it, so that what is shown is what a resume would show.
template <typename Change>
Status Draft::ChangeAndSave(Change change) {
  if (closed_) return Status::InvalidArgument("this draft was finalized");
  int32_t page = session_->page_;
  std::string language = session_->language_code_;
  Status changed = change();
  if (!changed.ok()) return changed;
  Status saved = SavePage();
  if (!saved.ok()) {
    session_->page_ = page;
    // Through SetLanguage: what reads the language (jr:choice-name) follows it back.
    IgnoreError(session_->SetLanguage(language), "the session's own language is always one of its form's");
    return Status(saved.code(), "not saved: " + saved.message());
  }
  return Status::Ok();
}

Status Draft::SetLanguage(std::string_view language) {
  return ChangeAndSave([&] { return session_->SetLanguage(language); });
}

Status Draft::Next() {
  return ChangeAndSave([&] { return session_->Next(); });
}

Status Draft::Back() {
  return ChangeAndSave([&] { return session_->Back(); });
}

Status Draft::GoToPage(int32_t page) {
  return ChangeAndSave([&] { return session_->GoToPage(page); });
}

Result<Submission> Draft::Finalize() {
  if (closed_) return Status::InvalidArgument("this draft was finalized");
  StoreDatabase& db = *store_->db_;
  std::vector<AuditEntry> audit;
  if (audit_) {
    std::lock_guard<std::mutex> lock(db.read_mutex);
    Statement rows(db.reader.get(), "SELECT at, path, old_value, new_value FROM audit WHERE instance_id = ? ORDER BY seq");
    rows.Bind(1, id_);
    while (rows.Step() == SQLITE_ROW) audit.push_back({rows.Int(0), rows.Text(1), rows.Text(2), rows.Text(3)});
  }
  Result<Submission> submission = session_->Finalize(replaces_, audit_ ? &audit : nullptr);
  if (!submission.ok()) {
    // A refused finalize shows the first page with an error: the store follows it.
    IgnoreError(SavePage(), "the refusal is what is reported; the next page move saves the page again");
    return submission;
  }
  std::lock_guard<std::mutex> lock(db.write_mutex);
  // This one transaction must survive a power loss: FULL syncs the WAL at its commit.
  Status full = db.writer.Exec("PRAGMA synchronous=FULL", "finalizing");
  if (!full.ok()) return full;
  Status stored = InTransaction(db, "finalizing", [&]() -> Status {
    Statement update(db.writer.get(),
                     "UPDATE instance SET state = 'finalized', uuid = ?, submission = ?, sha256 = ?, finalized_at = ?, "
                     "instance_name = ?, progress = 100, updated_at = ?, reject_reason = '' WHERE id = ? AND state = 'draft'");
    int64_t now = db.env()->NowMillis();
    update.Bind(1, submission->uuid).Bind(2, submission->canonical_json).Bind(3, submission->sha256).Bind(4, now);
    update.Bind(5, submission->instance_name).Bind(6, now).Bind(7, id_);
    int code = update.Step();
    if (code != SQLITE_DONE) return SqliteStatus(db.writer.get(), code, "finalizing");
    if (sqlite3_changes(db.writer.get()) != 1) return Status::NotFound("draft " + std::to_string(id_) + " is gone");
    if (session_->form().settings().instance_name == kNone) return Status::Ok();
    // A submission's name is the one in its row: the draft's name row goes.
    db.delete_name.Bind(1, id_);
    code = Run(db.delete_name);
    return code == SQLITE_DONE ? Status::Ok() : SqliteStatus(db.writer.get(), code, "finalizing");
  });
  IgnoreError(db.writer.Exec("PRAGMA synchronous=NORMAL", "finalizing"),
              "left at FULL, later answers are slower, never less durable");
  if (!stored.ok()) return stored;
  closed_ = true;
  {
    std::lock_guard<std::mutex> open_lock(db.open_drafts_mutex);
    db.open_drafts.erase(id_);
  }
  return submission;
}

}  // namespace chosa
