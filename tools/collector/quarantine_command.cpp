// chosa-collector quarantine: the rejected submissions kept for the bureau, listed, shown and
// released (commands.h, admin_common.h).
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "admin_common.h"
#include "chosa/collector_storage.h"
#include "cli_values.h"
#include "display_text.h"
#include "text_table.h"

namespace chosa::collector_tool {
namespace {

// "812 bytes", or "4096 of 1101004 bytes" when only the head of the line was kept.
std::string KeptBytes(const collector::QuarantinedItem& item) {
  const std::string kept = std::to_string(item.body.size());
  return item.cut() ? kept + " of " + std::to_string(item.size) + " bytes" : kept + " bytes";
}

const AdminSpec& QuarantineSpec() {
  static const AdminSpec spec = MakeAdminSpec(
      "quarantine", "[list [--all] | show ID [--body] | release ID]",
        "Rejected submissions are kept in the quarantine within its quotas (docs/operations.md). A\n"
        "line that is not a readable submission keeps only its first 4 KiB, with its size and SHA-256.\n"
        "list: those held (--all: the released ones too), with the bytes kept of each line's size;\n"
        "show: one, with its reason and body (--body: the exact bytes kept only); release: store it as\n"
        "a submission after all (its UUID must not be stored already; a cut line cannot be).\n",
        0, 2, {}, {"--all", "--body"});
  return spec;
}

int Quarantine(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  const std::string action = parsed.positionals.empty() ? "list" : parsed.positionals[0];
  if (action != "list" && action != "show" && action != "release") {
    return UsageError(spec, "unknown action \"" + action + "\" (list, show or release)");
  }
  if (action == "list" && parsed.positionals.size() > 1) {
    return UsageError(spec, "unexpected argument \"" + parsed.positionals[1] + "\"");
  }
  const int64_t id = parsed.positionals.size() == 2 ? tools::ParseId(parsed.positionals[1]) : -1;
  if (action != "list" && id < 0) {
    return UsageError(spec, action + " takes the id of a quarantined item (a number, as `quarantine list` shows)");
  }
  if (parsed.Has("--all") && action != "list") return UsageError(spec, "--all goes with list");
  if (parsed.Has("--body") && action != "show") return UsageError(spec, "--body goes with show");
  auto storage = OpenStorage(spec, DataDir(parsed), false);
  if (!storage) return 1;

  if (action == "list") {
    const bool all = parsed.Has("--all");
    Result<std::vector<collector::QuarantinedItem>> listed = storage->ListQuarantine(all);
    if (!listed.ok()) return Fail(spec, listed.status().ToString());
    const std::vector<collector::QuarantinedItem>& items = *listed;
    if (items.empty()) {
      std::printf(all ? "The quarantine is empty.\n" : "No submissions are held in quarantine.\n");
      return 0;
    }
    std::vector<std::vector<std::string>> rows{
        {"ID", "RECEIVED", "DEVICE", "FORM", "UUID", "STATE", "KEPT", "SHA-256", "REASON"}};
    for (const auto& item : items) {
      std::string form = item.form_id.empty() ? "-" : tools::Printable(item.form_id + " " + item.form_version);
      rows.push_back({std::to_string(item.id), tools::LocalTime(item.received_at), item.device_id, form,
                      item.uuid.empty() ? "-" : tools::Printable(item.uuid), item.released ? "released" : "held",
                      KeptBytes(item), item.body_sha256, tools::Printable(item.reason)});
    }
    tools::PrintTable(stdout, rows, 0);
    std::printf("`chosa-collector quarantine show ID` prints one; `release ID` keeps it as a submission.\n");
    return 0;
  }

  if (action == "show") {
    Result<collector::QuarantinedItem> item = storage->GetQuarantined(id);
    if (!item.ok()) return Fail(spec, item.status().message());
    if (parsed.Has("--body")) {
      std::fwrite(item->body.data(), 1, item->body.size(), stdout);  // the exact bytes kept
      return 0;
    }
    std::printf("Quarantined item %lld\n", static_cast<long long>(item->id));
    std::printf("  received  %s\n", tools::LocalTime(item->received_at, true).c_str());
    std::printf("  device    %s\n", item->device_id.c_str());
    std::printf("  form      %s\n",
                item->form_id.empty() ? "-" : tools::Printable(item->form_id + " version " + item->form_version).c_str());
    std::printf("  uuid      %s\n", item->uuid.empty() ? "- (unreadable)" : tools::Printable(item->uuid).c_str());
    std::printf("  reason    %s\n", tools::Printable(item->reason).c_str());
    std::printf("  state     %s\n", item->released ? "released (stored as a submission)" : "held");
    std::printf("  sha256    %s (of the whole line)\n", item->body_sha256.c_str());
    std::printf("  body      %s%s (--body prints them exactly):\n%s\n", KeptBytes(*item).c_str(),
                item->cut() ? ": only the first bytes were kept, the line was not a readable submission" : "",
                tools::Printable(item->body).c_str());
    return 0;
  }

  Status released = storage->ReleaseQuarantined(id, Now());
  if (!released.ok()) return Fail(spec, released.message());
  std::printf("Released quarantined item %lld: it is stored as a submission and goes into the exports.\n",
              static_cast<long long>(id));
  return 0;
}

}  // namespace

int QuarantineCommand(const Args& args) { return RunAdmin(QuarantineSpec(), args, Quarantine); }

}  // namespace chosa::collector_tool
