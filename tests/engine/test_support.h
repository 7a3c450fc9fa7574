// Helpers shared by the engine tests: a fixed clock and zone, loading forms from text; and
// TempDir, the temporary directory every test target shares (tests/test_support/temp_dir.h).
#ifndef CHOSA_TESTS_ENGINE_TEST_SUPPORT_H_
#define CHOSA_TESTS_ENGINE_TEST_SUPPORT_H_

#include <stdlib.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "chosa/env.h"
#include "chosa/form.h"
#include "temp_dir.h"  // TempDir

namespace chosa {
namespace testing {

// A fixed instant (2024-11-03T01:30:30Z) and zone (+09:00 unless told), whatever TZ the test runs in.
class FixedEnv : public Env {
 public:
  explicit FixedEnv(int64_t now_millis = 1730597430000, int offset_minutes = 540)
      : now_(now_millis), offset_(offset_minutes) {}
  int64_t NowMillis() override { return now_; }
  int UtcOffsetMinutes(int64_t) override { return offset_; }
  void RandomBytes(uint8_t* out, size_t size) override {
    for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(seed_++ * 37 + 11);
  }
  void Log(LogLevel, std::string_view) override {}

 private:
  int64_t now_;
  int offset_;
  unsigned seed_ = 1;
};

// Loads a form from JSON text; fails the test (printing every fault) when it does not load.
inline std::shared_ptr<const Form> MustLoad(const std::string& json, const FormLoadOptions& options = {}) {
  FormLoadResult result = Form::Load(json, options);
  for (const Status& fault : result.faults) UNSCOPED_INFO(fault.ToString());
  REQUIRE(result.ok());
  return result.form;
}

// A file's bytes ("" when it cannot be read).
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The faults of a form that must not load, one "pointer: col N: message" a line.
inline std::string FaultsOf(const std::string& json) {
  FormLoadResult result = Form::Load(json);
  std::string out;
  for (const Status& fault : result.faults) out += fault.ToString() + "\n";
  return out;
}

}  // namespace testing
}  // namespace chosa

#endif  // CHOSA_TESTS_ENGINE_TEST_SUPPORT_H_
