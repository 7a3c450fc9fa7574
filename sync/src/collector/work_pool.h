// A fixed set of threads that helps callers run independent pieces of work in parallel: a push's
// submissions are re-validated on every core before its one storage transaction. The caller
// works too, so a call never waits for a busy pool: with every helper taken by other pushes it
// runs its items alone, as it would without a pool.
#ifndef CHOSA_SYNC_COLLECTOR_WORK_POOL_H_
#define CHOSA_SYNC_COLLECTOR_WORK_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace chosa::collector {

class WorkPool {
 public:
  // `helpers` threads besides the callers (0: every call runs on its caller alone).
  explicit WorkPool(unsigned helpers);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Runs work(i) once for each i in [0, n), on the calling thread and on free helpers, and
  // returns when every one has returned. `work` must not throw.
  void ForEach(size_t n, const std::function<void(size_t)>& work);

  // Helpers for a machine: one fewer than its cores (the caller is the other).
  static unsigned DefaultHelpers();

 private:
  struct Job;
  void HelperLoop();
  static void Work(Job& job);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> jobs_;  // jobs with items not yet claimed, oldest first
  bool stopping_ = false;
  std::vector<std::thread> helpers_;
};

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_WORK_POOL_H_
