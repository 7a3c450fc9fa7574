// SqliteStorage's ownership of corrections (sqlite_storage_impl.h): a submission's `replaces` is
// honoured only when the submission it names was sent by the same enrolled device (the
// authenticated sender the collector recorded, never the device_id a submission declares), or by
// a former enrolment of the same tablet that the bureau linked to it. Here: the links, the check
// a push and a release make, and the corrections an export honours or not.
#include <sqlite3.h>

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sqlite_storage_impl.h"

namespace chosa::collector {

const char kReplacesNotYours[] = "replaces_not_yours";

namespace {

// Every (successor, predecessor) pair of device ids through the links, however long the chain.
constexpr char kContinuesCte[] =
    "WITH RECURSIVE continues (successor, predecessor) AS ("
    "SELECT new_device_id, old_device_id FROM device_links WHERE unlinked_at IS NULL UNION "
    "SELECT c.successor, l.old_device_id FROM continues c JOIN device_links l ON l.new_device_id = c.predecessor "
    "AND l.unlinked_at IS NULL) ";

// The corrections whose original is stored, with whether their device may correct it (honoured).
// A submission naming itself corrects nothing.
constexpr char kCorrectionsSql[] =
    "SELECT c.seq, c.uuid, c.form_id, c.form_version, c.device_id, c.replaces, c.received_at, "
    "c.uuid <> c.replaces AND (o.device_id = c.device_id OR EXISTS (SELECT 1 FROM continues k "
    "WHERE k.successor = c.device_id AND k.predecessor = o.device_id)) AS honoured "
    "FROM submissions c JOIN submissions o ON o.uuid = c.replaces WHERE c.replaces <> '' ";

}  // namespace

std::string SqliteStorage::NotYoursReason(std::string_view uuid) {
  return std::string(kReplacesNotYours) + ": submission " + std::string(uuid) +
         " was sent by another device, and a device corrects only its own (a re-enrolled tablet: the bureau links "
         "it to its former enrolment)";
}

Result<bool> SqliteStorage::MayCorrect(const std::string& device_id, std::string_view uuid, std::string* owner) {
  std::string sender;
  {
    Running find(submission_owner_);
    find->Bind(1, uuid);
    const int code = find->Step();
    if (code == SQLITE_DONE) return true;  // not received yet: AppliedCorrections decides once it is
    if (code != SQLITE_ROW) return StorageStatus(db_.get(), code, "reading who sent submission " + std::string(uuid));
    sender = find->Text(0);
  }
  if (owner != nullptr) *owner = sender;
  if (sender == device_id) return true;
  Running continues(continues_);
  continues->Bind(1, device_id).Bind(2, sender);
  const int code = continues->Step();
  if (code != SQLITE_ROW) return StorageStatus(db_.get(), code, "reading the links of device " + device_id);
  return continues->Int(0) != 0;
}

Status SqliteStorage::LinkDevices(std::string_view old_device_id, std::string_view new_device_id,
                                  std::string_view linked_by, int64_t now) {
  const std::string old_id(old_device_id), new_id(new_device_id);
  if (old_id == new_id) {
    return Status::InvalidArgument("a device cannot be linked to itself (" + old_id +
                                   "): link a tablet's former enrolment to its new one");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  Status status = Begin();
  if (!status.ok()) return status;
  // Both must be enrolled devices; OLD must no longer push.
  bool old_revoked = false;
  for (const std::string* id : {&old_id, &new_id}) {
    Statement device(db_.get(), "SELECT revoked_at IS NOT NULL FROM devices WHERE device_id = ?");
    device.Bind(1, *id);
    const int code = device.ok() ? device.Step() : device.prepare_code();
    if (code == SQLITE_DONE) {
      Rollback();
      return Status::NotFound("no device " + *id + ": `chosa-collector devices` lists the enrolled devices' ids");
    }
    if (code != SQLITE_ROW) return Fail(code, "reading device " + *id);
    if (id == &old_id) old_revoked = device.Int(0) != 0;
  }
  if (!old_revoked) {
    Rollback();
    return Status::PermissionDenied("device " + old_id + " is still active: revoke it first (chosa-collector revoke " +
                                    old_id + "), so that only " + new_id + " speaks for that tablet from now on");
  }
  // One line of enrolments per tablet: each device has one successor and one predecessor at most,
  // and no loop (NEW must not precede OLD already).
  {
    Statement existing(db_.get(),
                       "SELECT old_device_id, new_device_id FROM device_links WHERE unlinked_at IS NULL AND "
                       "(old_device_id = ?1 OR new_device_id = ?2)");
    existing.Bind(1, old_id).Bind(2, new_id);
    const int code = existing.ok() ? existing.Step() : existing.prepare_code();
    if (code == SQLITE_ROW) {
      const std::string found_old = existing.Text(0), found_new = existing.Text(1);
      Rollback();
      if (found_old == old_id && found_new == new_id) {
        return Status::AlreadyExists("device " + old_id + " is linked to " + new_id + " already");
      }
      if (found_old == old_id) {
        return Status::AlreadyExists("device " + old_id + " is linked to " + found_new +
                                     " already: a former enrolment has one successor (link " + found_new + " " +
                                     new_id + " to go on with the same tablet)");
      }
      return Status::AlreadyExists("device " + new_id + " continues " + found_old +
                                   " already: a device continues one former enrolment (link " + old_id + " " +
                                   found_old + " to put " + old_id + " before it)");
    }
    if (code != SQLITE_DONE) return Fail(code, "reading the device links");
  }
  {
    Running loop(continues_);
    loop->Bind(1, old_id).Bind(2, new_id);
    const int code = loop->Step();
    if (code != SQLITE_ROW) return Fail(code, "reading the device links");
    if (loop->Int(0) != 0) {
      loop->Reset();
      Rollback();
      return Status::AlreadyExists("device " + old_id + " continues " + new_id +
                                   " already: linking them the other way round would make a loop");
    }
  }
  Statement insert(db_.get(),
                   "INSERT INTO device_links (old_device_id, new_device_id, linked_at, linked_by) VALUES (?, ?, ?, ?)");
  insert.Bind(1, old_id).Bind(2, new_id).Bind(3, now).Bind(4, linked_by);
  const int code = insert.ok() ? insert.Step() : insert.prepare_code();
  if (code != SQLITE_DONE) return Fail(code, "linking device " + old_id + " to " + new_id);
  return Commit();
}

Status SqliteStorage::UnlinkDevices(std::string_view old_device_id, std::string_view new_device_id,
                                    std::string_view unlinked_by, int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement undo(db_.get(),
                 "UPDATE device_links SET unlinked_at = ?3, unlinked_by = ?4 WHERE old_device_id = ?1 AND "
                 "new_device_id = ?2 AND unlinked_at IS NULL");
  undo.Bind(1, old_device_id).Bind(2, new_device_id).Bind(3, now).Bind(4, unlinked_by);
  const int code = undo.ok() ? undo.Step() : undo.prepare_code();
  if (code != SQLITE_DONE) {
    return StorageStatus(db_.get(), code,
                         "unlinking device " + std::string(old_device_id) + " from " + std::string(new_device_id));
  }
  if (sqlite3_changes(db_.get()) == 0) {
    return Status::NotFound("device " + std::string(old_device_id) + " is not linked to " +
                            std::string(new_device_id) + ": `chosa-collector devices` lists the links");
  }
  return Status::Ok();
}

Result<std::vector<DeviceLink>> SqliteStorage::ListDeviceLinks() {
  std::vector<DeviceLink> out;
  std::lock_guard<std::mutex> lock(mutex_);
  Statement rows(db_.get(),
                 "SELECT old_device_id, new_device_id, linked_at, linked_by, COALESCE(unlinked_at, 0), "
                 "COALESCE(unlinked_by, '') FROM device_links ORDER BY linked_at, link_id");
  Status status = EachRow(rows, "listing the device links", [&] {
    out.push_back({rows.Text(0), rows.Text(1), rows.Int(2), rows.Text(3), rows.Int(4), rows.Text(5)});
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<AppliedCorrection>> SqliteStorage::AppliedCorrections(std::string_view form_id) {
  std::vector<AppliedCorrection> out;
  std::lock_guard<std::mutex> lock(mutex_);
  Statement rows(db_.get(), std::string(kContinuesCte) + "SELECT uuid, replaces FROM (" + kCorrectionsSql +
                                "AND c.form_id = ?) WHERE honoured ORDER BY seq");
  rows.Bind(1, form_id);
  Status status = EachRow(rows, "reading the corrections of form " + std::string(form_id),
                          [&] { out.push_back({rows.Text(0), rows.Text(1)}); });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<StoredSubmission>> SqliteStorage::UnappliedCorrections() {
  std::vector<StoredSubmission> out;
  std::lock_guard<std::mutex> lock(mutex_);
  Statement rows(db_.get(), std::string(kContinuesCte) + "SELECT * FROM (" + kCorrectionsSql +
                                ") WHERE NOT honoured ORDER BY seq");
  Status status = EachRow(rows, "reading the corrections not applied", [&] {
    out.push_back({rows.Int(0), rows.Text(1), rows.Text(2), rows.Text(3), rows.Text(4), rows.Text(5), rows.Int(6), ""});
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace chosa::collector
