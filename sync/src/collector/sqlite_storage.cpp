#include "collector/sqlite_storage.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chosa/env.h"
#include "collector/credentials.h"
#include "hex_digest.h"
#include "store/sqlite_handle.h"
#include "store/sqlite_migrations.h"

namespace chosa::collector {
namespace {

namespace fs = std::filesystem;

// Version 1: the first schema. Times are ms since the epoch; hashes are lower-case hex SHA-256.
constexpr const char* kVersion1 = R"SQL(
CREATE TABLE forms (
  form_id TEXT PRIMARY KEY,
  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed', 'archived')),
  created_at INTEGER NOT NULL
);
CREATE TABLE form_versions (
  form_id TEXT NOT NULL REFERENCES forms (form_id),
  version TEXT NOT NULL,
  json TEXT NOT NULL,               -- the resolved form ($refs inlined): the bytes served and hashed
  sha256 TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  seq INTEGER NOT NULL UNIQUE,      -- publishing order
  PRIMARY KEY (form_id, version)
);
CREATE TABLE enrolment_codes (
  code_hash TEXT PRIMARY KEY,       -- of the normalized code; the code itself is never stored
  forms TEXT NOT NULL,              -- JSON array of form ids
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  device_id TEXT
);
CREATE TABLE devices (
  device_id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  forms TEXT NOT NULL,              -- JSON array of form ids
  token_id TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL,         -- of the whole token
  enrolled_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL DEFAULT 0,
  revoked_at INTEGER
);
CREATE TABLE analyst_tokens (
  name TEXT PRIMARY KEY,
  token_id TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE TABLE submissions (
  -- Commit order, never reused: the export cursor. Not AUTOINCREMENT (its sqlite_sequence row
  -- cost a sixth of an insert): SQLite gives max(seq) + 1, which grows for ever because no
  -- submission is ever deleted; a deletion, if one is ever added, must keep the highest row.
  seq INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  form_id TEXT NOT NULL,
  form_version TEXT NOT NULL,
  device_id TEXT NOT NULL,          -- the authenticated device that pushed it
  replaces TEXT NOT NULL DEFAULT '',
  sha256 TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  body TEXT NOT NULL                -- the canonical bytes, exactly as received
);
CREATE INDEX submissions_by_form ON submissions (form_id, seq);
CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid TEXT NOT NULL DEFAULT '',    -- '' when the line was not readable
  device_id TEXT NOT NULL,
  form_id TEXT NOT NULL DEFAULT '',
  form_version TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL,
  body TEXT NOT NULL,
  body_sha256 TEXT NOT NULL,        -- a retried push of the same line is not kept twice
  received_at INTEGER NOT NULL,
  released_at INTEGER
);
CREATE INDEX quarantine_by_body ON quarantine (body_sha256);
CREATE INDEX quarantine_by_form ON quarantine (form_id);
)SQL";

// Version 2: an export keeps the latest submission of each correction chain; it finds the
// corrected ones without reading every submission of the form.
constexpr const char* kVersion2 = R"SQL(
CREATE INDEX submissions_replacing ON submissions (form_id, replaces) WHERE replaces <> '';
)SQL";

// Version 3: whether each submission was re-validated against its form version when it was
// stored (`chosa-collector check` lists those that were not). Pushes are; a quarantined item the
// bureau released is not. Before this version, submissions of a form with settings.public_key
// were stored unchecked, and released ones too.
constexpr const char* kVersion3 = R"SQL(
ALTER TABLE submissions ADD COLUMN revalidated INTEGER NOT NULL DEFAULT 1;
UPDATE submissions SET revalidated = 0
  WHERE uuid IN (SELECT uuid FROM quarantine WHERE released_at IS NOT NULL AND uuid <> '')
     OR EXISTS (SELECT 1 FROM form_versions v WHERE v.form_id = submissions.form_id
                AND v.version = submissions.form_version AND json_valid(v.json)
                AND json_extract(v.json, '$.settings.public_key') IS NOT NULL);
CREATE INDEX submissions_not_revalidated ON submissions (seq) WHERE revalidated = 0;
)SQL";

constexpr const char* kMigrations[] = {kVersion1, kVersion2, kVersion3};

constexpr size_t kMaxDeviceNameBytes = 200;

constexpr char kDifferentContent[] = "uuid already stored with different content";

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

bool ParseState(const std::string& text, FormState* state) {
  for (FormState candidate : {FormState::kOpen, FormState::kClosed, FormState::kArchived}) {
    if (text == FormStateName(candidate)) {
      *state = candidate;
      return true;
    }
  }
  return false;
}

bool IsConstraintError(int code) { return (code & 0xFF) == SQLITE_CONSTRAINT; }

// Applies the migrations past the database's user_version, each in its own transaction, marking
// the database as a collector's (store/sqlite_migrations.h: the version is read again inside the
// transaction, so that two processes opening an old database at once do not race; a current
// database is opened without taking the write lock).
Status Migrate(Connection& db) {
  static const std::string stamp = "PRAGMA application_id = " + std::to_string(kSqliteApplicationId) + ";";
  SqliteMigrations migrations;
  migrations.steps = kMigrations;
  migrations.step_count = SqliteSchemaVersion();
  migrations.subject = "the collector database";
  migrations.stamp = stamp;
  migrations.refuse_newer = [](int64_t found, int supported) {
    return Status::Unsupported("the collector database was written by a newer chosa-collector (schema " +
                               std::to_string(found) + "; this one reads up to " + std::to_string(supported) +
                               "): update chosa-collector; nothing was changed");
  };
  return RunSqliteMigrations(db, migrations);
}

// Reads application_id and user_version without writing anything, and refuses what is not a
// collector database of this build or an older one.
Status ProbeDatabase(const std::string& path) {
  Connection probe;
  Status opened = probe.Open(path, SQLITE_OPEN_READONLY);
  if (!opened.ok()) return opened;
  Result<int64_t> application = probe.QueryInt("PRAGMA application_id", "reading " + path);
  if (!application.ok()) {
    return Status::Corruption(path + " is not a readable SQLite database (" + application.status().message() + ")");
  }
  Result<int64_t> version = probe.QueryInt("PRAGMA user_version", "reading " + path);
  if (!version.ok()) return version.status();
  if (*application != kSqliteApplicationId) {
    return Status::InvalidArgument(path + " is an SQLite database but not a chosa collector's");
  }
  if (*version > SqliteSchemaVersion()) {
    return Status::Unsupported(path + " was written by a newer chosa-collector (schema " + std::to_string(*version) +
                               "; this one reads up to " + std::to_string(SqliteSchemaVersion()) +
                               "): update chosa-collector; nothing was changed");
  }
  return Status::Ok();
}

Status SetUpConnection(Connection& db) {
  // WAL: readers never wait for the writer. synchronous=FULL: a commit (an acknowledged batch)
  // is on disk before the answer leaves. foreign_keys: versions belong to forms.
  Statement mode(db.get(), "PRAGMA journal_mode=WAL");
  int code = mode.ok() ? mode.Step() : mode.prepare_code();
  if (code != SQLITE_ROW) return SqliteStatus(db.get(), code, "setting the collector database to WAL mode");
  if (mode.Text(0) != "wal") {
    return Status::IOError("the collector database cannot use WAL mode here (journal_mode is " + mode.Text(0) +
                           "): put the data directory on a local file system");
  }
  return db.Exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", "setting up the collector database");
}

// Best effort: makes a rename inside `dir` durable.
void SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Creates the database complete under a temporary name and links it into place, so that
// collector.sqlite is never a half-made file; a concurrent creator's file wins.
Status CreateDatabase(const std::string& path) {
  const std::string temporary = path + ".creating-" + std::to_string(::getpid());
  for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((temporary + suffix).c_str());
  {
    Connection db;
    Status status = db.Open(temporary, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    // Token hashes and people's answers: its owner only (SQLite gives -wal and -shm the same mode).
    if (status.ok()) ::chmod(temporary.c_str(), S_IRUSR | S_IWUSR);
    if (status.ok()) status = SetUpConnection(db);
    if (status.ok()) status = Migrate(db);
    if (!status.ok()) {
      db.Close();
      for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((temporary + suffix).c_str());
      return status;
    }
  }  // closing the last connection checkpoints the WAL into the file and removes it
  if (::link(temporary.c_str(), path.c_str()) != 0 && errno != EEXIST) {
    const int error = errno;
    ::unlink(temporary.c_str());
    return Status::IOError("creating " + path + ": " + std::strerror(error));
  }
  ::unlink(temporary.c_str());
  SyncDirectory(DirectoryOf(path));
  return Status::Ok();
}

class SqliteStorage final : public CollectorStorage {
 public:
  explicit SqliteStorage(std::string path) : path_(std::move(path)) {}

  Status Open() {
    Status status = ProbeDatabase(path_);
    if (!status.ok()) return status;
    status = db_.Open(path_, SQLITE_OPEN_READWRITE);
    if (!status.ok()) return status;
    status = SetUpConnection(db_);
    if (!status.ok()) return status;
    status = Migrate(db_);
    if (!status.ok()) return status;
    status = reader_.db.Open(path_, SQLITE_OPEN_READWRITE);
    if (!status.ok()) return status;
    status = reader_.db.Exec("PRAGMA query_only=ON", "setting up the collector's reading connection");
    if (!status.ok()) return status;
    return Prepare();
  }

  // --- forms ---------------------------------------------------------------------------------

  Status PublishForm(const FormVersion& version) override {
    if (version.form_id.empty() || version.version.empty() || version.json.empty()) {
      return Status::InvalidArgument("a form version needs a form id, a version and its JSON");
    }
    const std::string sha256 = Sha256Hex(version.json);
    if (!version.sha256.empty() && version.sha256 != sha256) {
      return Status::InvalidArgument("the SHA-256 given for form " + version.form_id + " version " + version.version +
                                     " is not that of its JSON");
    }
    std::lock_guard<std::mutex> lock(mutex_);
    Status status = Begin();
    if (!status.ok()) return status;
    {
      Statement existing(db_.get(), "SELECT sha256 FROM form_versions WHERE form_id = ? AND version = ?");
      existing.Bind(1, version.form_id).Bind(2, version.version);
      const int code = existing.ok() ? existing.Step() : existing.prepare_code();
      if (code == SQLITE_ROW) {
        const bool same = existing.Text(0) == sha256;
        Rollback();
        if (same) return Status::Ok();
        return Status::AlreadyExists("form " + version.form_id + " version " + version.version +
                                     " is already published with other content; a published version never "
                                     "changes: publish the change as a new version");
      }
      if (code != SQLITE_DONE) return Fail(code, "reading the published forms");
    }
    Statement form(db_.get(),
                   "INSERT INTO forms (form_id, state, created_at) VALUES (?, 'open', ?) "
                   "ON CONFLICT (form_id) DO NOTHING");
    form.Bind(1, version.form_id).Bind(2, version.published_at);
    int code = form.ok() ? form.Step() : form.prepare_code();
    if (code != SQLITE_DONE) return Fail(code, "publishing form " + version.form_id);
    Statement insert(db_.get(),
                     "INSERT INTO form_versions (form_id, version, json, sha256, published_at, seq) VALUES "
                     "(?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM form_versions))");
    insert.Bind(1, version.form_id).Bind(2, version.version).Bind(3, version.json).Bind(4, sha256);
    insert.Bind(5, version.published_at);
    code = insert.ok() ? insert.Step() : insert.prepare_code();
    if (code != SQLITE_DONE) return Fail(code, "publishing form " + version.form_id + " version " + version.version);
    return Commit();
  }

  Result<FormVersion> GetFormVersion(std::string_view form_id, std::string_view version) override {
    std::lock_guard<std::mutex> lock(reader_.mutex);
    Running query(reader_.get_form_version);
    query->Bind(1, form_id).Bind(2, version);
    const int code = query->Step();
    if (code == SQLITE_DONE) {
      return Status::NotFound("form " + std::string(form_id) + " has no published version " + std::string(version));
    }
    if (code != SQLITE_ROW) return SqliteStatus(reader_.db.get(), code, "reading a form version");
    return FormVersion{std::string(form_id), std::string(version), query->Text(0), query->Text(1), query->Int(2)};
  }

  Result<std::vector<FormVersion>> FormVersions(std::string_view form_id) override {
    std::vector<FormVersion> out;
    std::lock_guard<std::mutex> lock(mutex_);
    Statement rows(db_.get(),
                   "SELECT version, json, sha256, published_at FROM form_versions WHERE form_id = ? ORDER BY seq");
    rows.Bind(1, form_id);
    Status status = EachRow(rows, "reading the versions of form " + std::string(form_id), [&] {
      out.push_back({std::string(form_id), rows.Text(0), rows.Text(1), rows.Text(2), rows.Int(3)});
    });
    if (!status.ok()) return status;
    return out;
  }

  Result<std::vector<FormSummary>> ListForms() override {
    std::vector<FormSummary> out;
    std::lock_guard<std::mutex> lock(mutex_);
    Statement forms(db_.get(),
                    "SELECT form_id, state, "
                    "(SELECT COUNT(*) FROM submissions s WHERE s.form_id = f.form_id), "
                    "(SELECT COUNT(*) FROM quarantine q WHERE q.form_id = f.form_id AND q.released_at IS NULL) "
                    "FROM forms f ORDER BY form_id");
    std::map<std::string, size_t> index;
    Status status = EachRow(forms, "listing the forms", [&] {
      FormSummary summary;
      summary.form_id = forms.Text(0);
      ParseState(forms.Text(1), &summary.state);
      summary.submissions = forms.Int(2);
      summary.quarantined = forms.Int(3);
      index[summary.form_id] = out.size();
      out.push_back(std::move(summary));
    });
    if (!status.ok()) return status;
    Statement versions(db_.get(), "SELECT form_id, version FROM form_versions ORDER BY seq");
    status = EachRow(versions, "listing the form versions", [&] {
      auto it = index.find(versions.Text(0));
      if (it != index.end()) out[it->second].versions.push_back(versions.Text(1));
    });
    if (!status.ok()) return status;
    return out;
  }

  Status SetFormState(std::string_view form_id, FormState state) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement update(db_.get(), "UPDATE forms SET state = ? WHERE form_id = ?");
    update.Bind(1, std::string_view(FormStateName(state))).Bind(2, form_id);
    const int code = update.ok() ? update.Step() : update.prepare_code();
    if (code != SQLITE_DONE) return SqliteStatus(db_.get(), code, "changing the state of form " + std::string(form_id));
    if (sqlite3_changes(db_.get()) == 0) return UnknownForm(form_id);
    return Status::Ok();
  }

  Result<FormState> GetFormState(std::string_view form_id) override {
    std::lock_guard<std::mutex> lock(reader_.mutex);
    Running query(reader_.get_form_state);
    query->Bind(1, form_id);
    const int code = query->Step();
    if (code == SQLITE_DONE) return UnknownForm(form_id);
    if (code != SQLITE_ROW) {
      return SqliteStatus(reader_.db.get(), code, "reading the state of form " + std::string(form_id));
    }
    FormState state = FormState::kOpen;
    if (!ParseState(query->Text(0), &state)) {
      return Status::Corruption("form " + std::string(form_id) + " has an unknown state \"" + query->Text(0) + "\"");
    }
    return state;
  }

  // --- enrolment and tokens ------------------------------------------------------------------

  Status AddEnrolmentCode(std::string_view code, const std::vector<std::string>& forms, int64_t expires_at) override {
    if (NormalizeEnrolmentCode(code).empty()) return Status::InvalidArgument("an enrolment code cannot be empty");
    if (forms.empty()) return Status::InvalidArgument("an enrolment code needs at least one form");
    std::lock_guard<std::mutex> lock(mutex_);
    Statement insert(db_.get(),
                     "INSERT INTO enrolment_codes (code_hash, forms, created_at, expires_at) VALUES (?, ?, ?, ?)");
    insert.Bind(1, HashEnrolmentCode(code)).Bind(2, FormsToJson(forms)).Bind(3, Env::Default()->NowMillis());
    insert.Bind(4, expires_at);
    const int step = insert.ok() ? insert.Step() : insert.prepare_code();
    if (IsConstraintError(step)) return Status::AlreadyExists("this enrolment code exists already");
    if (step != SQLITE_DONE) return SqliteStatus(db_.get(), step, "adding an enrolment code");
    return Status::Ok();
  }

  Result<Device> Enroll(std::string_view code, std::string_view device_id, std::string_view device_name,
                        std::string_view token, int64_t now) override {
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
    {
      Statement find(db_.get(),
                     "SELECT forms, expires_at, used_at IS NOT NULL FROM enrolment_codes WHERE code_hash = ?");
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
    }
    device.device_id = std::string(device_id);
    device.name = std::string(device_name);
    device.enrolled_at = now;
    {
      // A device is known by its store's identity. One that is enrolled keeps it: a second tablet
      // claiming it is refused; the same tablet enrols again once the bureau revoked its old token.
      Statement existing(db_.get(), "SELECT revoked_at IS NOT NULL FROM devices WHERE device_id = ?");
      existing.Bind(1, device.device_id);
      const int step = existing.ok() ? existing.Step() : existing.prepare_code();
      if (step == SQLITE_ROW && existing.Int(0) == 0) {
        Rollback();
        return Status::AlreadyExists("device " + device.device_id +
                                     " is enrolled already; to enrol that device again, the bureau first revokes it "
                                     "(chosa-collector revoke " + device.device_id + ")");
      }
      if (step != SQLITE_ROW && step != SQLITE_DONE) return Fail(step, "reading device " + device.device_id);
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

  Result<Principal> Authenticate(std::string_view token) override {
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
      if (code != SQLITE_DONE) return SqliteStatus(reader_.db.get(), code, "checking a token");
    }
    Running analyst(reader_.analyst_by_token);
    analyst->Bind(1, parts->id);
    const int code = analyst->Step();
    if (code == SQLITE_ROW) {
      if (!ConstantTimeEquals(hash, analyst->Text(1))) return Status::Unauthenticated("unknown token");
      if (!analyst->IsNull(2)) return Status::Unauthenticated("this analyst token was revoked");
      return Principal{Role::kAnalyst, analyst->Text(0), {}};
    }
    if (code != SQLITE_DONE) return SqliteStatus(reader_.db.get(), code, "checking a token");
    // The same work as a found id, so that timing does not tell ids that exist.
    ConstantTimeEquals(hash, Sha256Hex(token));
    return Status::Unauthenticated("unknown token");
  }

  Status AddAnalystToken(std::string_view name, std::string_view token) override {
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
    if (code != SQLITE_DONE) return SqliteStatus(db_.get(), code, "adding an analyst token");
    return Status::Ok();
  }

  Result<std::vector<AnalystToken>> ListAnalystTokens() override {
    std::vector<AnalystToken> out;
    std::lock_guard<std::mutex> lock(mutex_);
    Statement rows(db_.get(), "SELECT name, created_at, revoked_at IS NOT NULL FROM analyst_tokens ORDER BY name");
    Status status = EachRow(rows, "listing the analyst tokens", [&] {
      out.push_back({rows.Text(0), rows.Int(1), rows.Int(2) != 0});
    });
    if (!status.ok()) return status;
    return out;
  }

  Status RevokeAnalystToken(std::string_view name) override {
    return Revoke("UPDATE analyst_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE name = ?", name,
                  "analyst token " + std::string(name), "no analyst token named " + std::string(name));
  }

  Result<std::vector<Device>> ListDevices() override {
    std::vector<Device> out;
    std::lock_guard<std::mutex> lock(mutex_);
    Statement rows(db_.get(),
                   "SELECT device_id, name, forms, enrolled_at, last_seen_at, revoked_at IS NOT NULL FROM devices "
                   "ORDER BY enrolled_at, device_id");
    Status status = EachRow(rows, "listing the devices", [&] {
      out.push_back(
          {rows.Text(0), rows.Text(1), FormsFromJson(rows.Text(2)), rows.Int(3), rows.Int(4), rows.Int(5) != 0});
    });
    if (!status.ok()) return status;
    return out;
  }

  Status RevokeDevice(std::string_view device_id) override {
    return Revoke("UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE device_id = ?", device_id,
                  "device " + std::string(device_id), "no device " + std::string(device_id));
  }

  // --- submissions ---------------------------------------------------------------------------

  using CollectorStorage::StoreBatch;
  Result<std::vector<protocol::PushResult>> StoreBatch(const Principal& device, size_t count,
                                                       const IngestItemAt& item_at, int64_t received_at) override {
    std::vector<protocol::PushResult> results;
    results.reserve(count);
    if (count == 0) return results;
    std::lock_guard<std::mutex> lock(mutex_);
    Status status = Begin();
    if (!status.ok()) return status;
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
      if (item.valid) {
        if (sha256.empty()) sha256 = Sha256Hex(item.body);
        Running insert(insert_submission_);
        insert->BindStatic(1, item.envelope.uuid).BindStatic(2, item.envelope.form_id);
        insert->BindStatic(3, item.envelope.form_version).BindStatic(4, device.id);
        insert->BindStatic(5, item.envelope.replaces).BindStatic(6, sha256).Bind(7, received_at);
        insert->BindStatic(8, item.body).Bind(9, int64_t{1});  // re-validated by the ingest pipeline
        const int code = insert->Step();
        if (code != SQLITE_DONE) return Fail(code, "storing submission " + item.envelope.uuid);
        if (sqlite3_changes(db_.get()) == 1) {
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
          result.status = protocol::PushStatus::kDuplicate;
          results.push_back(std::move(result));
          continue;
        }
        reason = kDifferentContent;
      } else {
        reason = item.reason.empty() ? "not a valid submission" : item.reason;
        sha256 = Sha256Hex(item.body);
      }
      status = Quarantine(device.id, item, reason, sha256, received_at);
      if (!status.ok()) {
        Rollback();
        return status;
      }
      result.status = protocol::PushStatus::kRejected;
      result.reason = std::move(reason);
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
    return results;
  }

  int64_t SubmissionCount(std::string_view form_id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    // "" counts every form's.
    Statement count(db_.get(), "SELECT COUNT(*) FROM submissions WHERE ?1 = '' OR form_id = ?1");
    count.Bind(1, form_id);
    return count.ok() && count.Step() == SQLITE_ROW ? count.Int(0) : 0;
  }

  Result<std::vector<StoredSubmission>> ReadSubmissions(std::string_view form_id, int64_t after,
                                                        size_t limit) override {
    std::vector<StoredSubmission> out;
    std::lock_guard<std::mutex> lock(mutex_);
    Statement rows(db_.get(),
                   "SELECT seq, uuid, form_version, device_id, replaces, received_at, body FROM submissions "
                   "WHERE form_id = ? AND seq > ? ORDER BY seq LIMIT ?");
    rows.Bind(1, form_id).Bind(2, after).Bind(3, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
    Status status = EachRow(rows, "reading the submissions of form " + std::string(form_id), [&] {
      out.push_back({rows.Int(0), rows.Text(1), std::string(form_id), rows.Text(2), rows.Text(3), rows.Text(4),
                     rows.Int(5), rows.Text(6)});
    });
    if (!status.ok()) return status;
    return out;
  }

  Result<int64_t> LastPosition(std::string_view form_id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement last(db_.get(), "SELECT COALESCE(MAX(seq), 0) FROM submissions WHERE form_id = ?");
    last.Bind(1, form_id);
    const int code = last.ok() ? last.Step() : last.prepare_code();
    if (code != SQLITE_ROW) return SqliteStatus(db_.get(), code, "reading the last submission of " + std::string(form_id));
    return last.Int(0);
  }

  Result<int64_t> PositionAfter(std::string_view form_id, int64_t after, size_t count) override {
    if (count == 0) return after;
    std::lock_guard<std::mutex> lock(mutex_);
    // The count-th position after `after`, or the last when there are fewer.
    Statement nth(db_.get(),
                  "SELECT COALESCE((SELECT seq FROM submissions WHERE form_id = ?1 AND seq > ?2 ORDER BY seq "
                  "LIMIT 1 OFFSET ?3), (SELECT MAX(seq) FROM submissions WHERE form_id = ?1), 0)");
    nth.Bind(1, form_id).Bind(2, after).Bind(3, static_cast<int64_t>(std::min<size_t>(count - 1, INT64_MAX)));
    const int code = nth.ok() ? nth.Step() : nth.prepare_code();
    if (code != SQLITE_ROW) return SqliteStatus(db_.get(), code, "reading the submissions of " + std::string(form_id));
    return std::max(after, nth.Int(0));
  }

  Result<std::vector<std::string>> ReplacedUuids(std::string_view form_id) override {
    std::vector<std::string> out;
    std::lock_guard<std::mutex> lock(mutex_);
    Statement rows(db_.get(), "SELECT replaces FROM submissions WHERE form_id = ? AND replaces <> ''");
    rows.Bind(1, form_id);
    Status status = EachRow(rows, "reading the corrections of form " + std::string(form_id),
                            [&] { out.push_back(rows.Text(0)); });
    if (!status.ok()) return status;
    return out;
  }

  Result<std::vector<StoredSubmission>> NotRevalidated() override {
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

  Result<std::string> SubmissionBody(std::string_view uuid) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Running query(submission_body_);
    query->Bind(1, uuid);
    const int code = query->Step();
    if (code == SQLITE_DONE) return Status::NotFound("no submission " + std::string(uuid));
    if (code != SQLITE_ROW) return SqliteStatus(db_.get(), code, "reading submission " + std::string(uuid));
    return query->Text(0);
  }

  // --- quarantine ----------------------------------------------------------------------------

  Result<std::vector<QuarantinedItem>> ListQuarantine(bool include_released) override {
    std::vector<QuarantinedItem> out;
    std::lock_guard<std::mutex> lock(mutex_);
    Statement rows(db_.get(), std::string(kQuarantineColumns) + " WHERE ?1 OR released_at IS NULL ORDER BY id");
    rows.Bind(1, int64_t{include_released ? 1 : 0});
    Status status = EachRow(rows, "reading the quarantine", [&] { out.push_back(ReadQuarantined(rows)); });
    if (!status.ok()) return status;
    return out;
  }

  Result<QuarantinedItem> GetQuarantined(int64_t id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement row(db_.get(), std::string(kQuarantineColumns) + " WHERE id = ?");
    row.Bind(1, id);
    const int code = row.ok() ? row.Step() : row.prepare_code();
    if (code == SQLITE_DONE) return Status::NotFound("no quarantined item " + std::to_string(id));
    if (code != SQLITE_ROW) return SqliteStatus(db_.get(), code, "reading the quarantine");
    return ReadQuarantined(row);
  }

  Status ReleaseQuarantined(int64_t id, int64_t now) override {
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

  // --- backup --------------------------------------------------------------------------------

  Status Backup(const std::string& path) override {
    if (::access(path.c_str(), F_OK) == 0) {
      return Status::AlreadyExists(path + " exists: a backup is written to a new file and overwrites nothing");
    }
    const std::string temporary = path + ".partial-" + std::to_string(::getpid());
    Status status = CopyInto(temporary);
    if (status.ok()) status = CheckSqliteDatabase(temporary);
    // link() does not replace a file that appeared meanwhile; rename() would.
    if (status.ok() && ::link(temporary.c_str(), path.c_str()) != 0) {
      const int error = errno;
      status = error == EEXIST ? Status::AlreadyExists(path + " exists: a backup overwrites nothing")
                               : Status::IOError("writing " + path + ": " + std::strerror(error));
    }
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) ::unlink((temporary + suffix).c_str());
    if (status.ok()) SyncDirectory(DirectoryOf(path));
    return status;
  }

 private:
  static constexpr const char* kQuarantineColumns =
      "SELECT id, uuid, device_id, form_id, form_version, reason, body, received_at, released_at IS NOT NULL "
      "FROM quarantine";

  static QuarantinedItem ReadQuarantined(const Statement& row) {
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

  Status Prepare() {
    const unsigned int kept = SQLITE_PREPARE_PERSISTENT;
    sqlite3* db = db_.get();
    begin_ = Statement(db, "BEGIN IMMEDIATE", kept);
    commit_ = Statement(db, "COMMIT", kept);
    rollback_ = Statement(db, "ROLLBACK", kept);
    insert_submission_ = Statement(db,
                                   "INSERT INTO submissions (uuid, form_id, form_version, device_id, replaces, sha256, "
                                   "received_at, body, revalidated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                   "ON CONFLICT (uuid) DO NOTHING",
                                   kept);
    submission_sha_ = Statement(db, "SELECT sha256 FROM submissions WHERE uuid = ?", kept);
    submission_body_ = Statement(db, "SELECT body FROM submissions WHERE uuid = ?", kept);
    find_quarantined_ = Statement(db,
                                  "SELECT id FROM quarantine WHERE body_sha256 = ? AND device_id = ? AND reason = ? "
                                  "AND released_at IS NULL LIMIT 1",
                                  kept);
    insert_quarantined_ = Statement(db,
                                    "INSERT INTO quarantine (uuid, device_id, form_id, form_version, reason, body, "
                                    "body_sha256, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                    kept);
    touch_device_ = Statement(db, "UPDATE devices SET last_seen_at = MAX(last_seen_at, ?) WHERE device_id = ?", kept);
    for (Statement* statement : {&begin_, &commit_, &rollback_, &insert_submission_, &submission_sha_,
                                 &submission_body_, &find_quarantined_, &insert_quarantined_, &touch_device_}) {
      if (!statement->ok()) return SqliteStatus(db, statement->prepare_code(), "preparing the collector's statements");
    }
    sqlite3* reading = reader_.db.get();
    reader_.device_by_token =
        Statement(reading, "SELECT device_id, forms, token_hash, revoked_at FROM devices WHERE token_id = ?", kept);
    reader_.analyst_by_token =
        Statement(reading, "SELECT name, token_hash, revoked_at FROM analyst_tokens WHERE token_id = ?", kept);
    reader_.get_form_version = Statement(
        reading, "SELECT json, sha256, published_at FROM form_versions WHERE form_id = ? AND version = ?", kept);
    reader_.get_form_state = Statement(reading, "SELECT state FROM forms WHERE form_id = ?", kept);
    for (Statement* statement : {&reader_.device_by_token, &reader_.analyst_by_token, &reader_.get_form_version,
                                 &reader_.get_form_state}) {
      if (!statement->ok()) {
        return SqliteStatus(reading, statement->prepare_code(), "preparing the collector's statements");
      }
    }
    return Status::Ok();
  }

  // Calls row() for each row `rows` gives; an error preparing or stepping it is returned (a
  // listing never passes a failure off as an empty list).
  template <typename Row>
  Status EachRow(Statement& rows, std::string_view doing, Row row) {
    if (!rows.ok()) return SqliteStatus(db_.get(), rows.prepare_code(), doing);
    int code;
    while ((code = rows.Step()) == SQLITE_ROW) row();
    if (code != SQLITE_DONE) return SqliteStatus(db_.get(), code, doing);
    return Status::Ok();
  }

  // Sets revoked_at by `update` (its ?2 is `key`); revoking twice keeps the first time. NotFound
  // with `missing` when no row has that key.
  Status Revoke(const char* update_sql, std::string_view key, const std::string& what, const std::string& missing) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement update(db_.get(), update_sql);
    update.Bind(1, Env::Default()->NowMillis()).Bind(2, key);
    const int code = update.ok() ? update.Step() : update.prepare_code();
    if (code != SQLITE_DONE) return SqliteStatus(db_.get(), code, "revoking " + what);
    if (sqlite3_changes(db_.get()) == 0) return Status::NotFound(missing);
    return Status::Ok();
  }

  // REQUIRES: mutex_ held, no transaction open.
  Status Begin() {
    Running begin(begin_);
    const int code = begin->Step();
    if (code != SQLITE_DONE) return SqliteStatus(db_.get(), code, "starting a transaction");
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
    Status status = SqliteStatus(db_.get(), code, doing);
    Rollback();
    return status;
  }

  Status UnknownForm(std::string_view form_id) {
    return Status::NotFound("no form " + std::string(form_id) + " is published");
  }

  // REQUIRES: inside a transaction. A retried push of the same rejected line is kept once.
  Status Quarantine(const std::string& device_id, const IngestItem& item, const std::string& reason,
                    const std::string& body_sha256, int64_t received_at) {
    {
      Running find(find_quarantined_);
      find->BindStatic(1, body_sha256).BindStatic(2, device_id).BindStatic(3, reason);
      const int code = find->Step();
      if (code == SQLITE_ROW) return Status::Ok();
      if (code != SQLITE_DONE) return SqliteStatus(db_.get(), code, "reading the quarantine");
    }
    Running insert(insert_quarantined_);
    insert->BindStatic(1, item.envelope.uuid).BindStatic(2, device_id).BindStatic(3, item.envelope.form_id);
    insert->BindStatic(4, item.envelope.form_version).BindStatic(5, reason).BindStatic(6, item.body);
    insert->BindStatic(7, body_sha256).Bind(8, received_at);
    const int code = insert->Step();
    if (code != SQLITE_DONE) return SqliteStatus(db_.get(), code, "quarantining a rejected submission");
    return Status::Ok();
  }

  // An online copy through a connection of its own: one read transaction over the whole copy
  // gives a consistent snapshot while the writer goes on (WAL), and this storage's mutex is
  // never held for the copy's length.
  Status CopyInto(const std::string& temporary) {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) ::unlink((temporary + suffix).c_str());
    Connection source;
    Status status = source.Open(path_, SQLITE_OPEN_READONLY);
    if (!status.ok()) return status;
    Connection target;
    status = target.Open(temporary, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!status.ok()) return status;
    ::chmod(temporary.c_str(), S_IRUSR | S_IWUSR);  // token hashes and people's answers
    sqlite3_backup* backup = sqlite3_backup_init(target.get(), "main", source.get(), "main");
    if (backup == nullptr) return SqliteStatus(target.get(), sqlite3_errcode(target.get()), "starting the backup");
    int code;
    int waits = 0;  // a lock held past ~30 s fails the backup rather than hang it
    do {
      code = sqlite3_backup_step(backup, -1);
      if (code == SQLITE_BUSY || code == SQLITE_LOCKED) sqlite3_sleep(50);
    } while (code == SQLITE_OK || ((code == SQLITE_BUSY || code == SQLITE_LOCKED) && ++waits < 600));
    const int finished = sqlite3_backup_finish(backup);
    if (code != SQLITE_DONE) return SqliteStatus(target.get(), code, "copying the collector database");
    if (finished != SQLITE_OK) return SqliteStatus(target.get(), finished, "finishing the backup");
    // The copy stands alone as one file: restoring it is copying it back.
    Statement mode(target.get(), "PRAGMA journal_mode=DELETE");
    code = mode.ok() ? mode.Step() : mode.prepare_code();
    if (code != SQLITE_ROW) return SqliteStatus(target.get(), code, "finishing the backup");
    return Status::Ok();
  }

  std::string path_;
  std::mutex mutex_;  // guards db_ and every statement below
  Connection db_;
  Statement begin_, commit_, rollback_;
  Statement insert_submission_, submission_sha_, submission_body_;
  Statement find_quarantined_, insert_quarantined_, touch_device_;
  // The reads of every request (tokens, forms and their states) on a connection of their own:
  // in WAL mode they never wait for a push's transaction, and the ingest pipeline may read a
  // form while its batch is being stored (CollectorStorage::StoreBatch).
  struct Reader {
    std::mutex mutex;  // guards db and its statements; never held with mutex_ above
    Connection db;
    Statement device_by_token, analyst_by_token, get_form_version, get_form_state;
  } reader_;
};

}  // namespace

const char* FormStateName(FormState state) {
  switch (state) {
    case FormState::kOpen:
      return "open";
    case FormState::kClosed:
      return "closed";
    case FormState::kArchived:
      return "archived";
  }
  return "open";
}

std::string SqliteDatabasePath(const std::string& data_dir) {
  return (data_dir.empty() ? std::string(".") : data_dir) + "/" + kSqliteFileName;
}

int SqliteSchemaVersion() { return static_cast<int>(sizeof kMigrations / sizeof kMigrations[0]); }

Status CheckSqliteDatabase(const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0) return Status::NotFound("cannot read " + path + ": " + std::strerror(errno));
  Status status = ProbeDatabase(path);
  if (!status.ok()) return status;
  Connection db;
  status = db.Open(path, SQLITE_OPEN_READONLY);
  if (!status.ok()) return status;
  Statement check(db.get(), "PRAGMA quick_check(1)");
  const int code = check.ok() ? check.Step() : check.prepare_code();
  if (code != SQLITE_ROW) return SqliteStatus(db.get(), code, "checking " + path);
  if (check.Text(0) != "ok") return Status::Corruption(path + " is damaged: " + check.Text(0));
  return Status::Ok();
}

Status CheckSqliteNotInUse(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0) return Status::Ok();
  Connection db;
  Status status = db.Open(path, SQLITE_OPEN_READWRITE);
  if (!status.ok()) return status;
  sqlite3_busy_timeout(db.get(), 0);
  // In WAL mode an exclusive lock is granted only when no other connection has the file open.
  status = db.Exec("PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;", "locking " + path);
  if (!status.ok()) {
    db.Exec("ROLLBACK", "");
    return Status::Unavailable(path + " is in use (is the collector running?): stop it first");
  }
  return Status::Ok();
}

Result<std::unique_ptr<CollectorStorage>> OpenSqliteStorage(const std::string& data_dir) {
  const std::string dir = data_dir.empty() ? "." : data_dir;
  std::error_code error;
  if (!fs::exists(dir, error)) {
    if (!fs::create_directories(dir, error)) {
      return Status::IOError("cannot create the data directory " + dir + ": " + error.message());
    }
    // It will hold token hashes and people's answers: its owner only.
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, error);
  } else if (!fs::is_directory(dir, error)) {
    return Status::InvalidArgument(dir + " is not a directory");
  }
  const std::string path = SqliteDatabasePath(dir);
  if (::access(path.c_str(), F_OK) != 0) {
    Status created = CreateDatabase(path);
    if (!created.ok()) return created;
  }
  auto storage = std::make_unique<SqliteStorage>(path);
  Status opened = storage->Open();
  if (!opened.ok()) return opened;
  return std::unique_ptr<CollectorStorage>(std::move(storage));
}

}  // namespace chosa::collector
