// Damaged stores: a check that changes nothing, and a salvage that copies every readable row
// into a new store.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "chosa/store.h"
#include "chosa/base/private_file.h"
#include "schema.h"
#include "store_database.h"

namespace chosa {

StoreCheck DeviceStore::Check(const std::string& path) {
  StoreCheck check;
  if (FILE* file = std::fopen(path.c_str(), "rb")) {
    bool empty = std::fgetc(file) == EOF;
    std::fclose(file);
    if (empty) {
      check.problems.push_back("the file is empty: a store truncated to nothing, or not a store");
      return check;
    }
  } else {
    check.problems.push_back("cannot read " + path);
    return check;
  }
  Connection db;
  Status opened = db.Open(path, SQLITE_OPEN_READONLY);
  if (!opened.ok()) {
    check.problems.push_back(opened.message());
    return check;
  }
  Result<int64_t> version = db.QueryInt("PRAGMA user_version", "reading the schema version");
  if (!version.ok()) {
    check.problems.push_back("not a readable chosa store: " + version.status().message());
    return check;
  }
  if (*version > CurrentSchemaVersion()) {
    check.problems.push_back("written by a newer chosa (schema " + std::to_string(*version) + ")");
  }
  Statement integrity(db.get(), "PRAGMA integrity_check");
  if (!integrity.ok()) {
    check.problems.push_back(std::string("integrity check: ") + sqlite3_errstr(integrity.prepare_code()));
    return check;
  }
  int code;
  while ((code = integrity.Step()) == SQLITE_ROW) {
    std::string line = integrity.Text(0);
    if (line != "ok") check.problems.push_back(line);
  }
  if (code != SQLITE_DONE) check.problems.push_back(std::string("integrity check: ") + sqlite3_errstr(code));
  // The store does not enforce its REFERENCES on every write (schema.cpp, version 5): verified here.
  if (check.problems.empty()) {
    Statement references(db.get(), "PRAGMA foreign_key_check");
    int orphans = 0;
    std::string first;
    while ((code = references.Step()) == SQLITE_ROW) {
      if (orphans++ == 0) first = "in " + references.Text(0) + ", its " + references.Text(2) + " row is missing";
    }
    if (code != SQLITE_DONE) check.problems.push_back(std::string("foreign key check: ") + sqlite3_errstr(code));
    if (orphans > 0) {
      check.problems.push_back(std::to_string(orphans) + (orphans == 1 ? " row has" : " rows have") +
                               " no parent row (the first: " + first + ")");
    }
  }
  check.ok = check.problems.empty();
  return check;
}

namespace {

std::string ReadAll(const std::string& path, bool* found) {
  std::ifstream in(path, std::ios::binary);
  *found = static_cast<bool>(in);
  std::ostringstream bytes;
  if (*found) bytes << in.rdbuf();
  return bytes.str();
}

Status WriteAll(const std::string& path, const std::string& bytes) {
  Status made = PreparePrivateFile(path);  // a copy of a tablet's answers
  if (!made.ok()) return made;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return out ? Status::Ok() : Status::IOError("cannot write " + path);
}

// Copies `damaged` (and its WAL) to `copy`, cut to whole pages, with the header's page count
// (bytes 28-31, big-endian) set to the pages the file really has.
Status PrepareSalvageCopy(const std::string& damaged, const std::string& copy) {
  bool found;
  std::string bytes = ReadAll(damaged, &found);
  if (!found) return Status::IOError("cannot read " + damaged);
  static const char kMagic[] = "SQLite format 3";
  if (bytes.size() >= 100 && bytes.compare(0, sizeof kMagic, std::string(kMagic, sizeof kMagic)) == 0) {
    size_t page_size = (static_cast<unsigned char>(bytes[16]) << 8) | static_cast<unsigned char>(bytes[17]);
    if (page_size == 1) page_size = 65536;
    if (page_size >= 512 && (page_size & (page_size - 1)) == 0) {
      size_t pages = bytes.size() / page_size;
      bytes.resize(pages * page_size);
      for (int k = 0; k < 4; ++k) bytes[28 + k] = static_cast<char>((pages >> (8 * (3 - k))) & 0xFF);
    }
  }
  Status written = WriteAll(copy, bytes);
  if (!written.ok()) return written;
  std::string wal = ReadAll(damaged + "-wal", &found);
  if (found) return WriteAll(copy + "-wal", wal);
  return Status::Ok();
}

// The damaged store's device identity, where it can still be read: the salvaged store is the same
// device. "" when it cannot (the new store then gets a new identity).
std::string ReadableDeviceIdentity(Connection& source) {
  for (const char* sql : {"SELECT device_id FROM device_identity",
                          "SELECT json_extract(submission, '$.device_id') FROM instance WHERE submission IS NOT NULL "
                          "AND json_valid(submission) ORDER BY finalized_at DESC, id DESC LIMIT 1"}) {
    Statement read(source.get(), sql);
    if (read.ok() && read.Step() == SQLITE_ROW && IsValidDeviceId(read.Text(0))) return read.Text(0);
  }
  return "";
}

}  // namespace

Result<int64_t> DeviceStore::Salvage(const std::string& damaged, const std::string& into) {
  if (FILE* exists = std::fopen(into.c_str(), "rb")) {
    std::fclose(exists);
    return Status::InvalidArgument(into + " exists: salvage writes a new store");
  }
  // Work on a copy whose header is made to agree with the file's real size: a truncated store
  // still claims its old page count, and SQLite then refuses even to read its schema.
  std::string copy_path = into + ".salvage-source";
  Status prepared = PrepareSalvageCopy(damaged, copy_path);
  if (!prepared.ok()) return prepared;
  struct RemoveCopy {
    std::string path;
    ~RemoveCopy() {
      std::remove(path.c_str());
      std::remove((path + "-wal").c_str());
      std::remove((path + "-shm").c_str());
    }
  } remove_copy{copy_path};
  Connection source;
  Status opened = source.Open(copy_path, SQLITE_OPEN_READONLY);
  if (!opened.ok()) return opened;
  // Reads a schema whose later tables point past the end of a truncated file, instead of
  // refusing the whole file.
  IgnoreError(source.Exec("PRAGMA writable_schema=ON", "salvaging"),
              "without it a damaged schema may be refused, which the reads below then report");
  Result<int64_t> version = source.QueryInt("PRAGMA user_version", "reading the schema version");
  if (version.ok() && *version > CurrentSchemaVersion()) {
    return Status::Unsupported(damaged + " was written by a newer version of chosa (schema " + std::to_string(*version) +
                               "): salvage it with that version; this one would downgrade it");
  }
  StoreOptions target_options;
  target_options.device_id = ReadableDeviceIdentity(source);
  Result<std::unique_ptr<DeviceStore>> target = DeviceStore::Open(into, target_options);
  if (!target.ok()) return target.status();
  StoreDatabase& out = *(*target)->db_;
  std::lock_guard<std::mutex> lock(out.write_mutex);
  // A submission whose form version row was lost is still worth keeping: its canonical bytes
  // are complete. So the copy does not insist on references being whole.
  Status began = out.writer.Exec("PRAGMA foreign_keys=OFF", "salvaging");
  if (began.ok()) began = out.writer.Exec("BEGIN", "salvaging");
  if (!began.ok()) return began;
  // Row by row, table by table: a damaged page loses the rows on it, not the whole store. A
  // scan that fails part-way resumes after the last key it read.
  auto copy = [&](const std::string& select_after, const std::string& insert, int columns) {
    int64_t last = -1;
    int64_t copied = 0;
    for (int attempt = 0; attempt < 100000; ++attempt) {
      Statement rows(source.get(), select_after);
      if (!rows.ok()) return copied;
      rows.Bind(1, last);
      int code;
      bool progressed = false;
      while ((code = rows.Step()) == SQLITE_ROW) {
        Statement put(out.writer.get(), insert);
        for (int c = 0; c < columns; ++c) {
          if (rows.IsNull(c + 1)) {
            put.BindNull(c + 1);
          } else if (sqlite3_column_type(rows.get(), c + 1) == SQLITE_INTEGER) {
            put.Bind(c + 1, rows.Int(c + 1));
          } else {
            put.Bind(c + 1, rows.Text(c + 1));
          }
        }
        if (put.Step() == SQLITE_DONE) ++copied;
        last = rows.Int(0);
        progressed = true;
      }
      if (code == SQLITE_DONE) return copied;
      if (!progressed) ++last;  // skip the key that cannot be read
    }
    return copied;
  };
  // A version 1 store has no retention column: it reads as the default.
  bool has_retention = version.ok() && *version >= 2;
  copy(has_retention ? "SELECT rowid, form_id, version, form_json, sha256, installed_at, seq, retention_days FROM "
                       "form_version WHERE rowid > ? ORDER BY rowid"
                     : "SELECT rowid, form_id, version, form_json, sha256, installed_at, seq, 30 FROM form_version "
                       "WHERE rowid > ? ORDER BY rowid",
       "INSERT OR IGNORE INTO form_version (form_id, version, form_json, sha256, installed_at, seq, retention_days) "
       "VALUES (?, ?, ?, ?, ?, ?, ?)",
       7);
  int64_t instances = copy(
      "SELECT id, id, form_id, form_version, state, enumerator_id, language, page, started_at, started_offset, updated_at, "
      "instance_name, progress, uuid, replaces, reject_reason, finalized_at, sent_at, submission, sha256 FROM instance "
      "WHERE id > ? ORDER BY id",
      "INSERT OR IGNORE INTO instance (id, form_id, form_version, state, enumerator_id, language, page, started_at, "
      "started_offset, updated_at, instance_name, progress, uuid, replaces, reject_reason, finalized_at, sent_at, "
      "submission, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      19);
  copy("SELECT instance_id, instance_id, path, value, updated_at FROM answer WHERE instance_id > ? ORDER BY instance_id",
       "INSERT OR IGNORE INTO answer (instance_id, path, value, updated_at) VALUES (?, ?, ?, ?)", 4);
  copy("SELECT instance_id, instance_id, repeat, count FROM repeat_count WHERE instance_id > ? ORDER BY instance_id",
       "INSERT OR IGNORE INTO repeat_count (instance_id, repeat, count) VALUES (?, ?, ?)", 3);
  if (version.ok() && *version >= 2) {
    copy("SELECT instance_id, instance_id, seq, at, path, old_value, new_value FROM audit WHERE instance_id > ? "
         "ORDER BY instance_id",
         "INSERT OR IGNORE INTO audit (instance_id, seq, at, path, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?)", 6);
  }
  // Rows whose instance was lost are of no use.
  Status committed = out.writer.Exec("DELETE FROM answer WHERE instance_id NOT IN (SELECT id FROM instance);"
                                     "DELETE FROM repeat_count WHERE instance_id NOT IN (SELECT id FROM instance);"
                                     "DELETE FROM audit WHERE instance_id NOT IN (SELECT id FROM instance);",
                                     "salvaging");
  if (committed.ok()) committed = out.writer.Exec("COMMIT", "salvaging");
  if (!committed.ok()) {
    IgnoreError(out.writer.Exec("ROLLBACK", "salvaging"), "the failure that made it roll back is returned");
    return committed;
  }
  IgnoreError(out.writer.Exec("PRAGMA foreign_keys=ON", "salvaging"), "the new store is closed on return");
  return instances;
}

}  // namespace chosa
