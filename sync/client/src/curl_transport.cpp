#include "curl_transport.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <utility>

namespace chosa::sync {

namespace {

// curl_global_init is not thread-safe: the first transport made in the process runs it, once.
CURLcode GlobalInit() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string_view TrimSpace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

CurlTransport::CurlTransport(std::string collector_url, TransportOptions options)
    : base_url_(std::move(collector_url)), options_(std::move(options)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

CurlTransport::~CurlTransport() {
  if (curl_ != nullptr) curl_easy_cleanup(curl_);
}

Status CurlTransport::Init() {
  // Tokens and personal data travel in these requests: plain http is never an option.
  if (!StartsWithNoCase(base_url_, "https://") || base_url_.size() <= 8) {
    return Status::InvalidArgument("the collector URL must begin with https:// (got \"" + base_url_ + "\")");
  }
  if (!options_.tls.ca_file.empty()) {
    std::ifstream ca(options_.tls.ca_file, std::ios::binary);
    if (!ca) {
      return Status::InvalidArgument("cannot read the CA file " + options_.tls.ca_file + ": " + std::strerror(errno));
    }
  }
  std::string pins;
  for (const std::string& pin : options_.tls.pinned_public_keys) {
    if (pin.rfind("sha256//", 0) != 0 || pin.size() <= 8 || pin.find(';') != std::string::npos) {
      return Status::InvalidArgument("a pinned public key must read sha256//BASE64 (got \"" + pin + "\")");
    }
    pins += (pins.empty() ? "" : ";") + pin;
  }
  if (CURLcode code = GlobalInit(); code != CURLE_OK) {
    return Status::Internal(std::string("curl_global_init failed: ") + curl_easy_strerror(code));
  }
  curl_ = curl_easy_init();
  if (curl_ == nullptr) return Status::Internal("curl_easy_init failed");

  CURLcode code = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (code == CURLE_OK) code = curl_easy_setopt(curl_, option, value);
  };
  set(CURLOPT_ERRORBUFFER, error_buffer_);
  set(CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: the client runs on an app's thread
#if LIBCURL_VERSION_NUM >= 0x075500
  set(CURLOPT_PROTOCOLS_STR, "https");
#else
  set(CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTPS));
#endif
  // A redirect would carry the bearer token elsewhere: the collector never redirects.
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_SSL_VERIFYPEER, 1L);
  set(CURLOPT_SSL_VERIFYHOST, 2L);
  set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!options_.tls.ca_file.empty()) set(CURLOPT_CAINFO, options_.tls.ca_file.c_str());
  if (!pins.empty()) set(CURLOPT_PINNEDPUBLICKEY, pins.c_str());  // curl copies the string
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout_ms));
  set(CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options_.low_speed_bytes_per_s));
  set(CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time_s));
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  set(CURLOPT_ACCEPT_ENCODING, "");  // every encoding this libcurl decodes (gzip at least)
  set(CURLOPT_USERAGENT, options_.user_agent.c_str());
  set(CURLOPT_WRITEFUNCTION, &CurlTransport::OnBody);
  set(CURLOPT_WRITEDATA, this);
  set(CURLOPT_HEADERFUNCTION, &CurlTransport::OnHeader);
  set(CURLOPT_HEADERDATA, this);
  if (code != CURLE_OK) {
    // CURLE_NOT_BUILT_IN: e.g. a libcurl whose TLS backend cannot pin; never run without it.
    return Status::Unsupported(std::string("this libcurl cannot be configured safely: ") + curl_easy_strerror(code));
  }
  return Status::Ok();
}

size_t CurlTransport::OnBody(char* data, size_t size, size_t count, void* self) {
  auto* transport = static_cast<CurlTransport*>(self);
  size_t bytes = size * count;
  HttpResponse* response = transport->receiving_;
  if (response->body.size() + bytes > transport->options_.max_response_bytes) {
    transport->body_too_large_ = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  response->body.append(data, bytes);
  return bytes;
}

size_t CurlTransport::OnHeader(char* data, size_t size, size_t count, void* self) {
  auto* transport = static_cast<CurlTransport*>(self);
  size_t bytes = size * count;
  std::string_view line(data, bytes);
  HttpResponse* response = transport->receiving_;
  if (line.rfind("HTTP/", 0) == 0) {
    response->headers.clear();  // a new response begins (after a 100 Continue, say)
    return bytes;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return bytes;  // the blank line ending the headers
  response->headers.push_back(
      {std::string(TrimSpace(line.substr(0, colon))), std::string(TrimSpace(line.substr(colon + 1)))});
  return bytes;
}

Status CurlTransport::Failure(CURLcode code) const {
  std::string message = curl_easy_strerror(code);
  if (error_buffer_[0] != '\0' && message != error_buffer_) message += std::string(": ") + error_buffer_;
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return Status::PermissionDenied(message);
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_NOT_BUILT_IN:
      return Status::InvalidArgument(message);
    default:
      return Status::Unavailable(message);
  }
}

Status CurlTransport::Send(const HttpRequest& request, HttpResponse* response) {
  if (curl_ == nullptr) return Status::Internal("the transport was not initialised");
  if (request.path.empty() || request.path[0] != '/') {
    return Status::InvalidArgument("a request path must begin with '/' (got \"" + request.path + "\")");
  }
  *response = HttpResponse();
  receiving_ = response;
  body_too_large_ = false;
  error_buffer_[0] = '\0';

  const std::string url = base_url_ + request.path;
  curl_slist* list = nullptr;
  for (const HttpHeader& header : request.headers) {
    list = curl_slist_append(list, (header.name + ": " + header.value).c_str());
  }
  // No "Expect: 100-continue" round trip before each push: the collector answers at once.
  list = curl_slist_append(list, "Expect:");
  std::unique_ptr<curl_slist, SlistFree> headers(list);

  CURLcode code = curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  auto set = [&](CURLoption option, auto value) {
    if (code == CURLE_OK) code = curl_easy_setopt(curl_, option, value);
  };
  set(CURLOPT_HTTPHEADER, headers.get());
  set(CURLOPT_CUSTOMREQUEST, static_cast<const char*>(nullptr));
  if (request.method == "GET") {
    set(CURLOPT_HTTPGET, 1L);
  } else {
    set(CURLOPT_POST, 1L);
    set(CURLOPT_POSTFIELDS, request.body.data());
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (request.method != "POST") set(CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (code == CURLE_OK) code = curl_easy_perform(curl_);
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
  receiving_ = nullptr;
  if (body_too_large_) {
    return Status::Unavailable(std::string(kResponseTooLarge) + " " + std::to_string(options_.max_response_bytes) +
                               " bytes; refused");
  }
  if (code != CURLE_OK) return Failure(code);
  long status = 0;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
  response->status = static_cast<int>(status);
  return Status::Ok();
}

Result<std::unique_ptr<HttpTransport>> MakeCurlTransport(const std::string& collector_url,
                                                         const TransportOptions& options) {
  auto transport = std::make_unique<CurlTransport>(collector_url, options);
  Status status = transport->Init();
  if (!status.ok()) return status;
  return std::unique_ptr<HttpTransport>(std::move(transport));
}

}  // namespace chosa::sync
