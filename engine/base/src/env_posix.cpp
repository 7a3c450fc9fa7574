// Env::Default() for POSIX systems: the system clock, the process's time zone (TZ), getrandom().
#include <sys/random.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "chosa/env.h"

namespace chosa {
namespace {

class PosixEnv final : public Env {
 public:
  int64_t NowMillis() override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }

  int UtcOffsetMinutes(int64_t utc_millis) override {
    time_t seconds = static_cast<time_t>(utc_millis / 1000);
    struct tm local;
    if (localtime_r(&seconds, &local) == nullptr) return 0;
    return static_cast<int>(local.tm_gmtoff / 60);
  }

  void RandomBytes(uint8_t* out, size_t size) override {
    while (size > 0) {
      ssize_t got = getrandom(out, size, 0);
      if (got < 0) {
        if (errno == EINTR) continue;
        std::perror("chosa: getrandom");
        std::abort();  // no safe fallback exists for missing randomness
      }
      out += got;
      size -= static_cast<size_t>(got);
    }
  }

  void Log(LogLevel level, std::string_view message) override {
    static const char* kNames[] = {"debug", "info", "warning", "error"};
    std::lock_guard<std::mutex> lock(mu_);
    std::fprintf(stderr, "chosa %s: %.*s\n", kNames[static_cast<int>(level)],
                 static_cast<int>(message.size()), message.data());
  }

 private:
  std::mutex mu_;
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();  // never destroyed: usable during static destruction
  return env;
}

}  // namespace chosa
