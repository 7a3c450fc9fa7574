// chosa-collector: the collector server and its administration. Each subcommand lives in its own
// file (commands.h); this one dispatches and prints the usage.
#include <cstdio>
#include <string>
#include <vector>

#include "cli_args.h"
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
               "  check                    the full check: damaged pages, damaged submissions (SHA-256), lost\n"
               "                           acknowledged submissions, submissions never re-validated\n"
               "  close FORM_ID            stop listing a form to devices (their pushes are still accepted)\n"
               "  archive FORM_ID          retire a form: not listed, pushes rejected; its data stays\n"
               "  reopen FORM_ID           list a closed or archived form to devices again\n"
               "  enrol-code --forms ID,... [--valid-days N] [--device ID]\n"
               "                           a one-time code that enrols one device for these forms\n"
               "  devices [link|unlink OLD NEW]\n"
               "                           list the enrolled devices; link a re-enrolled tablet to its former\n"
               "                           enrolment, or undo such a link\n"
               "  revoke DEVICE_ID         refuse a device's token from now on\n"
               "  analyst-token NAME       a token for an analyst (exports), shown once\n"
               "  analyst-tokens           list the analyst tokens\n"
               "  revoke-analyst NAME      refuse an analyst token from now on\n"
               "  quarantine [list [--all] | show ID [--body] | release ID]\n"
               "                           the rejected submissions kept for the bureau\n"
               "  export FORM_ID [--since CURSOR] [--format jsonl|csv|xlsx] [--out DIR] ...\n"
               "                           the form's dataset as JSON Lines, CSV or an Excel workbook, or only\n"
               "                           what came after CURSOR\n"
               "  backup PATH              an online, consistent copy of the database into a new file\n"
               "  restore BACKUP           put a backup in place, with the collector stopped\n"
               "\n"
               "chosa-collector COMMAND --help describes a command. Exit status: 0 ok, 1 failure, 2 usage error.\n");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace chosa::collector_tool;
  const std::vector<chosa::cli::Command> commands = {
      {"serve", ServeCommand},
      {"dev-tls", DevTlsCommand},
      {"publish", PublishCommand},
      {"forms", FormsCommand},
      {"check", CheckCommand},
      {"close", CloseCommand},
      {"archive", ArchiveCommand},
      {"reopen", ReopenCommand},
      {"enrol-code", EnrolCodeCommand},
      {"devices", DevicesCommand},
      {"revoke", RevokeCommand},
      {"analyst-token", AnalystTokenCommand},
      {"analyst-tokens", AnalystTokensCommand},
      {"revoke-analyst", RevokeAnalystCommand},
      {"quarantine", QuarantineCommand},
      {"export", ExportCommand},
      {"backup", BackupCommand},
      {"restore", RestoreCommand},
  };
  return chosa::cli::Dispatch("chosa-collector", commands, PrintUsage, argc, argv);
}
