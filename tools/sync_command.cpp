// chosa sync [--store PATH] [--batch N]: pulls the newest form versions into the device store,
// then sends its outbox to the collector, with a progress bar on a terminal and a summary: sent,
// duplicates, rejected with the collector's reasons, left for the next sync.
// chosa sync enroll --collector URL --code CODE [--name NAME] [--ca FILE] [--pin PIN]...: enrols
// this device once and keeps its credentials beside the store (PATH.sync.json, mode 0600).
//
// Exit status: 0 everything went (or the device enrolled); 1 something is left, was rejected or
// failed (not enrolled, a refused certificate, a revoked token, no network); 2 a usage error.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "chosa/http_transport.h"
#include "chosa/store.h"
#include "chosa/sync_client.h"
#include "chosa/sync_credentials.h"
#include "cli_args.h"
#include "cli_values.h"
#include "commands.h"
#include "display_text.h"
#include "store_cli.h"
#include "terminal_ui.h"

namespace chosa {
namespace tools {

namespace {

const cli::CommandSpec& SyncSpec() {
  static const cli::CommandSpec spec{
      "chosa", "sync",
      "[--store PATH] [--batch N]\n"
      "       chosa sync enroll --collector URL --code CODE [--name NAME] [--ca FILE] [--pin PIN]...\n"
      "                         [--store PATH] [--device-id ID] [--replace]",
      Format(
               "  sync     installs new form versions from the collector, then sends the finalized\n"
               "           submissions of the outbox; each is marked sent only once the collector has it.\n"
               "           An interrupted sync is safe: the next one finishes it without duplicates.\n"
               "  enroll   enrols this device with a one-time code from the bureau, under the device identity\n"
               "           its store keeps; the credentials are kept in PATH.sync.json beside the store,\n"
               "           readable by you only.\n"
               "  --store PATH      the device store (default: %s)\n"
               "  --batch N         submissions per request (default 100, at most 500)\n"
               "  --collector URL   the collector, https://... (TLS verification is always on)\n"
               "  --code CODE       the one-time enrolment code\n"
               "  --name NAME       this device's name in the bureau's device list (default: the host name)\n"
               "  --ca FILE         trust this CA certificate (PEM) instead of the system's trust store\n"
               "  --pin PIN         accept only this public key (sha256//BASE64, as curl's --pinnedpubkey);\n"
               "                    give the current key and a backup key: either one is accepted\n"
               "  --device-id ID    the device's identity for a new store (an existing store keeps its own;\n"
               "                    default: the store's, or a new tablet-... one)\n"
               "  --replace         enrol again although the store is enrolled (a new token replaces the old)\n"
               "  Exit: 0 everything went, 1 something is left, rejected or failed, 2 usage.\n",
               DeviceStore::DefaultPath().c_str()),
      {{"--store", true}, {"--batch", true}, {"--collector", true}, {"--code", true}, {"--name", true},
       {"--ca", true}, {"--pin", true}, {"--device-id", true}, {"--replace", false}}};
  return spec;
}

std::string Kilobytes(uint64_t bytes) {
  if (bytes < 10 * 1024) return std::to_string(bytes) + " B";
  if (bytes < 10 * 1024 * 1024) return std::to_string(bytes / 1024) + " KB";
  return std::to_string(bytes / (1024 * 1024)) + " MB";
}

// Draws progress on one line of a terminal; on a pipe, prints only the retries.
class ProgressLine {
 public:
  ProgressLine() : terminal_(isatty(STDERR_FILENO)) {}
  ~ProgressLine() { Clear(); }

  void Show(const sync::SyncProgress& progress) {
    using Phase = sync::SyncProgress::Phase;
    if (progress.phase == Phase::kWaiting) {
      std::string line = Format("retrying in %lld s: %s", static_cast<long long>((progress.wait_ms + 999) / 1000),
                                ForDisplay(progress.why, 70).c_str());
      if (!terminal_) {
        std::fprintf(stderr, "chosa sync: %s\n", line.c_str());
        return;
      }
      Draw(line);
      return;
    }
    if (!terminal_) return;
    if (progress.phase == Phase::kForms) {
      if (progress.total > 0) Draw(Format("forms %zu / %zu", progress.done, progress.total));
      return;
    }
    constexpr int kWidth = 30;
    int filled = progress.total == 0 ? kWidth : static_cast<int>(kWidth * progress.done / progress.total);
    Draw("[" + std::string(filled, '#') + std::string(kWidth - filled, '-') + "] " +
         Format("%zu / %zu submissions, %s sent", progress.done, progress.total,
                Kilobytes(progress.bytes_sent).c_str()));
  }

  void Clear() {
    if (terminal_ && drawn_) std::fputs("\r\033[K", stderr);
    drawn_ = false;
  }

 private:
  void Draw(const std::string& line) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }

  bool terminal_;
  bool drawn_ = false;
};

// The store's id of each rejected submission, so that the summary can say `chosa resume ID`.
// "?" when the store cannot list them (the summary goes on: what was sent is known).
std::string RejectedId(const DeviceStore& store, const std::string& uuid) {
  Result<std::vector<InstanceSummary>> rejected = store.ListInstances(InstanceState::kRejected);
  if (!rejected.ok()) return "?";
  for (const InstanceSummary& s : *rejected) {
    if (s.uuid == uuid) return std::to_string(s.id);
  }
  return "?";
}

void PrintSummary(const DeviceStore& store, const std::string& store_path, const sync::SyncReport& report) {
  for (const protocol::FormListing& form : report.forms_installed) {
    std::printf("Installed form %s version %s.\n", form.form_id.c_str(), form.version.c_str());
  }
  std::printf("Sent: %zu", report.sent + report.duplicates);
  if (report.duplicates > 0) {
    std::printf(" (%zu of them %s already on the collector)", report.duplicates,
                report.duplicates == 1 ? "was" : "were");
  }
  std::printf(".  Rejected: %zu.  Left for later: %zu.  (%s sent", report.rejected.size(), report.left,
              Kilobytes(report.bytes_sent).c_str());
  if (report.retries > 0) std::printf(", %d retr%s", report.retries, report.retries == 1 ? "y" : "ies");
  std::printf(")\n");
  for (const sync::RejectedSubmission& rejected : report.rejected) {
    std::printf("  rejected %s (id %s): %s\n", rejected.uuid.c_str(), RejectedId(store, rejected.uuid).c_str(),
                ForDisplay(rejected.reason).c_str());
  }
  if (!report.rejected.empty()) {
    std::printf("  `chosa resume ID%s` corrects a rejected submission; finalized again, it is sent next time.\n",
                StoreArgument(store_path).c_str());
  }
  for (const std::string& problem : report.problems) std::printf("  problem: %s\n", ForDisplay(problem).c_str());
}

std::string AbsolutePath(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) return path;
  return resolved;
}

int RunEnroll(const cli::ParsedArgs& options) {
  const std::string store_path = StorePathOption(options);
  const std::string credentials_path = sync::CredentialsPathFor(store_path);
  if (!options.Has("--collector") || !options.Has("--code")) {
    std::fprintf(stderr, "chosa sync: enroll needs --collector URL and --code CODE\n");
    cli::PrintUsage(SyncSpec(), stderr);
    return kExitUsage;
  }
  if (auto existing = sync::LoadCredentials(credentials_path); existing.ok() && !options.Has("--replace")) {
    std::fprintf(stderr,
                 "chosa sync: %s is already enrolled as device %s with %s.\n"
                 "  To enrol it again (the new token replaces the old one), add --replace.\n",
                 store_path.c_str(), existing->device_id.c_str(), existing->collector_url.c_str());
    return kExitFault;
  }
  sync::SyncCredentials credentials;
  credentials.collector_url = options.Get("--collector");
  if (options.Has("--ca")) credentials.tls.ca_file = AbsolutePath(options.Get("--ca"));
  for (const auto& [name, value] : options.values) {
    if (name == "--pin") credentials.tls.pinned_public_keys.push_back(value);
  }
  sync::TransportOptions transport_options;
  transport_options.tls = credentials.tls;
  auto transport = sync::MakeCurlTransport(credentials.collector_url, transport_options);
  if (!transport.ok()) {
    std::fprintf(stderr, "chosa sync: %s\n", transport.status().message().c_str());
    return kExitFault;
  }
  // The store (and the default store's private directory) must exist to keep credentials beside it.
  std::unique_ptr<DeviceStore> store = OpenStoreOrSay("sync", store_path, /*create=*/true, options.Get("--device-id"));
  if (store == nullptr) return kExitFault;
  ProgressLine line;
  sync::SyncOptions sync_options;
  sync_options.progress = [&line](const sync::SyncProgress& progress) { line.Show(progress); };
  sync::SyncClient client(transport->get(), store.get(), credentials, sync_options);  // enrols as the store's identity
  auto enrolled = client.Enroll(options.Get("--code"), options.Get("--name", HostName()));
  line.Clear();
  if (!enrolled.ok()) {
    std::fprintf(stderr, "chosa sync: cannot enrol: %s\n", enrolled.status().message().c_str());
    return kExitFault;
  }
  Status saved = sync::SaveCredentials(credentials_path, *enrolled);
  if (!saved.ok()) {
    std::fprintf(stderr, "chosa sync: enrolled as device %s, but the credentials cannot be kept: %s\n",
                 enrolled->device_id.c_str(), saved.message().c_str());
    return kExitFault;
  }
  std::printf("Enrolled as device %s with %s.\nCredentials kept in %s (readable by you only).\n",
              enrolled->device_id.c_str(), enrolled->collector_url.c_str(), credentials_path.c_str());
  std::printf("Next: chosa sync%s\n", StoreArgument(store_path).c_str());
  return kExitOk;
}

int RunPullAndPush(const cli::ParsedArgs& options) {
  const std::string store_path = StorePathOption(options);
  const std::string credentials_path = sync::CredentialsPathFor(store_path);
  sync::SyncOptions sync_options;
  if (options.Has("--batch")) {
    int64_t batch = ParseId(options.Get("--batch"));
    if (batch < 1 || batch > static_cast<int64_t>(sync_options.limits.max_batch_items)) {
      std::fprintf(stderr, "chosa sync: --batch takes a number from 1 to %zu, not \"%s\"\n",
                   sync_options.limits.max_batch_items, ForDisplay(options.Get("--batch"), 20).c_str());
      return kExitUsage;
    }
    sync_options.batch_size = static_cast<size_t>(batch);
  }
  auto credentials = sync::LoadCredentials(credentials_path);
  if (!credentials.ok()) {
    if (credentials.status().code() == StatusCode::kNotFound) {
      std::fprintf(stderr,
                   "chosa sync: this device is not enrolled with a collector (there is no %s).\n"
                   "  Enrol it once with the code the bureau gave you:\n"
                   "    chosa sync enroll --collector https://... --code CODE%s\n",
                   credentials_path.c_str(), StoreArgument(store_path).c_str());
    } else {
      std::fprintf(stderr, "chosa sync: %s\n", credentials.status().ToString().c_str());
    }
    return kExitFault;
  }
  std::unique_ptr<DeviceStore> store = OpenStoreOrSay("sync", store_path, /*create=*/true);  // as the device it is
  if (store == nullptr) return kExitFault;
  sync::TransportOptions transport_options;
  transport_options.tls = credentials->tls;
  auto transport = sync::MakeCurlTransport(credentials->collector_url, transport_options);
  if (!transport.ok()) {
    std::fprintf(stderr, "chosa sync: %s\n", transport.status().message().c_str());
    return kExitFault;
  }
  ProgressLine line;
  sync_options.progress = [&line](const sync::SyncProgress& progress) { line.Show(progress); };
  sync::SyncClient client(transport->get(), store.get(), *credentials, sync_options);
  sync::SyncReport report = client.Sync();
  line.Clear();

  PrintSummary(*store, store_path, report);
  if (!report.status.ok()) {
    std::fprintf(stderr, "chosa sync: stopped: %s\n", report.status.message().c_str());
    if (report.status.code() == StatusCode::kUnauthenticated) {
      std::fprintf(
          stderr,
          "  Ask the bureau for a new enrolment code (a revoked device needs one made for it:\n"
          "  chosa-collector enrol-code --device %s), then:\n"
          "  chosa sync enroll --replace --collector %s --code CODE%s\n",
          credentials->device_id.c_str(), credentials->collector_url.c_str(), StoreArgument(store_path).c_str());
    } else if (report.status.code() == StatusCode::kPermissionDenied) {
      std::fprintf(
          stderr,
          "  Nothing was sent and the outbox is untouched. If the collector's certificate changed, enrol\n"
          "  again with the CA file (--ca) and key pins (--pin) the bureau gives: chosa sync enroll --replace ...\n");
    } else if (report.left > 0) {
      std::fprintf(stderr, "  Nothing is lost: run chosa sync%s again to send what is left.\n",
                   StoreArgument(store_path).c_str());
    }
  }
  return report.Complete() ? kExitOk : kExitFault;
}

}  // namespace

int RunSync(int argc, char** argv) {
  cli::ParsedArgs options;
  if (std::optional<int> exit = cli::Parse(SyncSpec(), argc, argv, &options)) return *exit;
  const bool enroll = !options.positionals.empty() && options.positionals[0] == "enroll";
  if (options.positionals.size() > (enroll ? 1u : 0u)) {
    std::fprintf(stderr, "chosa sync: unexpected argument \"%s\"\n",
                 ForDisplay(options.positionals.back(), 40).c_str());
    cli::PrintUsage(SyncSpec(), stderr);
    return kExitUsage;
  }
  const char* enroll_only[] = {"--collector", "--code", "--name", "--ca", "--pin", "--device-id", "--replace"};
  for (const char* name : enroll_only) {
    if (!enroll && options.Has(name)) {
      std::fprintf(stderr, "chosa sync: %s belongs to `chosa sync enroll`\n", name);
      cli::PrintUsage(SyncSpec(), stderr);
      return kExitUsage;
    }
  }
  if (enroll && options.Has("--batch")) {
    std::fprintf(stderr, "chosa sync: --batch does not apply to enroll\n");
    return kExitUsage;
  }
  return enroll ? RunEnroll(options) : RunPullAndPush(options);
}

}  // namespace tools
}  // namespace chosa
