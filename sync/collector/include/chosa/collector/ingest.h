// The push pipeline: a batch's lines → each checked (envelope, form version, assignment, the
// engine's re-validation) on every core, while one storage transaction stores the lines already
// checked, in order → one result per line. Forms
// are loaded once per version and cached: a batch of 500 costs 500 checks, not 500 form loads.
#ifndef CHOSA_SYNC_COLLECTOR_INGEST_H_
#define CHOSA_SYNC_COLLECTOR_INGEST_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chosa/collector_storage.h"
#include "chosa/form.h"
#include "chosa/protocol.h"
#include "chosa/collector/work_pool.h"
#include "chosa/base/json_reader.h"

namespace chosa::collector {

// Re-validates one submission against its exact form version, given the parse its envelope was
// read from (the engine's CheckParsedSubmission).
using SubmissionValidator = std::function<Status(std::shared_ptr<const Form>, std::string_view canonical_json,
                                                 const simdjson::dom::element& parsed)>;

class Ingest {
 public:
  // `helpers`: threads that check a batch's lines beside the pushing thread (WorkPool).
  // `validator`: null re-validates with the engine's CheckParsedSubmission; every submission is
  // re-validated before it is stored, whatever the validator.
  Ingest(CollectorStorage& storage, protocol::Limits limits, SubmissionValidator validator,
         unsigned helpers = WorkPool::DefaultHelpers());

  // Checks and stores `lines` (one submission each) pushed by `device`; all or nothing.
  Result<std::vector<protocol::PushResult>> Push(const Principal& device, const std::vector<std::string_view>& lines,
                                                 int64_t now);

  // The share of lines checked by the pool's helpers rather than the pushing threads (0 to 1).
  double HelperShare() const;

 private:
  struct FormEntry {
    std::shared_ptr<const Form> form;  // null: the version is not published, or does not load
    std::string unusable;              // why a published version does not load (an encrypted form)
  };
  // The compiled form of a version, loaded on first use.
  FormEntry FormOf(const std::string& form_id, const std::string& version);
  // The form states read so far in one batch: read once per form and batch, by any thread.
  struct BatchStates {
    std::mutex mutex;
    std::map<std::string, FormState> by_form;
  };
  FormState StateOf(const std::string& form_id, BatchStates& states);
  // Why `line` cannot be stored for `device` ("" when it can); fills `envelope` when readable.
  // Called from several threads at once.
  std::string Check(const Principal& device, std::string_view line, protocol::Envelope* envelope, BatchStates& states);

  CollectorStorage& storage_;
  protocol::Limits limits_;
  SubmissionValidator validator_;
  std::mutex forms_mutex_;
  std::map<std::pair<std::string, std::string>, FormEntry> forms_;
  WorkPool pool_;
};

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_INGEST_H_
