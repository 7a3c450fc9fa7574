// Re-validation of a received submission (chosa/submission_check.h): the envelope is checked
// field by field, the answers are replayed in a Session restored from them, the engine's own
// checks run as at finalize, and the answers the replayed session writes must be the received
// ones, byte for byte. Faults are reported in English with their JSON Pointer.
//
// Cost: the collector runs this on every submission. An accepted one takes the fast path
// (FastCheck): the engine's checks without Finalize's UUID, SHA-256 and envelope, and one byte
// comparison of the whole document against the engine's answers in the received envelope. Only
// a refused one pays for the finer comparisons that say where it goes wrong.
//
// This file runs the check; its parts are declared in submission_check_internal.h and held by
// submission_reencoder.cpp, submission_envelope.cpp, submission_answer_reader.cpp and
// submission_comparer.cpp.
#include "chosa/submission_check.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "chosa/env.h"
#include "chosa/session.h"
#include "chosa/engine/datetime.h"
#include "form/form_internals.h"
#include "chosa/base/json_reader.h"
#include "session/answer_text.h"
#include "session/answers_writer.h"
#include "chosa/engine/canonical_json.h"
#include "session/messages.h"
#include "chosa/engine/submission_check_parsed.h"
#include "session/session_internal.h"
#include "session/submission_check_internal.h"
#include "state/form_state.h"
#include "chosa/base/suggest.h"
#include "chosa/uuid.h"

namespace chosa {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using namespace submission_check;  // the parts this file runs (submission_check_internal.h)

// The clock and zone of the device at finalize, for today() and now() in the replay; the UUID the
// replayed finalize makes is discarded.
class ReplayEnv : public Env {
 public:
  ReplayEnv(int64_t now_millis, int offset_minutes) : now_(now_millis), offset_(offset_minutes) {}
  int64_t NowMillis() override { return now_; }
  int UtcOffsetMinutes(int64_t) override { return offset_; }
  void RandomBytes(uint8_t* out, size_t size) override { std::fill(out, out + size, uint8_t{0}); }
  void Log(LogLevel, std::string_view) override {}

 private:
  int64_t now_;
  int offset_;
};

// What Finalize and the byte comparisons decide, without writing a submission: the engine's
// checks pass (no page has an error; the envelope already holds a device id and a version 4
// UUID as replaces), and the received bytes are exactly its envelope fields re-encoded with the
// engine's answers in place of the received ones. That one comparison proves the bytes
// canonical and the answers the engine's. Nothing when it cannot say OK: Check decides then.
std::optional<Status> FastCheck(const Session& session, const Envelope& envelope, simdjson::dom::object root,
                                std::string_view replaces, std::string_view text) {
  constexpr std::nullopt_t undecided = std::nullopt;
  if (session.options().device_id.empty() || (!replaces.empty() && !IsUuidV4(replaces))) return undecided;
  for (int32_t p = 0; p < session.page_count(); ++p) {
    if (!session.PageErrors(p).empty()) return undecided;
  }
  const Form& form = session.form();
  CanonicalJsonWriter out;
  out.Reserve(text.size());  // the engine's bytes are these, or the check fails anyway
  out.BeginObject();
  for (auto field : root) {
    out.Key(field.key);
    if (field.key == kKeyNames[kAnswers]) {
      out.BeginObject();
      WriteAnswers(form, StateOf(session), out);
      out.EndObject();
    } else {
      Encode(field.value, out);
    }
  }
  out.EndObject();
  if (out.text() != text) return undecided;
  if (envelope.present[kInstanceName]) {
    std::string name = DisplayText(StateOf(session).EvaluateIn(form.settings().instance_name, kNone, 0));
    if (envelope.strings[kInstanceName] != name) {
      return Fault(KeyPointer(kInstanceName), "instance name " + Quoted(envelope.strings[kInstanceName]) +
                                                  " differs from the engine's " + Quoted(name));
    }
  }
  return Status::Ok();
}

// Finalizes the replayed session and compares what it writes with what was received, naming
// the first fault: the engine's checks, then each answer, the instance name, and the bytes.
Status CheckByFinalize(Session& session, const Envelope& envelope, std::string_view replaces,
                       simdjson::dom::object answers, std::string_view received_answers) {
  // Finalize runs the engine's checks once; only a refused one needs them again, to say which.
  Result<Submission> finalized = session.Finalize(replaces);
  if (!finalized.ok()) {
    std::vector<AnswerError> errors = session.AllErrors();
    if (!errors.empty()) return ErrorFault(session, errors.front());
    return Fault("/answers", "the engine cannot finalize it: " + finalized.status().message());
  }
  // The replayed submission has no audit, so its answers run from the key to the closing brace.
  const std::string& written = finalized->canonical_json;
  static constexpr std::string_view kAnswersKey = ",\"answers\":";
  size_t at = written.find(kAnswersKey);
  if (at == std::string::npos || written.size() < at + kAnswersKey.size() + 3) {
    return Status::Internal("the replayed submission has no answers");
  }
  std::string_view engine_answers =
      std::string_view(written).substr(at + kAnswersKey.size(), written.size() - at - kAnswersKey.size() - 1);

  JsonDocument own_expected;
  JsonDocument& expected_document =
      ThreadDocumentFor(ThreadDocumentSlot::kEngineAnswers, engine_answers.size(), own_expected);
  JsonLimits expected_limits;
  expected_limits.max_depth = kMaxDepth;
  expected_limits.max_bytes = std::max(expected_limits.max_bytes, engine_answers.size());
  Status reread = expected_document.Parse(engine_answers, expected_limits);
  if (!reread.ok()) return Status::Internal("the replayed answers cannot be read: " + reread.message());
  Status status = CompareAnswers(session, expected_document.root().get_object().value_unsafe(), answers, "/answers");
  if (!status.ok()) return status;

  if (envelope.present[kInstanceName] && envelope.strings[kInstanceName] != finalized->instance_name) {
    return Fault(KeyPointer(kInstanceName), "instance name " + Quoted(envelope.strings[kInstanceName]) +
                                                " differs from the engine's " + Quoted(finalized->instance_name));
  }
  // The comparison above should leave nothing; the bytes decide.
  if (received_answers != engine_answers) {
    return Fault(PointerOfDifference(envelope.fields[kAnswers], received_answers, engine_answers, "/answers"),
                 "the answers differ from those the engine writes");
  }
  return Status::Ok();
}

// The session a submission was filled in, as its envelope says: language, start, device and
// enumerator (into `snapshot` and the options to resume it with).
SessionOptions ReplayOptions(const Envelope& envelope, SessionSnapshot* snapshot) {
  snapshot->language = std::string(envelope.strings[kLanguage]);
  snapshot->started_at_millis = envelope.started.utc_millis;
  snapshot->started_offset_minutes = envelope.started.offset_minutes;
  SessionOptions options;
  options.language = snapshot->language;
  options.device_id = std::string(envelope.strings[kDeviceId]);
  if (envelope.present[kEnumeratorId]) options.enumerator_id = std::string(envelope.strings[kEnumeratorId]);
  return options;
}

// The checks after parsing: `root` is the parse of `text`.
Status CheckParsed(const std::shared_ptr<const Form>& form_ptr, std::string_view text, element root) {
  const Form& form = *form_ptr;
  Envelope envelope;
  Status status = CheckEnvelope(form, root, &envelope);
  if (!status.ok()) return status;

  ReplayEnv env(envelope.ended.utc_millis, envelope.ended.offset_minutes);
  SessionSnapshot snapshot;
  snapshot.answers.reserve(form.items().size());  // about one per question, unless in repeats
  simdjson::dom::object answers = envelope.fields[kAnswers].get_object().value_unsafe();
  status = ReadAnswers(form, &env, answers, &snapshot);
  if (!status.ok()) return status;

  // The bytes must be the engine's: no whitespace, minimal escapes, numbers in shortest form.
  // Checked here only when the fast path below cannot vouch for them, but before any fault of
  // the replay, as that is the order faults are reported in.
  size_t answers_begin = 0, answers_end = 0;
  auto canonical_fault = [&]() -> std::optional<Status> {
    std::string canonical = CanonicalEnvelope(root.get_object().value_unsafe(), &answers_begin, &answers_end);
    if (canonical == text) return std::nullopt;
    return Fault(PointerOfDifference(root, text, canonical, ""),
                 "not canonical JSON: the engine writes these bytes differently (whitespace, escapes or number "
                 "format)");
  };

  const SessionOptions options = ReplayOptions(envelope, &snapshot);
  Result<std::unique_ptr<Session>> resumed = Session::Resume(form_ptr, &env, options, snapshot);
  if (!resumed.ok()) {
    if (std::optional<Status> fault = canonical_fault()) return *std::move(fault);
    return Fault("/answers", "cannot be replayed: " + resumed.status().message());
  }
  Session& session = **resumed;

  std::string_view replaces = envelope.present[kReplaces] ? envelope.strings[kReplaces] : std::string_view();
  std::optional<Status> fast = FastCheck(session, envelope, root.get_object().value_unsafe(), replaces, text);
  if (fast && fast->ok()) return Status::Ok();
  if (std::optional<Status> fault = canonical_fault()) return *std::move(fault);
  if (fast) return *std::move(fast);
  // The bytes are canonical, so the received answers' canonical form is this span of them.
  const std::string_view received_answers = text.substr(answers_begin, answers_end - answers_begin);
  return CheckByFinalize(session, envelope, replaces, answers, received_answers);
}

// The session a submission's answers rebuild, with the clock stopped at its ended_at.
Result<ReplayedSubmission> Replay(const std::shared_ptr<const Form>& form_ptr, std::string_view text) {
  JsonLimits limits;
  limits.max_depth = kMaxDepth;
  JsonDocument document;
  Status parsed = document.Parse(text, limits);
  if (!parsed.ok()) return parsed;
  Envelope envelope;
  Status status = CheckEnvelope(*form_ptr, document.root(), &envelope);
  if (!status.ok()) return status;
  ReplayedSubmission replayed;
  replayed.env = std::make_unique<ReplayEnv>(envelope.ended.utc_millis, envelope.ended.offset_minutes);
  SessionSnapshot snapshot;
  status = ReadAnswers(*form_ptr, replayed.env.get(), envelope.fields[kAnswers].get_object().value_unsafe(), &snapshot);
  if (!status.ok()) return status;
  const SessionOptions options = ReplayOptions(envelope, &snapshot);
  Result<std::unique_ptr<Session>> session = Session::Resume(form_ptr, replayed.env.get(), options, snapshot);
  if (!session.ok()) return session.status();
  replayed.session = std::move(session).value();
  return replayed;
}

Status Check(const std::shared_ptr<const Form>& form_ptr, std::string_view text) {
  JsonLimits limits;
  limits.max_depth = kMaxDepth;
  JsonDocument own;
  JsonDocument& document = ThreadDocumentFor(ThreadDocumentSlot::kSubmission, text.size(), own);
  Status parsed = document.Parse(text, limits);
  if (!parsed.ok()) {
    if (parsed.code() != StatusCode::kInvalidArgument || parsed.message().rfind("document is", 0) == 0) return parsed;
    return Fault(parsed.pointer(), "malformed JSON: " + parsed.message());
  }
  return CheckParsed(form_ptr, text, document.root());
}

}  // namespace

Status CheckSubmission(std::shared_ptr<const Form> form, std::string_view canonical_json) {
  if (form == nullptr) return Status::InvalidArgument("no form");
  try {
    return Check(form, canonical_json);
  } catch (const std::bad_alloc&) {
    return Status::Internal("out of memory while checking a submission");
  }
}

Status CheckParsedSubmission(std::shared_ptr<const Form> form, std::string_view canonical_json,
                             const simdjson::dom::element& root) {
  if (form == nullptr) return Status::InvalidArgument("no form");
  try {
    return CheckParsed(form, canonical_json, root);
  } catch (const std::bad_alloc&) {
    return Status::Internal("out of memory while checking a submission");
  }
}

Result<ReplayedSubmission> ReplaySubmission(std::shared_ptr<const Form> form, std::string_view json) {
  if (form == nullptr) return Status::InvalidArgument("no form");
  try {
    return Replay(form, json);
  } catch (const std::bad_alloc&) {
    return Status::Internal("out of memory while replaying a submission");
  }
}

}  // namespace chosa
