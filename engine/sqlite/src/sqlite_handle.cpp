#include "chosa/sqlite/sqlite_handle.h"

#include <unistd.h>

#include "chosa/base/private_file.h"

namespace chosa {
namespace {

// An empty string_view may have no data: SQLite would bind NULL, not "".
const char* TextData(std::string_view text) { return text.data() != nullptr ? text.data() : ""; }

}  // namespace

Status SqliteStatus(sqlite3* db, int code, std::string_view doing) {
  std::string prefix = doing.empty() ? std::string() : std::string(doing) + ": ";
  std::string message = prefix + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  switch (code & 0xFF) {
    case SQLITE_FULL:
      return Status::IOError(prefix + "the device is full (" + sqlite3_errstr(code) + ")");
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::IOError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(message);
    default:
      return Status::Internal(message);
  }
}

Statement::Statement(sqlite3* db, std::string_view sql, unsigned int prepare_flags) {
  prepare_code_ = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), prepare_flags, &stmt_, nullptr);
  if (prepare_code_ != SQLITE_OK) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept : stmt_(other.stmt_), prepare_code_(other.prepare_code_) {
  other.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    prepare_code_ = other.prepare_code_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, TextData(text), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindStatic(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, TextData(text), static_cast<int>(text.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

int Statement::Step() { return sqlite3_step(stmt_); }

void Statement::Reset() { sqlite3_reset(stmt_); }

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

Connection::~Connection() { Close(); }

Status Connection::Open(const std::string& path, int flags) {
  Close();
  // Every database chosa writes holds answers or tokens: its owner's only. SQLite gives the
  // -wal, -shm and -journal files it creates the main file's mode, so a main file made 0600
  // before SQLite opens it keeps them all private whatever the umask.
  const bool on_disk = !path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0;
  if (on_disk && (flags & SQLITE_OPEN_CREATE) != 0 && ::access(path.c_str(), F_OK) != 0) {
    Status made = PreparePrivateFile(path);
    if (!made.ok()) return made;
  }
  if (on_disk && (flags & SQLITE_OPEN_READWRITE) != 0) {
    // Files left looser by an older chosa are tightened when opened to write; best effort: a
    // database someone else owns and shares with us stays usable.
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      IgnoreError(TightenIfPresent(path + suffix), "a file we do not own keeps the mode its owner gave it");
    }
  }
  int code = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (code != SQLITE_OK) {
    Status status = SqliteStatus(db_, code, "opening " + path);
    Close();
    return status;
  }
  sqlite3_extended_result_codes(db_, 1);
  // Another connection holding the lock (the sync thread, a checkpoint) is waited for, never
  // reported to the person filling the form as "database is locked".
  sqlite3_busy_timeout(db_, 10000);
  return Status::Ok();
}

void Connection::Close() {
  if (db_ != nullptr) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
  }
}

Status Connection::Exec(std::string_view sql, std::string_view doing) {
  char* error = nullptr;
  std::string text(sql);
  int code = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);
  if (code != SQLITE_OK) return SqliteStatus(db_, code, doing);
  return Status::Ok();
}

Result<int64_t> Connection::QueryInt(std::string_view sql, std::string_view doing) {
  Statement statement(db_, sql);
  if (!statement.ok()) return SqliteStatus(db_, statement.prepare_code(), doing);
  int code = statement.Step();
  if (code == SQLITE_ROW) return statement.Int(0);
  if (code == SQLITE_DONE) return int64_t{0};
  return SqliteStatus(db_, code, doing);
}

}  // namespace chosa
