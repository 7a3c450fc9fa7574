// The parts of re-validation (chosa/submission_check.h), as the files that hold them declare them
// to submission_check.cpp, which runs them: submission_reencoder.cpp (the canonical re-encoding
// of received JSON), submission_envelope.cpp (the envelope's checks), submission_answer_reader.cpp
// (the answers, read into a snapshot to replay) and submission_comparer.cpp (the replayed answers
// against the received ones). Internal to the engine.
#ifndef CHOSA_ENGINE_SESSION_SUBMISSION_CHECK_INTERNAL_H_
#define CHOSA_ENGINE_SESSION_SUBMISSION_CHECK_INTERNAL_H_

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "chosa/env.h"
#include "chosa/form.h"
#include "chosa/session.h"
#include "chosa/status.h"
#include "form/form_internals.h"
#include "chosa/engine/canonical_json.h"
#include "chosa/engine/submission_check_parsed.h"

namespace chosa {
namespace submission_check {

// A submission nests at most 5 levels (answers, repeat, instance, select_multiple); anything much
// deeper is refused while parsing, before any recursion here.
constexpr size_t kMaxDepth = kSubmissionMaxDepth;

// A fault of the submission at `pointer`, as CheckSubmission reports it.
inline Status Fault(std::string pointer, std::string message) {
  return Status::InvalidArgument(std::move(message), std::move(pointer));
}

inline std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// Read-only by a fixed property (a matrix row by its matrix's): never answered by the person.
inline bool ReadOnlyAlways(const Form& form, int32_t index) {
  const Item& item = form.item(index);
  int32_t owner = item.type == ItemType::kMatrixRow ? item.parent : index;
  return form.item(owner).read_only && GraphOf(form).NodeOf(owner, NodeProperty::kReadOnly) == kNone;
}

// --- the canonical re-encoding (submission_reencoder.cpp) ---------------------------------------

// Writes `value` as the engine's canonical JSON, keys in the order received. With `where`, also
// finds the JSON Pointer of the first, deepest value whose bytes cover offset `target` of the
// output or end right there (`82.0` differs just after `82`): where a text that differs from
// the canonical one first goes wrong.
void Encode(simdjson::dom::element value, CanonicalJsonWriter& out, std::string* pointer = nullptr, size_t target = 0,
            std::string* where = nullptr);
std::string Canonical(simdjson::dom::element value);
// Canonical(root) of the envelope object, also giving the span of its answers in the output:
// once the received bytes equal these, that span of them is the received answers' canonical form.
std::string CanonicalEnvelope(simdjson::dom::object root, size_t* answers_begin, size_t* answers_end);
// Where `received` first differs from `expected` (its canonical re-encoding): the pointer of
// the value at that byte, under `base`.
std::string PointerOfDifference(simdjson::dom::element value, std::string_view received, std::string_view expected,
                                const std::string& base);

// --- the envelope (submission_envelope.cpp) -----------------------------------------------------

struct Timestamp {
  int64_t utc_millis = 0;
  int offset_minutes = 0;
};

// RFC 3339 exactly as the engine writes it: 2024-11-03T10:30:30.000+09:00, a real date, an offset
// within +-18:00 and never -00:00 (the round trip through the engine's own formatter decides).
std::optional<Timestamp> ReadTimestamp(std::string_view text);

enum Key {
  kUuid,
  kFormId,
  kFormVersion,
  kDeviceId,
  kEnumeratorId,
  kInstanceName,
  kLanguage,
  kStartedAt,
  kEndedAt,
  kReplaces,
  kAnswers,
  kAudit,
  kKeyCount
};
// In the order the engine writes them (docs/submission.md).
inline constexpr std::string_view kKeyNames[kKeyCount] = {
    "uuid",     "form_id",    "form_version", "device_id", "enumerator_id", "instance_name",
    "language", "started_at", "ended_at",     "replaces",  "answers",       "audit"};
inline constexpr bool kRequiredKey[kKeyCount] = {true, true, true, true,  false, false,
                                                 true, true, true, false, true,  false};

struct Envelope {
  simdjson::dom::element fields[kKeyCount];
  bool present[kKeyCount] = {};
  std::string_view strings[kKeyCount];  // the string fields' values
  Timestamp started, ended;
};

// "/uuid": where a key of the envelope is.
std::string KeyPointer(Key key);

// Checks the envelope of `root` against `form` (schemas/submission.schema.json, keys in the
// engine's order), reading its fields into `envelope`.
Status CheckEnvelope(const Form& form, simdjson::dom::element root, Envelope* envelope);

// --- the answers (submission_answer_reader.cpp) -------------------------------------------------

// Reads every answer of `answers` strictly as the engine writes it into `snapshot`, as the text
// Session::Resume restores; values the engine computes itself are only shape-checked here and
// compared after the replay. `env` is the replay's clock (for defaults that read it).
Status ReadAnswers(const Form& form, Env* env, simdjson::dom::object answers, SessionSnapshot* snapshot);

// --- the comparison (submission_comparer.cpp) ---------------------------------------------------

// The first problem the engine's own checks found, as finalize would have been refused.
Status ErrorFault(const Session& session, const AnswerError& error);

// Compares the answers the replayed engine writes (`expected`) with those received, key by key
// in document order, so that a difference is named precisely.
Status CompareAnswers(const Session& session, simdjson::dom::object expected, simdjson::dom::object received,
                      const std::string& pointer);

}  // namespace submission_check
}  // namespace chosa

#endif  // CHOSA_ENGINE_SESSION_SUBMISSION_CHECK_INTERNAL_H_
