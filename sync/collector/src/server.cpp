#include "chosa/collector/server.h"

#include "access_log.h"
#include "collector_routes.h"
#include "http_server.h"

namespace chosa::collector {

struct CollectorServer::Impl {
  std::unique_ptr<CollectorRoutes> routes;  // before the server: its workers use the routes
  std::unique_ptr<HttpServer> http;
};

namespace {

HttpServerOptions HttpOptionsOf(const ServerOptions& o) {
  HttpServerOptions h;
  h.host = o.host;
  h.port = o.port;
  h.cert_file = o.cert_file;
  h.key_file = o.key_file;
  h.io_threads = o.io_threads;
  h.worker_threads = o.worker_threads;
  h.listen_backlog = o.listen_backlog;
  h.handshake_seconds = o.handshake_timeout_seconds;
  h.header_seconds = o.header_timeout_seconds;
  h.body_grace_seconds = o.body_grace_seconds;
  h.body_min_bytes_per_second = o.body_min_bytes_per_second;
  h.keep_alive_seconds = o.keep_alive_timeout_seconds;
  h.keep_alive_max_requests = o.keep_alive_max_requests;
  h.write_timeout_seconds = o.write_timeout_seconds;
  h.max_unfinished_per_address = o.max_unfinished_per_address;
  h.max_unfinished = o.max_unfinished_connections;
  h.trusted_proxies = o.trusted_proxies;
  return h;
}

}  // namespace

Result<std::unique_ptr<CollectorServer>> CollectorServer::Create(const ServerOptions& options,
                                                                 CollectorStorage& storage,
                                                                 SubmissionValidator validator, Env* env) {
  if (env == nullptr) env = Env::Default();
  Result<std::unique_ptr<AccessLog>> log = AccessLog::Open(options.access_log);
  if (!log.ok()) return log.status();
  auto impl = std::make_unique<Impl>();
  impl->routes = std::make_unique<CollectorRoutes>(options, storage, std::move(validator), env, std::move(*log));
  Result<std::unique_ptr<HttpServer>> http = HttpServer::Create(HttpOptionsOf(options), impl->routes.get());
  if (!http.ok()) return http.status();
  impl->http = std::move(*http);
  return std::unique_ptr<CollectorServer>(new CollectorServer(std::move(impl)));
}

CollectorServer::CollectorServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CollectorServer::~CollectorServer() = default;

Status CollectorServer::Bind() { return impl_->http->Bind(); }
int CollectorServer::port() const { return impl_->http->port(); }
Status CollectorServer::Run() { return impl_->http->Run(); }
void CollectorServer::Stop() { impl_->http->Stop(); }

}  // namespace chosa::collector
