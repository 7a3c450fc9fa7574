// The answerable items of a page, numbered as the terminal filler shows them and as a person
// names them when answering.
#ifndef CHOSA_TOOLS_PAGE_INDEX_H_
#define CHOSA_TOOLS_PAGE_INDEX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "chosa/view_model.h"

namespace chosa {
namespace tools {

// What the filler can answer on the current page, in display order and numbered from 1:
// questions, matrix rows, and the questions inside each repeat instance.
struct NumberedItem {
  int number = 0;
  std::string path;              // for Session::SetAnswer
  std::string type;              // ItemTypeName(): "select_one", "matrix_row", ...
  std::string label;
  bool read_only = false;
  bool required = false;
  std::vector<ChoiceView> choices;
  std::string value;
  std::vector<ErrorView> errors;
  std::string matrix;            // rows: the matrix's path, so a walk can go row by row
};

struct RepeatOnPage {
  std::string name;
  std::string label;
  int32_t count = 0;
  bool can_add = false;
  bool can_remove = false;
};

struct PageIndex {
  std::vector<NumberedItem> items;
  std::vector<RepeatOnPage> repeats;
  // The item numbered `number`, or null.
  const NumberedItem* Find(int64_t number) const;
  // Same numbered paths and repeat sizes: the page need not be drawn again after an answer.
  bool SameShape(const PageIndex& other) const;
};

PageIndex IndexPage(const ViewModel& view);

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_PAGE_INDEX_H_
