// The seam between the engine and the operating system, as LevelDB's Env: the clock, the time
// zone, random bytes, logging and whether a network is worth trying. Env::Default() serves POSIX systems; an app or a test passes
// its own (a fake clock, a fixed zone) wherever the engine takes an Env.
//
// Thread safety: implementations must be safe for concurrent use from several threads.
// Ownership: whoever takes an Env* borrows it (a Session, a DeviceStore, a SyncClient): the Env
// must outlive them. Env::Default() is owned by the process and never destroyed; an
// EnvWrapper borrows its target, which must outlive it.
#ifndef CHOSA_ENV_H_
#define CHOSA_ENV_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace chosa {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

class Env {
 public:
  virtual ~Env() = default;

  // Milliseconds since the Unix epoch, UTC.
  virtual int64_t NowMillis() = 0;
  // Offset of local time from UTC, in minutes, at the instant `utc_millis` (+540 in Japan).
  virtual int UtcOffsetMinutes(int64_t utc_millis) = 0;
  // Fills `out` with `size` cryptographically strong random bytes.
  virtual void RandomBytes(uint8_t* out, size_t size) = 0;
  virtual void Log(LogLevel level, std::string_view message) = 0;
  // Whether a network is worth trying now (a sync asks before its first request). POSIX has no
  // cheap, honest answer: true, and the request itself finds out. A tablet app answers from its
  // platform's connectivity service.
  virtual bool NetworkAvailable() { return true; }

  // The process-wide default for this platform; never null, never destroyed.
  static Env* Default();
};

// Forwards every call to another Env, so that a test or port overrides one method only.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* target) : target_(target) {}
  int64_t NowMillis() override { return target_->NowMillis(); }
  int UtcOffsetMinutes(int64_t utc_millis) override { return target_->UtcOffsetMinutes(utc_millis); }
  void RandomBytes(uint8_t* out, size_t size) override { target_->RandomBytes(out, size); }
  void Log(LogLevel level, std::string_view message) override { target_->Log(level, message); }
  bool NetworkAvailable() override { return target_->NetworkAvailable(); }

 private:
  Env* target_;
};

}  // namespace chosa

#endif  // CHOSA_ENV_H_
