// The collector's HTTPS server: Boost.Beast over Asio with OpenSSL, event-driven, so that a
// client however slow holds a little memory and a socket, never a thread. A few I/O threads
// accept, do TLS and read and write every connection under deadlines; the routes
// (HttpService) run on a pool of worker threads and never see the wire.
//
// Deadlines (docs/operations.md, "Slow clients"): the TLS handshake and each request's head
// must each be complete within their deadline (however the bytes trickle in); a body must keep
// an average rate after a grace period; an idle kept-alive connection is closed after its
// timeout; each write must be done within its timeout. Connections that have not yet sent a
// complete head are limited per address and in all (connection_limits.h). A body's length is
// checked against its route's limit before any of it is read; a body is read only once the
// route has admitted its head (authentication: an unknown client cannot make the server buffer
// a body). Stop() closes idle connections and lets requests in flight finish.
#ifndef CHOSA_SYNC_COLLECTOR_HTTP_SERVER_H_
#define CHOSA_SYNC_COLLECTOR_HTTP_SERVER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chosa/status.h"
#include "http_exchange.h"

namespace chosa::collector {

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  int port = 8443;  // 0: any free port
  std::string cert_file, key_file;
  int io_threads = 2;
  int worker_threads = 16;
  int listen_backlog = 1024;
  int handshake_seconds = 10;
  int header_seconds = 10;
  int body_grace_seconds = 10;
  uint64_t body_min_bytes_per_second = 8192;
  int keep_alive_seconds = 30;
  size_t keep_alive_max_requests = 1000;
  int write_timeout_seconds = 30;
  size_t max_unfinished_per_address = 32;
  size_t max_unfinished = 1024;
  // Addresses whose X-Forwarded-For is believed (its last entry is the client); others' is ignored.
  std::vector<std::string> trusted_proxies;
};

// Figures of one answered request, for the access log.
struct ExchangeFigures {
  uint64_t bytes_in = 0;   // the request body
  uint64_t bytes_out = 0;  // the response body
  double ms = 0;           // from the complete head to the response written
};

// What the server serves. BodyLimit runs on an I/O thread (cheap, no storage); Admit and Handle
// on a worker.
class HttpService {
 public:
  virtual ~HttpService() = default;
  // The largest body the route of this head accepts; a longer Content-Length is 413 unread.
  virtual uint64_t BodyLimit(const HttpRequest& head) = 0;
  // Before a body is read: false when `response` already answers the request (e.g. 401), in
  // which case the body is never read and the connection is closed.
  virtual bool Admit(HttpRequest& head, HttpResponse& response) = 0;
  virtual void Handle(HttpRequest& request, HttpResponse& response) = 0;
  // Once per answered request, those refused by the server included; `request` may lack a
  // method and path when its head could not be read.
  virtual void Answered(const HttpRequest& request, const HttpResponse& response, const ExchangeFigures& figures) = 0;
};

class HttpServer {
 public:
  // `service` must outlive the server.
  static Result<std::unique_ptr<HttpServer>> Create(const HttpServerOptions& options, HttpService* service);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Status Bind();
  int port() const;
  // Serves until Stop(); returns once requests in flight are done.
  Status Run();
  // Safe from any thread.
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_HTTP_SERVER_H_
