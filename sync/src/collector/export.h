// A form's dataset as the bureau takes it: JSON Lines of the stored submissions, in commit order,
// read a page at a time (memory stays flat however large the dataset), up to a cursor fixed when
// the export begins. Shared by `chosa-collector export` and the analysts' API route.
#ifndef CHOSA_SYNC_COLLECTOR_EXPORT_H_
#define CHOSA_SYNC_COLLECTOR_EXPORT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "chosa/collector_storage.h"

namespace chosa::collector {

// One exported submission as a JSON Lines line (with its "\n"): when and from which device it
// arrived, and the submission's bytes exactly as stored.
std::string ExportLine(const StoredSubmission& stored);

// An export of `form_id` from position `after` up to the form's last position when it begins
// (`end()`, the cursor for the next export). NotFound for an unpublished form.
class JsonLinesExport {
 public:
  static Result<JsonLinesExport> Begin(CollectorStorage& storage, std::string_view form_id, int64_t after);

  // Writes the next page of lines through `write`; false once everything was written (or on an
  // error: then status() says which).
  bool WriteNextPage(const std::function<bool(std::string_view)>& write);
  int64_t end() const { return end_; }
  int64_t written() const { return written_; }
  const Status& status() const { return status_; }

 private:
  JsonLinesExport(CollectorStorage& storage, std::string form_id, int64_t after, int64_t end)
      : storage_(&storage), form_id_(std::move(form_id)), next_after_(after), end_(end) {}

  static constexpr size_t kPage = 1000;
  CollectorStorage* storage_;
  std::string form_id_;
  int64_t next_after_;
  int64_t end_;
  int64_t written_ = 0;
  Status status_;
};

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_EXPORT_H_
