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

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "c_api_fuzz.h"

namespace {

const std::string kCorpus = std::string(CHOSA_SOURCE_DIR) + "/tests/fuzz/corpus/c_api";

std::vector<std::string> FilesIn(const std::string& directory) {
  std::vector<std::string> files;
  if (DIR* dir = opendir(directory.c_str())) {
    while (dirent* entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") files.push_back(directory + "/" + name);
    }
    closedir(dir);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// "" when the entry point ran the first `size` bytes of `data` in a child process that exited
// with status 0; else how the child ended (its own report is on stderr).
std::string RunInChild(const std::string& data, size_t size) {
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) return "fork failed";
  if (child == 0) {
    chosa::fuzz::FuzzCApi(reinterpret_cast<const uint8_t*>(data.data()), size);
#ifdef CHOSA_REPLAY_LEAK_CHECK
    if (__lsan_do_recoverable_leak_check() != 0) ::_exit(3);
#endif
    ::_exit(0);
  }
  int status = 0;
  if (::waitpid(child, &status, 0) != child) return "waitpid failed";
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "exit status " + std::to_string(WEXITSTATUS(status));
  return "";
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
