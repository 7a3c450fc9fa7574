// SqliteStorage's submissions (sqlite_storage_impl.h): storing a pushed batch in one
// transaction (the ingest hot path), and the reads exports and checks make.
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

namespace {

constexpr char kDifferentContent[] = "uuid already stored with different content";

}  // namespace

Result<bool> SqliteStorage::IsStored(std::string_view uuid) {
  Running stored(submission_sha_);
  stored->Bind(1, uuid);
  const int code = stored->Step();
  if (code != SQLITE_ROW && code != SQLITE_DONE) {
    return SqliteStatus(db_.get(), code, "reading submission " + std::string(uuid));
  }
  return code == SQLITE_ROW;
}

Result<std::vector<protocol::PushResult>> SqliteStorage::StoreBatch(const Principal& device, size_t count,
                                                                    const IngestItemAt& item_at, int64_t received_at) {
  Result<Stored> stored = StoreBatchTransaction(device, count, item_at, received_at);
  if (!stored.ok()) return stored.status();
  // Before the answer leaves: a database later found behind this record is refused at start.
  Status recorded = acknowledged_.Advance(stored->position, stored->accepted);
  if (!recorded.ok()) return Status::Unavailable(std::string(kNotAcknowledged) + " (" + recorded.message() + ")");
  return std::move(stored->results);
}

Result<SqliteStorage::Stored> SqliteStorage::StoreBatchTransaction(const Principal& device, size_t count,
                                                                   const IngestItemAt& item_at, int64_t received_at) {
  Stored out;
  std::vector<protocol::PushResult>& results = out.results;
  results.reserve(count);
  if (count == 0) return out;
  std::lock_guard<std::mutex> lock(mutex_);
  Status status = Begin();
  if (!status.ok()) return status;
  QuarantineUsage usage;
  for (size_t index = 0; index < count; ++index) {
    const IngestItem* next = item_at(index);
    if (next == nullptr) {
      Rollback();
      return Status::Unavailable("the batch was abandoned while it was being stored; nothing of it is stored");
    }
    const IngestItem& item = *next;
    protocol::PushResult result;
    result.uuid = item.envelope.uuid;
    std::string reason;
    std::string sha256 = item.envelope.sha256;
    if (item.valid && !item.envelope.replaces.empty()) {
      // A correction of another device's submission is refused; checked for a new UUID only, so
      // that a retried push of a correction accepted before stays a duplicate.
      Result<bool> allowed = IsStored(item.envelope.uuid);
      if (allowed.ok() && !*allowed) allowed = MayCorrect(device.id, item.envelope.replaces);
      if (!allowed.ok()) {
        Rollback();
        return allowed.status();
      }
      if (!*allowed) reason = NotYoursReason(item.envelope.replaces);
    }
    if (item.valid && reason.empty()) {
      if (sha256.empty()) sha256 = Sha256Hex(item.body);
      Running insert(insert_submission_);
      insert->BindStatic(1, item.envelope.uuid).BindStatic(2, item.envelope.form_id);
      insert->BindStatic(3, item.envelope.form_version).BindStatic(4, device.id);
      insert->BindStatic(5, item.envelope.replaces).BindStatic(6, sha256).Bind(7, received_at);
      insert->BindStatic(8, item.body).Bind(9, int64_t{1});  // re-validated by the ingest pipeline
      const int code = insert->Step();
      if (code != SQLITE_DONE) return Fail(code, "storing submission " + item.envelope.uuid);
      if (sqlite3_changes(db_.get()) == 1) {
        out.position = std::max<int64_t>(out.position, sqlite3_last_insert_rowid(db_.get()));
        ++out.accepted;
        result.status = protocol::PushStatus::kAccepted;
        results.push_back(std::move(result));
        continue;
      }
      // The UUID is taken (before, or earlier in this batch): the same content is a duplicate.
      Running stored(submission_sha_);
      stored->BindStatic(1, item.envelope.uuid);
      const int found = stored->Step();
      if (found != SQLITE_ROW) return Fail(found, "reading submission " + item.envelope.uuid);
      if (stored->Text(0) == sha256) {
        // Acknowledged now, maybe for the first time (the answer to its first push was lost).
        out.position = std::max(out.position, stored->Int(1));
        result.status = protocol::PushStatus::kDuplicate;
        results.push_back(std::move(result));
        continue;
      }
      reason = kDifferentContent;
    } else if (!item.valid) {
      reason = item.reason.empty() ? "not a valid submission" : item.reason;
      sha256 = Sha256Hex(item.body);
    } else if (sha256.empty()) {
      sha256 = Sha256Hex(item.body);
    }
    Result<bool> kept = Quarantine(device.id, item, reason, sha256, received_at, usage);
    if (!kept.ok()) {
      Rollback();
      return kept.status();
    }
    result.status = protocol::PushStatus::kRejected;
    result.reason = *kept ? std::move(reason)
                          : std::string(kQuarantineFull) +
                                ": the collector's quarantine for this device or form is full, so this line was not "
                                "kept; it was rejected because " + reason;
    results.push_back(std::move(result));
  }
  {
    Running touch(touch_device_);
    touch->Bind(1, received_at).BindStatic(2, device.id);
    const int code = touch->Step();
    if (code != SQLITE_DONE) return Fail(code, "noting when device " + device.id + " was seen");
  }
  status = Commit();
  if (!status.ok()) return status;
  return out;
}

int64_t SqliteStorage::SubmissionCount(std::string_view form_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  // "" counts every form's.
  Statement count(db_.get(), "SELECT COUNT(*) FROM submissions WHERE ?1 = '' OR form_id = ?1");
  count.Bind(1, form_id);
  return count.ok() && count.Step() == SQLITE_ROW ? count.Int(0) : 0;
}

Result<std::vector<StoredSubmission>> SqliteStorage::ReadSubmissions(std::string_view form_id, int64_t after,
                                                                     size_t limit) {
  std::vector<StoredSubmission> out;
  std::lock_guard<std::mutex> lock(mutex_);
  Statement rows(db_.get(),
                 "SELECT seq, uuid, form_version, device_id, replaces, received_at, body, sha256 FROM submissions "
                 "WHERE form_id = ? AND seq > ? ORDER BY seq LIMIT ?");
  rows.Bind(1, form_id).Bind(2, after).Bind(3, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  Status damaged;
  Status status = EachRow(rows, "reading the submissions of form " + std::string(form_id), [&] {
    if (!damaged.ok()) return;
    out.push_back({rows.Int(0), rows.Text(1), std::string(form_id), rows.Text(2), rows.Text(3), rows.Text(4),
                   rows.Int(5), rows.Text(6)});
    // Only bytes that are still those received leave the storage.
    damaged = VerifySubmissionBytes(out.back().uuid, out.back().body, ColumnText(rows, 7));
  });
  if (!status.ok()) return status;
  if (!damaged.ok()) return damaged;
  return out;
}

Result<int64_t> SqliteStorage::LastPosition(std::string_view form_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Two statements: one with "?1 = '' OR" could not use the form's index.
  Statement last(db_.get(), form_id.empty() ? "SELECT COALESCE(MAX(seq), 0) FROM submissions"
                                            : "SELECT COALESCE(MAX(seq), 0) FROM submissions WHERE form_id = ?");
  if (!form_id.empty()) last.Bind(1, form_id);
  const int code = last.ok() ? last.Step() : last.prepare_code();
  if (code != SQLITE_ROW)
    return StorageStatus(db_.get(), code, "reading the last submission of " + std::string(form_id));
  return last.Int(0);
}

Result<int64_t> SqliteStorage::PositionAfter(std::string_view form_id, int64_t after, size_t count) {
  if (count == 0) return after;
  std::lock_guard<std::mutex> lock(mutex_);
  // The count-th position after `after`, or the last when there are fewer.
  Statement nth(db_.get(),
                "SELECT COALESCE((SELECT seq FROM submissions WHERE form_id = ?1 AND seq > ?2 ORDER BY seq "
                "LIMIT 1 OFFSET ?3), (SELECT MAX(seq) FROM submissions WHERE form_id = ?1), 0)");
  nth.Bind(1, form_id).Bind(2, after).Bind(3, static_cast<int64_t>(std::min<size_t>(count - 1, INT64_MAX)));
  const int code = nth.ok() ? nth.Step() : nth.prepare_code();
  if (code != SQLITE_ROW) return StorageStatus(db_.get(), code, "reading the submissions of " + std::string(form_id));
  return std::max(after, nth.Int(0));
}

Result<std::vector<StoredSubmission>> SqliteStorage::NotRevalidated() {
  std::vector<StoredSubmission> out;
  std::lock_guard<std::mutex> lock(mutex_);
  Statement rows(db_.get(),
                 "SELECT seq, uuid, form_id, form_version, device_id, replaces, received_at FROM submissions "
                 "WHERE revalidated = 0 ORDER BY seq");
  Status status = EachRow(rows, "reading the submissions never re-validated", [&] {
    out.push_back({rows.Int(0), rows.Text(1), rows.Text(2), rows.Text(3), rows.Text(4), rows.Text(5), rows.Int(6), ""});
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::string> SqliteStorage::SubmissionBody(std::string_view uuid) {
  std::lock_guard<std::mutex> lock(mutex_);
  Running query(submission_body_);
  query->Bind(1, uuid);
  const int code = query->Step();
  if (code == SQLITE_DONE) return Status::NotFound("no submission " + std::string(uuid));
  if (code != SQLITE_ROW) return StorageStatus(db_.get(), code, "reading submission " + std::string(uuid));
  std::string body = query->Text(0);
  Status verified = VerifySubmissionBytes(uuid, body, ColumnText(*query, 1));
  if (!verified.ok()) return verified;
  return body;
}

}  // namespace chosa::collector
