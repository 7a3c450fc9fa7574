// The sync client's one seam to the network: an HttpTransport sends one HTTP request to the
// collector and returns its response. libcurl is the default (MakeCurlTransport); a mobile app
// may supply its platform's own HTTP stack (OkHttp, URLSession) by implementing this interface.
//
// What every implementation must do: verify the collector's certificate chain and host name
// against the configured trust (never skip it), refuse anything older than TLS 1.2, check the
// pinned public keys when some are given, keep the connection alive between requests, and tell
// a transport failure (no HTTP response) apart from an HTTP status.
//
// Thread safety: a transport serves one request at a time (REQUIRES: external synchronization).
// Ownership: MakeCurlTransport's transport belongs to its caller; whoever uses it (a SyncClient)
// borrows it. Requests and responses are plain values; HttpResponse::Header's pointer is valid
// as long as the response and its headers are unchanged.
#ifndef CHOSA_HTTP_TRANSPORT_H_
#define CHOSA_HTTP_TRANSPORT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/status.h"

namespace chosa::sync {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method = "GET";  // "GET" or "POST"
  std::string path;            // "/api/v1/forms": appended to the transport's collector URL
  std::vector<HttpHeader> headers;
  std::string body;  // sent as is (already compressed when a Content-Encoding header says so)
};

struct HttpResponse {
  int status = 0;                   // 200, 304, 401, ...
  std::vector<HttpHeader> headers;  // as received, of the final response (not of a 100 Continue)
  std::string body;                 // decoded when the server compressed it

  // The value of the last header named `name` (ASCII case-insensitive), or null.
  const std::string* Header(std::string_view name) const {
    const std::string* found = nullptr;
    for (const HttpHeader& header : headers) {
      if (header.name.size() != name.size()) continue;
      bool same = true;
      for (size_t i = 0; i < name.size() && same; ++i) {
        same = AsciiLower(header.name[i]) == AsciiLower(name[i]);
      }
      if (same) found = &header.value;
    }
    return found;
  }

 private:
  static char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
};

// Whom to trust. There is deliberately no way to turn verification off.
struct TlsOptions {
  // A PEM file of the CA certificates to trust instead of the system trust store ("" = the
  // system store). A bureau running its own CA gives its root here.
  std::string ca_file;
  // Public keys the collector must present, each "sha256//" + base64 of the SHA-256 of its
  // DER SubjectPublicKeyInfo (curl's CURLOPT_PINNEDPUBLICKEY form). Any one of them matching is
  // enough. Empty: no pinning (the CA still has to vouch for the certificate).
  // Rotation: tablets pin the collector's current key and a backup key pair kept offline. When
  // the current key is lost or due for renewal, the collector switches to the backup key, which
  // every tablet already accepts; a new backup key is made and its pin reaches the tablets with
  // their next enrolment. One lost key therefore never locks the tablets out.
  std::vector<std::string> pinned_public_keys;
};

struct TransportOptions {
  TlsOptions tls;
  int64_t connect_timeout_ms = 15000;  // TCP and TLS handshake
  // A request (upload and response) that takes longer than this is abandoned; 0 = no limit.
  int64_t request_timeout_ms = 300000;
  // A transfer slower than `low_speed_bytes_per_s` for `low_speed_time_s` seconds is abandoned:
  // a stalled mobile link fails fast instead of waiting for the whole-request timeout.
  int64_t low_speed_bytes_per_s = 64;
  int64_t low_speed_time_s = 30;
  // A response body larger than this is refused (a broken or hostile server cannot fill memory).
  size_t max_response_bytes = 64u << 20;
  std::string user_agent = "chosa-sync/1";
};

// How a request failed without an HTTP response, in the Status that Send returns.
//   kUnavailable       no response: DNS, connection refused or cut, timeout. Worth a retry.
//   kPermissionDenied  the collector's identity was refused: certificate not trusted, wrong host
//                      name, pin mismatch, TLS too old. A retry will not help.
//   kInvalidArgument   the request or the options are unusable (bad URL, unreadable CA file).
// The message is the HTTP stack's own text (libcurl's curl_easy_strerror and error buffer), so
// that a person can search for it; except a response body past max_response_bytes, refused as
// kUnavailable with a message that starts with kResponseTooLarge (a caller may ask for less).
inline constexpr std::string_view kResponseTooLarge = "the response is larger than";
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  // Sends `request` and waits for the response. OK means an HTTP response arrived, whatever its
  // status (4xx and 5xx included), and fills `*response`; otherwise `*response` is unspecified.
  virtual Status Send(const HttpRequest& request, HttpResponse* response) = 0;
};

// The libcurl transport to `collector_url` ("https://collector.example.jp", optionally with a
// path prefix; only https is accepted). It keeps one connection alive between requests. Fails
// with kInvalidArgument on a URL that is not https, or a CA file that cannot be read.
Result<std::unique_ptr<HttpTransport>> MakeCurlTransport(const std::string& collector_url,
                                                         const TransportOptions& options = {});

}  // namespace chosa::sync

#endif  // CHOSA_HTTP_TRANSPORT_H_
