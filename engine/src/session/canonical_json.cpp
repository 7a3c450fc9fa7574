#include "session/canonical_json.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace chosa {

void CanonicalJsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_.push_back(',');
    first_.back() = false;
  }
}

void CanonicalJsonWriter::Open(char bracket) {
  BeforeValue();
  out_.push_back(bracket);
  first_.push_back(true);
}

void CanonicalJsonWriter::Close(char bracket) {
  out_.push_back(bracket);
  first_.pop_back();
}

void CanonicalJsonWriter::Key(std::string_view key) {
  BeforeValue();
  Escaped(key);
  out_.push_back(':');
  after_key_ = true;
}

void CanonicalJsonWriter::String(std::string_view text) {
  BeforeValue();
  Escaped(text);
}

void CanonicalJsonWriter::Number(double number) {
  BeforeValue();
  char buffer[32];
  std::to_chars_result written;
  if (number == std::floor(number) && std::fabs(number) < 9007199254740992.0) {
    written = std::to_chars(buffer, buffer + sizeof buffer, static_cast<int64_t>(number));
  } else {
    written = std::to_chars(buffer, buffer + sizeof buffer, number);  // shortest round trip
  }
  out_.append(buffer, written.ptr);
}

void CanonicalJsonWriter::Bool(bool truth) {
  BeforeValue();
  out_ += truth ? "true" : "false";
}

namespace {
bool NeedsEscape(unsigned char u) { return u < 0x20 || u == '"' || u == '\\'; }
}  // namespace

void CanonicalJsonWriter::Escaped(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  out_.push_back('"');
  for (size_t i = 0; i < text.size();) {
    // Most text needs no escape at all: copy each run of plain bytes at once.
    size_t plain = i;
    while (plain < text.size() && !NeedsEscape(static_cast<unsigned char>(text[plain]))) ++plain;
    out_.append(text.data() + i, plain - i);
    if (plain == text.size()) break;
    i = plain + 1;
    const char c = text[plain];
    const unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\b': out_ += "\\b"; break;
      case '\f': out_ += "\\f"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default:  // the other control characters
        out_ += "\\u00";
        out_.push_back(kHex[u >> 4]);
        out_.push_back(kHex[u & 15]);
    }
  }
  out_.push_back('"');
}

}  // namespace chosa
