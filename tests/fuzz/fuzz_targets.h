// Fuzz entry points. Under clang with -DCHOSA_FUZZ=ON each becomes a libFuzzer target; under
// g++ the replay test runs every file of their corpora through them as an ordinary test.
#ifndef CHOSA_TESTS_FUZZ_FUZZ_TARGETS_H_
#define CHOSA_TESTS_FUZZ_FUZZ_TARGETS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chosa/env.h"

namespace chosa {
namespace fuzz {

// A clock and zone that do not depend on the machine, so that a crash replays anywhere.
class FuzzEnv final : public Env {
 public:
  int64_t NowMillis() override { return 1730597430000; }
  int UtcOffsetMinutes(int64_t) override { return 540; }
  void RandomBytes(uint8_t* out, size_t size) override {
    for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(i * 31 + 7);
  }
  void Log(LogLevel, std::string_view) override {}
};

// Loads the bytes as a form; when it loads, fills it (every answerable item gets a value made
// from the input, repeats grow and shrink) so that evaluation runs too.
int FuzzFormLoader(const uint8_t* data, size_t size);
// Parses and evaluates the bytes as an expression over literals.
int FuzzExpression(const uint8_t* data, size_t size);

}  // namespace fuzz
}  // namespace chosa

#endif  // CHOSA_TESTS_FUZZ_FUZZ_TARGETS_H_
