// chosa-collector dev-tls DIR: a local CA and a server certificate for trying the collector out.
#include <iostream>

#include "chosa/collector/dev_tls.h"
#include "commands.h"

namespace chosa::collector_tool {

int DevTlsCommand(const Args& args) {
  collector::DevTlsOptions options;
  std::string dir;
  bool names_given = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << "usage: chosa-collector dev-tls DIR [--dns NAME]... [--ip ADDRESS]...\n"
                   "  Writes DIR/ca.pem (give it to devices: chosa sync enroll --ca), DIR/ca-key.pem,\n"
                   "  DIR/server.pem and DIR/server-key.pem (for chosa-collector serve --cert/--key):\n"
                   "  P-256 keys, the server certificate valid for localhost and 127.0.0.1 unless\n"
                   "  --dns/--ip name others. For trying chosa out, not for production.\n";
      return 0;
    }
    if ((a == "--dns" || a == "--ip") && i + 1 < args.size()) {
      if (!names_given) options.dns_names.clear(), options.ip_addresses.clear();
      names_given = true;
      (a == "--dns" ? options.dns_names : options.ip_addresses).push_back(args[++i]);
    } else if (!a.empty() && a[0] != '-' && dir.empty()) {
      dir = a;
    } else {
      std::cerr << "chosa-collector dev-tls: unexpected argument " << a << " (see --help)\n";
      return 2;
    }
  }
  if (dir.empty()) {
    std::cerr << "chosa-collector dev-tls: which directory? (see --help)\n";
    return 2;
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
