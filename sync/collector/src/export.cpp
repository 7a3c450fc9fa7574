#include "chosa/collector/export.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "chosa/protocol.h"
#include "chosa/xlsx_writer.h"
#include "chosa/engine/datetime.h"

namespace chosa::collector {

Result<SubmissionExport> SubmissionExport::Begin(CollectorStorage& storage, std::string_view form_id,
                                                 const ExportOptions& options) {
  Result<FormState> state = storage.GetFormState(form_id);
  if (!state.ok()) return state.status();
  if (options.after > 0) {
    // A cursor this collector gave is never past what it holds; one that is would export nothing
    // and look like "nothing new".
    Result<int64_t> last = storage.LastPosition("");
    if (!last.ok()) return last.status();
    if (options.after > *last) {
      return Status::InvalidArgument("the cursor " + protocol::EncodeCursor(options.after) +
                                     " is past everything this collector holds (" + protocol::EncodeCursor(*last) +
                                     "): it comes from another collector, or from before a restore of an older backup; "
                                     "export from the start (no cursor)");
    }
  }
  Result<int64_t> end = options.limit == 0 ? storage.LastPosition(form_id)
                                           : storage.PositionAfter(form_id, options.after, options.limit);
  if (!end.ok()) return end.status();
  SubmissionExport out(storage, std::string(form_id), options.after, std::max(options.after, *end));
  Result<std::vector<AppliedCorrection>> corrections = storage.AppliedCorrections(form_id);
  if (!corrections.ok()) return corrections.status();
  for (const AppliedCorrection& correction : *corrections) {
    out.applied_.insert(correction.uuid);
    if (!options.all_versions) out.replaced_.insert(correction.replaces);
  }
  return out;
}

bool SubmissionExport::NextPage(const std::function<bool(const StoredSubmission&)>& each) {
  if (!status_.ok() || next_after_ >= end_) return false;
  Result<std::vector<StoredSubmission>> page = storage_->ReadSubmissions(form_id_, next_after_, kPage);
  if (!page.ok()) {
    status_ = page.status();
    return false;
  }
  for (const StoredSubmission& stored : *page) {
    if (stored.position > end_) {  // committed after the export began: the next export's
      next_after_ = end_;
      return false;
    }
    next_after_ = stored.position;
    if (replaced_.count(stored.uuid) != 0) continue;  // a later submission corrects it
    if (!each(stored)) {
      status_ = Status::IOError("the export could not be written");
      return false;
    }
    ++exported_;
  }
  if (page->size() < kPage) next_after_ = end_;
  return next_after_ < end_;
}

std::string SubmissionExport::Line(const StoredSubmission& stored) const {
  std::optional<std::string_view> corrects;
  if (!stored.replaces.empty()) {
    corrects = applied_.count(stored.uuid) != 0 ? std::string_view(stored.replaces) : std::string_view();
  }
  return protocol::ExportLineJson(FormatIsoDateTime(static_cast<double>(stored.received_at), 0), stored.device_id,
                                  stored.body, corrects);
}

Result<analysis::DatasetLayout> DatasetLayoutOf(CollectorStorage& storage, std::string_view form_id) {
  Result<std::vector<FormVersion>> versions = storage.FormVersions(form_id);
  if (!versions.ok()) return versions.status();
  if (versions->empty()) return Status::NotFound("no form " + std::string(form_id));
  std::vector<std::shared_ptr<const Form>> forms;
  for (const FormVersion& version : *versions) {
    FormLoadResult loaded = Form::Load(version.json);
    if (!loaded.ok()) {
      return Status::Internal("published version " + version.version + " of form " + version.form_id +
                              " no longer loads: " + (loaded.faults.empty() ? "" : loaded.faults[0].ToString()));
    }
    forms.push_back(std::move(loaded.form));
  }
  return analysis::DatasetLayout::FromForms(std::move(forms));
}

Result<std::unique_ptr<TablesExport>> TablesExport::Begin(CollectorStorage& storage, std::string_view form_id,
                                                          const ExportOptions& options, std::string_view labels) {
  Result<SubmissionExport> submissions = SubmissionExport::Begin(storage, form_id, options);
  if (!submissions.ok()) return submissions.status();
  Result<analysis::DatasetLayout> layout = DatasetLayoutOf(storage, form_id);
  if (!layout.ok()) return layout.status();
  analysis::FlattenOptions cells;
  if (!labels.empty()) {
    const std::vector<std::string>& languages = layout->newest().languages();
    auto found = std::find(languages.begin(), languages.end(), labels);
    if (found == languages.end()) {
      std::string known;
      for (const std::string& code : languages) known += (known.empty() ? "" : ", ") + code;
      return Status::InvalidArgument("form " + std::string(form_id) + " has no language \"" + std::string(labels) +
                                     "\"; it has " + known);
    }
    cells.labels = true;
    cells.language = static_cast<size_t>(found - languages.begin());
  }
  return std::unique_ptr<TablesExport>(
      new TablesExport(std::move(layout).value(), std::move(submissions).value(), cells));
}

bool TablesExport::NextPage(const std::function<bool(const analysis::SubmissionRows&)>& each) {
  if (!status_.ok()) return false;
  return submissions_.NextPage([&](const StoredSubmission& stored) {
    status_ = flattener_.Flatten(stored.body, analysis::Receipt{stored.received_at, stored.device_id}, &rows_);
    return status_.ok() && each(rows_);
  });
}

Status WriteWorkbook(TablesExport& dataset, const std::string& path) {
  analysis::XlsxOptions options;
  options.cells = dataset.cells();
  Result<std::unique_ptr<analysis::XlsxWorkbook>> workbook = analysis::XlsxWorkbook::Create(path, dataset.layout(), options);
  if (!workbook.ok()) return workbook.status();
  Status added;
  while (dataset.NextPage([&](const analysis::SubmissionRows& rows) {
    added = (*workbook)->Add(rows);
    return added.ok();
  })) {
  }
  if (!added.ok()) return added;  // dropped unclosed: the workbook leaves no file
  if (!dataset.status().ok()) return dataset.status();
  return (*workbook)->Close();
}

}  // namespace chosa::collector
