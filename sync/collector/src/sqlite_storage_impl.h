// SqliteStorage, the SQLite backend of CollectorStorage (sqlite_storage.h), declared for the files
// that define its methods by concern: sqlite_storage.cpp (opening it, its kept statements,
// backups), sqlite_storage_forms.cpp, sqlite_storage_devices.cpp (enrolment, devices and tokens),
// sqlite_storage_submissions.cpp (storing batches, export reads), sqlite_storage_quarantine.cpp
// and sqlite_storage_ownership.cpp (who may correct which submission: device links, the
// corrections an export honours).
// The schema is in sqlite_schema.cpp, the database file's creation, checks and copies in
// sqlite_database_file.cpp. Internal to the collector: OpenSqliteStorage makes one.
#ifndef CHOSA_SYNC_COLLECTOR_SQLITE_STORAGE_IMPL_H_
#define CHOSA_SYNC_COLLECTOR_SQLITE_STORAGE_IMPL_H_

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/collector_storage.h"
#include "chosa/sqlite/sqlite_handle.h"
#include "acknowledged_record.h"
#include "sqlite_damage.h"

namespace chosa::collector {

// Resets a kept statement when the scope ends (also on an early return), so that no read
// transaction stays open and no static binding outlives its bytes.
class Running {
 public:
  explicit Running(Statement& statement) : statement_(statement) {}
  ~Running() {
    statement_.Reset();
    sqlite3_clear_bindings(statement_.get());
  }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;
  Statement& operator*() { return statement_; }
  Statement* operator->() { return &statement_; }

 private:
  Statement& statement_;
};

// A text column without a copy: valid until the statement steps or resets.
inline std::string_view ColumnText(const Statement& row, int column) {
  const unsigned char* text = sqlite3_column_text(row.get(), column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(row.get(), column))};
}

class SqliteStorage final : public CollectorStorage {
 public:
  SqliteStorage(std::string path, QuarantineLimits quarantine, std::string acknowledged_path)
      : path_(std::move(path)), quarantine_(quarantine), acknowledged_path_(std::move(acknowledged_path)) {}

  Status Open();

  // --- forms ---------------------------------------------------------------------------------
  Status PublishForm(const FormVersion& version) override;

  Result<FormVersion> GetFormVersion(std::string_view form_id, std::string_view version) override;

  Result<std::vector<FormVersion>> FormVersions(std::string_view form_id) override;

  Result<std::vector<FormSummary>> ListForms() override;

  Status SetFormState(std::string_view form_id, FormState state) override;

  Result<FormState> GetFormState(std::string_view form_id) override;

  // --- enrolment and tokens ------------------------------------------------------------------
  Status AddEnrolmentCode(std::string_view code, const std::vector<std::string>& forms, int64_t expires_at,
                          std::string_view for_device) override;

  Result<Device> Enroll(std::string_view code, std::string_view device_id, std::string_view device_name,
                        std::string_view token, int64_t now) override;

  Result<Principal> Authenticate(std::string_view token) override;

  Status AddAnalystToken(std::string_view name, std::string_view token) override;

  Result<std::vector<AnalystToken>> ListAnalystTokens() override;

  Status RevokeAnalystToken(std::string_view name) override;

  Result<std::vector<Device>> ListDevices() override;

  Status RevokeDevice(std::string_view device_id) override;

  // --- ownership of corrections (sqlite_storage_ownership.cpp) ------------------------------
  Status LinkDevices(std::string_view old_device_id, std::string_view new_device_id, std::string_view linked_by,
                     int64_t now) override;

  Status UnlinkDevices(std::string_view old_device_id, std::string_view new_device_id, std::string_view unlinked_by,
                       int64_t now) override;
  Result<std::vector<DeviceLink>> ListDeviceLinks() override;

  Result<std::vector<AppliedCorrection>> AppliedCorrections(std::string_view form_id) override;

  Result<std::vector<StoredSubmission>> UnappliedCorrections() override;

  // --- submissions ---------------------------------------------------------------------------
  using CollectorStorage::StoreBatch;
  Result<std::vector<protocol::PushResult>> StoreBatch(const Principal& device, size_t count,
                                                       const IngestItemAt& item_at, int64_t received_at) override;

  int64_t SubmissionCount(std::string_view form_id) override;

  Result<std::vector<StoredSubmission>> ReadSubmissions(std::string_view form_id, int64_t after, size_t limit) override;

  Result<int64_t> LastPosition(std::string_view form_id) override;

  Result<int64_t> PositionAfter(std::string_view form_id, int64_t after, size_t count) override;

  Result<std::vector<StoredSubmission>> NotRevalidated() override;

  Result<std::string> SubmissionBody(std::string_view uuid) override;

  // --- quarantine ----------------------------------------------------------------------------
  Result<std::vector<QuarantinedItem>> ListQuarantine(bool include_released) override;

  Result<QuarantinedItem> GetQuarantined(int64_t id) override;

  Status ReleaseQuarantined(int64_t id, int64_t now) override;

  // --- backup --------------------------------------------------------------------------------
  Status Backup(const std::string& path) override;

 private:
  static constexpr const char* kQuarantineColumns =
      "SELECT id, uuid, device_id, form_id, form_version, reason, body, received_at, released_at IS NOT NULL, "
      "size_bytes, body_sha256 FROM quarantine";

  static QuarantinedItem ReadQuarantined(const Statement& row);

  Status OpenConnections();
  Status Prepare();

  // What StoreBatch's transaction stored, for the acknowledged position.
  struct Stored {
    std::vector<protocol::PushResult> results;
    int64_t position = 0;  // the highest position of its accepted and duplicate submissions
    int64_t accepted = 0;
  };
  // REQUIRES: mutex_ not held (takes it).
  Result<Stored> StoreBatchTransaction(const Principal& device, size_t count, const IngestItemAt& item_at,
                                       int64_t received_at);

  // Calls row() for each row `rows` gives; an error preparing or stepping it is returned (a
  // listing never passes a failure off as an empty list).
  template <typename Row>
  Status EachRow(Statement& rows, std::string_view doing, Row row) {
    if (!rows.ok()) return StorageStatus(db_.get(), rows.prepare_code(), doing);
    int code;
    while ((code = rows.Step()) == SQLITE_ROW) row();
    if (code != SQLITE_DONE) return StorageStatus(db_.get(), code, doing);
    return Status::Ok();
  }

  // Sets revoked_at by `update` (its ?2 is `key`); revoking twice keeps the first time. NotFound
  // with `missing` when no row has that key.
  Status Revoke(const char* update_sql, std::string_view key, const std::string& what, const std::string& missing);

  // REQUIRES: mutex_ held, no transaction open.
  Status Begin() {
    Running begin(begin_);
    const int code = begin->Step();
    if (code != SQLITE_DONE) return StorageStatus(db_.get(), code, "starting a transaction");
    return Status::Ok();
  }

  Status Commit() {
    int code;
    {
      Running commit(commit_);
      code = commit->Step();
    }
    if (code != SQLITE_DONE) return Fail(code, "committing");
    return Status::Ok();
  }

  // Ends the open transaction, if any, without keeping anything of it.
  void Rollback() {
    if (sqlite3_get_autocommit(db_.get()) != 0) return;
    Running rollback(rollback_);
    rollback->Step();
  }

  // The error `code` as a Status, after rolling back: on any error nothing of the transaction stays.
  Status Fail(int code, std::string_view doing) {
    Status status = StorageStatus(db_.get(), code, doing);
    Rollback();
    return status;
  }

  Status UnknownForm(std::string_view form_id);

  // REQUIRES: mutex_ held. Whether a submission with this UUID is stored.
  Result<bool> IsStored(std::string_view uuid);
  // REQUIRES: mutex_ held. Whether `device_id` may correct submission `uuid`: yes when it sent
  // it, when a device it continues sent it (links), or when `uuid` is not stored (yet: the
  // export decides once it arrives). `owner` gets the sender of a stored one.
  Result<bool> MayCorrect(const std::string& device_id, std::string_view uuid, std::string* owner = nullptr);
  // The rejection reason of a correction of `uuid` by a device that may not correct it.
  static std::string NotYoursReason(std::string_view uuid);

  // The bytes the quarantine holds for each device and form, as one batch reads and adds to
  // them: each read once per batch (inside its transaction, so no other writer changes them).
  struct QuarantineUsage {
    std::map<std::string, int64_t, std::less<>> by_device, by_form;
  };
  Result<int64_t> HeldBytes(Statement& sum, std::string_view key, std::map<std::string, int64_t, std::less<>>& known);

  // REQUIRES: inside a transaction. Keeps `item` in the quarantine (whole, or its head: see
  // QuarantineLimits) unless a quota would be passed: then returns false and keeps nothing. A
  // retried push of the same rejected line is kept once.
  Result<bool> Quarantine(const std::string& device_id, const IngestItem& item, const std::string& reason,
                          const std::string& body_sha256, int64_t received_at, QuarantineUsage& usage);

  std::string path_;
  const QuarantineLimits quarantine_;
  std::string acknowledged_path_;
  // Written after each batch's commit, outside mutex_: the next batch's transaction proceeds while
  // this one's record is flushed.
  AcknowledgedRecord acknowledged_;
  std::mutex mutex_;  // guards db_ and every statement below
  Connection db_;
  Statement begin_, commit_, rollback_;
  Statement insert_submission_, submission_sha_, submission_body_, submission_owner_, continues_;
  Statement find_quarantined_, insert_quarantined_, touch_device_;
  Statement quarantine_device_bytes_, quarantine_form_bytes_;
  // The reads of every request (tokens, forms and their states) on a connection of their own:
  // in WAL mode they never wait for a push's transaction, and the ingest pipeline may read a
  // form while its batch is being stored (CollectorStorage::StoreBatch).
  struct Reader {
    std::mutex mutex;  // guards db and its statements; never held with mutex_ above
    Connection db;
    Statement device_by_token, analyst_by_token, get_form_version, get_form_state;
  } reader_;
};

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_SQLITE_STORAGE_IMPL_H_
