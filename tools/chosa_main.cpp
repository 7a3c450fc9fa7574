// chosa: the device-side command-line tool. Each subcommand lives in its own file; this one
// dispatches and prints usage.
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"

namespace {

#ifdef CHOSA_WITH_SYNC
const char* const kSyncUsage =
    "  sync [--store PATH]  install new form versions from the collector, then send the outbox\n"
    "  sync enroll --collector URL --code CODE [--name NAME] [--ca FILE] [--pin PIN]...\n"
    "                       enrol this device with a collector, once\n"
    "  pull --collector URL --token TOKEN FORM [--dataset DIR] [--ca FILE] [--pin PIN]... [--all-versions]\n"
    "       [--page N] [--labels LANG] [--xlsx] [--max-response-kb N]\n"
    "                       bring the bureau's analysis dataset of FORM up to date (SQLite + CSV,\n"
    "                       --xlsx: Excel) in --dataset DIR, by default\n"
    "                       ${XDG_DATA_HOME:-~/.local/share}/chosa/datasets\n";
#else
const char* const kSyncUsage = "";
#endif

void PrintUsage(std::FILE* out) {
  std::fprintf(out,
               "usage: chosa COMMAND [ARGS]\n"
               "\n"
               "commands:\n"
               "  validate FORM...     check forms; print every fault as FILE: /pointer: col N: message\n"
               "  eval EXPRESSION...   evaluate expressions over literals (no ${name}) and print the values\n"
               "  fill FORM [--store PATH | --no-store] [--lang L] [--out FILE] [--device-id ID] [--enumerator ID]\n"
               "                       fill a form in the terminal, page by page, saving every answer in\n"
               "                       a draft of the device store; finalize it into the outbox\n"
               "  drafts [--store PATH] [--delete ID]\n"
               "                       list the drafts (instance name, progress, last change), or delete one\n"
               "  resume ID|UUID [--store PATH] [--lang L] [--out FILE]\n"
               "                       continue a draft (or correct a rejected submission) in the terminal\n"
               "  outbox [--store PATH] [--purge-sent] [--show UUID]\n"
               "                       list finalized, rejected and sent submissions; print one; delete sent ones\n"
               "  store check|salvage [--store PATH] [--into NEW]\n"
               "                       check a device store; copy what is readable of a damaged one\n"
               "%s"
               "  report DATASET [--by QUESTION] [--lang L] [--cross ROW:COLUMN]... [--out DIR]\n"
               "                       the bureau's tables of a pulled dataset: an HTML page with charts, and CSV\n"
               "  simulate FORM --store PATH --count N [--seed S] [--device-id ID] [--enumerator ID]\n"
               "                       finalize N submissions of simulated respondents into the outbox\n"
               "  test FORM SCENARIO|DIR...\n"
               "                       run form test scenarios; print each failed expectation as FILE: step N: ...\n"
               "  help                 this text\n",
               kSyncUsage);
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
  if (command == "drafts") return chosa::tools::RunDrafts(argc - 2, argv + 2);
  if (command == "resume") return chosa::tools::RunResume(argc - 2, argv + 2);
  if (command == "outbox") return chosa::tools::RunOutbox(argc - 2, argv + 2);
  if (command == "store") return chosa::tools::RunStore(argc - 2, argv + 2);
  if (command == "simulate") return chosa::tools::RunSimulate(argc - 2, argv + 2);
  if (command == "report") return chosa::tools::RunReport(argc - 2, argv + 2);
#ifdef CHOSA_WITH_SYNC
  if (command == "sync") return chosa::tools::RunSync(argc - 2, argv + 2);
  if (command == "pull") return chosa::tools::RunPull(argc - 2, argv + 2);
#endif
  std::fprintf(stderr, "chosa: unknown command \"%s\"\n\n", command.c_str());
  PrintUsage(stderr);
  return 2;
}
