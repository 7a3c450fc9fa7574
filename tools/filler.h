// The interactive loop of the terminal filler, shared by `chosa fill` and `chosa resume`: it
// draws the current page (terminal_ui.h), reads one command a line and applies it to a Filling
// (chosa/filling.h): a SessionFilling (`chosa fill --no-store`) or a Draft of the device store,
// which saves every change before it returns. Both behave the same at the prompt. The loop is in
// filler.cpp, DetectTerminal in filler_terminal.cpp, DeliverSubmission and FinishStoredFilling
// in filler_finish.cpp.
#ifndef CHOSA_TOOLS_FILLER_H_
#define CHOSA_TOOLS_FILLER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "chosa/filling.h"
#include "chosa/session.h"
#include "chosa/status.h"

namespace chosa {

class DeviceStore;

namespace tools {

struct FillerTerminal {
  bool color = false;  // ANSI styles: stdout is a terminal, NO_COLOR unset, TERM is not "dumb"
  bool echo = false;   // stdin is not a terminal: echo each line read, so output reads as a transcript
  bool designer = false;  // --designer: also the items' names, the choices' values and `j` (the view model)
};
FillerTerminal DetectTerminal();

struct FillOutcome {
  enum class End { kFinalized, kQuit, kEndOfInput };
  End end = End::kQuit;
  std::optional<Submission> submission;  // kFinalized
  std::string language;                  // the session's language at the end, for the last words
};

// Runs the prompt until the filler finalizes (`f`: the review of every answer, confirmed with `y`,
// then "Finalized. UUID ..." and "SHA-256 ...") or quits (`q`, or the end of input, after saying
// that no submission was made).
FillOutcome RunFiller(Filling* filling, const FillerTerminal& terminal);

// Writes the submission's canonical bytes (no newline: `sha256sum FILE` prints its SHA-256) to
// `out_path` and says so; "-" prints them as the last line of standard output. When the file
// cannot be written, says why and prints them on standard output instead, so that nothing is
// lost; returns false then.
bool DeliverSubmission(const Submission& submission, const std::string& out_path, const std::string& language,
                       const FillerTerminal& terminal);

// The last words of a filling of the store (`chosa fill`, `chosa resume`): after a finalize, that
// the submission is in the outbox, and the submission written to `out_path` when one is given;
// after a quit, that draft `id` is kept and the command that continues it. Returns the exit
// status: 0 finalized, 1 finalized but `out_path` could not be written, 3 quit.
int FinishStoredFilling(DeviceStore* store, const std::string& store_path, int64_t id, const FillOutcome& outcome,
                        const std::string& out_path, const FillerTerminal& terminal);

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_FILLER_H_
