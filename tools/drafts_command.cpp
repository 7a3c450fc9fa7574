// chosa drafts [--store PATH] [--delete ID]: lists the drafts of the device store (the fillings
// not yet finalized) with their instance names, or deletes one.
//
// Exit status: 0 listed or deleted; 1 the store cannot be read, or there is no draft ID; 2 a usage
// error.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "chosa/store.h"
#include "cli_args.h"
#include "cli_values.h"
#include "commands.h"
#include "display_text.h"
#include "store_cli.h"
#include "terminal_ui.h"
#include "text_table.h"

namespace chosa {
namespace tools {

namespace {

const cli::CommandSpec& DraftsSpec() {
  static const cli::CommandSpec spec{
      "chosa", "drafts", "[--store PATH] [--delete ID]",
      Format(
               "  Lists the drafts of the device store: id, form, version, instance name (choices by\n"
               "  their labels; the form's title until it has one), enumerator, last change (local\n"
               "  time), progress and answers. `chosa resume ID` continues one.\n"
               "  --store PATH   the device store (default: %s)\n"
               "  --delete ID    delete draft ID and its answers (a finalized submission is never deleted)\n"
               "  Exit: 0 ok, 1 store fault or no such draft, 2 usage.\n",
               DeviceStore::DefaultPath().c_str()),
      {{"--store", true}, {"--delete", true}}};
  return spec;
}

int DeleteDraft(DeviceStore* store, int64_t id) {
  Result<InstanceSummary> found = store->GetInstance(id);
  if (!found.ok()) {
    std::fprintf(stderr, "chosa drafts: there is no draft %lld in %s\n", static_cast<long long>(id),
                 store->path().c_str());
    return kExitFault;
  }
  if (found->state != InstanceState::kDraft) {
    std::fprintf(stderr, "chosa drafts: %lld is a %s submission, not a draft; it is not deleted (see chosa outbox)\n",
                 static_cast<long long>(id), InstanceStateName(found->state));
    return kExitFault;
  }
  Status deleted = store->DeleteDraft(id);
  if (!deleted.ok()) {
    std::fprintf(stderr, "chosa drafts: cannot delete draft %lld: %s\n", static_cast<long long>(id),
                 deleted.message().c_str());
    return kExitFault;
  }
  std::string name = Trim(found->instance_name).empty() ? "" : ", " + ForDisplay(InstanceNamer(store).Name(*found), 48);
  std::printf("Deleted draft %lld (%s%s, %lld answers).\n", static_cast<long long>(id), found->form_id.c_str(),
              name.c_str(), static_cast<long long>(found->answer_count));
  return kExitOk;
}

}  // namespace

int RunDrafts(int argc, char** argv) {
  cli::ParsedArgs options;
  if (std::optional<int> exit = cli::Parse(DraftsSpec(), argc, argv, &options)) return *exit;
  if (!options.positionals.empty()) {
    std::fprintf(stderr, "chosa drafts: unexpected argument \"%s\"\n", ForDisplay(options.positionals.front(), 40).c_str());
    cli::PrintUsage(DraftsSpec(), stderr);
    return kExitUsage;
  }
  if (options.Has("--delete") && ParseId(options.Get("--delete")) < 0) {
    std::fprintf(stderr, "chosa drafts: --delete takes a draft's id (a number), not \"%s\"\n",
                 ForDisplay(options.Get("--delete"), 40).c_str());
    return kExitUsage;
  }
  std::string path = StorePathOption(options);
  if (!FileExists(path) && !options.Has("--delete")) {
    std::printf("No drafts: there is no store at %s yet.\n", path.c_str());
    return kExitOk;
  }
  std::unique_ptr<DeviceStore> store = OpenStoreOrSay("drafts", path, /*create=*/false);
  if (store == nullptr) return kExitFault;
  if (options.Has("--delete")) return DeleteDraft(store.get(), ParseId(options.Get("--delete")));

  Result<std::vector<InstanceSummary>> listed = store->ListInstances(InstanceState::kDraft);
  Result<std::vector<InstanceSummary>> rejected_listed = store->ListInstances(InstanceState::kRejected);
  for (const Status& status : {listed.status(), rejected_listed.status()}) {
    if (!status.ok()) {
      std::fprintf(stderr, "chosa drafts: cannot read %s: %s\n", path.c_str(), status.message().c_str());
      return kExitFault;
    }
  }
  const std::vector<InstanceSummary>& drafts = *listed;
  if (drafts.empty()) {
    std::printf("No drafts in %s.\n", path.c_str());
  } else {
    std::vector<std::vector<std::string>> rows = {
        {"ID", "FORM", "VERSION", "INSTANCE NAME", "ENUMERATOR", "LAST CHANGE", "PROGRESS", "ANSWERS", "NOTE"}};
    InstanceNamer namer(store.get());
    for (const InstanceSummary& d : drafts) {
      std::string note;
      if (!d.replaces.empty()) {
        note = (d.reject_reason.empty() ? "corrects sent " : "corrects rejected ") + d.replaces.substr(0, 8);
        if (!d.reject_reason.empty()) note += ": " + d.reject_reason;
      }
      rows.push_back({std::to_string(d.id), d.form_id, d.form_version, ForDisplay(namer.Name(d), 48),
                      d.enumerator_id.empty() ? "-" : d.enumerator_id, LocalTime(d.updated_at),
                      std::to_string(d.progress_percent) + "%", std::to_string(d.answer_count), note});
    }
    PrintTable(stdout, rows);
    std::printf("%zu draft%s in %s; `chosa resume ID%s` continues one.\n", drafts.size(),
                drafts.size() == 1 ? "" : "s", path.c_str(), StoreArgument(path).c_str());
  }
  // Rejected submissions are drafts again in all but name: point at them.
  size_t rejected = rejected_listed->size();
  if (rejected > 0) {
    std::printf("%zu rejected submission%s to correct: see `chosa outbox%s`.\n", rejected, rejected == 1 ? "" : "s",
                StoreArgument(path).c_str());
  }
  return kExitOk;
}

}  // namespace tools
}  // namespace chosa
