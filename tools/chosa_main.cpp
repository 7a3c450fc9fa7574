// chosa: the device-side command-line tool. Each subcommand lives in its own file; this one
// dispatches and prints usage.
#include <cstdio>
#include <string>
#include <vector>

#include "cli_args.h"
#include "commands.h"

namespace {

#ifdef CHOSA_WITH_SYNC
const char* const kSyncUsage =
    "  sync [--store PATH] [--batch N]\n"
    "                       install new form versions from the collector, then send the outbox\n"
    "  sync enroll --collector URL --code CODE [--name NAME] [--ca FILE] [--pin PIN]...\n"
    "       [--store PATH] [--device-id ID] [--replace]\n"
    "                       enrol this device with a collector, once\n"
    "  pull --collector URL [--token TOKEN] FORM [--dataset DIR] [--ca FILE] [--pin PIN]... [--all-versions]\n"
    "       [--page N] [--labels LANG] [--xlsx] [--max-response-kb N]   (token: or CHOSA_ANALYST_TOKEN)\n"
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
               "       [--designer]\n"
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
               "  kiosk FORM... [--store PATH] [--listen 127.0.0.1:PORT] [--loop] [--idle-seconds N]\n"
               "       [--enumerator ID] [--port-file PATH]\n"
               "                       serve the forms to a browser or web view on this device's loopback\n"
               "%s"
               "  report DATASET [--by QUESTION] [--lang L] [--cross ROW:COLUMN]... [--out DIR]\n"
               "                       the bureau's tables of a pulled dataset: an HTML page with charts, and CSV\n"
               "  simulate FORM --store PATH --count N [--seed S] [--device-id ID] [--enumerator ID]\n"
               "                       finalize N submissions of simulated respondents into the outbox\n"
               "  test FORM SCENARIO|DIR...\n"
               "                       run form test scenarios; print each failed expectation as FILE: step N: ...\n"
               "  help                 this text\n"
               "\n"
               "chosa COMMAND --help describes a command. Exit status: 0 ok, 1 failure, 2 usage error.\n",
               kSyncUsage);
}

// A command of chosa::tools (argc and argv after the command's name) as a cli::Command.
chosa::cli::Command Entry(const char* name, int (*run)(int, char**)) {
  return {name, [run](const std::vector<std::string>& args) {
            std::vector<std::string> copies = args;
            std::vector<char*> argv;
            for (std::string& arg : copies) argv.push_back(arg.data());
            argv.push_back(nullptr);
            return run(static_cast<int>(copies.size()), argv.data());
          }};
}

}  // namespace

int main(int argc, char** argv) {
  using namespace chosa::tools;
  const std::vector<chosa::cli::Command> commands = {
      Entry("validate", RunValidate), Entry("eval", RunEval),     Entry("fill", RunFill),
      Entry("drafts", RunDrafts),     Entry("resume", RunResume), Entry("outbox", RunOutbox),
      Entry("store", RunStore),
#ifdef CHOSA_WITH_SYNC
      Entry("sync", RunSync),         Entry("pull", RunPull),
#endif
      Entry("kiosk", RunKiosk),       Entry("report", RunReport),     Entry("simulate", RunSimulate), Entry("test", RunTest),
  };
  return chosa::cli::Dispatch("chosa", commands, PrintUsage, argc, argv);
}
