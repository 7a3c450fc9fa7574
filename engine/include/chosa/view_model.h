// The view model: what a renderer draws for the current page, in the session's language. It is
// built on request from values the session already keeps (Session::View()), and it exists as
// JSON too (Session::ViewJson(), docs/view-model.md) for the C API, the web view and tests.
// The review (Session::Review(), ReviewJson()) is every relevant page's answers at once, shown
// before a person confirms finalize.
//
// Thread safety and ownership: plain values that own every string in them; a ViewModel or a
// Review does not refer to the session or the form that built it, and may go to another thread.
#ifndef CHOSA_VIEW_MODEL_H_
#define CHOSA_VIEW_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "chosa/form.h"

namespace chosa {

struct ChoiceView {
  std::string value;
  std::string label;
  bool selected = false;
};

struct ErrorView {
  std::string kind;      // ErrorKindName(): "required", "constraint", ...
  std::string message;
};

// One visible item of the page. Groups hold their visible children; a repeat holds one
// RepeatInstanceView per instance; a matrix holds its rows (each a select_one).
struct RepeatInstanceView;

struct ItemView {
  std::string path;         // "age", "attendees[2]/name"; inside a repeat every item (notes and
                            // groups too) has its instance; a repeat itself, its name
  std::string name;
  std::string type;         // ItemTypeName(): "integer", "select_one", "group", "matrix_row", ...
  std::string label;        // interpolated: ${name} replaced by current values
  std::string hint;
  std::string appearance;
  bool required = false;    // show the required mark
  bool read_only = false;
  std::string value;        // the answer as text ("" unanswered); select_multiple: space-separated
  std::vector<ChoiceView> choices;   // selects: the choices that pass the filter, in list order
  // Selects: choices of the answer that the filter no longer offers (an earlier answer changed),
  // so that a renderer can show what is chosen; the answer is kept and refused by its error.
  std::vector<ChoiceView> withdrawn;
  std::vector<ErrorView> errors;     // current problems of this answer
  std::vector<ItemView> children;    // group: visible children; matrix: rows
  std::vector<RepeatInstanceView> instances;  // repeat
  bool can_add = false;     // repeat: another instance may be added
  bool can_remove = false;  // repeat: an instance may be removed
  int32_t min_choices = 0;  // select_multiple: choose at least this many (0: no minimum)
  int32_t max_choices = -1; // select_multiple: choose at most this many (-1: no limit)
};

struct RepeatInstanceView {
  int32_t position = 0;     // 1-based
  std::vector<ItemView> items;
};

struct NavigationView {
  int32_t page = 0;         // 0-based index of the current page among all pages
  int32_t page_count = 1;
  int32_t page_number = 1;  // 1-based rank among the relevant pages ("page k of n")
  int32_t relevant_pages = 1;
  bool can_back = false;
  bool can_next = false;    // a later relevant page exists
  bool is_last = true;      // the current page is the last relevant one: offer "finalize"
  int32_t answered = 0;     // of `questions`, those answered (Session::Progress())
  int32_t questions = 0;    // the relevant questions of the whole filling that take an answer:
                            // answer types and matrix rows in every repeat instance; not notes,
                            // calculates, groups, pages, nor read-only questions
  int32_t progress_percent = 100;  // answered * 100 / questions, rounded down; 100 when none
};

struct ViewModel {
  std::string form_id;
  std::string form_version;
  std::string language;
  std::vector<std::string> languages;
  std::string title;
  std::string page_name;
  std::string page_label;
  NavigationView navigation;
  std::vector<ItemView> items;   // the visible items of the current page
};

// One relevant item in the review of a page: its answer as stored and as a person reads it, and
// every current error of it (required included, whether or not the page was visited).
struct ReviewItem {
  std::string path;         // as in ItemView; a repeat instance: "attendees[2]" (no answer path)
  std::string name;         // a repeat instance: the repeat's name
  std::string type;         // ItemTypeName(), or "repeat_instance"
  std::string label;        // interpolated; a repeat instance: "参加者（2件目）" / "Attendee #2"
  std::string value;        // the answer as stored text, like ItemView::value ("" unanswered)
  std::string display;      // as a person reads it: a select's choice label, a select_multiple's
                            // and a rank's labels (rank in its order) joined by "、" (ja) or ", ",
                            // numbers and dates as given, acknowledge a localized yes; "" unanswered
  bool required = false;    // the required mark, as in ItemView
  std::vector<ErrorView> errors;     // every current error (a repeat: its instance count)
  std::vector<ReviewItem> children;  // group: relevant children; repeat: one "repeat_instance"
                                     // per instance, holding its items; matrix: its rows
};

struct PageReview {
  int32_t page = 0;          // 0-based index among all pages: what Session::GoToPage() takes
  std::string name;          // "" when the form has no pages
  std::string label;         // interpolated
  int32_t error_count = 0;   // errors of the page's items, Session::PageErrors(page).size()
  std::vector<ReviewItem> items;  // the relevant items, in form order; no calculates, no notes
};

struct Review {
  std::string form_id;
  std::string form_version;
  std::string language;
  std::string title;
  std::vector<PageReview> pages;  // the relevant pages only, in order
  int32_t error_count = 0;        // Session::AllErrors().size()
  int32_t answered = 0;           // of `questions`, those answered
  int32_t questions = 0;          // relevant questions: answer types and matrix rows (not notes,
                                  // groups, matrices, repeats, calculates nor read-only
                                  // questions): the navigation's counts (Session::Progress())
  bool can_finalize = true;       // no error anywhere
};

}  // namespace chosa

#endif  // CHOSA_VIEW_MODEL_H_
