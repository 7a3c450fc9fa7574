// Plain-text tables, as both programs list things (drafts, the outbox, forms, devices, ...).
#ifndef CHOSA_TOOLS_TEXT_TABLE_H_
#define CHOSA_TOOLS_TEXT_TABLE_H_

#include <cstdio>
#include <string>
#include <vector>

namespace chosa {
namespace tools {

// Prints rows as columns two spaces apart, padded to their display width (DisplayWidth); the
// first row is the header. Cells are shown through ForDisplay, cut at `max_cell` columns (0: not
// cut) except in the last column, which is not padded either (a rejection's whole reason).
void PrintTable(std::FILE* out, const std::vector<std::vector<std::string>>& rows, int max_cell = 40);

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_TEXT_TABLE_H_
