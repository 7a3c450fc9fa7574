// The subcommands of `chosa-collector`, one file each. Each takes the arguments after its own
// name and returns the process exit status: 0 ok, 1 failure (said on stderr), 2 usage error.
#ifndef CHOSA_TOOLS_COLLECTOR_COMMANDS_H_
#define CHOSA_TOOLS_COLLECTOR_COMMANDS_H_

#include <string>
#include <vector>

namespace chosa::collector_tool {

using Args = std::vector<std::string>;

int ServeCommand(const Args& args);   // serve_command.cpp: the HTTPS server
int DevTlsCommand(const Args& args);  // dev_tls_command.cpp: a local CA and server certificate
// admin_commands.cpp: publish, forms, close, archive, reopen, enrol-code, devices, revoke,
// analyst-token, analyst-tokens, revoke-analyst, quarantine, backup, restore.
int AdminCommand(const std::string& name, const Args& args);
bool IsAdminCommand(const std::string& name);

}  // namespace chosa::collector_tool

#endif  // CHOSA_TOOLS_COLLECTOR_COMMANDS_H_
