// Keeps the store's WAL short without making an answer wait for it: a background thread with its
// own connection copies the WAL into the database file (PASSIVE checkpoints), woken by the
// writer's WAL hook. It checkpoints by pages written, not by commits: a writer that never pauses
// gets a checkpoint per kCheckpointStep pages, not one after every commit, because each checkpoint
// syncs the WAL and a sync stalls the writer's next append to the page being written back.
#ifndef CHOSA_ENGINE_STORE_WAL_CHECKPOINTER_H_
#define CHOSA_ENGINE_STORE_WAL_CHECKPOINTER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "chosa/sqlite/sqlite_handle.h"

namespace chosa {

class WalCheckpointer {
 public:
  // WAL pages after which the first checkpoint runs: about 4 MiB of 4 KiB pages.
  static constexpr int kCheckpointPages = 1000;
  // While the writer keeps writing, another checkpoint once this many pages were added since the
  // last one copied; when the writer pauses (kIdleMillis without a commit), at once, so that
  // the WAL starts over from its beginning at the next write.
  static constexpr int kCheckpointStep = 250;
  static constexpr int kIdleMillis = 1;
  // Past this many pages PASSIVE checkpoints have not let the WAL start over (a writer that never
  // pauses): a RESTART checkpoint waits for a moment between two writes.
  static constexpr int kRestartPages = 8000;

  WalCheckpointer() = default;
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Opens the checkpointer's connection to `path`, hooks the commits of `writer` (the one
  // connection that writes) and starts the thread.
  Status Start(const std::string& path, sqlite3* writer);
  // Stops the thread and closes the connection; the writer's hook must be gone first.
  void Stop();

  // Checkpoints run so far (tests: an idle store runs none).
  uint64_t checkpoints_run() const { return checkpoints_.load(std::memory_order_relaxed); }
  // Tests: waits until the thread is asleep with no checkpoint asked for (it then runs none
  // until the next commit asks), or until `deadline`; returns whether it got there.
  bool WaitUntilIdle(std::chrono::steady_clock::time_point deadline);

 private:
  // What a checkpoint did: whether frames are left to copy (written meanwhile, or held by a
  // reader), and how many it has copied (-1: it could not run).
  struct Copy {
    bool behind = false;
    int copied = -1;
  };

  // The writer's WAL hook: runs after every commit, on the writer's thread.
  static int OnCommit(void* self, sqlite3* db, const char* name, int pages);
  bool Due(int pages) const;
  void Loop();
  // REQUIRES: `lock` holds mutex_; released while the checkpoint runs.
  Copy Checkpoint(std::unique_lock<std::mutex>& lock);

  Connection connection_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wanted_;
  bool stopping_ = false;
  bool idle_ = false;  // the thread sleeps until a request (guarded by mutex_)
  std::condition_variable idle_changed_;  // notified when idle_ becomes true (WaitUntilIdle)
  // Shared with the hook: set by a commit that wants a checkpoint, cleared by the thread; while it
  // is set a commit does not touch the mutex.
  std::atomic<bool> requested_{false};
  std::atomic<int> wal_pages_{0};  // the WAL's size at the last commit
  std::atomic<int> copied_{0};     // pages the last checkpoint copied (0 once the WAL started over)
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> checkpoints_{0};
  int last_pages_ = 0;  // the hook's own: a smaller size means that the WAL started over
};

}  // namespace chosa

#endif  // CHOSA_ENGINE_STORE_WAL_CHECKPOINTER_H_
