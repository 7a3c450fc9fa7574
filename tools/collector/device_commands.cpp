// chosa-collector enrol-code, devices, revoke: the devices that push submissions, each enrolled
// once with a one-time code, and the links from a re-enrolled tablet's former enrolment to its
// new one (commands.h, admin_common.h).
#include <pwd.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "admin_common.h"
#include "chosa/collector_storage.h"
#include "cli_values.h"
#include "chosa/collector/admin.h"
#include "display_text.h"
#include "text_table.h"

namespace chosa::collector_tool {
namespace {

constexpr int64_t kDayMillis = 24 * 60 * 60 * 1000;

const AdminSpec& EnrolCodeSpec() {
  static const AdminSpec spec = MakeAdminSpec(
      "enrol-code", "--forms FORM_ID[,FORM_ID...] [--valid-days N] [--device DEVICE_ID]",
        "Makes a one-time code that enrols one device for these forms, valid N days (default 7, at\n"
        "most 365). The code goes alone on standard output; the collector keeps only its hash.\n"
        "--device: the code enrols that device identity only (one `devices` lists). A revoked\n"
        "device enrols again under its identity only with such a code: it may then correct what\n"
        "it sent before, so no ordinary code can claim a revoked identity.\n",
        0, 0, {"--forms", "--valid-days", "--device"}, {});
  return spec;
}

int EnrolCode(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  const std::string* forms_text = parsed.Value("--forms");
  if (forms_text == nullptr) return UsageError(spec, "--forms is required: the forms the device will fill");
  std::vector<std::string> forms;
  size_t start = 0;
  while (start <= forms_text->size()) {
    size_t comma = forms_text->find(',', start);
    if (comma == std::string::npos) comma = forms_text->size();
    std::string form = forms_text->substr(start, comma - start);
    const size_t first = form.find_first_not_of(' ');
    form = first == std::string::npos ? "" : form.substr(first, form.find_last_not_of(' ') - first + 1);
    if (!form.empty()) forms.push_back(form);
    start = comma + 1;
  }
  if (forms.empty()) return UsageError(spec, "--forms names no form");
  int64_t days = 7;
  if (const std::string* text = parsed.Value("--valid-days")) {
    char* end = nullptr;
    days = std::strtoll(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0' || days < 1 || days > 365) {
      return UsageError(spec, "--valid-days takes a whole number of days from 1 to 365, not \"" + *text + "\"");
    }
  }
  auto storage = OpenStorage(spec, DataDir(parsed), false);
  if (!storage) return 1;
  const std::string* device = parsed.Value("--device");
  Result<collector::EnrolmentCode> code =
      collector::CreateEnrolmentCode(*storage, forms, days * kDayMillis, Now(), device ? *device : std::string());
  if (!code.ok()) return Fail(spec, code.status().message());
  std::printf("%s\n", code->code.c_str());
  std::fflush(stdout);
  std::fprintf(stderr,
               "Enrolment code for %s, valid until %s (%lld day%s), for %s.\n"
               "Shown once: the collector keeps only its hash.\n",
               Join(code->forms).c_str(), tools::LocalTime(code->expires_at, true).c_str(), static_cast<long long>(days),
               days == 1 ? "" : "s",
               code->for_device.empty() ? "one new device" : ("device " + code->for_device + " only").c_str());
  return 0;
}

const AdminSpec& DevicesSpec() {
  static const AdminSpec spec = MakeAdminSpec(
      "devices", "[link OLD NEW | unlink OLD NEW]",
        "Lists the enrolled devices (name, forms, enrolment, last push, revoked or not) and the links\n"
        "between enrolments. link: NEW is the same tablet as OLD, enrolled again (its store made\n"
        "anew): NEW may then correct the submissions OLD sent. A device corrects (`replaces`) only\n"
        "its own submissions otherwise. OLD must be revoked first; links chain (OLD -> NEW -> NEWER\n"
        "lets NEWER correct both). unlink: undoes a link made in error; the corrections it let apply\n"
        "stop applying, and the link stays listed as undone, with when and by whom.\n",
        0, 3, {}, {});
  return spec;
}

// Who ran the command, for the record of a link: the account, and who used sudo to become it.
std::string Administrator() {
  const struct passwd* account = getpwuid(geteuid());
  std::string who = account != nullptr ? account->pw_name : "uid " + std::to_string(geteuid());
  const char* sudo_user = std::getenv("SUDO_USER");
  if (sudo_user != nullptr && *sudo_user != '\0' && who != sudo_user) who += " (sudo by " + std::string(sudo_user) + ")";
  return who;
}

int Link(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  if (parsed.positionals.size() != 3) {
    return UsageError(spec, "link takes two device ids: the former enrolment, then the new one");
  }
  const std::string& old_id = parsed.positionals[1];
  const std::string& new_id = parsed.positionals[2];
  auto storage = OpenStorage(spec, DataDir(parsed), false);
  if (!storage) return 1;
  Status linked = storage->LinkDevices(old_id, new_id, Administrator(), Now());
  if (!linked.ok()) return Fail(spec, linked.message());
  std::printf("Linked %s to %s: %s may now correct the submissions %s sent.\n", tools::Printable(old_id).c_str(),
              tools::Printable(new_id).c_str(), tools::Printable(new_id).c_str(), tools::Printable(old_id).c_str());
  return 0;
}

int Unlink(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  if (parsed.positionals.size() != 3) {
    return UsageError(spec, "unlink takes two device ids: the former enrolment, then the new one");
  }
  const std::string& old_id = parsed.positionals[1];
  const std::string& new_id = parsed.positionals[2];
  auto storage = OpenStorage(spec, DataDir(parsed), false);
  if (!storage) return 1;
  Status unlinked = storage->UnlinkDevices(old_id, new_id, Administrator(), Now());
  if (!unlinked.ok()) return Fail(spec, unlinked.message());
  std::printf("Unlinked %s from %s: %s no longer corrects the submissions %s sent, and its corrections of them "
              "stop applying (`chosa-collector check` lists them).\n",
              tools::Printable(old_id).c_str(), tools::Printable(new_id).c_str(), tools::Printable(new_id).c_str(),
              tools::Printable(old_id).c_str());
  return 0;
}

int Devices(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  if (!parsed.positionals.empty()) {
    if (parsed.positionals[0] == "link") return Link(spec, parsed);
    if (parsed.positionals[0] == "unlink") return Unlink(spec, parsed);
    return UsageError(spec, "unknown action \"" + parsed.positionals[0] + "\" (link, unlink)");
  }
  auto storage = OpenStorage(spec, DataDir(parsed), false);
  if (!storage) return 1;
  Result<std::vector<collector::Device>> listed = storage->ListDevices();
  if (!listed.ok()) return Fail(spec, listed.status().ToString());
  Result<std::vector<collector::DeviceLink>> links = storage->ListDeviceLinks();
  if (!links.ok()) return Fail(spec, links.status().ToString());
  const std::vector<collector::Device>& devices = *listed;
  if (devices.empty()) {
    std::printf("No devices enrolled yet: chosa-collector enrol-code --forms FORM_ID makes a code for one.\n");
    return 0;
  }
  std::vector<std::vector<std::string>> rows{{"DEVICE", "NAME", "FORMS", "ENROLLED", "LAST PUSH", "STATUS"}};
  size_t revoked = 0;
  for (const auto& device : devices) {
    revoked += device.revoked ? 1 : 0;
    rows.push_back({device.device_id, device.name.empty() ? "-" : tools::Printable(device.name), Join(device.forms),
                    tools::LocalTime(device.enrolled_at) +
                        (device.enrolments > 1 ? " (" + std::to_string(device.enrolments) + " times, first " +
                                                     tools::LocalTime(device.first_enrolled_at) + ")"
                                               : ""),
                    device.last_seen_at == 0 ? "never" : tools::LocalTime(device.last_seen_at),
                    device.revoked ? "revoked" : "active"});
  }
  tools::PrintTable(stdout, rows, 0);
  std::printf("%zu device%s, %zu revoked.\n", devices.size(), devices.size() == 1 ? "" : "s", revoked);
  if (!links->empty()) {
    std::printf("\nLinked enrolments (NEW may correct what FORMER sent):\n");
    std::vector<std::vector<std::string>> link_rows{{"FORMER", "NEW", "LINKED", "BY", "UNDONE"}};
    for (const auto& link : *links) {
      link_rows.push_back({link.old_device_id, link.new_device_id, tools::LocalTime(link.linked_at),
                           tools::Printable(link.linked_by),
                           link.unlinked_at == 0 ? "-"
                                                 : tools::LocalTime(link.unlinked_at) + " by " +
                                                       tools::Printable(link.unlinked_by)});
    }
    tools::PrintTable(stdout, link_rows, 0);
  }
  return 0;
}

const AdminSpec& RevokeSpec() {
  static const AdminSpec spec = MakeAdminSpec(
      "revoke", "DEVICE_ID", "Revokes a device: its token is refused from now on (401).\n", 1, 1, {}, {});
  return spec;
}

int Revoke(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  const std::string& device_id = parsed.positionals[0];
  auto storage = OpenStorage(spec, DataDir(parsed), false);
  if (!storage) return 1;
  Status status = storage->RevokeDevice(device_id);
  if (!status.ok()) return Fail(spec, status.message());
  std::printf("Revoked %s: its token is refused from now on (401). Only a code made for it enrols it again\n"
              "(chosa-collector enrol-code --forms FORM --device %s); an ordinary code is refused.\n",
              device_id.c_str(), device_id.c_str());
  return 0;
}


}  // namespace

int EnrolCodeCommand(const Args& args) { return RunAdmin(EnrolCodeSpec(), args, EnrolCode); }
int DevicesCommand(const Args& args) { return RunAdmin(DevicesSpec(), args, Devices); }
int RevokeCommand(const Args& args) { return RunAdmin(RevokeSpec(), args, Revoke); }

}  // namespace chosa::collector_tool
