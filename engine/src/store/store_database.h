// The store's connections: one writer (all writes, under a mutex), one reader for listings, and
// a background thread that checkpoints the WAL so that no answer waits for a checkpoint.
#ifndef CHOSA_ENGINE_STORE_STORE_DATABASE_H_
#define CHOSA_ENGINE_STORE_STORE_DATABASE_H_

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "chosa/form.h"
#include "chosa/store.h"
#include "store/sqlite_handle.h"

namespace chosa {

class StoreDatabase {
 public:
  StoreDatabase(std::string path, StoreOptions options);
  ~StoreDatabase();

  // Opens, checks (quick_check) and migrates; starts the checkpointer.
  Status Open();

  const std::string& path() const { return path_; }
  const StoreOptions& options() const { return options_; }
  Env* env() const { return env_; }

  // The writer: hold `write_mutex` for every use of `writer`.
  std::mutex write_mutex;
  Connection writer;
  // The reader: hold `read_mutex` for every use of `reader`.
  mutable std::mutex read_mutex;
  mutable Connection reader;

  // Prepared on the writer, reused for every answer (autosave is the hot path).
  Statement upsert_answer;
  Statement insert_audit;

  // Loaded forms by "form_id\nversion", shared by drafts.
  std::mutex forms_mutex;
  std::map<std::string, std::shared_ptr<const Form>> forms;

  // Wakes the checkpointer (called from the writer's WAL hook with the WAL's size in pages).
  void RequestCheckpoint(int wal_pages);

 private:
  void CheckpointLoop();

  std::string path_;
  StoreOptions options_;
  Env* env_;
  Connection checkpointer_;
  std::thread checkpoint_thread_;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wanted_;
  bool checkpoint_requested_ = false;
  int wal_pages_ = 0;
  bool stopping_ = false;
};

// A form's JSON with every {"$ref": "..."} choice list replaced by the list it names: the form
// that is stored, hashed and sent.
Result<std::string> ResolveFormReferences(std::string_view json, const std::vector<std::string>& directories);

}  // namespace chosa

#endif  // CHOSA_ENGINE_STORE_STORE_DATABASE_H_
