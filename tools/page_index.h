// The answerable items of a page, numbered as the terminal filler shows them and as a person
// names them when answering.
#ifndef CHOSA_TOOLS_PAGE_INDEX_H_
#define CHOSA_TOOLS_PAGE_INDEX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "chosa/session.h"
#include "chosa/view_model.h"

namespace chosa {
namespace tools {

// An answerable item of the current page: a question, a matrix row, or a question inside a repeat
// instance. Every one of them is numbered, shown or not, in the form's order (the questions of
// each repeat instance in turn), so that a follow-up appearing or going away never changes the
// number of another item: "5" names the same question before and after the answer to 4.
struct NumberedItem {
  int number = 0;
  std::string path;              // for Session::SetAnswer
  std::string name;              // the item's name in the form (shown only to designers)
  std::string type;              // ItemTypeName(): "select_one", "matrix_row", ...
  bool shown = false;            // relevant now: drawn on the page, and can be answered
  // From the view model; empty when not shown.
  std::string label;
  std::string appearance;
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
  std::vector<NumberedItem> items;   // every answerable item, shown or not; items[k - 1] is number k
  std::vector<RepeatOnPage> repeats; // the repeats drawn on the page
  // The item numbered `number` (shown or not), or null.
  const NumberedItem* Find(int64_t number) const;
  // The item at `path`, or null.
  const NumberedItem* FindPath(const std::string& path) const;
  // Same items shown and same repeat sizes: the page need not be drawn again after an answer.
  bool SameShape(const PageIndex& other) const;
};

// Numbers the current page of `session` (its items from the form, every repeat instance it has)
// and takes what is shown of each from `view`, the session's View().
PageIndex IndexPage(const Session& session, const ViewModel& view);

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_PAGE_INDEX_H_
