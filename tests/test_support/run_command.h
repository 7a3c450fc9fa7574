// A shell command run to its end by the tests that drive the programs (the tools, Python's readers
// of CSV and Excel files): its exit status and standard output. Standard error goes where the
// command sends it.
#ifndef CHOSA_TESTS_RUN_COMMAND_H_
#define CHOSA_TESTS_RUN_COMMAND_H_

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

namespace chosa::testing {

struct CommandRun {
  int exit_status = -1;  // -1 when the command did not exit by itself (a signal)
  std::string out;
};

inline CommandRun RunCommand(const std::string& command) {
  CommandRun run;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[65536];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) run.out.append(buffer, n);
  const int status = ::pclose(pipe);
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace chosa::testing

#endif  // CHOSA_TESTS_RUN_COMMAND_H_
