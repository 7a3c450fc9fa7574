// Requests per device, as token buckets: a device may burst (a tablet syncing after a week
// offline sends many batches at once) but not flood the collector. Past its rate it is told how
// long to wait (HTTP 429 with Retry-After), which the sync client honours.
#ifndef CHOSA_SYNC_COLLECTOR_RATE_LIMITER_H_
#define CHOSA_SYNC_COLLECTOR_RATE_LIMITER_H_

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace chosa::collector {

class RateLimiter {
 public:
  // `per_second` requests on average, up to `burst` at once; per_second <= 0: no limit.
  RateLimiter(double per_second, double burst) : per_second_(per_second), burst_(burst) {}

  // Takes one request from `key`'s bucket: 0 when allowed, else the whole seconds to wait.
  int Acquire(const std::string& key, std::chrono::steady_clock::time_point now);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };
  const double per_second_;
  const double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_RATE_LIMITER_H_
