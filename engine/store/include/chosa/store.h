// The device store: one SQLite file (WAL) holding the installed form versions, every draft and
// its answers, and the outbox of finalized submissions. Every answer set through a Draft is
// written when it is set (autosave); an app killed at any moment loses nothing the store
// acknowledged. See docs/store.md.
//
// Durability: answers commit with WAL and synchronous=NORMAL (they survive an app crash or kill;
// a power loss may lose the answers since the last WAL sync); a finalize commits with
// synchronous=FULL (it survives a power loss). Checkpoints run on a background thread, so no
// answer waits for one.
//
// Threads: all writes go through one writer connection guarded by a mutex; readers (listing
// drafts, the outbox) use their own read-only connection under another. A DeviceStore may be
// used from several threads at once (the UI and a sync thread): every method of it is safe to
// call concurrently. A Draft is used by one thread at a time (it wraps a Session); distinct
// Drafts of one store may be used from distinct threads.
//
// Ownership: Open returns the store to its caller (unique_ptr). StartDraft, Resume and EditSent
// return Drafts the caller owns, which point back at their store: a Draft must not outlive its
// DeviceStore. Destroying the store while one of its Drafts is alive is undefined behaviour (the
// Draft's next call, or its destructor, which saves its page, uses the store's connections).
// StoreOptions::env is borrowed and must outlive the store. Loaded Forms are shared
// (shared_ptr) and outlive the store as long as someone holds them; listings return values.
#ifndef CHOSA_STORE_H_
#define CHOSA_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/device_id.h"
#include "chosa/filling.h"
#include "chosa/form.h"
#include "chosa/session.h"
#include "chosa/status.h"

namespace chosa {

class Env;
class Draft;
class StoreDatabase;

enum class InstanceState : uint8_t { kDraft, kFinalized, kSent, kRejected };
const char* InstanceStateName(InstanceState state);  // "draft", "finalized", "sent", "rejected"

struct StoreOptions {
  Env* env = nullptr;               // clock, random bytes; null: Env::Default()
  // The store's device identity, stamped into every submission and enrolled with a collector. A
  // store keeps the one it is created with (IsValidDeviceId; "" makes a random "tablet-…" one).
  // Opening a store with another identity is refused; "" opens it as the device it is.
  std::string device_id;
  // Where $ref code lists of installed forms are looked up (besides the form file's directory).
  std::vector<std::string> search_paths;
};

struct InstalledForm {
  std::string form_id;
  std::string version;
  std::string sha256;               // of the resolved form JSON that is stored
  int64_t installed_at = 0;         // ms since the epoch
};

// One line of `chosa drafts` / `chosa outbox`.
struct InstanceSummary {
  int64_t id = 0;                   // the store's id of the filling (drafts are named by it)
  std::string form_id;
  std::string form_version;
  InstanceState state = InstanceState::kDraft;
  std::string instance_name;        // the form's settings.instance_name, as last computed
  std::string enumerator_id;
  int64_t started_at = 0;
  int64_t updated_at = 0;           // last answer or navigation
  int32_t progress_percent = 0;
  int64_t answer_count = 0;         // answers given (not counting cleared ones)
  std::string uuid;                 // finalized, sent, rejected: the submission's UUID
  std::string replaces;             // the UUID of the submission this one corrects
  std::string reject_reason;        // rejected: the collector's reason
  int64_t sent_at = 0;
};

// A finalized submission as kept in the outbox: its canonical bytes are immutable.
struct OutboxItem {
  int64_t id = 0;
  std::string uuid;
  std::string form_id;
  std::string form_version;
  InstanceState state = InstanceState::kFinalized;
  std::string canonical_json;
  std::string sha256;
  int64_t finalized_at = 0;
};

struct StoreCheck {
  bool ok = false;
  std::vector<std::string> problems;  // integrity_check lines, or why the file cannot be read
};

class DeviceStore {
 public:
  // Opens (creating if missing) the store at `path`, upgrading an older schema. Refuses a store
  // written by a newer chosa (kUnsupported: the only cause of that code here), and a file that is
  // not a readable store (kCorruption; use Check / Salvage).
  static Result<std::unique_ptr<DeviceStore>> Open(const std::string& path, StoreOptions options = {});
  // The default path for this platform: $XDG_DATA_HOME/chosa/store.sqlite, else
  // ~/.local/share/chosa/store.sqlite.
  static std::string DefaultPath();
  // Checks a store file without changing it (PRAGMA integrity_check, schema version).
  static StoreCheck Check(const std::string& path);
  // Copies every readable form, instance and answer of a damaged store into a new store at
  // `into` (which must not exist). Returns how many instances were saved.
  static Result<int64_t> Salvage(const std::string& damaged, const std::string& into);

  ~DeviceStore();
  DeviceStore(const DeviceStore&) = delete;
  DeviceStore& operator=(const DeviceStore&) = delete;

  // --- forms ---------------------------------------------------------------------------------
  // Installs a form version (its $refs resolved; the resolved JSON is what is stored). A
  // version already installed with the same content is accepted again; with other content it
  // is refused (a published version is immutable).
  Result<InstalledForm> InstallForm(std::string_view json, const std::vector<std::string>& search_paths = {});
  Result<InstalledForm> InstallFormFile(const std::string& path);
  // Every installed version, by form id then installation order. Like every listing, it reads
  // the store: an SQLite fault (an unreadable file, ...) is returned, never an empty list.
  Result<std::vector<InstalledForm>> ListForms() const;
  // The newest installed version of `form_id` (by installation order), or a given version.
  Result<std::shared_ptr<const Form>> LoadForm(std::string_view form_id, std::string_view version = "") const;

  // --- drafts --------------------------------------------------------------------------------
  // Starts a new draft on the newest version of `form_id`.
  Result<std::unique_ptr<Draft>> StartDraft(std::string_view form_id, std::string_view enumerator_id,
                                            std::string_view language = "");
  // Resumes a draft (or a rejected submission, which becomes a draft again) exactly as it was
  // left: the same form version, values, repeat instances, page and language.
  Result<std::unique_ptr<Draft>> Resume(int64_t id);
  // A sent submission cannot change: this starts a new draft with its answers, which replaces it.
  Result<std::unique_ptr<Draft>> EditSent(std::string_view uuid, std::string_view enumerator_id);
  Status DeleteDraft(int64_t id);
  // The instances in `state`, most recently changed first.
  Result<std::vector<InstanceSummary>> ListInstances(InstanceState state) const;
  Result<InstanceSummary> GetInstance(int64_t id) const;

  // --- the outbox ----------------------------------------------------------------------------
  // Finalized, not yet sent, oldest first.
  Result<std::vector<OutboxItem>> Outbox() const;
  // One submission by its UUID, finalized, sent or rejected: its canonical bytes as stored.
  Result<OutboxItem> ReadSubmission(std::string_view uuid) const;
  Status MarkSent(std::string_view uuid);
  Status MarkRejected(std::string_view uuid, std::string_view reason);
  // Deletes sent submissions older than their form's retention (settings.retention_days);
  // with `all`, every sent submission at once. Returns how many were deleted.
  Result<int64_t> PurgeSent(bool all);

  const std::string& path() const;
  // The device identity the store keeps (StoreOptions::device_id).
  const std::string& device_id() const;
  // The schema version this build writes (PRAGMA user_version).
  static int SchemaVersion();

 private:
  friend class Draft;
  explicit DeviceStore(std::unique_ptr<StoreDatabase> db);
  std::unique_ptr<StoreDatabase> db_;
};

// A filling saved as it goes: every answer, repeat change, page move and language switch is
// written to the store before the call returns. Wraps a Session; read the state through
// session(), change it through the Draft (a Filling, chosa/filling.h). Used by one thread at a
// time; it must not outlive the DeviceStore that made it (undefined behaviour: see the top).
class Draft final : public Filling {
 public:
  ~Draft() override;
  Draft(const Draft&) = delete;
  Draft& operator=(const Draft&) = delete;

  int64_t id() const { return id_; }
  const Session& session() const override { return *session_; }

  // As Session::SetAnswer, then saved. If it cannot be saved (disk full, ...), the session keeps
  // its previous value and the Status (kIOError) says the answer was not saved.
  Status SetAnswer(std::string_view path, std::string_view text) override;
  Result<int32_t> AddRepeatInstance(std::string_view repeat) override;
  Status RemoveRepeatInstance(std::string_view repeat, int32_t position) override;
  Status SetLanguage(std::string_view language) override;
  Status Next() override;
  Status Back() override;
  Status GoToPage(int32_t page) override;
  // Validates, builds the submission (with the audit trail when the form asks for one) and
  // moves it to the outbox in one durable transaction. The draft is then closed.
  Result<Submission> Finalize() override;

 private:
  friend class DeviceStore;
  Draft(DeviceStore* store, int64_t id, std::unique_ptr<Session> session, std::string replaces, bool audit);
  Status SavePage();
  template <typename Change>
  Status ChangeAndSave(Change change);
  // Writes one answer (and the repeat counts that changed with it) in one short transaction.
  Status SaveAnswer(int32_t item, std::string_view path, std::string_view old_text, std::string_view new_text);
  Status SaveRepeatCounts();
  std::string InstanceName() const;

  std::vector<int32_t> saved_counts_;  // by Form::repeats(): the instance counts in the store
  std::vector<bool> names_draft_;      // by item: settings.instance_name reads it
  std::string path_buffer_;            // SetAnswer's path and text as saved, reused from answer to answer
  std::string text_buffer_;

  DeviceStore* store_;
  int64_t id_;
  std::unique_ptr<Session> session_;
  std::string replaces_;
  bool audit_;
  bool closed_ = false;
};

}  // namespace chosa

#endif  // CHOSA_STORE_H_
