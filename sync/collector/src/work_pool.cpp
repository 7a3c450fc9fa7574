#include "chosa/collector/work_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>

#ifdef __linux__
#include <sched.h>
#endif

namespace chosa::collector {

// One InOrder (or ForEach) call. Items [front, back) are unclaimed: helpers claim from the
// front, the order they are consumed in; a caller waiting for an item a helper is running
// claims from the back, so that its work never holds up the items needed next. Completion is
// published under `mutex`, so a waiter cannot miss it. Helpers hold a shared_ptr: one that finds
// the job exhausted after its owner returned touches only memory it still owns.
struct WorkPool::InOrder::Job {
  Job(size_t count, std::function<void(size_t)> fn)
      : n(count), work(std::move(fn)), back(count), done(new bool[count == 0 ? 1 : count]()) {}
  const size_t n;
  const std::function<void(size_t)> work;
  std::mutex mutex;
  std::condition_variable progress;
  size_t front = 0;                // under `mutex`
  size_t back;                     // under `mutex`
  std::unique_ptr<bool[]> done;    // under `mutex`
  size_t finished = 0;             // under `mutex`
  std::atomic<bool> exhausted{false};  // front == back: watched by helpers without the mutex

  enum class End { kFront, kBack };
  // Claims an item at `end` and runs it, counting it in `ran`; false when every item is claimed.
  bool RunOne(End end, std::atomic<size_t>& ran) {
    size_t i;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (front >= back) return false;
      i = end == End::kFront ? front++ : --back;
      if (front == back) exhausted.store(true, std::memory_order_relaxed);
    }
    work(i);
    ran.fetch_add(1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex);
      done[i] = true;
      ++finished;
    }
    progress.notify_all();
    return true;
  }
};

WorkPool::WorkPool(unsigned helpers) {
  helpers_.reserve(helpers);
  for (unsigned i = 0; i < helpers; ++i) helpers_.emplace_back([this] { HelperLoop(); });
}

WorkPool::~WorkPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : helpers_) t.join();
}

unsigned WorkPool::DefaultHelpers() {
  // The cores this process may run on (a container's or taskset's share), not the machine's.
  unsigned cores = std::thread::hardware_concurrency();
#ifdef __linux__
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) cores = static_cast<unsigned>(CPU_COUNT(&allowed));
#endif
  return cores > 1 ? cores - 1 : 0;
}

void WorkPool::ForEach(size_t n, std::function<void(size_t)> work) {
  InOrder items(*this, n, std::move(work));
  items.AwaitAll();
}

WorkPool::InOrder::InOrder(WorkPool& pool, size_t n, std::function<void(size_t)> work)
    : pool_(pool), job_(std::make_shared<Job>(n, std::move(work))) {
  if (n < 2 || pool.helpers_.empty()) return;  // one item: the caller runs it without a hand-off
  {
    std::lock_guard<std::mutex> lock(pool.mutex_);
    pool.jobs_.push_back(job_);
    pool.queued_.store(pool.jobs_.size(), std::memory_order_relaxed);
  }
  queued_ = true;
  pool.wake_.notify_all();
}

WorkPool::InOrder::~InOrder() {
  // Nothing new starts; the items already claimed finish before `work`'s captures go away.
  {
    std::unique_lock<std::mutex> lock(job_->mutex);
    const size_t claimed = job_->front + (job_->n - job_->back);
    job_->front = job_->back;
    job_->exhausted.store(true, std::memory_order_relaxed);
    job_->progress.wait(lock, [&] { return job_->finished == claimed; });
  }
  if (queued_) {
    // Usually a helper removed it already, on finding no item left to claim.
    std::lock_guard<std::mutex> lock(pool_.mutex_);
    pool_.jobs_.erase(std::remove(pool_.jobs_.begin(), pool_.jobs_.end(), job_), pool_.jobs_.end());
    pool_.queued_.store(pool_.jobs_.size(), std::memory_order_relaxed);
  }
}

void WorkPool::InOrder::Await(size_t i) {
  Job& job = *job_;
  for (;;) {
    Job::End end;
    {
      std::unique_lock<std::mutex> lock(job.mutex);
      if (job.done[i]) return;
      if (i == job.front && job.front < job.back) {
        end = Job::End::kFront;  // no one has it yet: run it here
      } else if (job.front < job.back) {
        end = Job::End::kBack;  // a helper is on it: meanwhile, take work off the far end
      } else {
        job.progress.wait(lock, [&] { return job.done[i]; });
        return;
      }
    }
    job.RunOne(end, pool_.items_by_callers_);
  }
}

void WorkPool::InOrder::AwaitAll() {
  Job& job = *job_;
  while (job.RunOne(Job::End::kFront, pool_.items_by_callers_)) {
  }
  std::unique_lock<std::mutex> lock(job.mutex);
  job.progress.wait(lock, [&] { return job.finished == job.n; });
}

void WorkPool::HelperLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (jobs_.empty() && !stopping_) {
      // Jobs come in runs (a push's batch, then the next push's): a helper that sleeps
      // between them is woken too late to take part, since waking a thread costs as much as
      // several items. So it watches for the next job a little while before it sleeps.
      lock.unlock();
      const auto until = std::chrono::steady_clock::now() + kWatchBeforeSleeping;
      while (queued_.load(std::memory_order_relaxed) == 0 && !stopping_.load(std::memory_order_relaxed) &&
             std::chrono::steady_clock::now() < until) {
        std::this_thread::yield();
      }
      lock.lock();
    }
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;
    std::shared_ptr<InOrder::Job> job = jobs_.front();
    if (job->exhausted.load(std::memory_order_relaxed)) {  // every item claimed: nothing left for a helper
      jobs_.pop_front();
      queued_.store(jobs_.size(), std::memory_order_relaxed);
      continue;
    }
    lock.unlock();
    while (job->RunOne(InOrder::Job::End::kFront, items_by_helpers_)) {
    }
    lock.lock();
  }
}

}  // namespace chosa::collector
