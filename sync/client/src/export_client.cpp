#include "chosa/export_client.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "chosa/engine/datetime.h"

namespace chosa::sync {
namespace {

// The collector's reason from an error body, after its status.
std::string Refusal(const HttpResponse& response) {
  Result<protocol::ErrorBody> body = protocol::ParseErrorBody(response.body);
  const std::string reason = body.ok() ? body->error : "";
  return "the collector answered " + std::to_string(response.status) + (reason.empty() ? "" : ": " + reason);
}

}  // namespace

ExportClient::ExportClient(HttpTransport& transport, std::string analyst_token)
    : transport_(transport), token_(std::move(analyst_token)) {}

Status ExportClient::Get(const std::string& path, HttpResponse* response) {
  HttpRequest request;
  request.path = path;
  request.headers.push_back({"Authorization", "Bearer " + token_});
  *response = HttpResponse();
  Status sent = transport_.Send(request, response);
  if (!sent.ok()) return sent;
  if (response->status != 200) {
    return response->status == 401 || response->status == 403 ? Status::PermissionDenied(Refusal(*response))
                                                               : Status::Unavailable(Refusal(*response));
  }
  return Status::Ok();
}

Result<std::vector<protocol::FormListing>> ExportClient::ListVersions(std::string_view form_id) {
  HttpResponse response;
  Status status = Get("/api/v1/forms/" + std::string(form_id) + "/versions", &response);
  if (!status.ok()) return status;
  Result<protocol::FormsResponse> listing = protocol::ParseFormsResponse(response.body);
  if (!listing.ok()) return Status::InvalidArgument("the collector's list of versions: " + listing.status().message());
  return std::move(listing->forms);
}

Result<std::string> ExportClient::GetVersion(const protocol::FormListing& version) {
  HttpResponse response;
  Status status = Get("/api/v1/forms/" + version.form_id + "/versions/" + version.version, &response);
  if (!status.ok()) return status;
  if (protocol::Sha256Hex(response.body) != version.sha256) {
    return Status::Corruption("version " + version.version + " arrived with other bytes than the collector lists");
  }
  return std::move(response.body);
}

Result<ExportPage> ExportClient::GetPage(std::string_view form_id, std::string_view since, size_t limit,
                                         bool all_versions) {
  std::string path = "/api/v1/forms/" + std::string(form_id) + "/submissions?limit=" + std::to_string(limit);
  if (!since.empty()) path += "&since=" + std::string(since);
  if (all_versions) path += "&all_versions=true";
  HttpResponse response;
  Status status = Get(path, &response);
  if (!status.ok()) return status;
  const std::string* cursor = response.Header(protocol::kCursorHeader);
  if (cursor == nullptr) return Status::InvalidArgument("the collector sent no cursor");
  ExportPage page;
  page.cursor = *cursor;
  const std::string_view body = response.body;
  size_t start = 0;
  while (start < body.size()) {
    const size_t end = body.find('\n', start);
    if (end == std::string_view::npos) return Status::Unavailable("the export ended in the middle of a line");
    Result<protocol::ExportLine> line = protocol::ParseExportLine(body.substr(start, end - start));
    start = end + 1;
    if (!line.ok()) return line.status();
    std::optional<ParsedDateTime> received = ParseIsoDateTime(line->received_at);
    if (!received || !received->offset_minutes) return Status::InvalidArgument("an export line's received_at is no time");
    page.submissions.push_back({std::move(line->submission),
                                received->wall_millis - int64_t{*received->offset_minutes} * 60000,
                                std::move(line->device_id), std::move(line->corrects)});
  }
  return page;
}

}  // namespace chosa::sync
