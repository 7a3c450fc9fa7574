#include "collector/export.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "expr/datetime.h"

namespace chosa::collector {

std::string ExportLine(const StoredSubmission& stored) {
  return "{\"received_at\":" + nlohmann::json(FormatIsoDateTime(static_cast<double>(stored.received_at), 0)).dump() +
         ",\"device_id\":" + nlohmann::json(stored.device_id).dump() + ",\"submission\":" + stored.body + "}\n";
}

Result<JsonLinesExport> JsonLinesExport::Begin(CollectorStorage& storage, std::string_view form_id, int64_t after) {
  Result<FormState> state = storage.GetFormState(form_id);
  if (!state.ok()) return state.status();
  Result<int64_t> last = storage.LastPosition(form_id);
  if (!last.ok()) return last.status();
  return JsonLinesExport(storage, std::string(form_id), after, std::max(after, *last));
}

bool JsonLinesExport::WriteNextPage(const std::function<bool(std::string_view)>& write) {
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
    if (!write(ExportLine(stored))) {
      status_ = Status::IOError("the export could not be written");
      return false;
    }
    next_after_ = stored.position;
    ++written_;
  }
  if (page->size() < kPage) next_after_ = end_;
  return next_after_ < end_;
}

}  // namespace chosa::collector
