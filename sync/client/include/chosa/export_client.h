// The analyst's side of the export API (docs/protocol.md, "Exports"): a form's published versions
// and its submissions page by page, with an analyst token. `chosa pull` keeps them in an analysis
// dataset; this client knows only the wire.
//
// Threads: one ExportClient is used by one thread at a time. `transport` must outlive it.
#ifndef CHOSA_EXPORT_CLIENT_H_
#define CHOSA_EXPORT_CLIENT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/http_transport.h"
#include "chosa/protocol.h"
#include "chosa/status.h"

namespace chosa::sync {

// One exported submission: its stored bytes, when the collector received it and from whom.
struct ExportedSubmission {
  std::string body;                 // the canonical bytes, as the device sent them
  int64_t received_at_millis = 0;   // ms since the epoch (UTC)
  std::string device_id;            // the enrolled device that pushed it
  // Its line's "corrects" (protocol::ExportLine): absent, a UUID, or empty for null.
  std::optional<std::string> corrects;
};

struct ExportPage {
  std::vector<ExportedSubmission> submissions;
  std::string cursor;  // give it back as `since` for what follows; the same cursor: nothing more
};

class ExportClient {
 public:
  ExportClient(HttpTransport& transport, std::string analyst_token);

  // The form's published versions, oldest first. Errors: kPermissionDenied for a refused token
  // (401, 403), kUnavailable for any other answer or no answer, kInvalidArgument for a body that
  // is not the protocol's.
  Result<std::vector<protocol::FormListing>> ListVersions(std::string_view form_id);
  // A version's definition, checked against the SHA-256 the listing gave (kCorruption if not).
  Result<std::string> GetVersion(const protocol::FormListing& version);
  // Up to `limit` submissions after `since` ("" from the first); the latest of each correction
  // chain unless `all_versions`. A page that does not fit the transport's response limit fails
  // with kUnavailable and a message starting with kResponseTooLarge: ask for fewer.
  Result<ExportPage> GetPage(std::string_view form_id, std::string_view since, size_t limit, bool all_versions);

 private:
  Status Get(const std::string& path, HttpResponse* response);

  HttpTransport& transport_;
  std::string token_;
};

}  // namespace chosa::sync

#endif  // CHOSA_EXPORT_CLIENT_H_
