#include "http_request_reader.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <limits>

namespace chosa::collector {

namespace http = boost::beast::http;

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A Content-Length value as RFC 9110 §8.6 has it: digits only (no list, no sign, no spaces),
// small enough for 64 bits.
bool ParseLength(std::string_view text, uint64_t* out) {
  if (text.empty() || text.size() > 19) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = value;
  return true;
}

// RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host field, an HTTP/1.0 one at most one
// (checked last, so that a request wrong in other ways is told that first).
Refusal CheckHost(unsigned version, size_t hosts) {
  if (hosts > 1) return {400, "more than one Host field"};
  if (version == 11 && hosts == 0) return {400, "an HTTP/1.1 request needs a Host field"};
  return {};
}

}  // namespace

bool PercentDecode(std::string_view text, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return false;
      const int high = HexDigit(text[i + 1]);
      const int low = HexDigit(text[i + 2]);
      if (high < 0 || low < 0) return false;
      c = static_cast<char>(high * 16 + low);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return false;
    out->push_back(c);
  }
  return true;
}

Refusal CheckHead(const RequestHead& head, HttpRequest* out, uint64_t* content_length) {
  *content_length = 0;
  out->has_content_length = false;
  size_t lengths = 0;
  bool transfer_encoding = false;
  size_t hosts = 0;
  out->headers.clear();
  for (const auto& field : head) {
    std::string name(field.name_string());
    std::string value(field.value());
    if (HeaderNameEquals(name, "Content-Length")) {
      ++lengths;
      if (!ParseLength(value, content_length)) {
        return {400, "Content-Length must be one decimal number of bytes, not \"" + value + "\""};
      }
    } else if (HeaderNameEquals(name, "Transfer-Encoding")) {
      transfer_encoding = true;
    } else if (HeaderNameEquals(name, "Host")) {
      ++hosts;
    }
    out->headers.emplace_back(std::move(name), std::move(value));
  }
  if (lengths > 1) return {400, "more than one Content-Length: the request's length is ambiguous"};
  if (transfer_encoding && lengths == 1) {
    return {400, "Transfer-Encoding and Content-Length together: the request's length is ambiguous"};
  }
  if (transfer_encoding) return {411, "a request body needs a Content-Length (no Transfer-Encoding)"};
  out->has_content_length = lengths == 1;
  if (head.version() != 11 && head.version() != 10) return {505, "HTTP/1.1 only"};

  out->method = std::string(head.method_string());
  const std::string_view target(head.target().data(), head.target().size());
  if (target.empty() || target.front() != '/') return {400, "the request target must be a path (origin form)"};
  const size_t question = target.find('?');
  if (!PercentDecode(target.substr(0, question), false, &out->path)) {
    out->path = std::string(target.substr(0, question));  // logged as sent, not cut at the escape
    return {400, "malformed percent escape in the path"};
  }
  out->query.clear();
  if (question == std::string_view::npos) return CheckHost(head.version(), hosts);
  std::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view part = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (part.empty()) continue;
    const size_t equals = part.find('=');
    std::string name, value;
    if (!PercentDecode(part.substr(0, equals), true, &name) ||
        (equals != std::string_view::npos && !PercentDecode(part.substr(equals + 1), true, &value))) {
      return {400, "malformed percent escape in the query"};
    }
    for (const auto& existing : out->query) {
      if (existing.first == name) return {400, "query parameter \"" + name + "\" given more than once"};
    }
    out->query.emplace_back(std::move(name), std::move(value));
  }
  return CheckHost(head.version(), hosts);
}

Refusal RefusalOfParseError(const boost::beast::error_code& error) {
  if (error == http::error::header_limit) {
    return {431, "the request head is larger than " + std::to_string(kMaxHeadBytes) + " bytes"};
  }
  if (error == http::error::body_limit) return {413, "the body is larger than this route accepts"};
  if (error == http::error::bad_content_length) {
    return {400, "conflicting or malformed Content-Length: the request's length is ambiguous"};
  }
  if (error == http::error::bad_transfer_encoding) {
    return {400, "Transfer-Encoding and Content-Length together, or repeated: the request's length is ambiguous"};
  }
  if (error == http::error::partial_message || error == http::error::need_more) {
    return {400, "the request ended before it was complete"};
  }
  return {400, "malformed request: " + error.message()};
}

Refusal ReadRequestFromBytes(std::string_view bytes, uint64_t body_limit, HttpRequest* out) {
  http::request_parser<http::empty_body> head_parser;
  head_parser.header_limit(kMaxHeadBytes);
  head_parser.eager(false);
  head_parser.body_limit(std::numeric_limits<uint64_t>::max());  // the caller's: checked on the head
  boost::beast::error_code error;
  size_t used = 0;
  while (!head_parser.is_header_done()) {
    const size_t n = head_parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), error);
    used += n;
    if (error) return RefusalOfParseError(error);
    if (n == 0) return RefusalOfParseError(http::error::need_more);
  }
  uint64_t length = 0;
  if (Refusal refused = CheckHead(head_parser.get(), out, &length)) return refused;
  if (length > body_limit) return {413, "the body is larger than this route accepts"};
  http::request_parser<http::string_body> body_parser(std::move(head_parser));
  body_parser.body_limit(body_limit);
  while (!body_parser.is_done()) {
    const size_t n = body_parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), error);
    used += n;
    if (error) return RefusalOfParseError(error);
    if (n == 0) return RefusalOfParseError(http::error::need_more);
  }
  out->body = std::move(body_parser.get().body());
  return {};
}

}  // namespace chosa::collector
