// Replays the fuzz corpora (and every form the repository holds) through the fuzz entry points,
// so that g++ builds and the sanitizer build check that no input crashes the engine.
//
// What it guards: a crash (a signal) or, in the sanitizer build, a sanitizer report. The entry
// points always return 0, so each input runs in a child process (fork) and the test asserts on
// how the child ended: exit status 0 and no signal. The sanitizer build halts at the first
// report: ASan always does, and cmake/ChosaWarnings.cmake compiles UBSan with
// -fno-sanitize-recover=undefined; both then exit with status 1 (a crash, by its signal). A
// child ends with _exit (the parent's atexit handlers are not its own), so under ASan it runs
// LeakSanitizer itself: a leak is reported and fails the input too.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "fuzz_replay.h"
#include "fuzz_targets.h"

namespace {

using chosa::testing::FilesIn;
using chosa::testing::RunInChild;
using chosa::testing::Slurp;

template <typename Target>
size_t Replay(const std::vector<std::string>& directories, Target target) {
  size_t count = 0;
  for (const std::string& directory : directories) {
    for (const std::string& file : FilesIn(directory)) {
      std::string data = Slurp(file);
      INFO("input: " << file);
      CHECK(RunInChild(target, data, data.size()) == "");
      ++count;
      // Every prefix of a few inputs too: truncated files are the commonest real damage.
      if (count % 7 == 0) {
        for (size_t cut = 0; cut < data.size(); cut += 1 + data.size() / 16) {
          INFO("cut after " << cut << " bytes");
          CHECK(RunInChild(target, data, cut) == "");
        }
      }
    }
  }
  return count;
}

}  // namespace

TEST_CASE("The form loader survives its corpus, every example and broken form, and their prefixes", "[fuzz]") {
  size_t count = Replay({CHOSA_SOURCE_DIR "/tests/fuzz/corpus/form_loader", CHOSA_SOURCE_DIR "/schemas/examples",
                         CHOSA_SOURCE_DIR "/tests/forms/broken", CHOSA_SOURCE_DIR "/tests/json_corpus"},
                        chosa::fuzz::FuzzFormLoader);
  CHECK(count >= 20);
}

TEST_CASE("The expression parser and evaluator survive their corpus", "[fuzz]") {
  size_t count = Replay({CHOSA_SOURCE_DIR "/tests/fuzz/corpus/expression"}, chosa::fuzz::FuzzExpression);
  CHECK(count >= 20);
}
