// The routes of API v1 (docs/protocol.md) over the collector's storage: enrol, forms and their
// versions, export (JSON Lines, CSV streamed, the XLSX workbook), push, health. They read an
// HttpRequest and fill an HttpResponse (http_exchange.h) on a worker thread, whatever serves the
// wire, and write the access log line of every answered request.
#ifndef CHOSA_SYNC_COLLECTOR_COLLECTOR_ROUTES_H_
#define CHOSA_SYNC_COLLECTOR_COLLECTOR_ROUTES_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "access_log.h"
#include "chosa/collector/export.h"
#include "chosa/collector/ingest.h"
#include "chosa/collector/server.h"
#include "chosa/collector_storage.h"
#include "chosa/env.h"
#include "http_server.h"
#include "rate_limiter.h"

namespace chosa::collector {

class CollectorRoutes final : public HttpService {
 public:
  CollectorRoutes(const ServerOptions& options, CollectorStorage& storage, SubmissionValidator validator, Env* env,
                  std::unique_ptr<AccessLog> log);

  uint64_t BodyLimit(const HttpRequest& head) override;
  bool Admit(HttpRequest& head, HttpResponse& response) override;
  void Handle(HttpRequest& request, HttpResponse& response) override;
  void Answered(const HttpRequest& request, const HttpResponse& response, const ExchangeFigures& figures) override;

 private:
  Result<Principal> Authenticate(const HttpRequest& req, HttpResponse& res, std::optional<Role> role);
  bool RateLimited(const Principal& device, HttpResponse& res);
  bool AdmitEnrol(HttpRequest& req, HttpResponse& res);
  bool AdmitPush(HttpRequest& req, HttpResponse& res);
  void Enrol(HttpRequest& req, HttpResponse& res);
  void ListForms(const HttpRequest& req, HttpResponse& res);
  void GetFormVersion(const HttpRequest& req, HttpResponse& res, const std::string& form_id, const std::string& version);
  void ListFormVersions(const HttpRequest& req, HttpResponse& res, const std::string& form_id);
  void Route(HttpRequest& req, HttpResponse& res);
  void ExportSubmissions(const HttpRequest& req, HttpResponse& res, const std::string& form_id);
  void StreamPages(HttpResponse& res, std::string what, std::function<HttpResponse::Piece(std::string*, Status*)> page);
  void SendWorkbook(const std::string& form_id, TablesExport& tables, HttpResponse& res);
  void Push(HttpRequest& req, HttpResponse& res);

  const ServerOptions options_;
  CollectorStorage& storage_;
  Env* env_;
  Ingest ingest_;
  RateLimiter device_limiter_;
  RateLimiter enrol_limiter_;  // per client address
  std::unique_ptr<AccessLog> log_;
};

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_COLLECTOR_ROUTES_H_
