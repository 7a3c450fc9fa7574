// A fixed set of threads that helps callers run independent pieces of work in parallel: a push's
// submissions are re-validated on every core while its one storage transaction stores those
// already checked. The caller works too, so a call never waits for a busy pool: with every
// helper taken by other pushes it runs its items alone, as it would without a pool.
#ifndef CHOSA_SYNC_COLLECTOR_WORK_POOL_H_
#define CHOSA_SYNC_COLLECTOR_WORK_POOL_H_

#include <atomic>
#include <chrono>
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
  void ForEach(size_t n, std::function<void(size_t)> work);

  // Runs work(i) once for each i in [0, n) on free helpers, while the caller takes the items in
  // order as they are done (Await): the caller consumes item i while later items are still being
  // worked on. Waiting for an item, the caller runs it itself if no one has claimed it yet, and
  // otherwise works from the far end of the items, so that it never holds up the ones it needs
  // next. `work` must not throw. Leaving the scope stops claiming new items and waits for the
  // running ones.
  class InOrder {
   public:
    InOrder(WorkPool& pool, size_t n, std::function<void(size_t)> work);
    ~InOrder();
    InOrder(const InOrder&) = delete;
    InOrder& operator=(const InOrder&) = delete;

    // Returns once work(i) has returned (i < n).
    void Await(size_t i);
    // Returns once every item has run.
    void AwaitAll();

   private:
    friend class WorkPool;  // its helpers run the Job
    struct Job;
    WorkPool& pool_;
    std::shared_ptr<Job> job_;
    bool queued_ = false;  // offered to the helpers
  };

  // Items run so far by the helpers and by the callers: how much the helpers took part (a
  // benchmark reports it; a helper starved of its core shows as a low share).
  size_t items_by_helpers() const { return items_by_helpers_.load(std::memory_order_relaxed); }
  size_t items_by_callers() const { return items_by_callers_.load(std::memory_order_relaxed); }

  // Helpers for this process: one fewer than the cores it may run on (the caller is the other).
  static unsigned DefaultHelpers();

 private:
  void HelperLoop();
  // How long an idle helper keeps watching for a job before it sleeps. A helper woken from
  // sleep missed much of a batch on this 2-core machine (its share of a push's checks fell from
  // 0.57 to about 0.4 in three runs of five), and a commit's fsync between two batches can take
  // milliseconds. Spinning that long when idle costs little; OpenMP runtimes spin 200 ms by
  // default (KMP_BLOCKTIME).
  static constexpr std::chrono::microseconds kWatchBeforeSleeping{10000};

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<InOrder::Job>> jobs_;  // jobs with items not yet claimed, oldest first
  std::atomic<size_t> queued_{0};                   // jobs_.size(), watched without the mutex
  std::atomic<size_t> items_by_helpers_{0}, items_by_callers_{0};
  std::atomic<bool> stopping_{false};  // set under mutex_; also watched without it
  std::vector<std::thread> helpers_;
};

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_WORK_POOL_H_
