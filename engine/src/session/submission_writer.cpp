// The submission: the envelope of docs/submission.md and its canonical bytes (UTF-8, keys in a
// fixed order, no insignificant whitespace), hashed with SHA-256.
#include <cmath>

#include "chosa/env.h"
#include "expr/ast.h"
#include "chosa/engine/datetime.h"
#include "chosa/base/hex_digest.h"
#include "session/answer_text.h"
#include "session/answers_writer.h"
#include "chosa/engine/canonical_json.h"
#include "session/session_internal.h"
#include "state/form_state.h"

namespace chosa {
namespace {

}  // namespace

std::string UuidV4(Env* env) {
  unsigned char bytes[16];
  env->RandomBytes(bytes, sizeof bytes);
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string hex = Hex(bytes, sizeof bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

Submission SubmissionWriter::Write(int64_t ended_at_millis, std::string_view replaces,
                                   const std::vector<AuditEntry>* audit) const {
  const Form& form = s_.form();
  const FormState& state = *s_.state_;
  Env* env = s_.env_;
  Submission submission;
  submission.uuid = UuidV4(env);
  bool named = form.settings().instance_name != kNone;
  if (named) submission.instance_name = DisplayText(state.EvaluateIn(form.settings().instance_name, kNone, 0));
  CanonicalJsonWriter out;
  out.BeginObject();
  out.Key("uuid");
  out.String(submission.uuid);
  out.Key("form_id");
  out.String(form.id());
  out.Key("form_version");
  out.String(form.version());
  out.Key("device_id");
  out.String(s_.options_.device_id);
  if (!s_.options_.enumerator_id.empty()) {
    out.Key("enumerator_id");
    out.String(s_.options_.enumerator_id);
  }
  if (named) {
    out.Key("instance_name");
    out.String(submission.instance_name);
  }
  out.Key("language");
  out.String(s_.language_code_);
  out.Key("started_at");
  out.String(FormatIsoDateTime(static_cast<double>(s_.started_at_), s_.started_offset_));
  out.Key("ended_at");
  out.String(FormatIsoDateTime(static_cast<double>(ended_at_millis), env->UtcOffsetMinutes(ended_at_millis)));
  if (!replaces.empty()) {
    out.Key("replaces");
    out.String(replaces);
  }
  out.Key("answers");
  out.BeginObject();
  WriteAnswers(form, state, out);
  out.EndObject();
  if (audit != nullptr) {
    // As ODK's audit log: when each answer was entered or changed, and from what to what.
    out.Key("audit");
    out.BeginArray();
    for (const AuditEntry& entry : *audit) {
      out.BeginObject();
      out.Key("at");
      out.String(FormatIsoDateTime(static_cast<double>(entry.at_millis), env->UtcOffsetMinutes(entry.at_millis)));
      out.Key("path");
      out.String(entry.path);
      out.Key("old");
      out.String(entry.old_value);
      out.Key("new");
      out.String(entry.new_value);
      out.EndObject();
    }
    out.EndArray();
  }
  out.EndObject();
  submission.canonical_json = out.Take();
  submission.sha256 = Sha256Hex(submission.canonical_json);
  return submission;
}

}  // namespace chosa
