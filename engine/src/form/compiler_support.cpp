#include "form/compiler_support.h"

#include <fstream>
#include <sstream>

namespace chosa {

bool IsName(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  auto start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!start(s[0])) return false;
  for (char c : s) {
    if (!start(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string Ref(std::string_view name) { return "${" + std::string(name) + "}"; }

std::string ReadFileText(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *ok = false;
    return {};
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *ok = true;
  return buffer.str();
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool PointerLess(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    size_t ei = a.find('/', i + 1), ej = b.find('/', j + 1);
    if (ei == std::string_view::npos) ei = a.size();
    if (ej == std::string_view::npos) ej = b.size();
    std::string_view sa = a.substr(i + 1, ei - i - 1), sb = b.substr(j + 1, ej - j - 1);
    bool na = !sa.empty() && sa.find_first_not_of("0123456789") == std::string_view::npos;
    bool nb = !sb.empty() && sb.find_first_not_of("0123456789") == std::string_view::npos;
    if (na && nb && sa.size() != sb.size()) return sa.size() < sb.size();
    if (sa != sb) return sa < sb;
    i = ei;
    j = ej;
  }
  return a.size() - i < b.size() - j;
}

}  // namespace chosa
