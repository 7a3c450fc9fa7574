// chosa fill FORM [--store PATH | --no-store] [--lang L] [--out FILE] [--device-id ID]
// [--enumerator ID] [--designer]: fills a form in the terminal, page by page, reading one line at a time from
// standard input (a person at a terminal, tmux, or a script through a pipe) and drawing each page
// on standard output.
//
// With the device store (the default; docs/store.md) the form file is installed into the store, a
// draft is started and every answer, repeat change, page move and language switch is saved before
// the prompt comes back. `f` moves the submission to the outbox; `q` (or the end of input) leaves
// the draft, which `chosa resume ID` continues. With --no-store nothing is kept: the submission is
// only written out.
//
// Exit status: 0 the submission was finalized (and written); 1 the form does not load, the store
// cannot be used, or the submission could not be written to --out (it is then printed on standard
// output instead); 2 a usage error (unknown option, a language the form lacks); 3 the filler quit
// (`q`) or the input ended before `f`: no submission was made (with a store, the draft is kept).
// 3 rather than 0 so that a script can tell "filled" from "abandoned".
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "chosa/form.h"
#include "chosa/session.h"
#include "chosa/store.h"
#include "cli_args.h"
#include "commands.h"
#include "filler.h"
#include "store_cli.h"
#include "terminal_ui.h"

namespace chosa {
namespace tools {

namespace {

const cli::CommandSpec& FillSpec() {
  static const cli::CommandSpec spec{
      "chosa", "fill",
      "FORM [--store PATH | --no-store] [--lang LANG] [--out FILE] [--device-id ID]\n"
      "                  [--enumerator ID] [--designer]",
      Format(
               "  Fills FORM page by page in the terminal (also through a pipe: one command a line).\n"
               "  Every answer is saved as it is entered into a draft of the device store; f moves the\n"
               "  submission to the outbox, q leaves the draft for `chosa resume ID`.\n"
               "  --store PATH      the device store (default: %s)\n"
               "  --no-store        keep nothing: fill in memory and only write the submission out\n"
               "  --lang LANG       the language to start in (default: the form's default language)\n"
               "  --out FILE        also write the finalized submission's canonical JSON there; - for\n"
               "                    stdout (without a store, stdout is the default)\n"
               "  --device-id ID    the device's identity, kept by a new store and stamped in every submission;\n"
               "                    an existing store keeps its own (default: the store's; a new store makes\n"
               "                    one; with --no-store, the host name)\n"
               "  --enumerator ID   the id of the person filling (default: none)\n"
               "  --designer        for the form's designer: also show the items' names, the choices'\n"
               "                    values, and `j` (the page's view model as JSON)\n"
               "  Type ? at the prompt for the commands. Exit: 0 finalized, 1 form, store or write\n"
               "  fault, 2 usage, 3 quit or end of input without a submission.\n",
               DeviceStore::DefaultPath().c_str()),
      {{"--store", true}, {"--no-store", false}, {"--lang", true}, {"--out", true}, {"--device-id", true},
       {"--enumerator", true}, {"--designer", false}}};
  return spec;
}

struct FillArgs {
  std::string form_path;
  std::string language;
  std::string out_path;
  std::string device_id;
  std::string enumerator_id;
  std::string store_path;
  bool no_store = false;
  bool designer = false;
};

// Returns an exit status when the arguments end the program (help, usage error).
std::optional<int> ParseArgs(int argc, char** argv, FillArgs* args) {
  cli::ParsedArgs parsed;
  if (std::optional<int> exit = cli::Parse(FillSpec(), argc, argv, &parsed)) return *exit;
  if (parsed.positionals.size() > 1) {
    std::fprintf(stderr, "chosa fill: one form at a time (\"%s\" and \"%s\")\n", parsed.positionals[0].c_str(),
                 parsed.positionals[1].c_str());
    return kExitUsage;
  }
  if (parsed.positionals.empty()) {
    cli::PrintUsage(FillSpec(), stderr);
    return kExitUsage;
  }
  args->form_path = parsed.positionals[0];
  args->language = parsed.Get("--lang");
  args->out_path = parsed.Get("--out");
  args->device_id = parsed.Get("--device-id");
  args->enumerator_id = parsed.Get("--enumerator");
  args->store_path = parsed.Get("--store");
  args->no_store = parsed.Has("--no-store");
  args->designer = parsed.Has("--designer");
  if (args->no_store && !args->store_path.empty()) {
    std::fprintf(stderr, "chosa fill: --store and --no-store exclude each other\n");
    return kExitUsage;
  }
  return std::nullopt;
}

// Fills in memory: the submission goes to --out or standard output.
int FillWithoutStore(const FillArgs& args, std::unique_ptr<Session> session) {
  FillerTerminal terminal = DetectTerminal();
  terminal.designer = args.designer;
  SessionFilling filling(std::move(session));
  FillOutcome outcome = RunFiller(&filling, terminal);
  if (outcome.end != FillOutcome::End::kFinalized) return kExitNoSubmission;
  bool delivered = DeliverSubmission(*outcome.submission, args.out_path.empty() ? "-" : args.out_path,
                                     outcome.language, terminal);
  return delivered ? kExitOk : kExitFault;
}

int FillIntoStore(const FillArgs& args, const Form& form) {
  std::string store_path = args.store_path.empty() ? DeviceStore::DefaultPath() : args.store_path;
  std::unique_ptr<DeviceStore> store = OpenStoreOrSay("fill", store_path, /*create=*/true, args.device_id);
  if (store == nullptr) return kExitFault;
  Result<InstalledForm> installed = store->InstallFormFile(args.form_path);
  if (!installed.ok()) {
    std::fprintf(stderr, "chosa fill: cannot install %s into the store %s: %s\n", args.form_path.c_str(),
                 store_path.c_str(), installed.status().message().c_str());
    return kExitFault;
  }
  Result<std::unique_ptr<Draft>> started = store->StartDraft(form.id(), args.enumerator_id, args.language);
  if (!started.ok()) {
    std::fprintf(stderr, "chosa fill: cannot start a draft of %s in the store %s: %s\n", form.id().c_str(),
                 store_path.c_str(), started.status().message().c_str());
    return kExitFault;  // the language was checked before the store was touched
  }
  std::unique_ptr<Draft> draft = std::move(started).value();
  const int64_t id = draft->id();
  const std::string& version = draft->session().form().version();
  if (version != form.version()) {
    // New drafts use the newest version installed; a file of an older version does not change that.
    std::fprintf(stderr, "chosa fill: note: the draft uses version %s of %s, the newest in the store (%s is version %s)\n",
                 version.c_str(), form.id().c_str(), args.form_path.c_str(), form.version().c_str());
  }
  std::printf("%s\n", Format(Say(draft->session().language(), Word::kDraftStarted), std::to_string(id).c_str(),
                             store_path.c_str()).c_str());

  FillerTerminal terminal = DetectTerminal();
  terminal.designer = args.designer;
  FillOutcome outcome = RunFiller(draft.get(), terminal);
  draft.reset();  // closed (its page saved) before the last words read the store
  return FinishStoredFilling(store.get(), store_path, id, outcome, args.out_path, terminal);
}

}  // namespace

int RunFill(int argc, char** argv) {
  FillArgs args;
  if (std::optional<int> done = ParseArgs(argc, argv, &args)) return *done;

  FormLoadResult loaded = Form::LoadFile(args.form_path);
  if (!loaded.ok()) {
    for (const Status& fault : loaded.faults) {
      std::fprintf(stderr, "%s: %s\n", args.form_path.c_str(), fault.ToString().c_str());
    }
    return kExitFault;
  }
  // The session is started even with a store: a language the form lacks is refused before the
  // store is touched.
  SessionOptions options;
  options.language = args.language;
  options.device_id = args.device_id.empty() ? HostName() : args.device_id;
  options.enumerator_id = args.enumerator_id;
  Result<std::unique_ptr<Session>> started = Session::Start(loaded.form, nullptr, options);
  if (!started.ok()) {
    std::fprintf(stderr, "chosa fill: %s\n", started.status().message().c_str());
    // A language the form does not have is the caller's mistake, like an unknown option.
    return started.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFault;
  }
  if (args.no_store) return FillWithoutStore(args, std::move(started).value());
  return FillIntoStore(args, *loaded.form);
}

}  // namespace tools
}  // namespace chosa
