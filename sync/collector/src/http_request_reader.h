// Reading a request off the wire strictly (RFC 9112): a request whose framing is ambiguous is
// refused with 400 and a reason before anything else looks at it (authentication included), so
// that no proxy in front of the collector and the collector can disagree on where a request ends
// (request smuggling). Refused: more than one Content-Length field (even with equal values), a
// Content-Length that is not a plain decimal number or overflows, Transfer-Encoding beside
// Content-Length; a body without Content-Length is 411 (the collector reads no chunked bodies).
// A query parameter given twice, or a malformed escape in the target, is 400.
//
// The head is parsed by Beast (http_server.cpp reads it asynchronously); CheckHead turns it into
// the routes' HttpRequest. ReadRequestFromBytes does the whole reading synchronously on a buffer:
// the fuzz target and tests drive the same checks through it.
#ifndef CHOSA_SYNC_COLLECTOR_HTTP_REQUEST_READER_H_
#define CHOSA_SYNC_COLLECTOR_HTTP_REQUEST_READER_H_

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "http_exchange.h"

namespace chosa::collector {

// Why a request is refused: an HTTP status and a reason for the client (status 0: not refused).
struct Refusal {
  int status = 0;
  std::string reason;
  explicit operator bool() const { return status != 0; }
};

using RequestHead = boost::beast::http::request_header<>;

// Largest head (request line and fields) accepted; a larger one is 431.
inline constexpr uint32_t kMaxHeadBytes = 16 * 1024;

// Checks the framing of a parsed head and fills `out` (method, path, query, headers; not the
// remote address or the body). `content_length` is the body's length when one was given.
Refusal CheckHead(const RequestHead& head, HttpRequest* out, uint64_t* content_length);

// What a parse error of the wire means for the client.
Refusal RefusalOfParseError(const boost::beast::error_code& error);

// Percent-decodes `text` (and '+' as a space when `plus_is_space`); false on a malformed escape
// or a NUL byte.
bool PercentDecode(std::string_view text, bool plus_is_space, std::string* out);

// Reads one request from `bytes` as the server does (head, CheckHead, the body up to
// `body_limit`): a refusal, or the request in `out`. A request cut short is refused with 400.
Refusal ReadRequestFromBytes(std::string_view bytes, uint64_t body_limit, HttpRequest* out);

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_HTTP_REQUEST_READER_H_
