#include "store_database.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "chosa/base/hex_digest.h"
#include "chosa/env.h"
#include "schema.h"

namespace chosa {

StoreDatabase::StoreDatabase(std::string path, StoreOptions options)
    : path_(std::move(path)), options_(std::move(options)), env_(options_.env != nullptr ? options_.env : Env::Default()) {}

StoreDatabase::~StoreDatabase() {
  if (writer.get() != nullptr) sqlite3_wal_hook(writer.get(), nullptr, nullptr);
  checkpointer_.Stop();
  for (Statement* statement :
       {&upsert_answer, &upsert_answer_and_name, &delete_name, &insert_audit, &begin_write, &commit}) {
    *statement = Statement();
  }
  reader.Close();
  writer.Close();  // the last connection checkpoints and removes the WAL
}

Status StoreDatabase::Open() {
  // An empty file where a store should be is a truncated store, not a new one.
  if (FILE* file = std::fopen(path_.c_str(), "rb")) {
    bool empty = std::fgetc(file) == EOF;
    std::fclose(file);
    if (empty) {
      return Status::Corruption(path_ + " is empty: the store was truncated or is not a store; nothing was written to it");
    }
  }
  // First read-only: a damaged store or one from a newer chosa must not be written to at all.
  {
    Connection probe;
    Status opened = probe.Open(path_, SQLITE_OPEN_READONLY);
    if (opened.ok()) {
      Result<int64_t> version = probe.QueryInt("PRAGMA user_version", "reading " + path_);
      if (!version.ok()) {
        return Status::Corruption(path_ + " is not a readable chosa store (" + version.status().message() +
                                  "); run `chosa store check` and `chosa store salvage`");
      }
      if (*version > CurrentSchemaVersion()) {
        return Status::Unsupported(path_ + " was written by a newer version of chosa (schema " +
                                   std::to_string(*version) + "; this version reads up to " +
                                   std::to_string(CurrentSchemaVersion()) + "): update chosa; the store is left unchanged");
      }
      Statement check(probe.get(), "PRAGMA quick_check(1)");
      int code = check.ok() ? check.Step() : check.prepare_code();
      if (code != SQLITE_ROW || check.Text(0) != "ok") {
        std::string problem = code == SQLITE_ROW ? check.Text(0) : sqlite3_errstr(code);
        return Status::Corruption(path_ + " is damaged (" + problem +
                                  "); nothing was written to it: run `chosa store salvage`");
      }
    }
    // A missing file is created below.
  }
  Status opened = writer.Open(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!opened.ok()) return opened;
  Status pragmas = writer.Exec(
      // Foreign keys off, as SQLite's default, stated for builds that change it: schema.cpp, version 5.
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; PRAGMA wal_autocheckpoint=0; "
      "PRAGMA journal_size_limit=16777216;",
      "setting up the store");
  if (!pragmas.ok()) return pragmas;
  Status migrated = MigrateSchema(writer);
  if (!migrated.ok()) return migrated;
  Status identified = SettleDeviceIdentity();
  if (!identified.ok()) return identified;

  const unsigned int kept = SQLITE_PREPARE_PERSISTENT;
  upsert_answer = Statement(
      writer.get(), "INSERT OR REPLACE INTO answer (instance_id, path, value, updated_at) VALUES (?, ?, ?, ?)", kept);
  upsert_answer_and_name = Statement(writer.get(),
                                     "INSERT OR REPLACE INTO answer (instance_id, path, value, updated_at) VALUES "
                                     "(?1, ?2, ?3, ?4), (?1, '', ?5, ?4)",
                                     kept);
  delete_name = Statement(writer.get(), "DELETE FROM answer WHERE instance_id = ? AND path = ''", kept);
  insert_audit = Statement(writer.get(),
                           "INSERT INTO audit (instance_id, seq, at, path, old_value, new_value) VALUES "
                           "(?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit WHERE instance_id = ?), ?, ?, ?, ?)",
                           kept);
  begin_write = Statement(writer.get(), "BEGIN IMMEDIATE", kept);
  commit = Statement(writer.get(), "COMMIT", kept);
  for (Statement* statement :
       {&upsert_answer, &upsert_answer_and_name, &delete_name, &insert_audit, &begin_write, &commit}) {
    if (!statement->ok()) {
      return SqliteStatus(writer.get(), statement->prepare_code(), "preparing the store's statements");
    }
  }

  opened = reader.Open(path_, SQLITE_OPEN_READONLY);
  if (!opened.ok()) return opened;
  return checkpointer_.Start(path_, writer.get());
}

Status StoreDatabase::SettleDeviceIdentity() {
  std::string kept;
  {
    Statement read(writer.get(), "SELECT device_id FROM device_identity");
    const int code = read.ok() ? read.Step() : read.prepare_code();
    if (code == SQLITE_ROW) {
      kept = read.Text(0);
    } else if (code != SQLITE_DONE) {
      return SqliteStatus(writer.get(), code, "reading the store's device identity");
    }
  }
  const std::string& asked = options_.device_id;
  if (!kept.empty()) {
    if (!asked.empty() && asked != kept) {
      return Status::InvalidArgument(path_ + " is the store of device \"" + kept + "\", not of \"" + asked +
                                     "\": a store keeps the one device identity it was created with");
    }
    options_.device_id = kept;
    return Status::Ok();
  }
  std::string chosen = asked;
  if (chosen.empty()) {  // none asked for: a random one, unique across a city's tablets
    uint8_t bytes[8];
    env_->RandomBytes(bytes, sizeof bytes);
    chosen = "tablet-" + Hex(bytes, sizeof bytes);
  }
  if (!IsValidDeviceId(chosen)) {
    return Status::InvalidArgument("\"" + chosen + "\" cannot be a device identity: " + kDeviceIdRule);
  }
  Statement insert(writer.get(), "INSERT INTO device_identity (only_row, device_id) VALUES (1, ?)");
  insert.Bind(1, chosen);
  const int code = insert.ok() ? insert.Step() : insert.prepare_code();
  if (code != SQLITE_DONE) return SqliteStatus(writer.get(), code, "keeping the store's device identity");
  options_.device_id = chosen;
  return Status::Ok();
}

Result<std::string> ResolveFormReferences(std::string_view json, const std::vector<std::string>& directories) {
  nlohmann::ordered_json form = nlohmann::ordered_json::parse(json, nullptr, false);
  if (form.is_discarded() || !form.is_object()) return Status::InvalidArgument("the form is not a JSON object");
  auto lists = form.find("choice_lists");
  if (lists != form.end() && lists->is_object()) {
    for (auto& entry : lists->items()) {
      nlohmann::ordered_json& list = entry.value();
      if (!list.is_object() || !list.contains("$ref") || !list["$ref"].is_string()) continue;
      std::string ref = list["$ref"].get<std::string>();
      bool found = false;
      for (const std::string& directory : directories) {
        std::ifstream in(directory + "/" + ref, std::ios::binary);
        if (!in) continue;
        std::stringstream text;
        text << in.rdbuf();
        nlohmann::ordered_json codelist = nlohmann::ordered_json::parse(text.str(), nullptr, false);
        if (codelist.is_discarded() || !codelist.contains("choices")) {
          return Status::InvalidArgument("code list " + ref + " cannot be read");
        }
        list = codelist["choices"];
        found = true;
        break;
      }
      if (!found) return Status::InvalidArgument("code list not found: " + ref);
    }
  }
  return form.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

}  // namespace chosa
