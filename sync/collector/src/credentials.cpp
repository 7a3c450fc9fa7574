#include "credentials.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdint>
#include <vector>

#include "chosa/base/hex_digest.h"

namespace chosa::collector {
namespace {

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

Result<std::vector<unsigned char>> RandomBytes(size_t size) {
  std::vector<unsigned char> bytes(size);
  if (RAND_bytes(bytes.data(), static_cast<int>(size)) != 1) {
    return Status::Internal("the system's random number generator failed (OpenSSL RAND_bytes)");
  }
  return bytes;
}

std::string Base64UrlNoPadding(const std::vector<unsigned char>& bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    for (int shift : {18, 12, 6, 0}) out += kBase64Url[(n >> shift) & 63];
  }
  const size_t left = bytes.size() - i;
  if (left > 0) {
    uint32_t n = uint32_t{bytes[i]} << 16;
    if (left == 2) n |= uint32_t{bytes[i + 1]} << 8;
    out += kBase64Url[(n >> 18) & 63];
    out += kBase64Url[(n >> 12) & 63];
    if (left == 2) out += kBase64Url[(n >> 6) & 63];
  }
  return out;
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool IsBase64Url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

Result<std::string> NewToken() {
  Result<std::vector<unsigned char>> id = RandomBytes(kTokenIdChars / 2);
  if (!id.ok()) return id.status();
  Result<std::vector<unsigned char>> secret = RandomBytes(32);
  if (!secret.ok()) return secret.status();
  return Hex(id->data(), id->size()) + "." + Base64UrlNoPadding(*secret);
}

std::optional<TokenParts> SplitToken(std::string_view token) {
  if (token.size() != kTokenIdChars + 1 + kTokenSecretChars || token[kTokenIdChars] != '.') return std::nullopt;
  TokenParts parts{token.substr(0, kTokenIdChars), token.substr(kTokenIdChars + 1)};
  for (char c : parts.id) {
    if (!IsLowerHex(c)) return std::nullopt;
  }
  for (char c : parts.secret) {
    if (!IsBase64Url(c)) return std::nullopt;
  }
  return parts;
}

Result<std::string> NewEnrolmentCode() {
  Result<std::vector<unsigned char>> bytes = RandomBytes(16);
  if (!bytes.ok()) return bytes.status();
  std::string code;
  for (size_t i = 0; i < bytes->size(); ++i) {
    if (i > 0 && i % 4 == 0) code += '-';
    code += kCrockford[(*bytes)[i] & 31];  // 256 is a multiple of 32: no bias
  }
  return code;
}

std::string NormalizeEnrolmentCode(std::string_view code) {
  std::string out;
  out.reserve(code.size());
  for (char c : code) {
    if (c == '-' || c == ' ' || c == '\t') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    out += c;
  }
  return out;
}

Result<std::string> NewDeviceId() {
  Result<std::vector<unsigned char>> bytes = RandomBytes(8);
  if (!bytes.ok()) return bytes.status();
  return "dev-" + Hex(bytes->data(), bytes->size());
}

std::string HashToken(std::string_view token) { return Sha256Hex(token); }

std::string HashEnrolmentCode(std::string_view code) { return Sha256Hex(NormalizeEnrolmentCode(code)); }

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace chosa::collector
