// One HTTP request and its response as the collector's routes see them, whatever serves them:
// the routes (collector_routes.h) read an HttpRequest and fill an HttpResponse on a worker
// thread; the server (http_server.h) reads and writes the wire. Nothing here depends on the
// HTTP library.
#ifndef CHOSA_SYNC_COLLECTOR_HTTP_EXCHANGE_H_
#define CHOSA_SYNC_COLLECTOR_HTTP_EXCHANGE_H_

#include <any>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chosa::collector {

// Header names compare without regard to case (RFC 9110 §5.1).
bool HeaderNameEquals(std::string_view a, std::string_view b);

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // the target's path, percent-decoded
  // The query's parameters in order, decoded; the reader refuses a name given twice.
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  std::string remote;   // the client's address (X-Forwarded-For's, behind a trusted proxy)
  std::string body;     // whole: read up to the route's limit before the handler runs
  bool has_content_length = false;
  // What the route's Admit learnt from the head (its principal), for Handle.
  std::any admitted;

  // The value of the first header `name` ("" if none).
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;
  std::string body;

  // A body made a piece at a time on the worker (sent chunked): called until it answers kDone
  // or kFailed, each time appending the next piece to `out`. kFailed ends the stream short (no
  // final chunk), so that the client sees a cut body rather than a complete-looking one.
  enum class Piece { kMore, kDone, kFailed };
  std::function<Piece(std::string* out)> stream;

  // A body sent from an open file of `file_size` bytes (closed by the server once sent).
  int file_fd = -1;
  uint64_t file_size = 0;

  bool close = false;  // close the connection after this response

  // For the access log: who asked (after authentication) and the error message of a 4xx/5xx.
  std::string device;
  std::string error;

  void SetHeader(std::string name, std::string value);
};

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_HTTP_EXCHANGE_H_
