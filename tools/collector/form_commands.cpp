// chosa-collector publish, forms, close, archive, reopen: the forms the collector holds and
// their state (commands.h, admin_common.h).
#include <cstdio>
#include <string>
#include <vector>

#include "admin_common.h"
#include "chosa/collector_storage.h"
#include "chosa/collector/admin.h"
#include "text_table.h"

namespace chosa::collector_tool {
namespace {

const AdminSpec& PublishSpec() {
  static const AdminSpec spec = MakeAdminSpec(
      "publish", "FORM.json [--search-path DIR]...",
        "Checks a form version with the engine (every fault with its JSON Pointer), replaces its\n"
        "{\"$ref\": ...} choice lists by the code lists (looked up beside the form, then in each\n"
        "--search-path) and publishes it. A published version never changes: publishing it again is\n"
        "accepted only with the same content. A new version may not give a question of an earlier\n"
        "version another type.\n",
        1, 1, {"--search-path"}, {});
  return spec;
}

int Publish(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  const std::string& file = parsed.positionals[0];
  const std::vector<std::string> search_paths = parsed.All("--search-path");
  auto storage = OpenStorage(spec, DataDir(parsed), true);
  if (!storage) return 1;
  collector::PublishOutcome outcome = collector::PublishForm(*storage, file, search_paths, Now());
  for (const Status& fault : outcome.faults) std::fprintf(stderr, "%s: %s\n", file.c_str(), fault.ToString().c_str());
  if (!outcome.ok()) return Fail(spec, file + ": " + outcome.status.message());
  const collector::FormVersion& version = outcome.version;
  if (outcome.already_published) {
    std::printf("%s version %s is already published with the same content (SHA-256 %s): nothing changed.\n",
                version.form_id.c_str(), version.version.c_str(), version.sha256.c_str());
    return 0;
  }
  std::printf("Published %s version %s (%zu bytes with its code lists, SHA-256 %s).\n", version.form_id.c_str(),
              version.version.c_str(), version.json.size(), version.sha256.c_str());
  Result<collector::FormState> state = storage->GetFormState(version.form_id);
  if (state.ok() && *state != collector::FormState::kOpen) {
    std::printf("The form is %s: devices see it after `chosa-collector reopen %s`.\n", collector::FormStateName(*state),
                version.form_id.c_str());
  } else {
    std::printf("Devices enrolled for %s get it at their next sync.\n", version.form_id.c_str());
  }
  return 0;
}

const AdminSpec& FormsSpec() {
  static const AdminSpec spec = MakeAdminSpec(
      "forms", "", "Lists the published forms: state, submissions, quarantined items and versions.\n", 0, 0, {}, {});
  return spec;
}

int Forms(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  auto storage = OpenStorage(spec, DataDir(parsed), false);
  if (!storage) return 1;
  Result<std::vector<collector::FormSummary>> listed = storage->ListForms();
  if (!listed.ok()) return Fail(spec, listed.status().ToString());
  const std::vector<collector::FormSummary>& forms = *listed;
  if (forms.empty()) {
    std::printf("No forms published in %s yet: chosa-collector publish FORM.json\n", DataDir(parsed).c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> rows{{"FORM", "STATE", "SUBMISSIONS", "QUARANTINED", "VERSIONS"}};
  for (const auto& form : forms) {
    rows.push_back({form.form_id, collector::FormStateName(form.state), std::to_string(form.submissions),
                    std::to_string(form.quarantined), Join(form.versions)});
  }
  tools::PrintTable(stdout, rows, 0);
  return 0;
}

int SetState(const AdminSpec& spec, const cli::ParsedArgs& parsed, collector::FormState state) {
  const std::string& form_id = parsed.positionals[0];
  auto storage = OpenStorage(spec, DataDir(parsed), false);
  if (!storage) return 1;
  Status status = storage->SetFormState(form_id, state);
  if (!status.ok()) return Fail(spec, status.message());
  switch (state) {
    case collector::FormState::kClosed:
      std::printf("Closed %s: devices no longer see it; submissions already filled are still accepted.\n",
                  form_id.c_str());
      break;
    case collector::FormState::kArchived:
      std::printf("Archived %s: devices no longer see it and its pushes are rejected; its data stays.\n",
                  form_id.c_str());
      break;
    case collector::FormState::kOpen:
      std::printf("Reopened %s: devices enrolled for it see it again.\n", form_id.c_str());
      break;
  }
  return 0;
}

const AdminSpec& CloseSpec() {
  static const AdminSpec spec = MakeAdminSpec(
      "close", "FORM_ID",
        "Closes a form (e.g. after the half-year): devices no longer see it; submissions already\n"
        "filled are still accepted.\n",
        1, 1, {}, {});
  return spec;
}

int Close(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  return SetState(spec, parsed, collector::FormState::kClosed);
}

const AdminSpec& ArchiveSpec() {
  static const AdminSpec spec = MakeAdminSpec(
      "archive", "FORM_ID",
        "Archives a form: devices no longer see it and its pushes are rejected (into the quarantine);\n"
        "its data stays for export.\n",
        1, 1, {}, {});
  return spec;
}

int Archive(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  return SetState(spec, parsed, collector::FormState::kArchived);
}

const AdminSpec& ReopenSpec() {
  static const AdminSpec spec = MakeAdminSpec(
      "reopen", "FORM_ID", "Opens a closed or archived form again: devices enrolled for it see it.\n", 1, 1, {}, {});
  return spec;
}

int Reopen(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  return SetState(spec, parsed, collector::FormState::kOpen);
}


}  // namespace

int PublishCommand(const Args& args) { return RunAdmin(PublishSpec(), args, Publish); }
int FormsCommand(const Args& args) { return RunAdmin(FormsSpec(), args, Forms); }
int CloseCommand(const Args& args) { return RunAdmin(CloseSpec(), args, Close); }
int ArchiveCommand(const Args& args) { return RunAdmin(ArchiveSpec(), args, Archive); }
int ReopenCommand(const Args& args) { return RunAdmin(ReopenSpec(), args, Reopen); }

}  // namespace chosa::collector_tool
