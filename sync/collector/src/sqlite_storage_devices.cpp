// SqliteStorage's devices and tokens (sqlite_storage_impl.h): enrolment codes, enrolling a
// device, authenticating a token, analyst tokens, listing and revoking.
#include <sqlite3.h>

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chosa/env.h"
#include "credentials.h"
#include "sqlite_storage_impl.h"
#include "chosa/base/hex_digest.h"

namespace chosa::collector {

namespace {

constexpr size_t kMaxDeviceNameBytes = 200;

std::string FormsToJson(const std::vector<std::string>& forms) { return nlohmann::json(forms).dump(); }

std::vector<std::string> FormsFromJson(const std::string& text) {
  nlohmann::json forms = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (!forms.is_array()) return out;
  for (const auto& form : forms) {
    if (form.is_string()) out.push_back(form.get<std::string>());
  }
  return out;
}

bool IsConstraintError(int code) { return (code & 0xFF) == SQLITE_CONSTRAINT; }

}  // namespace

Status SqliteStorage::AddEnrolmentCode(std::string_view code, const std::vector<std::string>& forms,
                                       int64_t expires_at, std::string_view for_device) {
  if (NormalizeEnrolmentCode(code).empty()) return Status::InvalidArgument("an enrolment code cannot be empty");
  if (forms.empty()) return Status::InvalidArgument("an enrolment code needs at least one form");
  std::lock_guard<std::mutex> lock(mutex_);
  Statement insert(db_.get(),
                   "INSERT INTO enrolment_codes (code_hash, forms, created_at, expires_at, for_device) "
                   "VALUES (?, ?, ?, ?, NULLIF(?, ''))");
  insert.Bind(1, HashEnrolmentCode(code)).Bind(2, FormsToJson(forms)).Bind(3, Env::Default()->NowMillis());
  insert.Bind(4, expires_at).Bind(5, for_device);
  const int step = insert.ok() ? insert.Step() : insert.prepare_code();
  if (IsConstraintError(step)) return Status::AlreadyExists("this enrolment code exists already");
  if (step != SQLITE_DONE) return StorageStatus(db_.get(), step, "adding an enrolment code");
  return Status::Ok();
}

Result<Device> SqliteStorage::Enroll(std::string_view code, std::string_view device_id, std::string_view device_name,
                                     std::string_view token, int64_t now) {
  std::optional<TokenParts> parts = SplitToken(token);
  if (!parts) return Status::InvalidArgument("a device token must be \"<16 hex digits>.<43 base64url characters>\"");
  if (device_id.empty()) return Status::InvalidArgument("a device needs an id");
  if (device_name.size() > kMaxDeviceNameBytes) {
    return Status::InvalidArgument("a device name is at most " + std::to_string(kMaxDeviceNameBytes) + " bytes");
  }
  const std::string code_hash = HashEnrolmentCode(code);
  std::lock_guard<std::mutex> lock(mutex_);
  Status status = Begin();
  if (!status.ok()) return status;
  Device device;
  std::string for_device;  // the identity the code was made for; "" for a new one
  {
    Statement find(db_.get(),
                   "SELECT forms, expires_at, used_at IS NOT NULL, COALESCE(for_device, '') FROM enrolment_codes "
                   "WHERE code_hash = ?");
    find.Bind(1, code_hash);
    const int step = find.ok() ? find.Step() : find.prepare_code();
    if (step != SQLITE_ROW) {
      if (step != SQLITE_DONE) return Fail(step, "reading enrolment codes");
      Rollback();
      return Status::PermissionDenied("unknown enrolment code: check it, or ask the bureau for a new one");
    }
    if (find.Int(2) != 0) {
      Rollback();
      return Status::PermissionDenied("this enrolment code was used already: each code enrols one device");
    }
    if (find.Int(1) <= now) {
      Rollback();
      return Status::PermissionDenied("this enrolment code has expired: ask the bureau for a new one");
    }
    device.forms = FormsFromJson(find.Text(0));
    for_device = find.Text(3);
  }
  if (!for_device.empty() && for_device != device_id) {
    Rollback();
    return Status::PermissionDenied("this enrolment code was made for device " + for_device + " only");
  }
  device.device_id = std::string(device_id);
  device.name = std::string(device_name);
  device.enrolled_at = now;
  {
    // A device is known by its store's identity. One that is enrolled keeps it: a second tablet
    // claiming it is refused. A revoked identity is enrolled again only with a code the bureau
    // made for it: it may correct what was sent under it, so an ordinary code cannot claim it.
    Statement existing(db_.get(), "SELECT revoked_at IS NOT NULL FROM devices WHERE device_id = ?");
    existing.Bind(1, device.device_id);
    const int step = existing.ok() ? existing.Step() : existing.prepare_code();
    if (step == SQLITE_ROW && existing.Int(0) == 0) {
      Rollback();
      return Status::AlreadyExists("device " + device.device_id +
                                   " is enrolled already; to enrol that device again, the bureau first revokes it "
                                   "(chosa-collector revoke " +
                                   device.device_id + ")");
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE) return Fail(step, "reading device " + device.device_id);
    if (step == SQLITE_ROW && for_device.empty()) {
      Rollback();
      return Status::PermissionDenied("device " + device.device_id +
                                      " was revoked; it enrols again only with a code made for it (chosa-collector "
                                      "enrol-code --forms ... --device " + device.device_id + ")");
    }
    if (step == SQLITE_ROW) {
      existing.Reset();
      Statement forget(db_.get(), "DELETE FROM devices WHERE device_id = ?");
      forget.Bind(1, device.device_id);
      const int deleted = forget.ok() ? forget.Step() : forget.prepare_code();
      if (deleted != SQLITE_DONE) return Fail(deleted, "replacing revoked device " + device.device_id);
    }
  }
  Statement insert(db_.get(),
                   "INSERT INTO devices (device_id, name, forms, token_id, token_hash, enrolled_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)");
  insert.Bind(1, device.device_id).Bind(2, device.name).Bind(3, FormsToJson(device.forms)).Bind(4, parts->id);
  insert.Bind(5, HashToken(token)).Bind(6, now);
  int step = insert.ok() ? insert.Step() : insert.prepare_code();
  if (IsConstraintError(step)) {
    Rollback();
    return Status::AlreadyExists("device " + device.device_id + " or its token id exists already");
  }
  if (step != SQLITE_DONE) return Fail(step, "enrolling device " + device.device_id);
  Statement use(db_.get(), "UPDATE enrolment_codes SET used_at = ?, device_id = ? WHERE code_hash = ?");
  use.Bind(1, now).Bind(2, device.device_id).Bind(3, code_hash);
  step = use.ok() ? use.Step() : use.prepare_code();
  if (step != SQLITE_DONE) return Fail(step, "using the enrolment code");
  status = Commit();
  if (!status.ok()) return status;
  return device;
}

Result<Principal> SqliteStorage::Authenticate(std::string_view token) {
  std::optional<TokenParts> parts = SplitToken(token);
  if (!parts) return Status::Unauthenticated("malformed token");
  const std::string hash = HashToken(token);
  std::lock_guard<std::mutex> lock(reader_.mutex);
  {
    Running device(reader_.device_by_token);
    device->Bind(1, parts->id);
    const int code = device->Step();
    if (code == SQLITE_ROW) {
      if (!ConstantTimeEquals(hash, device->Text(2))) return Status::Unauthenticated("unknown token");
      if (!device->IsNull(3)) return Status::Unauthenticated("this device's token was revoked");
      return Principal{Role::kDevice, device->Text(0), FormsFromJson(device->Text(1))};
    }
    if (code != SQLITE_DONE) return StorageStatus(reader_.db.get(), code, "checking a token");
  }
  Running analyst(reader_.analyst_by_token);
  analyst->Bind(1, parts->id);
  const int code = analyst->Step();
  if (code == SQLITE_ROW) {
    if (!ConstantTimeEquals(hash, analyst->Text(1))) return Status::Unauthenticated("unknown token");
    if (!analyst->IsNull(2)) return Status::Unauthenticated("this analyst token was revoked");
    return Principal{Role::kAnalyst, analyst->Text(0), {}};
  }
  if (code != SQLITE_DONE) return StorageStatus(reader_.db.get(), code, "checking a token");
  // The same work as a found id, so that timing does not tell ids that exist.
  ConstantTimeEquals(hash, Sha256Hex(token));
  return Status::Unauthenticated("unknown token");
}

Status SqliteStorage::AddAnalystToken(std::string_view name, std::string_view token) {
  std::optional<TokenParts> parts = SplitToken(token);
  if (!parts) return Status::InvalidArgument("a token must be \"<16 hex digits>.<43 base64url characters>\"");
  if (name.empty()) return Status::InvalidArgument("an analyst token needs a name");
  std::lock_guard<std::mutex> lock(mutex_);
  Statement insert(db_.get(),
                   "INSERT INTO analyst_tokens (name, token_id, token_hash, created_at) VALUES (?, ?, ?, ?)");
  insert.Bind(1, name).Bind(2, parts->id).Bind(3, HashToken(token)).Bind(4, Env::Default()->NowMillis());
  const int code = insert.ok() ? insert.Step() : insert.prepare_code();
  if (IsConstraintError(code)) {
    return Status::AlreadyExists("an analyst token named \"" + std::string(name) + "\" exists already");
  }
  if (code != SQLITE_DONE) return StorageStatus(db_.get(), code, "adding an analyst token");
  return Status::Ok();
}

Result<std::vector<AnalystToken>> SqliteStorage::ListAnalystTokens() {
  std::vector<AnalystToken> out;
  std::lock_guard<std::mutex> lock(mutex_);
  Statement rows(db_.get(), "SELECT name, created_at, revoked_at IS NOT NULL FROM analyst_tokens ORDER BY name");
  Status status = EachRow(rows, "listing the analyst tokens", [&] {
    out.push_back({rows.Text(0), rows.Int(1), rows.Int(2) != 0});
  });
  if (!status.ok()) return status;
  return out;
}

Status SqliteStorage::RevokeAnalystToken(std::string_view name) {
  return Revoke("UPDATE analyst_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE name = ?", name,
                "analyst token " + std::string(name), "no analyst token named " + std::string(name));
}

Result<std::vector<Device>> SqliteStorage::ListDevices() {
  std::vector<Device> out;
  std::lock_guard<std::mutex> lock(mutex_);
  // A re-enrolment replaces the device's row; the codes it used keep each enrolment's time.
  Statement rows(db_.get(),
                 "SELECT d.device_id, d.name, d.forms, d.enrolled_at, d.last_seen_at, d.revoked_at IS NOT NULL, "
                 "  COUNT(c.used_at), MIN(c.used_at) "
                 "FROM devices d LEFT JOIN enrolment_codes c ON c.device_id = d.device_id "
                 "GROUP BY d.device_id ORDER BY d.enrolled_at, d.device_id");
  Status status = EachRow(rows, "listing the devices", [&] {
    Device device{rows.Text(0), rows.Text(1), FormsFromJson(rows.Text(2)), rows.Int(3), rows.Int(4), rows.Int(5) != 0};
    device.enrolments = std::max<int64_t>(1, rows.Int(6));
    device.first_enrolled_at = rows.Int(6) > 0 ? std::min(rows.Int(7), device.enrolled_at) : device.enrolled_at;
    out.push_back(std::move(device));
  });
  if (!status.ok()) return status;
  return out;
}

Status SqliteStorage::RevokeDevice(std::string_view device_id) {
  return Revoke("UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE device_id = ?", device_id,
                "device " + std::string(device_id), "no device " + std::string(device_id));
}

// Sets revoked_at by `update` (its ?2 is `key`); revoking twice keeps the first time. NotFound
// with `missing` when no row has that key.
Status SqliteStorage::Revoke(const char* update_sql, std::string_view key, const std::string& what,
                             const std::string& missing) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement update(db_.get(), update_sql);
  update.Bind(1, Env::Default()->NowMillis()).Bind(2, key);
  const int code = update.ok() ? update.Step() : update.prepare_code();
  if (code != SQLITE_DONE) return StorageStatus(db_.get(), code, "revoking " + what);
  if (sqlite3_changes(db_.get()) == 0) return Status::NotFound(missing);
  return Status::Ok();
}

}  // namespace chosa::collector
