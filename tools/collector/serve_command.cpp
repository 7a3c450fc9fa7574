// chosa-collector serve: the HTTPS server, until SIGTERM or SIGINT. A signal-waiting thread
// stops it; requests in flight finish (a batch is stored whole or not at all) before it exits.
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "chosa/collector_storage.h"
#include "chosa/collector/server.h"
#include "chosa/collector/sqlite_storage.h"
#include "chosa/collector/server_config.h"
#include "cli_args.h"
#include "commands.h"

namespace chosa::collector_tool {

namespace {

// The options besides --config and --port-file, and the settings they set (server_config.h).
struct Flag {
  const char* flag;
  const char* key;
  bool may_be_empty = false;  // "" is a setting of its own (no access log)
};
const Flag kFlags[] = {
    {"--listen", "listen"},         {"--cert", "cert"},
    {"--key", "key"},               {"--data", "data"},
    {"--threads", "threads"},       {"--keep-alive-requests", "keep_alive_requests"},
    {"--keep-alive-seconds", "keep_alive_seconds"}, {"--access-log", "access_log", true},
    {"--rate", "rate_per_second"},  {"--burst", "rate_burst"},
    {"--quarantine-device-bytes", "quarantine_device_bytes"},
    {"--quarantine-form-bytes", "quarantine_form_bytes"},
    {"--io-threads", "io_threads"}, {"--listen-backlog", "listen_backlog"},
    {"--handshake-timeout", "handshake_timeout_seconds"}, {"--header-timeout", "header_timeout_seconds"},
    {"--body-grace", "body_grace_seconds"}, {"--body-min-rate", "body_min_bytes_per_second"},
    {"--write-timeout", "write_timeout_seconds"},
    {"--max-unfinished-per-address", "max_unfinished_per_address"},
    {"--max-unfinished", "max_unfinished_connections"},
    {"--trusted-proxy", "trusted_proxy"},
    {"--enrol-rate", "enrol_rate_per_second"}, {"--enrol-burst", "enrol_burst"},
};

const cli::CommandSpec& ServeSpec() {
  static const cli::CommandSpec spec = [] {
    cli::CommandSpec made{
        "chosa-collector", "serve",
        "[--config FILE] [--listen HOST:PORT] [--cert FILE] [--key FILE]\n"
        "                             [--data DIR] [--threads N] [--keep-alive-requests N]\n"
        "                             [--keep-alive-seconds N] [--access-log PATH|-] [--rate R] [--burst B]\n"
        "                             [--quarantine-device-bytes N] [--quarantine-form-bytes N]\n"
        "                             [--io-threads N] [--listen-backlog N] [--handshake-timeout S]\n"
        "                             [--header-timeout S] [--body-grace S] [--body-min-rate B]\n"
        "                             [--write-timeout S] [--max-unfinished-per-address N]\n"
        "                             [--max-unfinished N] [--trusted-proxy ADDR] [--enrol-rate R]\n"
        "                             [--enrol-burst B] [--port-file PATH] [--accept-loss]",
        "  Serves API v1 (docs/protocol.md) over HTTPS, TLS 1.2 or 1.3, until SIGTERM or SIGINT.\n"
        "  --config FILE     a JSON object of settings (docs/operations.md); flags override it\n"
        "  --listen          address and port (default 0.0.0.0:8443; port 0: any free port)\n"
        "  --cert, --key     the server's certificate chain and private key (PEM)\n"
        "  --data DIR        where collector.sqlite lives (default ./collector-data)\n"
        "  --threads N       requests handled at once (default 16)\n"
        "  --io-threads N    threads doing TLS and the connections' reads and writes (2)\n"
        "  --listen-backlog N   connections queued by the kernel before they are accepted (1024)\n"
        "  --handshake-timeout S, --header-timeout S   to finish the TLS handshake, and each\n"
        "                    request's head (10, 10)\n"
        "  --body-grace S, --body-min-rate B   a body's average rate must stay above B bytes/s\n"
        "                    once S seconds have passed (10, 8192)\n"
        "  --write-timeout S each write of a response (30)\n"
        "  --max-unfinished-per-address N, --max-unfinished N   connections that have not sent a\n"
        "                    complete request head, per address and in all (32, 1024)\n"
        "  --trusted-proxy ADDR   a reverse proxy whose X-Forwarded-For names the client (repeatable)\n"
        "  --enrol-rate R, --enrol-burst B   enrolments per second per client address (1, 100)\n"
        "  --keep-alive-requests N, --keep-alive-seconds N   keep-alive limits (1000, 30)\n"
        "  --access-log      one JSON line per request: a file, - for standard error (default), or \"\"\n"
        "                    for none\n"
        "  --rate R, --burst B   requests per second per device, and the burst allowed (20, 100)\n"
        "  --quarantine-device-bytes N, --quarantine-form-bytes N   bytes of rejected lines kept per\n"
        "                    device and per form (16 MiB, 256 MiB); past them a line is refused as\n"
        "                    quarantine_full and not kept\n"
        "  --port-file PATH  write the port listened on to PATH once listening\n"
        "  --accept-loss     serve a database that is behind what was acknowledged to devices (a lost\n"
        "                    collector.sqlite-wal, an older file put back), knowingly: logged, and\n"
        "                    the record of what was acknowledged is set to the database\n"
        "  Before serving, the database is checked (PRAGMA quick_check, its schema, the acknowledged\n"
        "  position): a damaged one is refused (docs/operations.md, \"Damage and loss\").\n"
        "  Exit: 0 stopped by SIGTERM or SIGINT, 1 cannot serve, 2 usage.\n",
        {{"--config", true}, {"--port-file", true}, {"--accept-loss", false}}};
    for (const Flag& f : kFlags) made.options.push_back({f.flag, true, f.may_be_empty});
    return made;
  }();
  return spec;
}

}  // namespace

int ServeCommand(const Args& args) {
  collector::CollectorConfig config;
  config.server.port = 8443;
  std::string port_file;
  std::vector<std::pair<std::string, std::string>> flags;
  cli::ParsedArgs parsed;
  if (std::optional<int> exit = cli::Parse(ServeSpec(), args, &parsed)) return *exit;
  if (!parsed.positionals.empty()) {
    return cli::UsageError(ServeSpec(), "unexpected argument \"" + parsed.positionals.front() + "\"");
  }
  for (const auto& [a, value] : parsed.values) {
    if (a == "--config") {
      std::ifstream in(value, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) {
        std::cerr << "chosa-collector serve: cannot read " << value << "\n";
        return 1;
      }
      Status applied = collector::ApplyConfigJson(text.str(), &config);
      if (!applied.ok()) {
        std::cerr << "chosa-collector serve: " << value << ": " << applied.ToString() << "\n";
        return 1;
      }
      continue;
    }
    if (a == "--port-file") {
      port_file = value;
      continue;
    }
    for (const Flag& f : kFlags) {
      if (a == f.flag) flags.emplace_back(f.key, value);
    }
  }
  for (const auto& [key, value] : flags) {  // after the file, whatever their order
    Status applied = collector::ApplySetting(key, value, &config);
    if (!applied.ok()) {
      std::cerr << "chosa-collector serve: " << applied.ToString() << "\n";
      return 2;
    }
  }
  if (config.server.cert_file.empty() || config.server.key_file.empty()) {
    std::cerr << "chosa-collector serve: --cert and --key are required (chosa-collector dev-tls makes a pair "
                 "for trying it out)\n";
    return 2;
  }

  // Every connection is a descriptor, and a slow client's costs no thread: take all the
  // descriptors the system allows this process (the soft limit is often 1,024).
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  // Block the stop signals in every thread; one thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // Workbooks are built on the data's disk (a temporary directory may live in memory).
  if (config.server.scratch_dir.empty()) config.server.scratch_dir = config.data_dir;
  // Before anything writes to the database: damage and lost acknowledged submissions stop here.
  std::string accepted;
  Status checked = collector::CheckSqliteBeforeServing(config.data_dir, parsed.Has("--accept-loss"), &accepted);
  if (!checked.ok()) {
    std::cerr << "chosa-collector serve: " << checked.message() << "\n";
    return 1;
  }
  if (!accepted.empty()) std::cerr << "chosa-collector serve: " << accepted << "\n";
  Result<std::unique_ptr<collector::CollectorStorage>> storage = collector::OpenSqliteStorage(config.data_dir, config.quarantine);
  if (!storage.ok()) {
    std::cerr << "chosa-collector serve: " << storage.status().ToString() << "\n";
    return 1;
  }
  Result<std::unique_ptr<collector::CollectorServer>> server =
      collector::CollectorServer::Create(config.server, **storage, /*validator=*/nullptr, nullptr);  // the engine re-validates
  if (!server.ok()) {
    std::cerr << "chosa-collector serve: " << server.status().ToString() << "\n";
    return 1;
  }
  Status bound = (*server)->Bind();
  if (!bound.ok()) {
    std::cerr << "chosa-collector serve: " << bound.ToString() << "\n";
    return 1;
  }
  const int port = (*server)->port();
  if (!port_file.empty()) {
    const std::string temporary = port_file + ".tmp";
    std::ofstream(temporary) << port << "\n";
    std::rename(temporary.c_str(), port_file.c_str());  // readers never see half a number
  }
  std::cerr << "chosa-collector: listening on https://" << config.server.host << ":" << port << " (data "
            << config.data_dir << ")\n";

  std::atomic<bool> ran_out{false};  // Run() has returned
  std::thread stopper([&stop_signals, &server, &ran_out] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    if (!ran_out) {
      std::cerr << "chosa-collector: " << (signal_number == SIGTERM ? "SIGTERM" : "SIGINT")
                << ": finishing requests in flight\n";
    }
    // A stop that arrives before the library has begun to listen (a signal right after the port
    // file appears) is lost by it, and the server would then listen for ever: asked again until
    // Run() returns.
    while (!ran_out) {
      (*server)->Stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  Status ran = (*server)->Run();
  // Wake the stopper if the server ended on its own (it is waiting for a signal).
  ran_out = true;
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  if (!ran.ok()) {
    std::cerr << "chosa-collector serve: " << ran.ToString() << "\n";
    return 1;
  }
  std::cerr << "chosa-collector: stopped\n";
  return 0;
}

}  // namespace chosa::collector_tool
