// The collector's HTTPS server: API v1 of docs/protocol.md over cpp-httplib with OpenSSL.
// TLS 1.2 is the minimum; the worker pool and keep-alive limits come from the options (the
// library's defaults serve 8 connections and close each after 5 requests). The push route reads
// its body as a stream and counts bytes, so that no request can make it hold more than the
// limits in memory. Stop() lets in-flight requests finish: a batch is stored whole or not at all.
#ifndef CHOSA_SYNC_COLLECTOR_SERVER_H_
#define CHOSA_SYNC_COLLECTOR_SERVER_H_

#include <memory>
#include <string>

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
  int worker_threads = 16;                // connections served at once
  size_t keep_alive_max_requests = 1000;  // requests on one connection before it is closed
  int keep_alive_timeout_seconds = 30;    // an idle kept-alive connection is closed after this
  int read_timeout_seconds = 30;          // a client that sends nothing for this long is dropped
  int write_timeout_seconds = 30;
  protocol::Limits limits;
  double device_requests_per_second = 20;  // per device, on average; <= 0: no limit
  double device_request_burst = 100;
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
