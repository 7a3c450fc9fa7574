// The bureau's administration of a collector, over any CollectorStorage: publishing form
// versions (checked and resolved with the engine), enrolment codes, analyst tokens, and the
// restore of a backup. The chosa-collector CLI, the tests and the demo all go through here; what
// is a single storage call (listing forms or devices, revoking a device, the quarantine, a
// backup) they call on the storage directly.
#ifndef CHOSA_SYNC_COLLECTOR_ADMIN_H_
#define CHOSA_SYNC_COLLECTOR_ADMIN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/collector_storage.h"
#include "chosa/collector/sqlite_storage.h"
#include "chosa/form.h"
#include "chosa/status.h"

namespace chosa::collector {

// A form as the collector keeps it: loaded and checked by the engine, and its JSON with every
// {"$ref": "..."} choice list replaced by the code list's choices (labels narrowed to the form's
// languages), so that the bytes load with no search path on any device.
struct ResolvedForm {
  std::shared_ptr<const Form> form;  // null when the form has faults
  std::string json;                  // the resolved JSON (compact); set when `form` is
  std::vector<Status> faults;        // every fault, as the engine reports them (JSON Pointers)
  bool ok() const { return form != nullptr; }
};

// `path_or_json` is the form's JSON itself when it starts with '{' (after white space), else the
// path of its file. Code lists are looked up as the engine does: in the form file's directory,
// then in `search_paths` (the current directory when there is neither).
ResolvedForm ResolveForm(std::string_view path_or_json, const std::vector<std::string>& search_paths);

struct PublishOutcome {
  // OK: published now, or already published with exactly these bytes. InvalidArgument: the form
  // has faults (in `faults`) or renames a question's type; AlreadyExists: this version was
  // published with other content; or the storage's error.
  Status status;
  std::vector<Status> faults;
  FormVersion version;  // what is stored (the resolved JSON and its SHA-256), when status is OK
  bool already_published = false;
  bool ok() const { return status.ok(); }
};

// Checks, resolves and publishes a form version. A version once published never changes; a new
// version may not give an earlier version's question name another item type (every such name is
// a fault naming both versions and both types), since all versions' answers meet in one export.
PublishOutcome PublishForm(CollectorStorage& storage, std::string_view path_or_json,
                           const std::vector<std::string>& search_paths, int64_t now);

// The type faults of `later` against an earlier version of the same form (empty: compatible).
std::vector<Status> TypeChanges(const Form& earlier, const Form& later);

// A one-time code enrolling one device for `forms` (published, not archived) until now +
// valid_for_ms; with `for_device` (an identity enrolled before), that identity only: the way a
// revoked tablet enrols again under its identity. The code is returned once; the storage keeps
// its hash.
struct EnrolmentCode {
  std::string code;
  std::vector<std::string> forms;
  int64_t expires_at = 0;
  std::string for_device;  // "" for a new identity
};
Result<EnrolmentCode> CreateEnrolmentCode(CollectorStorage& storage, const std::vector<std::string>& forms,
                                          int64_t valid_for_ms, int64_t now, std::string_view for_device = {});

// A new analyst token named `name` (1 to 64 letters, digits, '.', '_', '-', '@'), returned once.
Result<std::string> CreateAnalystToken(CollectorStorage& storage, std::string_view name);

// Restores a backup (CollectorStorage::Backup) of the SQLite backend into `data_dir`, with the
// collector stopped: checks the backup, refuses while anything has the database open, moves the
// current database aside to collector.sqlite.replaced-YYYYMMDD-HHMMSS (never deleted), puts the
// backup in its place and removes stale -wal and -shm files, and sets the acknowledged position
// (collector.acknowledged) to the restored database, so that the collector starts on it. Returns
// where the old database went ("" when there was none); `position`, when given, gets what had been
// acknowledged before and what the restored database holds (the difference: what devices were
// told is stored and the backup lacks).
struct RestoredPosition {
  Acknowledged before;
  Acknowledged restored;
};
Result<std::string> RestoreSqliteBackup(const std::string& backup_path, const std::string& data_dir, int64_t now,
                                        RestoredPosition* position = nullptr);

// How to restore a backup, by the command and by hand (for --help and docs).
extern const char kRestoreInstructions[];

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_ADMIN_H_
