#include "excel_limits.h"

#include <cctype>

#include "chosa/base/utf8.h"

namespace chosa::analysis {
namespace {

std::string Folded(std::string_view name) {
  std::string folded(name);
  for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return folded;
}

// `base` with the characters Excel refuses in a sheet name replaced by '_'.
std::string Cleaned(std::string_view base) {
  std::string name(base);
  for (char& c : name) {
    if (std::string_view("[]:*?/\\").find(c) != std::string_view::npos) c = '_';
  }
  if (!name.empty() && name.front() == '\'') name.front() = '_';
  if (!name.empty() && name.back() == '\'') name.back() = '_';
  if (name.empty()) name = "_";
  return name;
}

}  // namespace

size_t ExcelPrefixBytes(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text.size();  // no character takes fewer bytes than units
  size_t units = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t length = Utf8SequenceLength(text, i);
    if (length == 0) length = 1;  // not UTF-8: a byte is as much as can be said of it
    const size_t character_units = length == 4 ? 2 : 1;
    if (units + character_units > limit) break;
    units += character_units;
    i += length;
  }
  return i;
}

std::string SheetNames::Claim(std::string_view base, int part) {
  const std::string cleaned = Cleaned(base);
  for (;; ++part) {
    const std::string suffix = part > 1 ? " (" + std::to_string(part) + ")" : "";
    std::string name = cleaned.substr(0, ExcelPrefixBytes(cleaned, kExcelSheetNameCharacters - suffix.size()));
    // Shortening may leave an apostrophe last.
    if (!name.empty() && name.back() == '\'') name.back() = '_';
    name += suffix;
    std::string folded = Folded(name);
    if (folded == "history") continue;
    if (taken_.insert(std::move(folded)).second) return name;
  }
}

}  // namespace chosa::analysis
