// What the fuzz replays share (tests/engine/fuzz_replay_test.cpp, tests/platform/
// c_api_fuzz_replay_test.cpp): a corpus directory's files, their bytes, and running a fuzz entry
// point on them in a child process.
//
// Each input runs in a child (fork), and the caller asserts on how it ended: a crash ends it by
// its signal; in the sanitizer build a report halts it with a status of its own (ASan always,
// UBSan with -fno-sanitize-recover, cmake/ChosaWarnings.cmake); the child ends with _exit (the
// parent's atexit handlers are not its own), so under ASan it runs LeakSanitizer itself.
#ifndef CHOSA_TESTS_TEST_SUPPORT_FUZZ_REPLAY_H_
#define CHOSA_TESTS_TEST_SUPPORT_FUZZ_REPLAY_H_

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
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace chosa::testing {

// The files of `directory`, by name.
inline std::vector<std::string> FilesIn(const std::string& directory) {
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

inline std::string Slurp(const std::string& path) {
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

}  // namespace chosa::testing

#endif  // CHOSA_TESTS_TEST_SUPPORT_FUZZ_REPLAY_H_
