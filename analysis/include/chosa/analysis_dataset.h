// The analysis dataset `chosa pull` keeps up to date on the bureau's computer (docs/exports.md,
// "The analysis dataset"): one SQLite file per form with the form's versions, every submission's
// exact bytes, and the dataset's tables as SQL tables (`submissions`, and `repeat_NAME` per
// repeat) for SQL tools, R or Python; from it the CSV files and the reports are written.
//
// In the SQL tables a question that was not relevant is NULL and a relevant one left unanswered
// is '' (the submission itself keys neither: relevance is replayed by the engine when a
// submission is added). Numbers are stored as numbers, 0/1 choice columns as integers.
//
// Adding a page of submissions and moving the cursor past them is one transaction, and a
// submission already held is not added again: a pull interrupted anywhere and run again ends
// with every submission exactly once.
//
// Thread safety: one thread at a time; one process at a time (a second writer waits, then fails).
// Ownership: Open's dataset belongs to its caller. layout() points into the dataset: valid until
// the next AddFormVersion or the dataset's end.
#ifndef CHOSA_ANALYSIS_DATASET_H_
#define CHOSA_ANALYSIS_DATASET_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/dataset_layout.h"
#include "chosa/status.h"
#include "chosa/submission_rows.h"

namespace chosa::analysis {

// A submission as the collector's export sends it.
struct ReceivedSubmission {
  std::string body;  // the canonical bytes
  int64_t received_at_millis = 0;
  std::string received_from;
  // What the collector applies the submission's correction to (its line's "corrects"): absent
  // when the line says nothing (then the submission's own `replaces` is taken, as an older
  // collector's lines were read), empty when the correction applies to nothing.
  std::optional<std::string> corrects;
};

struct DatasetVersion {
  std::string version;
  std::string sha256;
};

class AnalysisDataset {
 public:
  // Opens the dataset at `path`, creating it for `form_id` when there is none. `all_versions`
  // (kept from creation; InvalidArgument when it differs) keeps submissions that a later one
  // corrects, instead of only the latest of each correction chain.
  static Result<std::unique_ptr<AnalysisDataset>> Open(const std::string& path, std::string_view form_id,
                                                       bool all_versions);
  // Opens an existing dataset (for reports), whatever its form; NotFound when there is none.
  static Result<std::unique_ptr<AnalysisDataset>> OpenExisting(const std::string& path);
  ~AnalysisDataset();

  const std::string& form_id() const { return form_id_; }
  bool all_versions() const { return all_versions_; }
  // The collector's cursor after the last page added ("" before the first pull).
  const std::string& cursor() const { return cursor_; }
  const std::vector<DatasetVersion>& versions() const { return versions_; }
  // The tables of every version added; NotFound before the first.
  Result<const DatasetLayout*> layout() const;

  // Adds a form version (its definition as published: self-contained JSON). Its new questions
  // become new columns; rows added before have NULL there (the question did not exist for them).
  Status AddFormVersion(const DatasetVersion& version, std::string_view definition);
  // Adds a page of submissions, in the order the collector sent them, and the cursor after them.
  Status AddPage(const std::vector<ReceivedSubmission>& page, std::string_view cursor);
  // How many submissions the dataset holds.
  Result<int64_t> SubmissionCount() const;
  // Each submission's rows (relevance marked), in the order they were added.
  Status ForEachSubmission(const FlattenOptions& cells,
                           const std::function<Status(const SubmissionRows&)>& each) const;
  // Writes every table as CSV (chosa/csv_writer.h) into `dir`: FORM.csv and FORM-REPEAT.csv,
  // each replaced whole (written beside, then renamed). Returns the paths written.
  Result<std::vector<std::string>> WriteCsvFiles(const std::string& dir, const FlattenOptions& cells = {}) const;
  // Writes every table into one Excel workbook at `path` (chosa/xlsx_writer.h), replaced whole:
  // written beside, then renamed.
  Status WriteWorkbook(const std::string& path, const FlattenOptions& cells = {}) const;

 private:
  struct Db;
  AnalysisDataset();
  Status Load();
  Status BuildLayout();
  Status AddColumns();

  std::unique_ptr<Db> db_;
  std::string form_id_;
  bool all_versions_ = false;
  std::string cursor_;
  std::vector<DatasetVersion> versions_;
  std::vector<std::string> definitions_;  // by the same index as versions_
  std::unique_ptr<DatasetLayout> layout_;
};

}  // namespace chosa::analysis

#endif  // CHOSA_ANALYSIS_DATASET_H_
