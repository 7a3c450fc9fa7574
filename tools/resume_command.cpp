// chosa resume ID|UUID [--store PATH] [--lang LANG] [--out FILE] [--device-id ID]
// [--enumerator ID] [--designer]: continues a draft of the device store in the terminal filler of `chosa fill`,
// exactly where it was left (form version, page, repeats, answers, language). A rejected
// submission (by its id or UUID) becomes a draft again and is corrected the same way; a sent one
// cannot change, so a new draft with its answers is started that replaces it.
//
// Exit status as `chosa fill`: 0 finalized; 1 the store cannot be read, there is no such draft,
// the submission is finalized and waiting in the outbox, or --out could not be written; 2 a usage
// error (a language the form lacks); 3 quit or end of input: the draft is kept.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chosa/store.h"
#include "cli_args.h"
#include "cli_values.h"
#include "commands.h"
#include "display_text.h"
#include "filler.h"
#include "store_cli.h"
#include "terminal_ui.h"

namespace chosa {
namespace tools {

namespace {

const cli::CommandSpec& ResumeSpec() {
  static const cli::CommandSpec spec{
      "chosa", "resume", 
      "ID|UUID [--store PATH] [--lang LANG] [--out FILE] [--device-id ID]\n"
      "                    [--enumerator ID] [--designer]",
      Format(
               "  Continues draft ID (see `chosa drafts`) in the terminal filler, as `chosa fill` does:\n"
               "  every answer saved as it is entered, f finalizes into the outbox, q keeps the draft.\n"
               "  A rejected submission (its id or UUID, see `chosa outbox`) becomes a draft again; a\n"
               "  sent one starts a new draft with its answers, which replaces it.\n"
               "  --store PATH      the device store (default: %s)\n"
               "  --lang LANG       switch the draft to this language\n"
               "  --out FILE        also write the finalized submission's canonical JSON there (- for stdout)\n"
               "  --device-id ID    checked against the store's device identity (a store keeps one)\n"
               "  --enumerator ID   for a sent submission: who corrects it (default: its enumerator)\n"
               "  --designer        also show the items' names, the choices' values, and `j` (as chosa fill)\n"
               "  Exit: 0 finalized, 1 store fault or nothing to resume, 2 usage, 3 quit (the draft is kept).\n",
               DeviceStore::DefaultPath().c_str()),
      {{"--store", true}, {"--lang", true}, {"--out", true}, {"--device-id", true}, {"--enumerator", true}, {"--designer", false}}};
  return spec;
}

// The instance named by an id, or by a submission's UUID (or a prefix of it naming one only).
// Prints why on standard error and returns false when there is none.
bool FindInstance(const DeviceStore& store, const std::string& typed, InstanceSummary* found) {
  if (int64_t id = ParseId(typed); id > 0) {
    Result<InstanceSummary> summary = store.GetInstance(id);
    if (!summary.ok()) {
      std::fprintf(stderr, "chosa resume: there is no draft %s in %s (`chosa drafts%s` lists them)\n", typed.c_str(),
                   store.path().c_str(), StoreArgument(store.path()).c_str());
      return false;
    }
    *found = std::move(summary).value();
    return true;
  }
  // A rejected submission that was resumed once is a draft that names it in `replaces`.
  std::vector<InstanceSummary> matches;
  if (typed.size() >= 4) {
    for (InstanceState state :
         {InstanceState::kRejected, InstanceState::kDraft, InstanceState::kSent, InstanceState::kFinalized}) {
      Result<std::vector<InstanceSummary>> listed = store.ListInstances(state);
      if (!listed.ok()) {
        std::fprintf(stderr, "chosa resume: cannot read %s: %s\n", store.path().c_str(),
                     listed.status().message().c_str());
        return false;
      }
      for (InstanceSummary& s : *listed) {
        const std::string& uuid =
            state == InstanceState::kDraft && !s.reject_reason.empty() ? s.replaces : s.uuid;
        if (uuid.empty()) continue;
        if (uuid == typed) {
          *found = std::move(s);
          return true;
        }
        if (uuid.compare(0, typed.size(), typed) == 0) matches.push_back(std::move(s));
      }
    }
  }
  if (matches.size() == 1) {
    *found = std::move(matches.front());
    return true;
  }
  if (matches.empty()) {
    std::fprintf(stderr, "chosa resume: \"%s\" is neither a draft's id nor the UUID of a submission in %s\n",
                 ForDisplay(typed, 60).c_str(), store.path().c_str());
  } else {
    std::fprintf(stderr, "chosa resume: \"%s\" begins %zu UUIDs; type more of it\n", ForDisplay(typed, 40).c_str(), matches.size());
  }
  return false;
}

}  // namespace

int RunResume(int argc, char** argv) {
  cli::ParsedArgs options;
  if (std::optional<int> exit = cli::Parse(ResumeSpec(), argc, argv, &options)) return *exit;
  if (options.positionals.size() != 1) {
    if (options.positionals.size() > 1) std::fprintf(stderr, "chosa resume: one draft at a time\n");
    cli::PrintUsage(ResumeSpec(), stderr);
    return kExitUsage;
  }
  const std::string& typed = options.positionals.front();
  std::string path = StorePathOption(options);
  std::unique_ptr<DeviceStore> store = OpenStoreOrSay("resume", path, /*create=*/false, options.Get("--device-id"));
  if (store == nullptr) return kExitFault;

  InstanceSummary target;
  if (!FindInstance(*store, typed, &target)) return kExitFault;
  if (target.state == InstanceState::kFinalized) {
    std::fprintf(stderr,
                 "chosa resume: %lld (%s) is finalized and waits in the outbox; it can no longer change.\n"
                 "  If the collector rejects it, it can be corrected then.\n",
                 static_cast<long long>(target.id), target.uuid.c_str());
    return kExitFault;
  }

  // A language the form lacks is refused before anything changes (a rejected submission would
  // otherwise already be a draft again).
  std::string language = options.Get("--lang");
  if (!language.empty()) {
    Result<std::shared_ptr<const Form>> form = store->LoadForm(target.form_id, target.form_version);
    if (!form.ok()) {
      std::fprintf(stderr, "chosa resume: cannot load version %s of %s from the store: %s\n",
                   target.form_version.c_str(), target.form_id.c_str(), form.status().message().c_str());
      return kExitFault;
    }
    const std::vector<std::string>& languages = (*form)->languages();
    if (std::find(languages.begin(), languages.end(), language) == languages.end()) {
      std::string list;
      for (const std::string& code : languages) list += (list.empty() ? "" : ", ") + code;
      std::fprintf(stderr, "chosa resume: %s has no language \"%s\" (it has %s)\n", target.form_id.c_str(),
                   ForDisplay(language, 20).c_str(), list.c_str());
      return kExitUsage;
    }
  }

  Result<std::unique_ptr<Draft>> resumed =
      target.state == InstanceState::kSent
          ? store->EditSent(target.uuid, options.Get("--enumerator", target.enumerator_id))
          : store->Resume(target.id);
  if (!resumed.ok()) {
    std::fprintf(stderr, "chosa resume: cannot resume %lld: %s\n", static_cast<long long>(target.id),
                 resumed.status().message().c_str());
    return kExitFault;
  }
  std::unique_ptr<Draft> draft = std::move(resumed).value();
  const int64_t id = draft->id();
  if (!language.empty() && language != draft->session().language()) {
    Status switched = draft->SetLanguage(language);
    if (!switched.ok()) {
      std::fprintf(stderr, "chosa resume: %s\n", switched.message().c_str());
      return kExitFault;
    }
  }
  const std::string& shown_language = draft->session().language();
  std::string line;
  switch (target.state) {
    case InstanceState::kRejected:
      line = Format(Say(shown_language, Word::kRejectedResumed), target.uuid.c_str(), std::to_string(id).c_str(),
                    ForDisplay(target.reject_reason).c_str());
      break;
    case InstanceState::kSent:
      line = Format(Say(shown_language, Word::kSentEdited), target.uuid.c_str(), std::to_string(id).c_str());
      break;
    default:
      line = Format(Say(shown_language, Word::kDraftResumed), std::to_string(id).c_str(),
                    LocalTime(target.updated_at).c_str(), std::to_string(target.answer_count).c_str());
  }
  std::printf("%s\n", line.c_str());

  FillerTerminal terminal = DetectTerminal();
  terminal.designer = options.Has("--designer");
  FillOutcome outcome = RunFiller(draft.get(), terminal);
  draft.reset();  // closed (its page saved) before the last words read the store
  return FinishStoredFilling(store.get(), path, id, outcome, options.Get("--out"), terminal);
}

}  // namespace tools
}  // namespace chosa
