// chosa: the device-side command-line tool. Each subcommand lives in its own file; this one
// dispatches and prints usage.
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"

namespace {

void PrintUsage(std::FILE* out) {
  std::fprintf(out,
               "usage: chosa COMMAND [ARGS]\n"
               "\n"
               "commands:\n"
               "  validate FORM...     check forms; print every fault as FILE: /pointer: col N: message\n"
               "  eval EXPRESSION...   evaluate expressions over literals (no ${name}) and print the values\n"
               "  fill FORM [--lang L] [--out FILE] [--device-id ID] [--enumerator ID]\n"
               "                       fill a form in the terminal, page by page, and write its submission\n"
               "  test FORM SCENARIO|DIR...\n"
               "                       run form test scenarios; print each failed expectation as FILE: step N: ...\n"
               "  help                 this text\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return 2;
  }
  std::string command = argv[1];
  if (command == "help" || command == "--help" || command == "-h") {
    PrintUsage(stdout);
    return 0;
  }
  if (command == "validate") return chosa::tools::RunValidate(argc - 2, argv + 2);
  if (command == "eval") return chosa::tools::RunEval(argc - 2, argv + 2);
  if (command == "fill") return chosa::tools::RunFill(argc - 2, argv + 2);
  if (command == "test") return chosa::tools::RunTest(argc - 2, argv + 2);
  std::fprintf(stderr, "chosa: unknown command \"%s\"\n\n", command.c_str());
  PrintUsage(stderr);
  return 2;
}
