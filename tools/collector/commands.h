// The subcommands of `chosa-collector`. Each takes the arguments after its own name and returns
// the process exit status: 0 ok, 1 failure (said on stderr), 2 usage error. Their arguments are
// parsed by the tools' one parser (tools/cli_args.h); the administration commands share
// admin_common.h.
#ifndef CHOSA_TOOLS_COLLECTOR_COMMANDS_H_
#define CHOSA_TOOLS_COLLECTOR_COMMANDS_H_

#include <string>
#include <vector>

namespace chosa::collector_tool {

using Args = std::vector<std::string>;

int ServeCommand(const Args& args);   // serve_command.cpp: the HTTPS server
int DevTlsCommand(const Args& args);  // dev_tls_command.cpp: a local CA and server certificate

// form_commands.cpp: the forms and their state.
int PublishCommand(const Args& args);
int FormsCommand(const Args& args);
int CloseCommand(const Args& args);
int ArchiveCommand(const Args& args);
int ReopenCommand(const Args& args);
// device_commands.cpp: enrolment and the devices.
int EnrolCodeCommand(const Args& args);
int DevicesCommand(const Args& args);
int RevokeCommand(const Args& args);
// analyst_commands.cpp: the analysts' tokens.
int AnalystTokenCommand(const Args& args);
int AnalystTokensCommand(const Args& args);
int RevokeAnalystCommand(const Args& args);
int CheckCommand(const Args& args);       // check_command.cpp: damage, loss, submissions not re-validated
int QuarantineCommand(const Args& args);  // quarantine_command.cpp
int ExportCommand(const Args& args);      // export_command.cpp
// backup_commands.cpp: an online backup, and restoring one.
int BackupCommand(const Args& args);
int RestoreCommand(const Args& args);

}  // namespace chosa::collector_tool

#endif  // CHOSA_TOOLS_COLLECTOR_COMMANDS_H_
