// The end of a filling at the terminal (filler.h): the finalized submission delivered to a file
// or standard output, and the last words of a filling of the device store.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "chosa/store.h"
#include "chosa/base/private_file.h"
#include "filler.h"
#include "store_cli.h"
#include "terminal_ui.h"
#include "ui_words.h"

namespace chosa {
namespace tools {

bool DeliverSubmission(const Submission& submission, const std::string& out_path, const std::string& language,
                       const FillerTerminal& terminal) {
  TerminalUi ui(stdout, terminal.color);
  bool delivered = true;
  bool to_stdout = out_path == "-";
  if (!to_stdout) {
    // The file holds exactly the canonical bytes, so `sha256sum FILE` prints the same hash.
    std::FILE* file = OpenPrivateFile(out_path, "wb");  // the answers: the owner's only
    bool written = file != nullptr;
    int error = errno;
    if (file != nullptr) {
      const std::string& bytes = submission.canonical_json;
      written = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
      written = (std::fclose(file) == 0) && written;
      error = errno;
    }
    if (written) {
      ui.Line(Format(Say(language, Word::kWrittenTo), out_path.c_str()));
    } else {
      ui.DrawError(Format(Say(language, Word::kWriteFailed), out_path.c_str(), std::strerror(error)));
      to_stdout = true;
      delivered = false;
    }
  }
  if (to_stdout) ui.Line(submission.canonical_json);  // last line: `tail -n 1` extracts it
  std::fflush(stdout);
  return delivered;
}

int FinishStoredFilling(DeviceStore* store, const std::string& store_path, int64_t id, const FillOutcome& outcome,
                        const std::string& out_path, const FillerTerminal& terminal) {
  const std::string& language = outcome.language;
  if (outcome.end == FillOutcome::End::kFinalized) {
    std::printf("%s\n", Format(Say(language, Word::kInOutbox), store_path.c_str()).c_str());
    if (out_path.empty()) {
      std::fflush(stdout);
      return kExitOk;
    }
    return DeliverSubmission(*outcome.submission, out_path, language, terminal) ? kExitOk : kExitFault;
  }
  Result<InstanceSummary> kept = store->GetInstance(id);
  std::string answers = kept.ok() ? std::to_string(kept->answer_count) : "?";
  std::printf("%s\n", Format(Say(language, Word::kDraftKept), std::to_string(id).c_str(), answers.c_str(),
                             ResumeCommandLine(id, store_path).c_str()).c_str());
  std::fflush(stdout);
  return kExitNoSubmission;
}

}  // namespace tools
}  // namespace chosa
