// The store's connections: one writer (all writes, under a mutex), one reader for listings, and
// the WAL checkpointer (wal_checkpointer.h), so that no answer waits for a checkpoint.
#ifndef CHOSA_ENGINE_STORE_STORE_DATABASE_H_
#define CHOSA_ENGINE_STORE_STORE_DATABASE_H_

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "chosa/form.h"
#include "chosa/store.h"
#include "chosa/sqlite/sqlite_handle.h"
#include "wal_checkpointer.h"

namespace chosa {

class StoreDatabase {
 public:
  StoreDatabase(std::string path, StoreOptions options);
  ~StoreDatabase();

  // Opens, checks (quick_check) and migrates; settles the device identity; starts the checkpointer.
  Status Open();

  const std::string& path() const { return path_; }
  // options().device_id is the store's device identity once Open() succeeded.
  const StoreOptions& options() const { return options_; }
  Env* env() const { return env_; }

  // The writer: hold `write_mutex` for every use of `writer`.
  std::mutex write_mutex;
  Connection writer;
  // The reader: hold `read_mutex` for every use of `reader`.
  mutable std::mutex read_mutex;
  mutable Connection reader;

  // Prepared once on the writer (SQLITE_PREPARE_PERSISTENT) and reused: autosave is the hot
  // path, and an answer with an audit row or a repeat change runs in a transaction.
  Statement upsert_answer;
  Statement upsert_answer_and_name;  // and the draft's name under the empty path (schema 4)
  Statement delete_name;             // at finalize
  Statement insert_audit;
  Statement begin_write;  // BEGIN IMMEDIATE
  Statement commit;

  // The drafts open in this process (a Draft object alive, or being resumed), by instance id:
  // one cannot be deleted while it is open, since its next answer would be saved without its
  // instance, nor opened twice, since each copy would save its own answers and finalize without
  // the other's.
  std::mutex open_drafts_mutex;
  std::set<int64_t> open_drafts;
  // Loaded forms by "form_id\nversion", shared by drafts.
  std::mutex forms_mutex;
  std::map<std::string, std::shared_ptr<const Form>> forms;

 private:
  // Reads the store's device identity, or keeps the one asked for (or a new random one) in a store
  // that has none; refuses another identity than the one kept.
  Status SettleDeviceIdentity();

  std::string path_;
  StoreOptions options_;
  Env* env_;
  WalCheckpointer checkpointer_;
};

// A form's JSON with every {"$ref": "..."} choice list replaced by the list it names: the form
// that is stored, hashed and sent.
Result<std::string> ResolveFormReferences(std::string_view json, const std::vector<std::string>& directories);

}  // namespace chosa

#endif  // CHOSA_ENGINE_STORE_STORE_DATABASE_H_
