// chosa-collector dev-tls DIR: a local CA and a server certificate for trying the collector out.
#include <iostream>
#include <optional>
#include <string>

#include "chosa/collector/dev_tls.h"
#include "cli_args.h"
#include "commands.h"

namespace chosa::collector_tool {

namespace {

const cli::CommandSpec& DevTlsSpec() {
  static const cli::CommandSpec spec{
      "chosa-collector", "dev-tls", "DIR [--dns NAME]... [--ip ADDRESS]...",
      "  Writes DIR/ca.pem (give it to devices: chosa sync enroll --ca), DIR/ca-key.pem,\n"
      "  DIR/server.pem and DIR/server-key.pem (for chosa-collector serve --cert/--key):\n"
      "  P-256 keys, the server certificate valid for localhost and 127.0.0.1 unless\n"
      "  --dns/--ip name others. For trying chosa out, not for production.\n"
      "  --dns NAME     a DNS name of the server; may be repeated\n"
      "  --ip ADDRESS   an IP address of the server; may be repeated\n"
      "  Exit: 0 written, 1 failure, 2 usage.\n",
      {{"--dns", true}, {"--ip", true}}};
  return spec;
}

}  // namespace

int DevTlsCommand(const Args& args) {
  cli::ParsedArgs parsed;
  if (std::optional<int> exit = cli::Parse(DevTlsSpec(), args, &parsed)) return *exit;
  if (parsed.positionals.empty()) return cli::UsageError(DevTlsSpec(), "which directory?");
  if (parsed.positionals.size() > 1) {
    return cli::UsageError(DevTlsSpec(), "unexpected argument \"" + parsed.positionals[1] + "\"");
  }
  const std::string& dir = parsed.positionals[0];
  collector::DevTlsOptions options;
  if (parsed.Has("--dns") || parsed.Has("--ip")) {  // the names given replace the defaults
    options.dns_names = parsed.All("--dns");
    options.ip_addresses = parsed.All("--ip");
  }
  Result<collector::DevTlsFiles> files = collector::MakeDevTls(dir, options);
  if (!files.ok()) {
    std::cerr << "chosa-collector dev-tls: " << files.status().ToString() << "\n";
    return 1;
  }
  std::cout << "CA certificate:     " << files->ca_cert << "\n"
            << "server certificate: " << files->server_cert << "\n"
            << "server key:         " << files->server_key << "\n"
            << "server key pin:     " << files->server_pin << "\n"
            << "serve with: chosa-collector serve --cert " << files->server_cert << " --key " << files->server_key
            << "\n";
  return 0;
}

}  // namespace chosa::collector_tool
