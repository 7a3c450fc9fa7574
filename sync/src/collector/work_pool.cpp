#include "collector/work_pool.h"

#include <algorithm>
#include <atomic>

namespace chosa::collector {

// One ForEach call. Items are claimed one at a time from `next`; the caller waits for
// `finished` to reach `n`. Helpers hold a shared_ptr, so a helper that finds the job exhausted
// after the caller returned touches only memory it still owns.
struct WorkPool::Job {
  Job(size_t count, const std::function<void(size_t)>& fn) : n(count), work(fn) {}
  const size_t n;
  const std::function<void(size_t)>& work;  // valid until `finished == n`
  std::atomic<size_t> next{0};
  std::atomic<size_t> finished{0};
  std::mutex mutex;
  std::condition_variable done;
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
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 1 ? cores - 1 : 0;
}

void WorkPool::Work(Job& job) {
  size_t did = 0;
  for (size_t i = job.next.fetch_add(1); i < job.n; i = job.next.fetch_add(1)) {
    job.work(i);
    ++did;
  }
  if (did > 0 && job.finished.fetch_add(did) + did == job.n) {
    std::lock_guard<std::mutex> lock(job.mutex);
    job.done.notify_all();
  }
}

void WorkPool::ForEach(size_t n, const std::function<void(size_t)>& work) {
  if (n == 0) return;
  auto job = std::make_shared<Job>(n, work);
  const bool shared = n > 1 && !helpers_.empty();
  if (shared) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      jobs_.push_back(job);
    }
    wake_.notify_all();
  }
  Work(*job);
  std::unique_lock<std::mutex> lock(job->mutex);
  job->done.wait(lock, [&] { return job->finished.load() == n; });
  lock.unlock();
  if (shared) {
    // Usually a helper removed it already, on finding no item left to claim.
    std::lock_guard<std::mutex> queue_lock(mutex_);
    jobs_.erase(std::remove(jobs_.begin(), jobs_.end(), job), jobs_.end());
  }
}

void WorkPool::HelperLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;
    std::shared_ptr<Job> job = jobs_.front();
    if (job->next.load() >= job->n) {  // every item claimed: nothing left here for a helper
      jobs_.pop_front();
      continue;
    }
    lock.unlock();
    Work(*job);
    lock.lock();
  }
}

}  // namespace chosa::collector
