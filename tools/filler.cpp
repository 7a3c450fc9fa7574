// The terminal filler's command loop (filler.h: RunFiller): draw the page, read a command, apply
// it to the Filling, say what changed. Reading lines and splitting commands: filler_input.cpp;
// what the terminal can do: filler_terminal.cpp; the submission and the last words after the
// loop: filler_finish.cpp.
#include "filler.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "chosa/form.h"
#include "chosa/view_model.h"
#include "display_text.h"
#include "filler_input.h"
#include "terminal_ui.h"

namespace chosa {
namespace tools {

namespace {

using End = FillOutcome::End;

class FillLoop {
 public:
  FillLoop(Filling* filling, const FillerTerminal& terminal)
      : filling_(filling),
        ui_(stdout, terminal.color,
            [this](const std::string& path, const std::string& value) { return ChoiceLabel(path, value); },
            terminal.designer),
        echo_(terminal.echo),
        designer_(terminal.designer) {}

  FillOutcome Run() {
    Refresh();
    ui_.DrawPage(view_, index_);
    FillOutcome outcome;
    for (;;) {
      std::string line;
      if (!Ask(Say(language(), Word::kPrompt), &line)) {
        ui_.Line(Say(language(), Word::kEndOfInput));
        outcome.end = End::kEndOfInput;
        break;
      }
      if (std::optional<End> done = Handle(line)) {
        outcome.end = *done;
        break;
      }
    }
    outcome.submission = std::move(submission_);
    outcome.language = language();
    return outcome;
  }

 private:
  const Session& session() const { return filling_->session(); }
  const std::string& language() const { return session().language(); }

  // A change the store could not save is not a mistake of the filler: say so in those words.
  // `path`: the answer refused, whose choice values the message names by their labels.
  void DrawRefusal(const Status& status, const std::string& path = "") {
    if (status.code() == StatusCode::kInvalidArgument) {
      ui_.DrawError(ui_.Readable(path, status.message()));
    } else {
      ui_.DrawError(Format(Say(language(), Word::kNotSaved), status.message().c_str()));
    }
  }

  void Refresh() {
    view_ = session().View();
    index_ = IndexPage(session(), view_);
  }

  void Redraw() {
    Refresh();
    ui_.DrawPage(view_, index_);
  }

  // Prompts and reads one line; false at the end of input. Lines that are not clean UTF-8 or are
  // too long are refused here and asked again, so nothing downstream sees them.
  bool Ask(const char* prompt, std::string* line) {
    for (;;) {
      std::fputs(prompt, stdout);
      std::fflush(stdout);
      bool too_long = false;
      if (!ReadLine(line, &too_long)) {
        std::fputc('\n', stdout);
        return false;
      }
      // Through a pipe nothing echoes the input; writing it makes the transcript read like a session.
      if (echo_) std::printf("%s\n", IsCleanUtf8(*line) ? Shorten(*line, 200).c_str() : "?");
      if (too_long) {
        ui_.DrawError(Format(Say(language(), Word::kLineTooLong), static_cast<int>(kMaxLine)));
        continue;
      }
      if (!IsCleanUtf8(*line)) {
        ui_.DrawError(Say(language(), Word::kInvalidUtf8));
        continue;
      }
      return true;
    }
  }

  std::optional<End> Handle(const std::string& raw_line) {
    std::string_view line = Trim(raw_line);
    if (!line.empty() && line[0] == '#') return std::nullopt;  // a comment in a scripted filling
    std::string_view head_raw, rest;
    SplitHead(line, &head_raw, &rest);
    std::string head = Lower(FoldWidth(head_raw));
    std::string rest_text(rest);
    // "+attendees" and "-2" are "+ attendees" and "- 2".
    if (head.size() > 1 && (head[0] == '+' || head[0] == '-')) {
      rest_text = head.substr(1) + (rest_text.empty() ? "" : " " + rest_text);
      head = head.substr(0, 1);
    }
    if (head.empty() || head == "r") {
      Redraw();
      return std::nullopt;
    }
    if (head[0] >= '0' && head[0] <= '9') return AnswerCommand(head, rest_text);
    if (head == "?" || head == "h" || head == "help") {
      ui_.Line(Say(language(), Word::kHelp));
      if (designer_) ui_.Line(Say(language(), Word::kHelpDesigner));
    } else if (head == "n") {
      NextCommand();
    } else if (head == "b") {
      BackCommand();
    } else if (head == "g") {
      GoCommand(rest_text);
    } else if (head == "l") {
      LanguageCommand(rest_text);
    } else if (head == "c") {
      ClearCommand(rest_text);
    } else if (head == "+") {
      AddCommand(rest_text);
    } else if (head == "-") {
      RemoveCommand(rest_text);
    } else if (head == "e") {
      ListErrors(session().AllErrors());
    } else if (head == "v") {
      ui_.DrawReview(session().Review(), session().form());
    } else if (head == "j") {
      if (designer_) {
        ui_.Line(session().ViewJson());
      } else {
        ui_.DrawError(Say(language(), Word::kDesignerOnly));
      }
    } else if (head == "f") {
      return FinalizeCommand();
    } else if (head == "q") {
      ui_.Line(Say(language(), Word::kQuit));
      return End::kQuit;
    } else {
      ui_.DrawError(Format(Say(language(), Word::kUnknownCommand), Shorten(head_raw).c_str()));
    }
    return std::nullopt;
  }

  const NumberedItem* FindItem(const std::string& typed) {
    if (typed.empty()) {
      ui_.DrawError(Say(language(), Word::kNeedItemNumber));
      return nullptr;
    }
    const NumberedItem* item = index_.Find(ParseSmallNumber(FoldWidth(typed)));
    if (item == nullptr) {
      ui_.DrawError(Format(Say(language(), Word::kNoSuchItem), Shorten(typed).c_str(), static_cast<int>(index_.items.size())));
    } else if (!item->shown) {
      // Numbers stay put when follow-ups come and go: this one is there, but not now.
      ui_.DrawError(Format(Say(language(), Word::kHiddenItem), item->number));
      return nullptr;
    }
    return item;
  }

  std::optional<End> AnswerCommand(const std::string& head, const std::string& rest) {
    const NumberedItem* found = FindItem(head);
    if (found == nullptr) return std::nullopt;
    if (found->read_only) {
      ui_.DrawError(Format(Say(language(), Word::kReadOnly), found->number));
      return std::nullopt;
    }
    if (!rest.empty()) {
      Apply(*found, rest);
      return std::nullopt;
    }
    // Asked in turn: the item, then (matrix rows) the following rows of the same matrix.
    NumberedItem item = *found;
    bool walk = !item.matrix.empty();
    bool walked = false;
    ui_.DrawItemDetail(language(), item);
    if (walk) ui_.Line(Say(language(), Word::kMatrixWalk));
    for (;;) {
      std::string answer;
      if (!Ask(Say(language(), walk ? Word::kWalkPrompt : Word::kAnswerPrompt), &answer)) {
        ui_.Line(Say(language(), Word::kEndOfInput));
        return End::kEndOfInput;
      }
      if (Trim(answer).empty()) {
        if (!walked) ui_.Line(Say(language(), Word::kCancelled));
        break;
      }
      // Refused: ask the same item again. In a walk the label is right above: no need to repeat it.
      if (!Apply(item, std::string(Trim(answer)), /*with_label=*/!walk)) continue;
      walked = true;
      const NumberedItem* next = index_.Find(item.number + 1);
      if (!walk || next == nullptr || !next->shown || next->matrix != item.matrix) break;
      item = *next;
      ui_.Line(std::to_string(item.number) + ". " + item.label);
    }
    if (walked && walk) Redraw();  // the rows and the live total, all at once
    return std::nullopt;
  }

  // Sets one answer; false (and says why) when the session refuses it.
  bool Apply(const NumberedItem& item, const std::string& typed, bool with_label = true) {
    std::string answer = typed;
    if (item.type == "select_one" || item.type == "select_multiple" || item.type == "rank" ||
        item.type == "matrix_row") {
      std::string error;
      if (!ChoiceAnswer(language(), item, typed, &answer, &error)) {
        ui_.DrawError(error);
        return false;
      }
    } else if (item.type == "acknowledge") {
      std::string folded = Lower(FoldWidth(typed));
      if (folded == "ok" || folded == "y" || folded == "yes" || folded == "1" || typed == "はい") answer = "OK";
    } else if (item.type == "note" || item.type == "calculate") {
      ui_.DrawError(Format(Say(language(), Word::kNotAnswerable), item.number));
      return false;
    }
    Status status = filling_->SetAnswer(item.path, answer);
    if (!status.ok()) {
      DrawRefusal(status, item.path);
      return false;
    }
    PageIndex before = std::move(index_);
    Refresh();
    const NumberedItem* now = index_.FindPath(item.path);
    if (now != nullptr && now->shown) ui_.DrawAnswered(language(), *now, with_label);
    // Questions appeared or went away (skip logic): show the page again. Their numbers, and every
    // other item's, are the ones they had.
    if (!index_.SameShape(before)) {
      ui_.DrawPage(view_, index_);
    } else {
      ReportNewErrors(before, item.path);
    }
    return true;
  }

  // An answer can break another one (a block that filters out the ward chosen before): say so
  // at once rather than at `n`.
  void ReportNewErrors(const PageIndex& before, const std::string& answered) {
    for (size_t i = 0; i < index_.items.size(); ++i) {
      const NumberedItem& now = index_.items[i];
      if (now.path == answered || !now.shown) continue;
      const std::vector<ErrorView>& old = before.items[i].errors;
      for (const ErrorView& error : now.errors) {
        bool known = std::any_of(old.begin(), old.end(),
                                 [&](const ErrorView& e) { return e.kind == error.kind && e.message == error.message; });
        if (!known) ui_.DrawError(std::to_string(now.number) + ". " + now.label + ": " + ui_.Readable(now.path, error.message));
      }
    }
  }

  void ClearCommand(const std::string& rest) {
    const NumberedItem* item = FindItem(rest);
    if (item == nullptr) return;
    if (item->read_only) {
      ui_.DrawError(Format(Say(language(), Word::kReadOnly), item->number));
      return;
    }
    Status status = filling_->SetAnswer(item->path, "");
    if (!status.ok()) {
      DrawRefusal(status);
      return;
    }
    ui_.Line(Format(Say(language(), Word::kCleared), item->number, item->label.c_str()));
    PageIndex before = std::move(index_);
    Refresh();
    if (!index_.SameShape(before)) ui_.DrawPage(view_, index_);
  }

  void NextCommand() {
    // Next() validates even on the last page, so that the page then shows its required marks.
    Status status = filling_->Next();
    if (status.ok()) {
      Redraw();
      return;
    }
    if (status.code() != StatusCode::kInvalidArgument) {
      Redraw();
      DrawRefusal(status);
      return;
    }
    Refresh();
    std::vector<AnswerError> errors = session().PageErrors(session().page_index());
    if (!errors.empty()) {
      ui_.Line(Say(language(), Word::kPageBlocked));
      ListErrors(errors);
    } else if (!session().CanGoNext()) {
      ui_.Line(Say(language(), Word::kLastPage));
    } else {
      DrawRefusal(status);
    }
  }

  void BackCommand() {
    if (!session().form().settings().allow_back) {
      ui_.DrawError(Say(language(), Word::kNoBack));
      return;
    }
    if (!session().CanGoBack()) {
      ui_.Line(Say(language(), Word::kFirstPage));
      return;
    }
    Status status = filling_->Back();
    if (!status.ok()) {
      DrawRefusal(status);
      return;
    }
    Redraw();
  }

  // The pages as the filler counts them ("page k of n"): relevant pages only, from 1.
  std::vector<int32_t> RelevantPages() const {
    std::vector<int32_t> relevant;
    const std::vector<int32_t>& pages = session().form().pages();
    for (size_t i = 0; i < pages.size(); ++i) {
      Result<bool> is = session().IsRelevant(session().form().item(pages[i]).name);
      if (!is.ok() || *is) relevant.push_back(static_cast<int32_t>(i));
    }
    if (pages.empty()) relevant.push_back(0);
    return relevant;
  }

  // The label of `value` in the whole list of the item at `path`, filtered out or not.
  std::string ChoiceLabel(const std::string& path, const std::string& value) const {
    Result<AnswerRef> ref = session().Resolve(path);
    if (!ref.ok() || ref->item == kNone) return "";
    const Form& form = session().form();
    const Item& item = form.item(ref->item);
    int32_t list = item.list;
    if (list == kNone && item.type == ItemType::kMatrixRow && item.parent != kNone) list = form.item(item.parent).list;
    if (list == kNone) return "";
    const ChoiceList& choices = form.choice_lists()[static_cast<size_t>(list)];
    int32_t index = choices.Find(value);
    return index < 0 ? "" : std::string(choices.choices[static_cast<size_t>(index)].label.Get(LanguageIndex()));
  }

  size_t LanguageIndex() const {
    const std::vector<std::string>& languages = session().form().languages();
    for (size_t i = 0; i < languages.size(); ++i) {
      if (languages[i] == language()) return i;
    }
    return session().form().default_language();
  }

  void GoCommand(const std::string& rest) {
    std::vector<int32_t> relevant = RelevantPages();
    const Form& form = session().form();
    if (rest.empty()) {
      ui_.Line(Say(language(), Word::kPages));
      if (form.pages().empty()) {
        ui_.Line("  1. " + view_.title + Say(language(), Word::kCurrent));
        return;
      }
      size_t rank = 0;
      for (size_t i = 0; i < form.pages().size(); ++i) {
        const Item& page = form.item(form.pages()[i]);
        bool is_relevant = rank < relevant.size() && relevant[rank] == static_cast<int32_t>(i);
        std::string label = page.label.empty() ? Format(Say(language(), Word::kPageNumber), static_cast<int>(i + 1))
                                               : std::string(page.label.Get(LanguageIndex()));
        std::string number = is_relevant ? std::to_string(++rank) + ". " : "   ";
        std::string mark = !is_relevant ? std::string(Say(language(), Word::kSkipped))
                           : static_cast<int32_t>(i) == session().page_index()
                               ? std::string(Say(language(), Word::kCurrent))
                               : "";
        ui_.Line("  " + number + label + mark);
      }
      return;
    }
    int64_t k = ParseSmallNumber(FoldWidth(rest));
    if (k < 1 || k > static_cast<int64_t>(relevant.size())) {
      ui_.DrawError(Format(Say(language(), Word::kNoSuchPage), Shorten(rest).c_str(), static_cast<int>(relevant.size())));
      return;
    }
    int32_t target = relevant[static_cast<size_t>(k - 1)];
    // allow_back: false forbids earlier pages by any road, not only by `b`.
    if (!form.settings().allow_back && target < session().page_index()) {
      ui_.DrawError(Say(language(), Word::kNoBack));
      return;
    }
    Status status = filling_->GoToPage(target);
    if (!status.ok()) {
      DrawRefusal(status);
      return;
    }
    Redraw();
  }

  void LanguageCommand(const std::string& rest) {
    if (rest.empty()) {
      std::string list;
      for (const std::string& code : view_.languages) list += (list.empty() ? "" : ", ") + code;
      ui_.Line(Format(Say(language(), Word::kLanguages), list.c_str()));
      return;
    }
    Status status = filling_->SetLanguage(FoldWidth(rest));
    if (!status.ok()) {
      DrawRefusal(status);
      return;
    }
    Redraw();
  }

  // "+" / "+ attendees": the page's one repeat, or the one named.
  const RepeatOnPage* FindRepeat(const std::string& name) {
    if (index_.repeats.empty()) {
      ui_.DrawError(Say(language(), Word::kNoRepeat));
      return nullptr;
    }
    // Named by its label as shown (or, in scripts, by its name in the form).
    std::string labels;
    for (const RepeatOnPage& r : index_.repeats) {
      labels += (labels.empty() ? "" : Say(language(), Word::kSeparator)) + (r.label.empty() ? r.name : r.label);
    }
    if (name.empty()) {
      if (index_.repeats.size() == 1) return &index_.repeats.front();
      ui_.DrawError(Format(Say(language(), Word::kWhichRepeat), labels.c_str()));
      return nullptr;
    }
    for (const RepeatOnPage& r : index_.repeats) {
      if (r.name == name || (!r.label.empty() && FoldForMatch(r.label) == FoldForMatch(name))) return &r;
    }
    ui_.DrawError(Format(Say(language(), Word::kNoSuchRepeat), Shorten(name).c_str(), labels.c_str()));
    return nullptr;
  }

  void AddCommand(const std::string& rest) {
    const RepeatOnPage* repeat = FindRepeat(rest);
    if (repeat == nullptr) return;
    std::string label = repeat->label.empty() ? repeat->name : repeat->label;
    Result<int32_t> position = filling_->AddRepeatInstance(repeat->name);
    if (!position.ok()) {
      DrawRefusal(position.status());
      return;
    }
    ui_.Line(Format(Say(language(), Word::kAdded), label.c_str(), static_cast<int>(*position)));
    Redraw();
  }

  void RemoveCommand(const std::string& rest) {
    // "- K" or "- REPEAT K" (a repeat's label may hold spaces: K is the last word).
    std::string folded = FoldWidth(rest);  // the ideographic space too
    std::string_view all = Trim(folded), name, position_text = all;
    size_t space = all.find_last_of(" \t");
    if (space != std::string_view::npos) {
      name = Trim(all.substr(0, space));
      position_text = all.substr(space + 1);
    }
    const RepeatOnPage* repeat = FindRepeat(std::string(name));
    if (repeat == nullptr) return;
    std::string label = repeat->label.empty() ? repeat->name : repeat->label;
    int64_t position = ParseSmallNumber(FoldWidth(position_text));
    if (position < 1 || position > repeat->count) {
      ui_.DrawError(Format(Say(language(), Word::kNoSuchInstance), label.c_str(), Shorten(position_text).c_str()));
      return;
    }
    Status status = filling_->RemoveRepeatInstance(repeat->name, static_cast<int32_t>(position));
    if (!status.ok()) {
      DrawRefusal(status);
      return;
    }
    ui_.Line(Format(Say(language(), Word::kRemoved), label.c_str(), static_cast<int>(position)));
    Redraw();
  }

  // Each error as "K. label: message" when its item is shown on this page, else as a person finds
  // it: 'Page 2 "Checklist" › label: message' (labels only, never the form's names). Rows of a
  // matrix on another page with the same message are one line: "Checklist (25 rows): ...".
  void ListErrors(const std::vector<AnswerError>& errors) {
    if (errors.empty()) {
      ui_.Line(Say(language(), Word::kNoErrors));
      return;
    }
    for (size_t i = 0; i < errors.size(); ++i) {
      const AnswerError& error = errors[i];
      std::string where;
      const NumberedItem* numbered = index_.FindPath(error.path);
      if (numbered != nullptr && numbered->shown) {
        where = std::to_string(numbered->number) + ". " + numbered->label;
      } else {
        int32_t matrix = MatrixOf(error.path);
        size_t last = i;
        while (matrix != kNone && last + 1 < errors.size() && errors[last + 1].message == error.message &&
               MatrixOf(errors[last + 1].path) == matrix && !OnThisPage(errors[last + 1].path)) {
          ++last;
        }
        if (last > i) {
          where = Format(Say(language(), Word::kRows), LabelOf(session().form().item(matrix)).c_str(),
                         static_cast<int>(last - i + 1));
          i = last;
        } else {
          where = PersonPath(error.path);
        }
        where = OnPage(error.path, where);
      }
      ui_.DrawError(where + ": " + ui_.Readable(error.path, error.message));
    }
  }

  // The item's label in the session's language (its name when it has none: a designer's form).
  std::string LabelOf(const Item& item) const {
    return item.label.empty() ? item.name : std::string(item.label.Get(LanguageIndex()));
  }

  // The answer at `path` as a person names it: its label, after its matrix's label for a row and
  // after the instance for a question in a repeat ("Visit #2 › Date of the visit").
  std::string PersonPath(const std::string& path) const {
    Result<AnswerRef> ref = session().Resolve(path);
    if (!ref.ok() || ref->item == kNone) return path;
    const Form& form = session().form();
    const Item& item = form.item(ref->item);
    std::string label = LabelOf(item);
    if (item.type == ItemType::kMatrixRow && item.parent != kNone) label = LabelOf(form.item(item.parent)) + " › " + label;
    if (item.repeat != kNone) {
      size_t open = path.find('[');
      size_t close = path.find(']');
      int64_t position = open == std::string::npos || close == std::string::npos
                             ? -1
                             : ParseSmallNumber(std::string_view(path).substr(open + 1, close - open - 1));
      if (position > 0) {
        label = Format(Say(language(), Word::kInstance), LabelOf(form.item(item.repeat)).c_str(),
                       static_cast<int>(position)) + " › " + label;
      }
    }
    return label;
  }

  // `what` with the page it is on ('Page 2 "Checklist" › what') when that is not this page.
  std::string OnPage(const std::string& path, const std::string& what) const {
    Result<AnswerRef> ref = session().Resolve(path);
    if (!ref.ok() || ref->item == kNone) return what;
    const Form& form = session().form();
    int32_t page_item = form.item(ref->item).type == ItemType::kPage ? ref->item : form.item(ref->item).page;
    if (page_item == kNone) return what;
    const std::vector<int32_t>& pages = form.pages();
    int32_t page = static_cast<int32_t>(std::find(pages.begin(), pages.end(), page_item) - pages.begin());
    if (page == session().page_index()) return what;
    std::vector<int32_t> relevant = RelevantPages();
    auto rank = std::find(relevant.begin(), relevant.end(), page);
    int number = rank == relevant.end() ? page + 1 : static_cast<int>(rank - relevant.begin()) + 1;
    return Format(Say(language(), Word::kElsewhere), number, LabelOf(form.item(page_item)).c_str(), what.c_str());
  }

  bool OnThisPage(const std::string& path) const {
    const NumberedItem* item = index_.FindPath(path);
    return item != nullptr && item->shown;
  }

  // The matrix holding the row at `path`, or kNone.
  int32_t MatrixOf(const std::string& path) const {
    Result<AnswerRef> ref = session().Resolve(path);
    if (!ref.ok() || ref->item == kNone) return kNone;
    const Item& item = session().form().item(ref->item);
    return item.type == ItemType::kMatrixRow ? item.parent : kNone;
  }

  // `f`: when nothing blocks it, every answer is shown first and the person confirms with `y`;
  // otherwise the filling moves to the first page with an error and lists what is missing.
  std::optional<End> FinalizeCommand() {
    Review review = session().Review();
    if (review.can_finalize) {
      ui_.DrawReview(review, session().form());
      std::string answer;
      if (!Ask(Say(language(), Word::kConfirmFinalize), &answer)) {
        ui_.Line(Say(language(), Word::kEndOfInput));
        return End::kEndOfInput;
      }
      std::string yes = Lower(FoldWidth(Trim(answer)));
      if (yes != "y" && yes != "yes" && yes != "ok" && yes != "はい") {
        ui_.Line(Say(language(), Word::kNotFinalized));
        return std::nullopt;
      }
    }
    Result<Submission> submission = filling_->Finalize();
    if (!submission.ok()) {
      if (submission.status().code() != StatusCode::kInvalidArgument) {
        // The store could not take it (disk full, ...): the filling is as it was; `f` may try again.
        ui_.DrawError(Format(Say(language(), Word::kFinalizeFailed), submission.status().message().c_str()));
        return std::nullopt;
      }
      // The session moved to the first page with an error: show it, then the list by the prompt.
      Redraw();
      ui_.Line(Say(language(), Word::kFinalizeBlocked));
      std::vector<AnswerError> errors = session().AllErrors();
      if (errors.empty()) ui_.DrawError(submission.status().message());
      ListErrors(errors);
      return std::nullopt;
    }
    ui_.Line(Format(Say(language(), Word::kFinalized), submission->uuid.c_str()));
    ui_.Line("SHA-256 " + submission->sha256);
    submission_ = std::move(submission).value();
    return End::kFinalized;
  }

  Filling* filling_;
  TerminalUi ui_;
  bool echo_;
  bool designer_;
  ViewModel view_;
  PageIndex index_;
  std::optional<Submission> submission_;
};

}  // namespace

FillOutcome RunFiller(Filling* filling, const FillerTerminal& terminal) {
  FillLoop loop(filling, terminal);
  return loop.Run();
}

}  // namespace tools
}  // namespace chosa
