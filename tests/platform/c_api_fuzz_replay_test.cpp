// Replays the C API's fuzz corpus (tests/fuzz/corpus/c_api) through its entry point
// (tests/fuzz/c_api_fuzz.cpp), so that g++ builds and the sanitizer build run it as a test.
//
// As tests/engine/fuzz_replay_test.cpp does for the engine's targets: each input runs in a child
// process (fork), and the test asserts that the child exited with status 0: the entry point
// aborts when a call breaks a promise of chosa.h, a crash ends the child by its signal, and in
// the sanitizer build a sanitizer report (and, the child ending with _exit, a leak that
// LeakSanitizer finds there) fails it with a status of its own. Every prefix of a few inputs
// runs too. The corpus holds the committed seeds (tests/fuzz/make_c_api_seeds.py) and whatever
// inputs scripts/fuzz.sh found worth keeping.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "c_api_fuzz.h"
#include "fuzz_replay.h"

namespace {

const std::string kCorpus = std::string(CHOSA_SOURCE_DIR) + "/tests/fuzz/corpus/c_api";

using chosa::testing::FilesIn;
using chosa::testing::Slurp;

// "" when the entry point ran the first `size` bytes of `data` in a child that exited with 0.
std::string RunInChild(const std::string& data, size_t size) {
  return chosa::testing::RunInChild(chosa::fuzz::FuzzCApi, data, size);
}

}  // namespace

TEST_CASE("the C API keeps its promises over the fuzz corpus and its prefixes", "[fuzz]") {
  const std::vector<std::string> files = FilesIn(kCorpus);
  REQUIRE(files.size() >= 8);
  chosa::fuzz::PrepareCApi();  // here, not in each child (which ends without removing it)
  size_t count = 0;
  for (const std::string& file : files) {
    const std::string data = Slurp(file);
    INFO("input: " << file);
    CHECK(RunInChild(data, data.size()) == "");
    if (++count % 4 == 0) {
      for (size_t cut = 1; cut < data.size(); cut += 1 + data.size() / 8) {
        INFO("cut after " << cut << " bytes");
        CHECK(RunInChild(data, cut) == "");
      }
    }
  }
}
