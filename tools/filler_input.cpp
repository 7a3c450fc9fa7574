#include "filler_input.h"

#include <algorithm>
#include <cstdio>

#include "typed_input.h"  // Trim

namespace chosa {
namespace tools {

void SplitHead(std::string_view line, std::string_view* head, std::string_view* rest) {
  size_t cut = line.size();
  size_t skip = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == ' ' || line[i] == '\t') {
      cut = i, skip = 1;
      break;
    }
    if (line.substr(i, 3) == "\xE3\x80\x80") {
      cut = i, skip = 3;
      break;
    }
  }
  *head = line.substr(0, cut);
  *rest = Trim(line.substr(std::min(line.size(), cut + skip)));
}

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

bool ReadLine(std::string* line, bool* too_long) {
  line->clear();
  *too_long = false;
  int c;
  bool any = false;
  while ((c = std::getchar()) != EOF) {
    any = true;
    if (c == '\n') break;
    if (line->size() < kMaxLine) {
      line->push_back(static_cast<char>(c));
    } else {
      *too_long = true;  // keep reading to the end of the line, dropping the rest
    }
  }
  if (!any) return false;
  if (!line->empty() && line->back() == '\r') line->pop_back();  // CRLF from a Windows editor
  return true;
}

std::string Shorten(std::string_view text, size_t kMax) {
  if (text.size() <= kMax) return std::string(text);
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

}  // namespace tools
}  // namespace chosa
