// chosa pull --collector URL [--token TOKEN] FORM [--dataset DIR] [--ca FILE] [--pin PIN]...
//            [--all-versions] [--page N] [--labels LANG] [--xlsx] [--max-response-kb N]
// Keeps the bureau's analysis dataset of a form up to date (docs/exports.md): DIR/FORM.sqlite
// (DIR by default ${XDG_DATA_HOME:-~/.local/share}/chosa/datasets, never the current directory)
// (chosa/analysis_dataset.h) and its CSV files, pulling from the collector's export API only
// what arrived since the last pull. Each page and the cursor after it are stored in one
// transaction, so a pull interrupted anywhere and run again ends with every submission once.
//
// Exit status: 0 the dataset is up to date; 1 the pull failed (what was stored stays); 2 usage.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "chosa/analysis_dataset.h"
#include "chosa/base/private_file.h"
#include "chosa/export_client.h"
#include "chosa/http_transport.h"
#include "chosa/protocol.h"
#include "cli_args.h"
#include "commands.h"

namespace chosa {
namespace tools {
namespace {

// Where the datasets are kept without --dataset: ${XDG_DATA_HOME:-$HOME/.local/share}/chosa/datasets,
// beside the device store (DeviceStore::DefaultPath); "" when neither variable is set.
std::string DefaultDatasetDir() {
  const char* data = std::getenv("XDG_DATA_HOME");
  if (data != nullptr && *data != '\0') return std::string(data) + "/chosa/datasets";
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return std::string(home) + "/.local/share/chosa/datasets";
  return "";
}

const cli::CommandSpec& PullSpec() {
  static const cli::CommandSpec spec{
      "chosa", "pull",
      "--collector URL [--token TOKEN] FORM [--dataset DIR] [--ca FILE] [--pin PIN]...\n"
      "                  [--all-versions] [--page N] [--labels LANG] [--xlsx] [--max-response-kb N]",
      std::string(
               "  Brings the analysis dataset of FORM up to date from the collector: DIR/FORM.sqlite (every\n"
               "  submission's bytes, the form's versions, and its tables as SQL tables) and the CSV files\n"
               "  DIR/FORM.csv, DIR/FORM-REPEAT.csv. Only what arrived since the last pull is fetched; an\n"
               "  interrupted pull run again ends with every submission exactly once.\n"
               "  --collector URL   the collector, https://... (TLS verification is always on)\n"
               "  --token TOKEN     an analyst token (chosa-collector analyst-token NAME); or set\n"
               "                    CHOSA_ANALYST_TOKEN to keep it out of the process list\n"
               "  --dataset DIR     where the datasets are kept; the directories it makes are readable by\n"
               "                    you only (default: ") +
          (DefaultDatasetDir().empty() ? "${XDG_DATA_HOME:-~/.local/share}/chosa/datasets" : DefaultDatasetDir()) +
          ")\n"
               "  --ca FILE         trust this CA certificate (PEM) instead of the system's trust store\n"
               "  --pin PIN         accept only this public key (sha256//BASE64); may be repeated\n"
               "  --all-versions    keep corrected submissions too (default: the latest of each correction);\n"
               "                    fixed when the dataset is made\n"
               "  --page N          submissions per request (default 1000, at most 10000)\n"
               "  --labels LANG     the CSV files with choices as their labels in LANG (default: values)\n"
               "  --xlsx            also an Excel workbook of every table, DIR/FORM.xlsx\n"
               "  --max-response-kb N  the most one response may hold (default 65536); a page that\n"
               "                    does not fit is asked for again in halves\n"
               "  Exit: 0 up to date, 1 failed (what was stored stays), 2 usage.\n",
      {{"--collector", true}, {"--token", true}, {"--dataset", true}, {"--labels", true}, {"--ca", true},
       {"--pin", true}, {"--max-response-kb", true}, {"--all-versions", false}, {"--xlsx", false}, {"--page", true}}};
  return spec;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "chosa pull: %s\n", message.c_str());
  return 1;
}

// The collector's reason in an error response ({"error": "..."}), or the status alone.
// Fills an analysis dataset from the collector's export API (sync::ExportClient).
class Puller {
 public:
  explicit Puller(sync::ExportClient& client) : client_(client) {}

  // Adds the collector's versions of the form that the dataset lacks, oldest first.
  Status PullVersions(analysis::AnalysisDataset& dataset) {
    Result<std::vector<protocol::FormListing>> listed = client_.ListVersions(dataset.form_id());
    if (!listed.ok()) return listed.status();
    for (const protocol::FormListing& version : *listed) {
      bool known = false;
      for (const analysis::DatasetVersion& held : dataset.versions()) known = known || held.version == version.version;
      if (known) continue;
      Result<std::string> definition = client_.GetVersion(version);
      if (!definition.ok()) return definition.status();
      Status added = dataset.AddFormVersion({version.version, version.sha256}, *definition);
      if (!added.ok()) return added;
      ++versions_added_;
    }
    return Status::Ok();
  }

  // Pulls pages until the cursor stops moving.
  Status PullSubmissions(analysis::AnalysisDataset& dataset, size_t page_size) {
    for (;;) {
      Result<sync::ExportPage> got = client_.GetPage(dataset.form_id(), dataset.cursor(), page_size, dataset.all_versions());
      if (!got.ok() && page_size > 1 && got.status().code() == StatusCode::kUnavailable &&
          got.status().message().rfind(sync::kResponseTooLarge, 0) == 0) {
        // Long answers: a page of this many does not fit the response limit; ask for fewer.
        page_size = std::max<size_t>(1, page_size / 2);
        ++smaller_pages_;
        continue;
      }
      if (!got.ok()) return got.status();
      std::vector<analysis::ReceivedSubmission> page;
      page.reserve(got->submissions.size());
      for (sync::ExportedSubmission& s : got->submissions) {
        page.push_back({std::move(s.body), s.received_at_millis, std::move(s.device_id), std::move(s.corrects)});
      }
      const bool moved = got->cursor != dataset.cursor();
      Result<int64_t> before = dataset.SubmissionCount();
      Status status = dataset.AddPage(page, got->cursor);
      if (!status.ok()) return status;
      Result<int64_t> after = dataset.SubmissionCount();
      if (before.ok() && after.ok()) added_ += *after - *before;
      received_ += static_cast<int64_t>(page.size());
      if (!moved) return Status::Ok();
    }
  }

  int64_t versions_added() const { return versions_added_; }
  int64_t smaller_pages() const { return smaller_pages_; }
  int64_t received() const { return received_; }
  int64_t added() const { return added_; }

 private:
  sync::ExportClient& client_;
  int64_t versions_added_ = 0, received_ = 0, added_ = 0, smaller_pages_ = 0;
};

}  // namespace

int RunPull(int argc, char** argv) {
  std::string collector, token, form_id, dataset_dir, labels;
  sync::TransportOptions options;
  bool all_versions = false, workbook = false;
  size_t page_size = 1000;
  cli::ParsedArgs parsed;
  if (std::optional<int> exit = cli::Parse(PullSpec(), argc, argv, &parsed)) return *exit;
  collector = parsed.Get("--collector");
  token = parsed.Get("--token");
  dataset_dir = parsed.Get("--dataset");
  labels = parsed.Get("--labels");
  options.tls.ca_file = parsed.Get("--ca");
  options.tls.pinned_public_keys = parsed.All("--pin");
  all_versions = parsed.Has("--all-versions");
  workbook = parsed.Has("--xlsx");
  if (const std::string* text = parsed.Value("--max-response-kb")) {
    char* end = nullptr;
    const long long kb = std::strtoll(text->c_str(), &end, 10);
    if (*end != '\0' || kb < 1 || kb > 4 * 1024 * 1024) {
      std::fprintf(stderr, "chosa pull: --max-response-kb takes 1 to 4194304\n");
      return 2;
    }
    options.max_response_bytes = static_cast<size_t>(kb) * 1024;
  }
  if (const std::string* text = parsed.Value("--page")) {
    char* end = nullptr;
    const long long n = std::strtoll(text->c_str(), &end, 10);
    if (*end != '\0' || n < 1 || n > 10000) {
      std::fprintf(stderr, "chosa pull: --page takes 1 to 10000 submissions\n");
      return 2;
    }
    page_size = static_cast<size_t>(n);
  }
  if (parsed.positionals.size() > 1) {
    std::fprintf(stderr, "chosa pull: unexpected argument %s\n", parsed.positionals[1].c_str());
    cli::PrintUsage(PullSpec(), stderr);
    return 2;
  }
  if (!parsed.positionals.empty()) form_id = parsed.positionals[0];
  if (token.empty() && std::getenv("CHOSA_ANALYST_TOKEN") != nullptr) token = std::getenv("CHOSA_ANALYST_TOKEN");
  if (collector.empty() || token.empty() || form_id.empty()) {
    std::fprintf(stderr, "chosa pull: give --collector URL, --token TOKEN (or CHOSA_ANALYST_TOKEN) and FORM\n");
    cli::PrintUsage(PullSpec(), stderr);
    return 2;
  }
  if (dataset_dir.empty()) {
    dataset_dir = DefaultDatasetDir();
    if (dataset_dir.empty()) return Fail("neither XDG_DATA_HOME nor HOME is set: give --dataset DIR");
  }
  // mkdir -p, each directory it makes readable by the user only: the datasets hold personal data.
  Status made = CreatePrivateDirectories(dataset_dir);
  if (!made.ok()) return Fail(made.message());
  const std::string path = dataset_dir + "/" + form_id + ".sqlite";
  auto dataset = analysis::AnalysisDataset::Open(path, form_id, all_versions);
  if (!dataset.ok()) return Fail(dataset.status().message());
  options.user_agent = "chosa-pull/1";
  auto transport = sync::MakeCurlTransport(collector, options);
  if (!transport.ok()) return Fail(transport.status().message());

  sync::ExportClient client(**transport, token);
  Puller puller(client);
  Status status = puller.PullVersions(**dataset);
  if (status.ok()) status = puller.PullSubmissions(**dataset, page_size);
  Result<int64_t> held = (*dataset)->SubmissionCount();
  if (!status.ok()) {
    return Fail(status.message() + " (the dataset keeps the " + std::to_string(held.ok() ? *held : 0) +
                " submissions stored so far; pull again to go on)");
  }
  analysis::FlattenOptions cells;
  if (!labels.empty() && (*dataset)->layout().ok()) {
    const std::vector<std::string>& languages = (*(*dataset)->layout())->newest().languages();
    auto found = std::find(languages.begin(), languages.end(), labels);
    if (found == languages.end()) return Fail("form " + form_id + " has no language " + labels + " for --labels");
    cells.labels = true;
    cells.language = static_cast<size_t>(found - languages.begin());
  }
  Result<std::vector<std::string>> files = (*dataset)->WriteCsvFiles(dataset_dir, cells);
  if (!files.ok() && files.status().code() != StatusCode::kNotFound) return Fail(files.status().message());
  std::printf("%s: %lld new submissions (%lld received), %lld in the dataset %s\n", form_id.c_str(),
              static_cast<long long>(puller.added()), static_cast<long long>(puller.received()),
              static_cast<long long>(held.ok() ? *held : 0), path.c_str());
  const std::string workbook_path = dataset_dir + "/" + form_id + ".xlsx";
  if (workbook && (*dataset)->layout().ok()) {
    Status written = (*dataset)->WriteWorkbook(workbook_path, cells);
    if (!written.ok()) return Fail(written.message());
  }
  if (puller.smaller_pages() > 0) {
    std::printf("  pages halved %lld times to fit the response limit (--max-response-kb)\n",
                static_cast<long long>(puller.smaller_pages()));
  }
  if (puller.versions_added() > 0) {
    std::printf("  %lld new form versions\n", static_cast<long long>(puller.versions_added()));
  }
  if (files.ok()) {
    for (const std::string& file : *files) std::printf("  %s\n", file.c_str());
  }
  if (workbook && (*dataset)->layout().ok()) std::printf("  %s\n", workbook_path.c_str());
  return 0;
}

}  // namespace tools
}  // namespace chosa
