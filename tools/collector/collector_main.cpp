// chosa-collector: the collector server and its administration. Each subcommand lives in its own
// file (commands.h); this one dispatches and prints the usage.
#include <cstdio>
#include <string>

#include "commands.h"

namespace {

void PrintUsage(std::FILE* out) {
  std::fprintf(out,
               "usage: chosa-collector COMMAND [ARGS] [--data DIR]\n"
               "\n"
               "The server:\n"
               "  serve [OPTIONS]          serve the sync API over HTTPS (chosa-collector serve --help)\n"
               "  dev-tls DIR              make a local CA and a server certificate for trying it out\n"
               "\n"
               "Administration, on the data directory (--data DIR, default ./collector-data), also while\n"
               "the server runs:\n"
               "  publish FORM.json        check a form version with the engine, resolve its code lists, publish it\n"
               "  forms                    list the forms: state, versions, submissions, quarantined\n"
               "  check                    list stored submissions never re-validated against their form\n"
               "  close FORM_ID            stop listing a form to devices (their pushes are still accepted)\n"
               "  archive FORM_ID          retire a form: not listed, pushes rejected; its data stays\n"
               "  reopen FORM_ID           list a closed or archived form to devices again\n"
               "  enrol-code --forms ID,... [--valid-days N]\n"
               "                           a one-time code that enrols one device for these forms\n"
               "  devices                  list the enrolled devices\n"
               "  revoke DEVICE_ID         refuse a device's token from now on\n"
               "  analyst-token NAME       a token for an analyst (exports), shown once\n"
               "  analyst-tokens           list the analyst tokens\n"
               "  revoke-analyst NAME      refuse an analyst token from now on\n"
               "  quarantine [list [--all] | show ID [--body] | release ID]\n"
               "                           the rejected submissions kept for the bureau\n"
               "  export FORM_ID [--since CURSOR] [--format jsonl|csv] [--out DIR] ...\n"
               "                           the form's dataset as JSON Lines or CSV, or only what came after CURSOR\n"
               "  backup PATH              an online, consistent copy of the database into a new file\n"
               "  restore BACKUP           put a backup in place, with the collector stopped\n"
               "\n"
               "chosa-collector COMMAND --help describes a command. Exit status: 0 ok, 1 failure, 2 usage error.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return 2;
  }
  const std::string command = argv[1];
  if (command == "help" || command == "--help" || command == "-h") {
    PrintUsage(stdout);
    return 0;
  }
  const chosa::collector_tool::Args args(argv + 2, argv + argc);
  if (command == "serve") return chosa::collector_tool::ServeCommand(args);
  if (command == "dev-tls") return chosa::collector_tool::DevTlsCommand(args);
  if (chosa::collector_tool::IsAdminCommand(command)) return chosa::collector_tool::AdminCommand(command, args);
  std::fprintf(stderr, "chosa-collector: unknown command \"%s\"\n\n", command.c_str());
  PrintUsage(stderr);
  return 2;
}
