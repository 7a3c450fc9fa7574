// The name rules of form/name_rules.h, apart from the reader that applies them.
#include "form/name_rules.h"

#include <cctype>

namespace chosa {

bool IsLanguageCode(std::string_view s) {
  // ^[a-z]{2,3}(-[A-Za-z0-9]+)*$
  size_t i = 0;
  while (i < s.size() && s[i] >= 'a' && s[i] <= 'z') ++i;
  if (i < 2 || i > 3) return false;
  while (i < s.size()) {
    if (s[i] != '-') return false;
    size_t j = ++i;
    while (i < s.size() && std::isalnum(static_cast<unsigned char>(s[i]))) ++i;
    if (i == j) return false;
  }
  return true;
}

bool ContainsWhitespace(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return true;
    if (c == 0xC2 && i + 1 < s.size() &&
        (static_cast<unsigned char>(s[i + 1]) == 0xA0 || static_cast<unsigned char>(s[i + 1]) == 0x85))
      return true;
    if (c == 0xE3 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        static_cast<unsigned char>(s[i + 2]) == 0x80)
      return true;  // U+3000
    if (c == 0xE2 && i + 2 < s.size()) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]), c2 = static_cast<unsigned char>(s[i + 2]);
      if (c1 == 0x80 && (c2 <= 0x8A || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF))
        return true;                              // U+2000..200A, 2028, 2029, 202F
      if (c1 == 0x81 && c2 == 0x9F) return true;  // U+205F
    }
  }
  return false;
}

}  // namespace chosa
