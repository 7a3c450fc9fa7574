// A form's dataset as the bureau takes it (docs/exports.md), shared by `chosa-collector export`
// and the analysts' API route: the stored submissions in commit order, read a page at a time
// (memory stays flat however large the dataset), up to a cursor fixed when the export begins,
// keeping only the latest submission of each correction chain unless all versions are asked for;
// as JSON Lines, or flattened into the dataset's tables for CSV and Excel.
#ifndef CHOSA_SYNC_COLLECTOR_EXPORT_H_
#define CHOSA_SYNC_COLLECTOR_EXPORT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

#include "chosa/collector_storage.h"
#include "chosa/dataset_layout.h"
#include "chosa/submission_rows.h"

namespace chosa::collector {

struct ExportOptions {
  int64_t after = 0;          // export what arrived after this position (a decoded cursor)
  size_t limit = 0;           // at most this many submissions (0: all); the end cursor is the last's
  bool all_versions = false;  // keep the submissions that a later one corrects (`replaces`)
};

// Which submissions an export holds, a page at a time.
class SubmissionExport {
 public:
  // NotFound for an unpublished form.
  static Result<SubmissionExport> Begin(CollectorStorage& storage, std::string_view form_id,
                                        const ExportOptions& options);

  // Hands the next page's submissions to `each`; false once all were handed over, on an error
  // (status() says which) or when `each` returns false.
  bool NextPage(const std::function<bool(const StoredSubmission&)>& each);
  // One exported submission as a JSON Lines line (with its "\n"): when and from which device it
  // arrived, what it corrects when it declares `replaces` (the UUID, or null when the correction
  // applies to nothing: AppliedCorrections), and the submission's bytes exactly as stored.
  std::string Line(const StoredSubmission& stored) const;
  // The position this export ends at: the cursor of the next one.
  int64_t end() const { return end_; }
  int64_t exported() const { return exported_; }
  const Status& status() const { return status_; }

 private:
  SubmissionExport(CollectorStorage& storage, std::string form_id, int64_t after, int64_t end)
      : storage_(&storage), form_id_(std::move(form_id)), next_after_(after), end_(end) {}

  static constexpr size_t kPage = 1000;
  CollectorStorage* storage_;
  std::string form_id_;
  int64_t next_after_;
  int64_t end_;
  int64_t exported_ = 0;
  std::unordered_set<std::string> replaced_;  // left out unless all versions are kept
  std::unordered_set<std::string> applied_;   // the corrections that apply (their UUIDs)
  Status status_;
};

// The tables of every published version of the form (chosa/dataset_layout.h).
Result<analysis::DatasetLayout> DatasetLayoutOf(CollectorStorage& storage, std::string_view form_id);

// An export flattened into the dataset's tables: each submission's rows in turn.
class TablesExport {
 public:
  // Choices as values, or with `labels` (a language of the form's newest version: "ja") as their
  // labels in it; InvalidArgument naming the languages there are for another.
  static Result<std::unique_ptr<TablesExport>> Begin(CollectorStorage& storage, std::string_view form_id,
                                                     const ExportOptions& options, std::string_view labels = {});
  const analysis::DatasetLayout& layout() const { return layout_; }
  const analysis::FlattenOptions& cells() const { return cells_; }
  // As SubmissionExport::NextPage, with each submission's rows.
  bool NextPage(const std::function<bool(const analysis::SubmissionRows&)>& each);
  int64_t end() const { return submissions_.end(); }
  int64_t exported() const { return submissions_.exported(); }
  const Status& status() const { return status_.ok() ? submissions_.status() : status_; }

 private:
  TablesExport(analysis::DatasetLayout layout, SubmissionExport submissions, const analysis::FlattenOptions& cells)
      : layout_(std::move(layout)), submissions_(std::move(submissions)), cells_(cells), flattener_(layout_, cells_) {}

  analysis::DatasetLayout layout_;
  SubmissionExport submissions_;
  analysis::FlattenOptions cells_;
  analysis::SubmissionFlattener flattener_;  // reads layout_: declared after it
  analysis::SubmissionRows rows_;
  Status status_;
};

// Writes the rest of `dataset` into an Excel workbook at `path` (chosa/xlsx_writer.h: a sheet per
// table, then the questions and their choices), built with constant memory. No file is left at
// `path` on failure.
Status WriteWorkbook(TablesExport& dataset, const std::string& path);

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_EXPORT_H_
