// Thin RAII around SQLite's C API: a connection and prepared statements, errors as Status.
#ifndef CHOSA_ENGINE_STORE_SQLITE_HANDLE_H_
#define CHOSA_ENGINE_STORE_SQLITE_HANDLE_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "chosa/status.h"

namespace chosa {

// A Status from an SQLite result code: disk full and I/O faults are kIOError, damage is
// kCorruption, the rest kInternal; the message names what was being done.
Status SqliteStatus(sqlite3* db, int code, std::string_view doing);

class Statement {
 public:
  Statement() = default;
  // `prepare_flags` as sqlite3_prepare_v3's: SQLITE_PREPARE_PERSISTENT for a statement kept for
  // the life of the connection (the store's hot statements), 0 for one used once.
  Statement(sqlite3* db, std::string_view sql, unsigned int prepare_flags = 0);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  int prepare_code() const { return prepare_code_; }
  // Binds by 1-based index; strings are copied by SQLite (SQLITE_TRANSIENT).
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  // Binds without a copy (SQLITE_STATIC), for the hot path. REQUIRES: `text` outlives the next
  // Step, and every later Step rebinds the parameter first (after Reset the binding dangles).
  Statement& BindStatic(int index, std::string_view text);
  Statement& BindNull(int index);
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step();
  // Ready to run again; bindings are kept (the hot path rebinds every parameter anyway).
  void Reset();
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string Text(int column) const;
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int prepare_code_ = SQLITE_OK;
};

class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, or SQLITE_OPEN_READONLY.
  Status Open(const std::string& path, int flags);
  void Close();
  // Runs statements that return no rows.
  Status Exec(std::string_view sql, std::string_view doing);
  Result<int64_t> QueryInt(std::string_view sql, std::string_view doing);
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace chosa

#endif  // CHOSA_ENGINE_STORE_SQLITE_HANDLE_H_
