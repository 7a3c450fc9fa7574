#include "chosa/engine/canonical_json.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

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

// The bytes JSON requires escaped: the quote, the backslash and the control characters.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[static_cast<size_t>(c)] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

size_t PlainRun(std::string_view text, size_t from) {
  while (from < text.size() && !kNeedsEscape[static_cast<unsigned char>(text[from])]) ++from;
  return from;
}

}  // namespace

void CanonicalJsonWriter::Escaped(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  size_t plain = PlainRun(text, 0);
  if (plain == text.size()) {  // the usual case, once per key and value: one copy
    const size_t at = out_.size();
    out_.resize(at + text.size() + 2);
    char* to = &out_[at];
    to[0] = '"';
    if (!text.empty()) std::memcpy(to + 1, text.data(), text.size());
    to[text.size() + 1] = '"';
    return;
  }
  out_.push_back('"');
  for (size_t i = 0; i < text.size();) {
    // Copy each run of plain bytes at once.
    plain = PlainRun(text, i);
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
