// What the collector keeps, behind one interface: published form versions, enrolment codes,
// devices and analyst tokens, submissions, and the quarantine of rejected pushes. The one backend
// is SQLite (collector.sqlite in the data directory, OpenSqliteStorage). A PostgreSQL backend is
// planned, not written: it would implement this same interface, so that the HTTP layer and the
// admin commands need not know which one runs.
//
// Every method is safe to call from several threads at once. OpenSqliteStorage's storage belongs
// to its caller (the server and the admin commands borrow it); results are returned by value, and
// the views given to a method (a submission's body) are read during the call only. Secrets never
// reach the storage:
// it keeps SHA-256 hashes of enrolment codes and tokens, and compares them in constant time.
#ifndef CHOSA_COLLECTOR_STORAGE_H_
#define CHOSA_COLLECTOR_STORAGE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/protocol.h"
#include "chosa/status.h"

namespace chosa::collector {

enum class FormState : uint8_t {
  kOpen,      // listed to assigned devices; pushes accepted
  kClosed,    // no longer listed (no new fillings, e.g. after the half-year); pushes still accepted
  kArchived,  // not listed, pushes rejected; its data stays for export
};
const char* FormStateName(FormState state);  // "open", "closed", "archived"

// One published version of a form. The JSON is the resolved form ($refs inlined), exactly the
// bytes served to devices and hashed.
struct FormVersion {
  std::string form_id;
  std::string version;
  std::string json;
  std::string sha256;
  int64_t published_at = 0;  // ms since the epoch
};

struct FormSummary {
  std::string form_id;
  FormState state = FormState::kOpen;
  std::vector<std::string> versions;  // in publishing order
  int64_t submissions = 0;
  int64_t quarantined = 0;
};

struct Device {
  std::string device_id;
  std::string name;
  std::vector<std::string> forms;  // form ids assigned by its enrolment code
  int64_t enrolled_at = 0;   // its latest enrolment
  int64_t last_seen_at = 0;  // 0: never pushed
  bool revoked = false;
  // Every enrolment of this identity (a revoked tablet enrolled again with a code made for it),
  // from the codes it used: how many, and when the first was (the latest is enrolled_at).
  int64_t enrolments = 0;
  int64_t first_enrolled_at = 0;
};

// A re-enrolled tablet's new enrolment linked to its former one by the bureau
// (`chosa-collector devices link OLD NEW`): the new device may correct (`replaces`) what the old
// one sent. Links are never removed; A -> B -> C lets C correct A's and B's submissions.
struct DeviceLink {
  std::string old_device_id;
  std::string new_device_id;
  int64_t linked_at = 0;  // ms since the epoch
  std::string linked_by;  // the administrator: the account that ran the command
  int64_t unlinked_at = 0;  // when the link was undone (it no longer counts); 0 while it holds
  std::string unlinked_by;
};

// A token for an analyst (exports), by the name the bureau gave it.
struct AnalystToken {
  std::string name;
  int64_t created_at = 0;
  bool revoked = false;
};

enum class Role : uint8_t { kDevice, kAnalyst };

// Who a bearer token belongs to.
struct Principal {
  Role role = Role::kDevice;
  std::string id;                  // device id, or the analyst token's name
  std::vector<std::string> forms;  // devices: the forms assigned to it
};

// A stored submission as an export reads it.
struct StoredSubmission {
  int64_t position = 0;  // commit order (an export cursor's place); grows with every commit
  std::string uuid;
  std::string form_id;
  std::string form_version;
  std::string device_id;  // the authenticated device that pushed it
  std::string replaces;   // "" unless it corrects an earlier submission
  int64_t received_at = 0;
  std::string body;  // the canonical bytes, exactly as received
};

// A correction an export applies: submission `uuid` corrects, and so hides, `replaces`.
struct AppliedCorrection {
  std::string uuid;
  std::string replaces;
  bool operator==(const AppliedCorrection& other) const { return uuid == other.uuid && replaces == other.replaces; }
};

// One line of a push, checked by the ingest pipeline before it reaches the storage.
struct IngestItem {
  protocol::Envelope envelope;  // uuid may be "" when the line was not readable at all
  std::string_view body;        // the line's exact bytes
  bool valid = false;           // passed every check; store it unless its UUID is already taken
  std::string reason;           // why it is not valid (quarantined with this reason)
  // Its envelope was read: a submission within max_submission_bytes, kept whole if rejected
  // (QuarantineLimits). A valid item is readable whatever this says.
  bool readable = false;
};

// Damage and loss: what every backend promises (docs/operations.md, "Damage and loss").
// - A submission's bytes leave the storage (ReadSubmissions, SubmissionBody) only while they still
//   match the SHA-256 they were stored with; otherwise Corruption naming the UUID
//   (DamagedSubmission), and none of its bytes.
// - Any read or write that finds the database damaged fails with Corruption whose message begins
//   with kDamagedDatabase.
// - StoreBatch records durably how far it acknowledged before it returns, so that a database
//   found behind that record (lost writes, an older copy put back) is refused before serving.
inline constexpr char kDamagedDatabase[] = "the database file is damaged: restore a backup";
// StoreBatch's error (Unavailable, this message first) when the batch was committed but the record
// of its acknowledgement could not be written: it must not be acknowledged; sent again, its
// submissions are answered duplicate.
inline constexpr char kNotAcknowledged[] =
    "the batch was stored but its acknowledgement could not be recorded; send it again";
Status DamagedSubmission(std::string_view uuid);
// OK when `body` hashes to `sha256`, else DamagedSubmission(uuid).
Status VerifySubmissionBytes(std::string_view uuid, std::string_view body, std::string_view sha256);

struct QuarantinedItem {
  int64_t id = 0;
  std::string uuid;  // "" when unreadable
  std::string device_id;
  std::string form_id;
  std::string form_version;
  std::string reason;
  std::string body;         // the line as kept: whole, or its first QuarantineLimits::head_bytes
  int64_t size = 0;         // the whole line's size in bytes, as received
  std::string body_sha256;  // of the whole line, as received
  int64_t received_at = 0;
  bool released = false;
  // Only the head of the line was kept: it can be inspected, not released.
  bool cut() const { return static_cast<int64_t>(body.size()) < size; }
};

// The start of the reason a correction naming another device's submission is rejected with.
extern const char kReplacesNotYours[];  // "replaces_not_yours"

// What the quarantine keeps, so that no device can fill the collector's disk with rejected
// lines (docs/operations.md). A line whose envelope was read (a submission within the size
// limit, rejected for its form, its version, its answers or a UUID clash) is kept whole: the
// bureau may release it. Any other line (not a submission, or over max_submission_bytes) keeps
// only its first `head_bytes`, with its size and SHA-256. The quotas count the bytes kept of the
// items still held (released ones no longer count); a line that would pass either quota is
// rejected with kQuarantineFull and nothing of it is kept.
struct QuarantineLimits {
  size_t head_bytes = 4096;
  int64_t device_bytes = int64_t{16} << 20;  // per device
  int64_t form_bytes = int64_t{256} << 20;   // per form (lines that name a form)
};

// The reason, or the beginning of the reason, of a line refused because the quarantine is full.
inline constexpr char kQuarantineFull[] = "quarantine_full";

class CollectorStorage {
 public:
  virtual ~CollectorStorage() = default;

  // Forms. Publishing an existing (form_id, version) again is AlreadyExists unless the bytes are
  // the same (then OK: idempotent); the caller checks the form and the type compatibility first.
  virtual Status PublishForm(const FormVersion& version) = 0;
  virtual Result<FormVersion> GetFormVersion(std::string_view form_id, std::string_view version) = 0;
  virtual Result<std::vector<FormVersion>> FormVersions(std::string_view form_id) = 0;  // oldest first
  virtual Result<std::vector<FormSummary>> ListForms() = 0;
  virtual Status SetFormState(std::string_view form_id, FormState state) = 0;
  virtual Result<FormState> GetFormState(std::string_view form_id) = 0;

  // Enrolment: a code is stored as its hash, for a set of forms, until `expires_at` (ms).
  // `for_device`: "" for a code that enrols a new identity; else the code enrols that identity
  // only, and is the only kind that enrols a revoked identity again.
  virtual Status AddEnrolmentCode(std::string_view code, const std::vector<std::string>& forms, int64_t expires_at,
                                  std::string_view for_device) = 0;
  // Uses the code (once: a second use, an unknown or an expired code is PermissionDenied) and
  // creates the device with `token` (stored as a hash), in one transaction.
  virtual Result<Device> Enroll(std::string_view code, std::string_view device_id, std::string_view device_name,
                                std::string_view token, int64_t now) = 0;

  // Tokens. A token is "<id>.<secret>": the id finds the row, the secret's hash is compared in
  // constant time. Unknown, malformed or revoked: Unauthenticated.
  virtual Result<Principal> Authenticate(std::string_view token) = 0;
  virtual Status AddAnalystToken(std::string_view name, std::string_view token) = 0;
  virtual Result<std::vector<AnalystToken>> ListAnalystTokens() = 0;  // by name
  // Revoking twice keeps the first time; an unknown name is NotFound. Names stay taken.
  virtual Status RevokeAnalystToken(std::string_view name) = 0;
  virtual Result<std::vector<Device>> ListDevices() = 0;
  virtual Status RevokeDevice(std::string_view device_id) = 0;

  // Ownership of corrections: a submission's `replaces` is honoured only when the submission it
  // names was sent by the same device, or by a former enrolment the device continues (a link).
  // Links `new_device_id` to its former enrolment `old_device_id`. NotFound: either id is not an
  // enrolled device. InvalidArgument: the same id twice. PermissionDenied: OLD is still active
  // (revoke it first: two live tokens would speak for one tablet). AlreadyExists: OLD already
  // has a successor, NEW already continues a former enrolment, or NEW precedes OLD (a loop).
  virtual Status LinkDevices(std::string_view old_device_id, std::string_view new_device_id,
                             std::string_view linked_by, int64_t now) = 0;
  // Undoes the link OLD -> NEW (made in error): from then on NEW corrects nothing OLD sent, and
  // the corrections the link let apply stop applying (exports, `check`); the link stays listed
  // as undone. NotFound: no such link holds.
  virtual Status UnlinkDevices(std::string_view old_device_id, std::string_view new_device_id,
                               std::string_view unlinked_by, int64_t now) = 0;
  // Every link ever made, undone ones included, in the order they were made.
  virtual Result<std::vector<DeviceLink>> ListDeviceLinks() = 0;

  // Stores a batch in one transaction: each valid item whose UUID is new is stored (accepted);
  // one whose UUID exists with the same SHA-256 is a duplicate; with another SHA-256 it is
  // rejected ("uuid already stored with different content"); one whose `replaces` names a stored
  // submission the device may not correct (above) is rejected (kReplacesNotYours...); a
  // `replaces` naming a UUID not stored yet is accepted, and the export decides once the original
  // arrives (AppliedCorrections). Every invalid or rejected item goes to the quarantine
  // (QuarantineLimits: what is kept, and the quotas past which a rejected item is answered
  // kQuarantineFull and not kept). Returns one result per item, in order. All or nothing: on an
  // error nothing of the batch is stored, but for kNotAcknowledged. The results are returned only
  // once the acknowledged position covers the accepted and duplicate submissions, on disk.
  //
  // The items come from `item_at(i)`, called once for each i in [0, count) in order, inside the
  // transaction: the ingest pipeline hands over each item as soon as its checks are done, so
  // storing overlaps checking. A null item abandons the batch: nothing is stored, and the result
  // is Unavailable. The checks read form versions and form states (GetFormVersion,
  // GetFormState) meanwhile, from item_at's thread and others: a backend serves those reads
  // while a batch is being stored (SQLite: a reading connection of their own).
  using IngestItemAt = std::function<const IngestItem*(size_t index)>;
  virtual Result<std::vector<protocol::PushResult>> StoreBatch(const Principal& device, size_t count,
                                                                const IngestItemAt& item_at,
                                                                int64_t received_at) = 0;
  // The same, for items all checked already.
  Result<std::vector<protocol::PushResult>> StoreBatch(const Principal& device, const std::vector<IngestItem>& items,
                                                        int64_t received_at) {
    return StoreBatch(device, items.size(), [&items](size_t i) { return &items[i]; }, received_at);
  }
  virtual int64_t SubmissionCount(std::string_view form_id) = 0;
  // The submissions of `form_id` at positions after `after` (0: from the first), in commit order,
  // at most `limit`: one page of an export. Each body is checked against its SHA-256 (a damaged
  // one fails the page: DamagedSubmission). A submission that commits later always gets a later
  // position (SQLite: assigned inside the one write transaction), so an export that goes on from
  // the last position it saw never skips one.
  virtual Result<std::vector<StoredSubmission>> ReadSubmissions(std::string_view form_id, int64_t after,
                                                                size_t limit) = 0;
  // The position of the form's last stored submission (0: none): an export that begins now
  // ends there, and its cursor says so. "": the last of every form's (no cursor goes past it).
  virtual Result<int64_t> LastPosition(std::string_view form_id) = 0;
  // The position of the `count`-th submission of the form after `after`, or the last position
  // when fewer follow (never less than `after`): where an export limited to `count` ends.
  virtual Result<int64_t> PositionAfter(std::string_view form_id, int64_t after, size_t count) = 0;
  // The form's corrections that apply: a stored submission whose `replaces` names a stored
  // submission of the same form sent by the same device or one it continues (links), in the
  // corrections' commit order. An export that keeps the latest of each correction chain leaves
  // out what they replace, and its lines say what each corrects. A correction naming another
  // device's submission (stored before the original arrived, or before this rule) applies to
  // nothing.
  virtual Result<std::vector<AppliedCorrection>> AppliedCorrections(std::string_view form_id) = 0;
  // The stored corrections that hide nothing because the submission they name came from a
  // device they may not correct (or is themselves), in commit order, without their bodies:
  // `chosa-collector check` lists them.
  virtual Result<std::vector<StoredSubmission>> UnappliedCorrections() = 0;
  // The submissions stored without being re-validated against their form version (released from
  // quarantine by the bureau, or stored before re-validation was kept track of: schema 3), in
  // commit order, without their bodies.
  virtual Result<std::vector<StoredSubmission>> NotRevalidated() = 0;
  // The stored body of a submission (checked against its SHA-256), or NotFound.
  virtual Result<std::string> SubmissionBody(std::string_view uuid) = 0;

  virtual Result<std::vector<QuarantinedItem>> ListQuarantine(bool include_released) = 0;
  virtual Result<QuarantinedItem> GetQuarantined(int64_t id) = 0;
  // Moves a quarantined item into the submissions (the bureau decided to keep it); its UUID must
  // not be stored already, and a correction must name a submission its device may correct
  // (PermissionDenied otherwise: link the devices first), and the
  // item must have been kept whole.
  virtual Status ReleaseQuarantined(int64_t id, int64_t now) = 0;

  // An online, consistent copy of everything into `path` (a new file).
  virtual Status Backup(const std::string& path) = 0;
};

// The SQLite backend: `data_dir`/collector.sqlite, created with its schema when missing.
Result<std::unique_ptr<CollectorStorage>> OpenSqliteStorage(const std::string& data_dir,
                                                            const QuarantineLimits& quarantine = {});

}  // namespace chosa::collector

#endif  // CHOSA_COLLECTOR_STORAGE_H_
