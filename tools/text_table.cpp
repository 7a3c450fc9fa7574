#include "text_table.h"

#include <algorithm>
#include <utility>

#include "display_text.h"

namespace chosa {
namespace tools {

void PrintTable(std::FILE* out, const std::vector<std::vector<std::string>>& rows, int max_cell) {
  std::vector<std::vector<std::string>> shown;
  std::vector<int> widths;
  for (const std::vector<std::string>& row : rows) {
    std::vector<std::string> cells;
    for (size_t c = 0; c < row.size(); ++c) {
      cells.push_back(ForDisplay(row[c], c + 1 < row.size() ? max_cell : 0));
      if (widths.size() <= c) widths.push_back(0);
      widths[c] = std::max(widths[c], DisplayWidth(cells.back()));
    }
    shown.push_back(std::move(cells));
  }
  for (const std::vector<std::string>& row : shown) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(static_cast<size_t>(widths[c] - DisplayWidth(row[c]) + 2), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();  // an empty last cell
    std::fprintf(out, "%s\n", line.c_str());
  }
}

}  // namespace tools
}  // namespace chosa
