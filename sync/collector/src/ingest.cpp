#include "chosa/collector/ingest.h"

#include <algorithm>
#include <atomic>
#include <exception>

#include "chosa/protocol/envelope_reader.h"
#include "chosa/engine/submission_check_parsed.h"

namespace chosa::collector {

Ingest::Ingest(CollectorStorage& storage, protocol::Limits limits, SubmissionValidator validator, unsigned helpers)
    : storage_(storage),
      limits_(limits),
      validator_(validator ? std::move(validator) : SubmissionValidator(CheckParsedSubmission)),
      pool_(helpers) {}

Ingest::FormEntry Ingest::FormOf(const std::string& form_id, const std::string& version) {
  const auto key = std::make_pair(form_id, version);
  {
    std::lock_guard<std::mutex> lock(forms_mutex_);
    auto it = forms_.find(key);
    if (it != forms_.end()) return it->second;
  }
  // Loaded outside the lock: a slow first load of one form does not hold up other pushes.
  FormEntry entry;
  Result<FormVersion> stored = storage_.GetFormVersion(form_id, version);
  if (!stored.ok()) return entry;  // not published (versions are immutable: no need to cache a miss)
  FormLoadResult loaded = Form::Load(stored->json);
  if (loaded.ok()) {
    entry.form = loaded.form;
  } else {  // published by an older collector that accepted it: settings.public_key
    entry.unusable = loaded.faults.empty() ? "it does not load" : loaded.faults[0].ToString();
  }
  std::lock_guard<std::mutex> lock(forms_mutex_);
  return forms_.emplace(key, entry).first->second;
}

FormState Ingest::StateOf(const std::string& form_id, BatchStates& states) {
  std::lock_guard<std::mutex> lock(states.mutex);
  auto known = states.by_form.find(form_id);
  if (known == states.by_form.end()) {
    Result<FormState> state = storage_.GetFormState(form_id);
    known = states.by_form.emplace(form_id, state.ok() ? *state : FormState::kOpen).first;
  }
  return known->second;
}

std::string Ingest::Check(const Principal& device, std::string_view line, protocol::Envelope* envelope,
                          BatchStates& states) {
  // Parsed once, for the envelope and the re-validation, as deep as a submission can be.
  JsonDocument own;
  JsonDocument& document = ThreadDocumentFor(ThreadDocumentSlot::kSubmission, line.size(), own);
  Result<protocol::Envelope> read = protocol::ReadEnvelopeInto(line, limits_, kSubmissionMaxDepth, document);
  if (!read.ok()) return "not a submission: " + read.status().ToString();
  *envelope = *read;  // readable from here on: a rejected line is kept whole (QuarantineLimits)
  // It would hide itself from every export that keeps only the latest of a correction chain.
  if (envelope->replaces == envelope->uuid) return "replaces names the submission itself";
  const std::vector<std::string>& assigned = device.forms;
  if (std::find(assigned.begin(), assigned.end(), envelope->form_id) == assigned.end()) {
    return "form " + envelope->form_id + " is not assigned to this device";
  }
  if (StateOf(envelope->form_id, states) == FormState::kArchived) return "form " + envelope->form_id + " is archived";
  FormEntry entry = FormOf(envelope->form_id, envelope->form_version);
  if (!entry.unusable.empty()) {
    return "form " + envelope->form_id + " version " + envelope->form_version + " cannot be used: " + entry.unusable;
  }
  if (entry.form == nullptr) {
    return "unknown form version " + envelope->form_id + " " + envelope->form_version;
  }
  Status valid = validator_(entry.form, line, document.root());
  if (!valid.ok()) return "fails validation: " + valid.ToString();
  return "";
}

Result<std::vector<protocol::PushResult>> Ingest::Push(const Principal& device,
                                                       const std::vector<std::string_view>& lines, int64_t now) {
  BatchStates states;  // a batch is mostly one form's submissions
  std::vector<IngestItem> items(lines.size());
  std::atomic<bool> failed{false};  // out of memory while checking: the push fails, nothing is rejected
  // The lines are independent until they are stored: checked on every core while the storage
  // transaction stores each one as soon as it is checked, in order. A batch costs about its
  // checks or its storage, whichever is slower, rather than both in turn.
  WorkPool::InOrder checked(pool_, lines.size(), [&](size_t i) {
    IngestItem& item = items[i];
    item.body = lines[i];
    try {
      item.reason = Check(device, lines[i], &item.envelope, states);
    } catch (const std::exception&) {
      failed = true;
    }
    item.valid = item.reason.empty();
    item.readable = !item.envelope.uuid.empty();
  });
  auto stored = storage_.StoreBatch(
      device, lines.size(),
      [&](size_t i) -> const IngestItem* {
        checked.Await(i);
        return failed ? nullptr : &items[i];
      },
      now);
  if (failed) return Status::Unavailable("the collector could not check this batch now (out of memory); retry later");
  return stored;
}

double Ingest::HelperShare() const {
  const double helpers = static_cast<double>(pool_.items_by_helpers());
  const double all = helpers + static_cast<double>(pool_.items_by_callers());
  return all == 0 ? 0 : helpers / all;
}

}  // namespace chosa::collector
