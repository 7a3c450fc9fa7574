// chosa outbox [--store PATH] [--purge-sent] [--show UUID]: the finalized submissions of the
// device store and what became of them: finalized (waiting to be sent), sent, or rejected by
// the collector with its reason. --show prints one submission's canonical JSON; --purge-sent
// deletes every sent submission at once instead of after its form's retention period.
//
// Exit status: 0 ok; 1 the store cannot be read, or --show names no finalized submission; 2 a
// usage error.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
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

const cli::CommandSpec& OutboxSpec() {
  static const cli::CommandSpec spec{
      "chosa", "outbox", "[--store PATH] [--purge-sent | --show UUID]",
      Format(
               "  Lists the submissions of the device store: finalized (waiting to be sent), rejected\n"
               "  (with the collector's reason; `chosa resume ID` corrects one) and sent.\n"
               "  --store PATH   the device store (default: %s)\n"
               "  --show UUID    print the canonical JSON of a finalized submission (a unique prefix of\n"
               "                 its UUID will do); exactly the bytes hashed, so `| sha256sum` matches\n"
               "  --purge-sent   delete every sent submission now, not after its form's retention period\n"
               "  Exit: 0 ok, 1 store fault or no such submission, 2 usage.\n",
               DeviceStore::DefaultPath().c_str()),
      {{"--store", true}, {"--purge-sent", false}, {"--show", true}}};
  return spec;
}

// The store could not be read: say so (exit 1) rather than list nothing.
int ReadFault(const DeviceStore& store, const Status& status) {
  std::fprintf(stderr, "chosa outbox: cannot read %s: %s\n", store.path().c_str(), status.message().c_str());
  return kExitFault;
}

int Show(const DeviceStore& store, const std::string& typed) {
  Result<std::vector<OutboxItem>> read = store.Outbox();
  if (!read.ok()) return ReadFault(store, read.status());
  const std::vector<OutboxItem>& outbox = *read;
  const OutboxItem* found = nullptr;
  int prefixed = 0;
  for (const OutboxItem& item : outbox) {
    if (item.uuid == typed) {
      found = &item;
      prefixed = 1;
      break;
    }
    if (typed.size() >= 4 && item.uuid.compare(0, typed.size(), typed) == 0) {
      found = &item;
      ++prefixed;
    }
  }
  if (found != nullptr && prefixed == 1) {
    const std::string& bytes = found->canonical_json;
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    if (isatty(STDOUT_FILENO)) std::fputc('\n', stdout);  // a pipe gets the hashed bytes exactly
    return std::fflush(stdout) == 0 ? kExitOk : kExitFault;
  }
  if (prefixed > 1) {
    std::fprintf(stderr, "chosa outbox: \"%s\" begins %d UUIDs; type more of it\n", ForDisplay(typed, 40).c_str(), prefixed);
    return kExitFault;
  }
  // Sent and rejected submissions are listed, but the outbox keeps the bytes of waiting ones only.
  for (InstanceState state : {InstanceState::kSent, InstanceState::kRejected}) {
    Result<std::vector<InstanceSummary>> listed = store.ListInstances(state);
    if (!listed.ok()) return ReadFault(store, listed.status());
    for (const InstanceSummary& s : *listed) {
      if (s.uuid == typed || (typed.size() >= 4 && s.uuid.compare(0, typed.size(), typed) == 0)) {
        std::fprintf(stderr, "chosa outbox: %s is %s; only a finalized submission waiting to be sent can be shown\n",
                     s.uuid.c_str(), InstanceStateName(state));
        return kExitFault;
      }
    }
  }
  std::fprintf(stderr, "chosa outbox: no submission \"%s\" in %s\n", ForDisplay(typed, 60).c_str(),
               store.path().c_str());
  return kExitFault;
}

}  // namespace

int RunOutbox(int argc, char** argv) {
  cli::ParsedArgs options;
  if (std::optional<int> exit = cli::Parse(OutboxSpec(), argc, argv, &options)) return *exit;
  if (!options.positionals.empty() || (options.Has("--purge-sent") && options.Has("--show"))) {
    if (!options.positionals.empty()) {
      std::fprintf(stderr, "chosa outbox: unexpected argument \"%s\"\n", ForDisplay(options.positionals.front(), 40).c_str());
    } else {
      std::fprintf(stderr, "chosa outbox: --purge-sent and --show exclude each other\n");
    }
    cli::PrintUsage(OutboxSpec(), stderr);
    return kExitUsage;
  }
  std::string path = StorePathOption(options);
  if (!FileExists(path) && !options.Has("--show")) {
    std::printf("Nothing in the outbox: there is no store at %s yet.\n", path.c_str());
    return kExitOk;
  }
  std::unique_ptr<DeviceStore> store = OpenStoreOrSay("outbox", path, /*create=*/false);
  if (store == nullptr) return kExitFault;

  if (options.Has("--show")) return Show(*store, options.Get("--show"));
  if (options.Has("--purge-sent")) {
    Result<int64_t> purged = store->PurgeSent(/*all=*/true);
    if (!purged.ok()) {
      std::fprintf(stderr, "chosa outbox: cannot delete the sent submissions: %s\n", purged.status().message().c_str());
      return kExitFault;
    }
    std::printf("Deleted %lld sent submission%s from %s.\n", static_cast<long long>(*purged), *purged == 1 ? "" : "s",
                path.c_str());
    return kExitOk;
  }

  // Waiting submissions in the order they are sent (the outbox's, oldest first).
  Result<std::vector<OutboxItem>> read = store->Outbox();
  if (!read.ok()) return ReadFault(*store, read.status());
  const std::vector<OutboxItem>& outbox = *read;
  std::map<std::string, size_t> queue_position;
  for (size_t i = 0; i < outbox.size(); ++i) queue_position[outbox[i].uuid] = i;
  std::vector<std::vector<std::string>> rows = {{"ID", "STATE", "UUID", "FORM", "INSTANCE NAME", "WHEN", "NOTE"}};
  InstanceNamer namer(store.get());  // choices by their labels, as `chosa drafts` shows them
  size_t counts[3] = {0, 0, 0};
  const InstanceState kStates[3] = {InstanceState::kFinalized, InstanceState::kRejected, InstanceState::kSent};
  for (size_t k = 0; k < 3; ++k) {
    Result<std::vector<InstanceSummary>> read_state = store->ListInstances(kStates[k]);
    if (!read_state.ok()) return ReadFault(*store, read_state.status());
    std::vector<InstanceSummary>& listed = *read_state;
    if (kStates[k] == InstanceState::kFinalized) {
      std::stable_sort(listed.begin(), listed.end(), [&](const InstanceSummary& a, const InstanceSummary& b) {
        auto pa = queue_position.find(a.uuid), pb = queue_position.find(b.uuid);
        size_t ia = pa == queue_position.end() ? outbox.size() : pa->second;
        size_t ib = pb == queue_position.end() ? outbox.size() : pb->second;
        return ia < ib;
      });
    }
    for (const InstanceSummary& s : listed) {
      ++counts[k];
      int64_t when = s.updated_at;
      if (s.state == InstanceState::kSent && s.sent_at > 0) when = s.sent_at;
      if (auto it = queue_position.find(s.uuid); s.state == InstanceState::kFinalized && it != queue_position.end()) {
        when = outbox[it->second].finalized_at;
      }
      std::string note;
      if (s.state == InstanceState::kRejected) note = "reason: " + s.reject_reason;
      if (!s.replaces.empty()) note += std::string(note.empty() ? "" : "; ") + "replaces " + s.replaces;
      rows.push_back({std::to_string(s.id), InstanceStateName(s.state), s.uuid, s.form_id + " " + s.form_version,
                      Trim(s.instance_name).empty() ? "-" : ForDisplay(namer.Name(s), 48), LocalTime(when), note});
    }
  }
  if (rows.size() == 1) {
    std::printf("Nothing in the outbox of %s.\n", path.c_str());
    return kExitOk;
  }
  PrintTable(stdout, rows);
  std::printf("%zu finalized (waiting to be sent), %zu rejected, %zu sent.\n", counts[0], counts[1], counts[2]);
  if (counts[1] > 0) {
    std::printf("`chosa resume ID%s` corrects a rejected submission.\n", StoreArgument(path).c_str());
  }
  return kExitOk;
}

}  // namespace tools
}  // namespace chosa
