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
  if (item.cut()) {
    Rollback();
    return Status::InvalidArgument("quarantined item " + std::to_string(id) + " keeps only the first " +
                                   std::to_string(item.body.size()) + " of its " + std::to_string(item.size) +
                                   " bytes (it was not a readable submission) and cannot be released");
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
  if (!envelope->replaces.empty()) {
    // The bureau's decision does not reach past ownership: a correction of another device's
    // submission would hide it from the exports. Linking the devices first lets it through.
    std::string owner;
    Result<bool> allowed = MayCorrect(item.device_id, envelope->replaces, &owner);
    if (!allowed.ok()) {
      Rollback();
      return allowed.status();
    }
    if (!*allowed) {
      Rollback();
      return Status::PermissionDenied("quarantined item " + std::to_string(id) + " from device " + item.device_id +
                                      " corrects submission " + envelope->replaces + ", which device " + owner +
                                      " sent; if " + item.device_id + " is the same tablet enrolled again, link them "
                                      "first (chosa-collector devices link " + owner + " " + item.device_id +
                                      "); the item stays where it is");
    }
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
  item.size = row.Int(9);
  item.body_sha256 = row.Text(10);
  return item;
}

Result<int64_t> SqliteStorage::HeldBytes(Statement& sum, std::string_view key,
                                         std::map<std::string, int64_t, std::less<>>& known) {
  auto found = known.find(key);
  if (found != known.end()) return found->second;
  Running query(sum);
  query->BindStatic(1, key);
  const int code = query->Step();
  if (code != SQLITE_ROW) return StorageStatus(db_.get(), code, "reading the size of the quarantine");
  const int64_t held = query->Int(0);
  known.emplace(std::string(key), held);
  return held;
}

// REQUIRES: inside a transaction.
Result<bool> SqliteStorage::Quarantine(const std::string& device_id, const IngestItem& item, const std::string& reason,
                                       const std::string& body_sha256, int64_t received_at, QuarantineUsage& usage) {
  {
    Running find(find_quarantined_);
    find->BindStatic(1, body_sha256).BindStatic(2, device_id).BindStatic(3, reason);
    const int code = find->Step();
    if (code == SQLITE_ROW) return true;  // kept already, by an earlier push of the same line
    if (code != SQLITE_DONE) return StorageStatus(db_.get(), code, "reading the quarantine");
  }
  // A submission the bureau might release is kept whole (the ingest pipeline bounded it by
  // max_submission_bytes); anything else only as far as an administrator needs to see what it was.
  const bool whole = item.valid || item.readable;
  const std::string_view kept = whole ? item.body : item.body.substr(0, quarantine_.head_bytes);
  const int64_t bytes = static_cast<int64_t>(kept.size());

  Result<int64_t> by_device = HeldBytes(quarantine_device_bytes_, device_id, usage.by_device);
  if (!by_device.ok()) return by_device.status();
  if (*by_device + bytes > quarantine_.device_bytes) return false;
  const std::string& form_id = item.envelope.form_id;
  if (!form_id.empty()) {  // an unreadable line belongs to no form: its device's quota bounds it
    Result<int64_t> by_form = HeldBytes(quarantine_form_bytes_, form_id, usage.by_form);
    if (!by_form.ok()) return by_form.status();
    if (*by_form + bytes > quarantine_.form_bytes) return false;
    usage.by_form[form_id] += bytes;
  }
  usage.by_device[device_id] += bytes;

  Running insert(insert_quarantined_);
  insert->BindStatic(1, item.envelope.uuid).BindStatic(2, device_id).BindStatic(3, form_id);
  insert->BindStatic(4, item.envelope.form_version).BindStatic(5, reason).BindStatic(6, kept);
  insert->BindStatic(7, body_sha256).Bind(8, received_at);
  insert->Bind(9, static_cast<int64_t>(item.body.size())).Bind(10, bytes);
  const int code = insert->Step();
  if (code != SQLITE_DONE) return StorageStatus(db_.get(), code, "quarantining a rejected submission");
  return true;
}

}  // namespace chosa::collector
