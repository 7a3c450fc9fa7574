// chosa report DATASET [--by QUESTION] [--lang LANG] [--cross ROW:COLUMN]... [--out DIR]
// Writes the bureau's tables of an analysis dataset (the FORM.sqlite that `chosa pull` keeps):
// a self-contained HTML page with an SVG chart per table, and each table as CSV
// (docs/reports.md).
//
// Exit status: 0 written; 1 the dataset or the output could not be read or written; 2 usage
// (including a question or language the form does not have).
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "chosa/analysis_dataset.h"
#include "chosa/report.h"
#include "cli_args.h"
#include "commands.h"

namespace chosa {
namespace tools {
namespace {

const cli::CommandSpec& ReportSpec() {
  static const cli::CommandSpec spec{
      "chosa", "report", "DATASET [--by QUESTION] [--lang LANG] [--cross ROW:COLUMN]... [--out DIR]",
               "  Writes the tables of an analysis dataset (DATASET: the FORM.sqlite of chosa pull) as one\n"
               "  self-contained HTML page with a chart per table (DIR/report.html) and a CSV per table.\n"
               "  For each question of the main table: counts and percentages of each choice, or n, mean,\n"
               "  standard deviation, min and max of numbers; n counts the submissions where the question\n"
               "  was relevant, with a no-answer row for those left empty (docs/reports.md).\n"
               "  --by QUESTION       one column per answer of this select_one question (e.g. briefing)\n"
               "  --lang LANG         labels and headings in this language of the form (default: its first)\n"
               "  --cross ROW:COLUMN  also a cross table of two select_one questions; may be repeated\n"
               "  --out DIR           where to write (default: DATASET without .sqlite, then -report)\n"
               "  Exit: 0 written, 1 the dataset or the output failed, 2 usage.\n",
      {{"--by", true}, {"--lang", true}, {"--cross", true}, {"--out", true}}};
  return spec;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "chosa report: %s\n", message.c_str());
  return 1;
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "chosa report: %s\n", message.c_str());
  return 2;
}

}  // namespace

int RunReport(int argc, char** argv) {
  std::string dataset_path, out_dir, language;
  analysis::ReportOptions options;
  cli::ParsedArgs parsed;
  if (std::optional<int> exit = cli::Parse(ReportSpec(), argc, argv, &parsed)) return *exit;
  options.by = parsed.Get("--by");
  language = parsed.Get("--lang");
  out_dir = parsed.Get("--out");
  for (const std::string& text : parsed.All("--cross")) {
    const size_t colon = text.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
      return Usage("--cross takes ROW:COLUMN, two question names");
    }
    options.crosses.emplace_back(text.substr(0, colon), text.substr(colon + 1));
  }
  if (parsed.positionals.size() > 1) {
    cli::PrintUsage(ReportSpec(), stderr);
    return Usage("unexpected argument " + parsed.positionals[1]);
  }
  if (!parsed.positionals.empty()) dataset_path = parsed.positionals[0];
  if (dataset_path.empty()) {
    cli::PrintUsage(ReportSpec(), stderr);
    return Usage("give the DATASET (a FORM.sqlite written by chosa pull)");
  }
  if (out_dir.empty()) {
    const std::string suffix = ".sqlite";
    const bool has_suffix = dataset_path.size() > suffix.size() &&
                            dataset_path.compare(dataset_path.size() - suffix.size(), suffix.size(), suffix) == 0;
    out_dir = (has_suffix ? dataset_path.substr(0, dataset_path.size() - suffix.size()) : dataset_path) + "-report";
  }

  auto dataset = analysis::AnalysisDataset::OpenExisting(dataset_path);
  if (!dataset.ok()) return Fail(dataset.status().message());
  Result<const analysis::DatasetLayout*> layout = (*dataset)->layout();
  if (!layout.ok()) return Fail(layout.status().message() + ": pull it first");
  const std::vector<std::string>& languages = (*layout)->newest().languages();
  if (!language.empty()) {
    size_t index = 0;
    while (index < languages.size() && languages[index] != language) ++index;
    if (index == languages.size()) return Usage("form " + (*dataset)->form_id() + " has no language " + language);
    options.language = index;
  }
  Result<analysis::ReportBuilder> builder = analysis::ReportBuilder::Create(**layout, options);
  if (!builder.ok()) return Usage(builder.status().message());
  analysis::FlattenOptions cells;
  cells.mark_relevance = true;
  int64_t submissions = 0;
  Status status = (*dataset)->ForEachSubmission(cells, [&](const analysis::SubmissionRows& rows) {
    ++submissions;
    return builder->Add(rows);
  });
  if (!status.ok()) return Fail(status.message());
  const analysis::Report report = builder->Finish();
  status = analysis::WriteReport(report, out_dir);
  if (!status.ok()) return Fail(status.message());
  std::printf("%s: %lld submissions, %zu tables%s\n  %s/report.html\n", (*dataset)->form_id().c_str(),
              static_cast<long long>(submissions), report.tables.size(),
              options.by.empty() ? "" : (" by " + options.by).c_str(), out_dir.c_str());
  return 0;
}

}  // namespace tools
}  // namespace chosa
