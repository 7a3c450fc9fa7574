// The collector database as a file (sqlite_database_file.h): its creation, the checks made before
// opening, restoring or backing it up, and the backup's copy.
#include "sqlite_database_file.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "sqlite_schema.h"
#include "chosa/collector/sqlite_storage.h"

namespace chosa::collector {
namespace {

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

// An online copy through a connection of its own: one read transaction over the whole copy
// gives a consistent snapshot while the writer goes on (WAL), and this storage's mutex is
// never held for the copy's length.
Status CopyDatabase(const std::string& path, const std::string& temporary) {
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) ::unlink((temporary + suffix).c_str());
  Connection source;
  Status status = source.Open(path, SQLITE_OPEN_READONLY);
  if (!status.ok()) return status;
  Connection target;
  status = target.Open(temporary, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);  // created 0600
  if (!status.ok()) return status;
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

}  // namespace

Status ProbeSqliteDatabase(const std::string& path) {
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

Status SetUpSqliteConnection(Connection& db) {
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

Status CreateSqliteDatabase(const std::string& path) {
  const std::string temporary = path + ".creating-" + std::to_string(::getpid());
  for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((temporary + suffix).c_str());
  {
    Connection db;
    // Token hashes and people's answers: Connection creates it 0600 (and SQLite gives -wal and
    // -shm the same mode).
    Status status = db.Open(temporary, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (status.ok()) status = SetUpSqliteConnection(db);
    if (status.ok()) status = MigrateSqliteDatabase(db);
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

Status BackupSqliteDatabase(const std::string& source, const std::string& path) {
  if (::access(path.c_str(), F_OK) == 0) {
    return Status::AlreadyExists(path + " exists: a backup is written to a new file and overwrites nothing");
  }
  const std::string temporary = path + ".partial-" + std::to_string(::getpid());
  Status status = CopyDatabase(source, temporary);
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

std::string SqliteDatabasePath(const std::string& data_dir) {
  return (data_dir.empty() ? std::string(".") : data_dir) + "/" + kSqliteFileName;
}

Status CheckSqliteDatabase(const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0) return Status::NotFound("cannot read " + path + ": " + std::strerror(errno));
  Status status = ProbeSqliteDatabase(path);
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
    IgnoreError(db.Exec("ROLLBACK", ""), "the lock was refused: the file is in use, which is what is reported");
    return Status::Unavailable(path + " is in use (is the collector running?): stop it first");
  }
  return Status::Ok();
}

}  // namespace chosa::collector
