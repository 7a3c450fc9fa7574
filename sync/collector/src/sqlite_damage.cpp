// Damage and loss in the SQLite backend (sqlite_damage.h, sqlite_storage.h): naming damage, the
// check before serving, chosa-collector check's full check, and the acknowledged position reset
// after a restore.
#include "sqlite_damage.h"

#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "acknowledged_record.h"
#include "chosa/collector/sqlite_storage.h"
#include "chosa/collector_storage.h"
#include "chosa/sqlite/sqlite_handle.h"
#include "sqlite_database_file.h"

namespace chosa::collector {
namespace {

// At most this many lines of quick_check or integrity_check are reported: the first say enough.
constexpr int kCheckLines = 10;

// A connection that reads only (query_only), opened read-write so that SQLite may recover the WAL
// index left by a collector that was killed.
Status OpenForChecking(const std::string& path, Connection& db) {
  Status status = NamedDamage(ProbeSqliteDatabase(path));
  if (!status.ok()) return status;
  status = db.Open(path, SQLITE_OPEN_READWRITE);
  if (!status.ok()) return NamedDamage(status);
  return NamedDamage(db.Exec("PRAGMA query_only=ON", "opening " + path + " to check it"));
}

// The lines of PRAGMA quick_check or integrity_check: {"ok"} when sound.
Result<std::vector<std::string>> RunCheck(Connection& db, const char* pragma) {
  Statement check(db.get(), std::string("PRAGMA ") + pragma + "(" + std::to_string(kCheckLines) + ")");
  if (!check.ok()) return StorageStatus(db.get(), check.prepare_code(), std::string("running ") + pragma);
  std::vector<std::string> lines;
  int code;
  while ((code = check.Step()) == SQLITE_ROW) lines.push_back(check.Text(0));
  if (code != SQLITE_DONE) return StorageStatus(db.get(), code, std::string("running ") + pragma);
  return lines;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += (out.empty() ? "" : "; ") + line;
  return out;
}

// What the database holds: its highest position and how many submissions.
Result<Acknowledged> DatabaseHolds(Connection& db) {
  Statement holds(db.get(), "SELECT COALESCE(MAX(seq), 0), COUNT(*) FROM submissions");
  const int code = holds.ok() ? holds.Step() : holds.prepare_code();
  if (code != SQLITE_ROW) return StorageStatus(db.get(), code, "reading the submissions' positions");
  return Acknowledged{holds.Int(0), holds.Int(1)};
}

bool Behind(const Acknowledged& database, const Acknowledged& acknowledged) {
  return database.position < acknowledged.position || database.count < acknowledged.count;
}

// How many acknowledged submissions are at least missing.
int64_t Missing(const Acknowledged& database, const Acknowledged& acknowledged) {
  return std::max(acknowledged.position - database.position, acknowledged.count - database.count);
}

std::string BehindMessage(const Acknowledged& database, const Acknowledged& acknowledged) {
  return "the database holds submissions up to position " + std::to_string(database.position) + " (" +
         std::to_string(database.count) + " submissions) but position " + std::to_string(acknowledged.position) +
         " (" + std::to_string(acknowledged.count) + " submissions) was acknowledged to devices: at least " +
         std::to_string(Missing(database, acknowledged)) +
         " acknowledged submissions are missing, which their devices hold as sent and will not send again (a "
         "lost collector.sqlite-wal, or an older collector.sqlite put back?)";
}

}  // namespace

Status StorageStatus(sqlite3* db, int code, std::string_view doing) {
  return NamedDamage(SqliteStatus(db, code, doing));
}

Status NamedDamage(Status status) {
  if (status.code() != StatusCode::kCorruption || status.message().find(kDamagedDatabase) != std::string::npos) {
    return status;
  }
  return DamagedDatabase(status.message());
}

Status DamagedDatabase(std::string_view detail) {
  return Status::Corruption(std::string(kDamagedDatabase) + " (" + std::string(detail) + ")");
}

Status CheckSqliteBeforeServing(const std::string& data_dir, bool accept_loss, std::string* accepted) {
  accepted->clear();
  const std::string dir = data_dir.empty() ? "." : data_dir;
  const std::string path = SqliteDatabasePath(dir);
  const std::string record_path = AcknowledgedPath(dir);
  Result<Acknowledged> acknowledged = ReadAcknowledged(record_path);
  if (!acknowledged.ok() && !accept_loss) return acknowledged.status();
  if (!acknowledged.ok()) acknowledged = Acknowledged{INT64_MAX, INT64_MAX};  // unknown: given up below

  Acknowledged database;
  if (::access(path.c_str(), F_OK) == 0) {
    Connection db;
    Status status = OpenForChecking(path, db);
    if (!status.ok()) return status;
    // quick_check reads every page of every table and index and the schema (without matching
    // indexes to their tables: that is the full check's).
    Result<std::vector<std::string>> lines = RunCheck(db, "quick_check");
    if (!lines.ok()) return lines.status();
    if (*lines != std::vector<std::string>{"ok"}) return DamagedDatabase("quick_check: " + Joined(*lines));
    Result<Acknowledged> holds = DatabaseHolds(db);
    if (!holds.ok()) return holds.status();
    database = *holds;
  }
  if (!Behind(database, *acknowledged)) return Status::Ok();
  if (!accept_loss) {
    return Status::Corruption(BehindMessage(database, *acknowledged) +
                              ": restore the backup that has them (chosa-collector restore BACKUP), or start with "
                              "--accept-loss to serve without them");
  }
  *accepted = acknowledged->position == INT64_MAX
                  ? record_path + " was unreadable and is written again from the database"
                  : BehindMessage(database, *acknowledged) + "; accepted (--accept-loss)";
  return ResetAcknowledged(record_path, database);
}

std::string SqliteMissingAcknowledged(const std::string& data_dir) {
  const std::string dir = data_dir.empty() ? "." : data_dir;
  Result<Acknowledged> acknowledged = ReadAcknowledged(AcknowledgedPath(dir));
  if (!acknowledged.ok()) return "";
  Connection db;
  if (!OpenForChecking(SqliteDatabasePath(dir), db).ok()) return "";
  Result<Acknowledged> holds = DatabaseHolds(db);
  if (!holds.ok() || !Behind(*holds, *acknowledged)) return "";
  return BehindMessage(*holds, *acknowledged);
}

Result<SqliteFullCheck> CheckSqliteFully(const std::string& data_dir) {
  const std::string dir = data_dir.empty() ? "." : data_dir;
  const std::string path = SqliteDatabasePath(dir);
  if (::access(path.c_str(), F_OK) != 0) return Status::NotFound("there is no collector database " + path);
  SqliteFullCheck out;
  Result<Acknowledged> acknowledged = ReadAcknowledged(AcknowledgedPath(dir));
  if (acknowledged.ok()) {
    out.acknowledged = *acknowledged;
  } else {
    out.problems.push_back(acknowledged.status().message());
  }
  Connection db;
  Status opened = OpenForChecking(path, db);
  if (!opened.ok()) {
    out.problems.push_back(opened.message());
    return out;
  }
  Result<std::vector<std::string>> lines = RunCheck(db, "integrity_check");
  if (!lines.ok()) {
    out.problems.push_back(lines.status().message());
  } else if (*lines != std::vector<std::string>{"ok"}) {
    out.problems.push_back(DamagedDatabase("integrity_check: " + Joined(*lines)).message());
  }
  // Every body against its SHA-256, in commit order; a page that cannot be read ends the walk.
  Statement rows(db.get(), "SELECT seq, uuid, form_id, sha256, body FROM submissions ORDER BY seq");
  int code = rows.ok() ? SQLITE_OK : rows.prepare_code();
  int64_t last = 0;
  while (rows.ok() && (code = rows.Step()) == SQLITE_ROW) {
    ++out.submissions_checked;
    last = rows.Int(0);
    const auto* body = static_cast<const char*>(sqlite3_column_blob(rows.get(), 4));
    const std::string_view bytes(body != nullptr ? body : "", static_cast<size_t>(sqlite3_column_bytes(rows.get(), 4)));
    Status verified = VerifySubmissionBytes(rows.Text(1), bytes, rows.Text(3));
    if (!verified.ok()) {
      out.problems.push_back(verified.message().substr(0, verified.message().find(';')) + " (form " +
                             rows.Text(2) + ", position " + std::to_string(last) + ")");
    }
  }
  if (code != SQLITE_DONE) {
    out.problems.push_back(
        StorageStatus(db.get(), code, "reading the submissions after position " + std::to_string(last)).message());
  }
  Result<Acknowledged> holds = DatabaseHolds(db);
  if (!holds.ok()) {
    out.problems.push_back(holds.status().message());
  } else {
    out.database = *holds;
    if (acknowledged.ok() && Behind(out.database, out.acknowledged)) {
      out.missing = BehindMessage(out.database, out.acknowledged);
    }
  }
  return out;
}

Status ResetSqliteAcknowledged(const std::string& data_dir, Acknowledged* before, Acknowledged* after) {
  const std::string dir = data_dir.empty() ? "." : data_dir;
  const std::string record_path = AcknowledgedPath(dir);
  Result<Acknowledged> previous = ReadAcknowledged(record_path);
  *before = previous.ok() ? *previous : Acknowledged();
  Connection db;
  Status status = OpenForChecking(SqliteDatabasePath(dir), db);
  if (!status.ok()) return status;
  Result<Acknowledged> holds = DatabaseHolds(db);
  if (!holds.ok()) return holds.status();
  *after = *holds;
  return ResetAcknowledged(record_path, *holds);
}

}  // namespace chosa::collector
