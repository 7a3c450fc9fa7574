// Excel's rules for what a workbook may hold that libxlsxwriter leaves to its caller: how long a
// cell's text may be and what a sheet may be named. Excel counts characters in UTF-16 code units,
// so a character beyond the Basic Multilingual Plane (𠮷) counts two.
#ifndef CHOSA_ANALYSIS_EXCEL_LIMITS_H_
#define CHOSA_ANALYSIS_EXCEL_LIMITS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>

namespace chosa::analysis {

constexpr size_t kExcelCellCharacters = 32767;
constexpr size_t kExcelSheetNameCharacters = 31;

// The length in bytes of the longest prefix of `text` (UTF-8) that Excel counts as at most
// `limit` characters; it ends at a character boundary.
size_t ExcelPrefixBytes(std::string_view text, size_t limit);

// Names a workbook's sheets by Excel's rules: at most 31 characters, none of []:*?/\, no
// apostrophe first or last, not empty, not "History" (Excel reserves it), and no two alike
// (Excel compares names without regard to case).
class SheetNames {
 public:
  // A name for part `part` of `base`: `base` itself for part 1, "base (2)" for part 2, and so on,
  // with `base` cleaned and shortened to fit. When the name is taken, the part number grows
  // until one is free.
  std::string Claim(std::string_view base, int part = 1);

 private:
  std::unordered_set<std::string> taken_;  // folded to lower case
};

}  // namespace chosa::analysis

#endif  // CHOSA_ANALYSIS_EXCEL_LIMITS_H_
