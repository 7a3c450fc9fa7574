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
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define CHOSA_REPLAY_LEAK_CHECK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CHOSA_REPLAY_LEAK_CHECK 1
#endif
#endif
#ifdef CHOSA_REPLAY_LEAK_CHECK
#include <sanitizer/lsan_interface.h>
#endif

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fuzz_targets.h"

namespace {

std::vector<std::string> FilesIn(const std::string& directory) {
  std::vector<std::string> files;
  if (DIR* dir = opendir(directory.c_str())) {
    while (dirent* entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") files.push_back(directory + "/" + name);
    }
    closedir(dir);
  }
  return files;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// How running `target` on the first `size` bytes of `data` in a child process ended: "" when it
// exited with status 0, otherwise what went wrong (the child's own report is on stderr).
template <typename Target>
std::string RunInChild(Target target, const std::string& data, size_t size) {
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t child = ::fork();
  if (child < 0) return "fork failed";
  if (child == 0) {
    target(reinterpret_cast<const uint8_t*>(data.data()), size);
#ifdef CHOSA_REPLAY_LEAK_CHECK
    if (__lsan_do_recoverable_leak_check() != 0) ::_exit(3);  // LeakSanitizer printed the leak
#endif
    ::_exit(0);  // no atexit handlers: Catch2's belong to the parent
  }
  int status = 0;
  if (::waitpid(child, &status, 0) != child) return "waitpid failed";
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "exit status " + std::to_string(WEXITSTATUS(status));
  return "";
}

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
