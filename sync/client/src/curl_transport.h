// The default HttpTransport, on libcurl's easy interface: one handle per transport, kept between
// requests so that its connection stays alive, TLS verification always on (see http_transport.h).
#ifndef CHOSA_SYNC_CLIENT_CURL_TRANSPORT_H_
#define CHOSA_SYNC_CLIENT_CURL_TRANSPORT_H_

#include <curl/curl.h>

#include <string>

#include "chosa/http_transport.h"

namespace chosa::sync {

class CurlTransport : public HttpTransport {
 public:
  CurlTransport(std::string collector_url, TransportOptions options);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  // Checks the URL and the options and sets up the handle; call once before Send.
  Status Init();
  Status Send(const HttpRequest& request, HttpResponse* response) override;

 private:
  static size_t OnBody(char* data, size_t size, size_t count, void* self);
  static size_t OnHeader(char* data, size_t size, size_t count, void* self);
  // The Status of a failed curl call: libcurl's text, classified as http_transport.h says.
  Status Failure(CURLcode code) const;

  std::string base_url_;  // without a trailing '/'
  TransportOptions options_;
  CURL* curl_ = nullptr;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  HttpResponse* receiving_ = nullptr;  // the response being filled by the callbacks
  bool body_too_large_ = false;
};

}  // namespace chosa::sync

#endif  // CHOSA_SYNC_CLIENT_CURL_TRANSPORT_H_
