#include "http_messages.h"

#include "chosa/protocol.h"

namespace chosa::sync {

namespace {

// At most `limit` bytes of `text` on one line, not cut inside a UTF-8 sequence.
std::string OneLine(const std::string& text, size_t limit) {
  size_t size = text.size();
  if (size > limit) {
    size = limit;
    while (size > 0 && (static_cast<unsigned char>(text[size]) & 0xC0) == 0x80) --size;
  }
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    out += (c < 0x20 || c == 0x7F) ? ' ' : static_cast<char>(c);
  }
  if (size < text.size()) out += "…";
  return out;
}

}  // namespace

std::string DescribeResponse(const HttpResponse& response) {
  std::string text = "HTTP " + std::to_string(response.status);
  auto body = protocol::ParseErrorBody(response.body);
  if (body.ok()) {
    text += ": " + body->error;
    if (!body->pointer.empty()) text += " (at " + body->pointer + ")";
  } else if (!response.body.empty()) {
    text += ": " + OneLine(response.body, 200);
  }
  return text;
}

Status ResponseFailure(const HttpResponse& response, const std::string& doing) {
  const std::string message = doing + ": the collector answered " + DescribeResponse(response);
  switch (response.status) {
    case 401:
      return Status::Unauthenticated(message + " (the device's token is unknown or revoked: enrol it again)");
    case 403:
      return Status::PermissionDenied(message);
    case 404:
      return Status::NotFound(message);
    default:
      if (response.status >= 400 && response.status < 500) return Status::InvalidArgument(message);
      return Status::Internal(message);
  }
}

}  // namespace chosa::sync
