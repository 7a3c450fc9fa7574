// The collector's HTTPS server: API v1 of docs/protocol.md, event-driven over Boost.Beast and
// OpenSSL (docs/operations.md says why and what it promises against slow clients). TLS 1.2 and
// 1.3 only, with forward-secret AEAD suites; deadlines on the handshake, each request's head and
// each body's rate; limits on connections that have not sent a complete head. Requests whose
// framing is ambiguous are refused with 400 before anything else; a body longer than its route
// accepts is refused by its Content-Length before it is read. The routes run on a pool of
// worker threads; Stop() lets in-flight requests finish: a batch is stored whole or not at all.
#ifndef CHOSA_SYNC_COLLECTOR_SERVER_H_
#define CHOSA_SYNC_COLLECTOR_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "chosa/collector_storage.h"
#include "chosa/env.h"
#include "chosa/protocol.h"
#include "chosa/collector/ingest.h"

namespace chosa::collector {

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 8443;  // 0: any free port (see CollectorServer::port)
  std::string cert_file;
  std::string key_file;
  int worker_threads = 16;                // requests handled at once (the routes' threads)
  int io_threads = 2;                     // threads doing TLS and reading and writing connections
  int listen_backlog = 1024;              // connections the kernel queues before they are accepted
  size_t keep_alive_max_requests = 1000;  // requests on one connection before it is closed
  int keep_alive_timeout_seconds = 30;    // an idle kept-alive connection is closed after this
  int handshake_timeout_seconds = 10;     // to complete the TLS handshake, from the connection
  int header_timeout_seconds = 10;        // to send a request's whole head, from its first byte
  int body_grace_seconds = 10;            // a body may be slower than the minimum rate this long
  uint64_t body_min_bytes_per_second = 8192;  // then its average rate must stay above this
  int write_timeout_seconds = 30;         // each write of a response must be done within this
  size_t max_unfinished_per_address = 32;     // connections without a complete head, per address
  size_t max_unfinished_connections = 1024;   // the same, in all
  std::vector<std::string> trusted_proxies;   // addresses whose X-Forwarded-For is believed
  protocol::Limits limits;
  double device_requests_per_second = 20;  // per device, on average; <= 0: no limit
  double device_request_burst = 100;
  double enrol_requests_per_second = 1;  // per client address, on the unauthenticated enrol route
  double enrol_burst = 100;               // a ward office enrolling its tablets at once
  size_t max_enrol_body_bytes = 16 * 1024;
  std::string access_log = "-";  // "-": standard error; "": none; else a file
  // Where Excel exports are built before they are sent ("": the system's temporary directory).
  std::string scratch_dir;
};

class CollectorServer {
 public:
  // `storage` and `env` must outlive the server. Every pushed submission is re-validated: by
  // `validator` when given (tests count or refuse), else by the engine's CheckParsedSubmission.
  static Result<std::unique_ptr<CollectorServer>> Create(const ServerOptions& options, CollectorStorage& storage,
                                                         SubmissionValidator validator, Env* env);
  ~CollectorServer();
  CollectorServer(const CollectorServer&) = delete;
  CollectorServer& operator=(const CollectorServer&) = delete;

  // Binds the listening socket (the port is known after this).
  Status Bind();
  int port() const;
  // Serves until Stop(); returns once in-flight requests are done.
  Status Run();
  // Safe from any thread (a signal-waiting thread, a test).
  void Stop();

 private:
  struct Impl;
  explicit CollectorServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_SERVER_H_
