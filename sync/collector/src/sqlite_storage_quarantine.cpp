// SqliteStorage's quarantine (sqlite_storage_impl.h): what a push brought that was not stored
// as a submission, listing it, and releasing an item into the submissions.
#include <sqlite3.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sqlite_storage_impl.h"
#include "chosa/base/hex_digest.h"

namespace chosa::collector {

Result<std::vector<QuarantinedItem>> SqliteStorage::ListQuarantine(bool include_released) {
  std::vector<QuarantinedItem> out;
  std::lock_guard<std::mutex> lock(mutex_);
  Statement rows(db_.get(), std::string(kQuarantineColumns) + " WHERE ?1 OR released_at IS NULL ORDER BY id");
  rows.Bind(1, int64_t{include_released ? 1 : 0});
  Status status = EachRow(rows, "reading the quarantine", [&] { out.push_back(ReadQuarantined(rows)); });
  if (!status.ok()) return status;
  return out;
}

Result<QuarantinedItem> SqliteStorage::GetQuarantined(int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement row(db_.get(), std::string(kQuarantineColumns) + " WHERE id = ?");
  row.Bind(1, id);
  const int code = row.ok() ? row.Step() : row.prepare_code();
  if (code == SQLITE_DONE) return Status::NotFound("no quarantined item " + std::to_string(id));
  if (code != SQLITE_ROW) return StorageStatus(db_.get(), code, "reading the quarantine");
  return ReadQuarantined(row);
}

Status SqliteStorage::ReleaseQuarantined(int64_t id, int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  Status status = Begin();
  if (!status.ok()) return status;
  QuarantinedItem item;
  {
    Statement row(db_.get(), std::string(kQuarantineColumns) + " WHERE id = ?");
    row.Bind(1, id);
    const int code = row.ok() ? row.Step() : row.prepare_code();
    if (code == SQLITE_DONE) {
      Rollback();
      return Status::NotFound("no quarantined item " + std::to_string(id));
    }
    if (code != SQLITE_ROW) return Fail(code, "reading the quarantine");
    item = ReadQuarantined(row);
  }
  if (item.released) {
    Rollback();
    return Status::AlreadyExists("quarantined item " + std::to_string(id) + " was released already");
  }
  // Only a readable submission can join the others (exports read its envelope and answers);
  // the size limit that may have quarantined it does not apply to the bureau's decision.
  protocol::Limits limits;
  limits.max_submission_bytes = std::max(limits.max_submission_bytes, item.body.size());
  Result<protocol::Envelope> envelope = protocol::ReadEnvelope(item.body, limits);
  if (!envelope.ok()) {
    Rollback();
    return Status::InvalidArgument("quarantined item " + std::to_string(id) +
                                   " is not a readable submission and cannot be released (" +
                                   envelope.status().ToString() + ")");
  }
  {
    Running stored(submission_sha_);
    stored->Bind(1, envelope->uuid);
    const int code = stored->Step();
    if (code == SQLITE_ROW) {
      const bool same = stored->Text(0) == envelope->sha256;
      stored->Reset();
      Rollback();
      return Status::AlreadyExists("a submission with uuid " + envelope->uuid + " is stored already" +
                                   (same ? " with the same content" : " with other content") + "; quarantined item " +
                                   std::to_string(id) + " stays where it is");
    }
    if (code != SQLITE_DONE) return Fail(code, "reading submission " + envelope->uuid);
  }
  {
    Running insert(insert_submission_);
    insert->Bind(1, envelope->uuid).Bind(2, envelope->form_id).Bind(3, envelope->form_version);
    insert->Bind(4, item.device_id).Bind(5, envelope->replaces).Bind(6, envelope->sha256);
    insert->Bind(7, item.received_at).Bind(8, item.body).Bind(9, int64_t{0});  // the bureau's decision, unchecked
    const int code = insert->Step();
    if (code != SQLITE_DONE) return Fail(code, "storing submission " + envelope->uuid);
  }
  Statement release(db_.get(), "UPDATE quarantine SET released_at = ? WHERE id = ?");
  release.Bind(1, now).Bind(2, id);
  const int code = release.ok() ? release.Step() : release.prepare_code();
  if (code != SQLITE_DONE) return Fail(code, "releasing quarantined item " + std::to_string(id));
  return Commit();
}

QuarantinedItem SqliteStorage::ReadQuarantined(const Statement& row) {
  QuarantinedItem item;
  item.id = row.Int(0);
  item.uuid = row.Text(1);
  item.device_id = row.Text(2);
  item.form_id = row.Text(3);
  item.form_version = row.Text(4);
  item.reason = row.Text(5);
  item.body = row.Text(6);
  item.received_at = row.Int(7);
  item.released = row.Int(8) != 0;
  return item;
}

// REQUIRES: inside a transaction. A retried push of the same rejected line is kept once.
Status SqliteStorage::Quarantine(const std::string& device_id, const IngestItem& item, const std::string& reason,
                                 const std::string& body_sha256, int64_t received_at) {
  {
    Running find(find_quarantined_);
    find->BindStatic(1, body_sha256).BindStatic(2, device_id).BindStatic(3, reason);
    const int code = find->Step();
    if (code == SQLITE_ROW) return Status::Ok();
    if (code != SQLITE_DONE) return StorageStatus(db_.get(), code, "reading the quarantine");
  }
  Running insert(insert_quarantined_);
  insert->BindStatic(1, item.envelope.uuid).BindStatic(2, device_id).BindStatic(3, item.envelope.form_id);
  insert->BindStatic(4, item.envelope.form_version).BindStatic(5, reason).BindStatic(6, item.body);
  insert->BindStatic(7, body_sha256).Bind(8, received_at);
  const int code = insert->Step();
  if (code != SQLITE_DONE) return StorageStatus(db_.get(), code, "quarantining a rejected submission");
  return Status::Ok();
}

}  // namespace chosa::collector
