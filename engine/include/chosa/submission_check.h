// Re-validation of a received submission against the exact form version it names: what the
// collector runs on every submission it receives, so that it stores only what this version's
// engine could have finalized (docs/submission.md, "Re-validation on the collector").
//
// Thread safety: CheckSubmission may run on any number of threads at once; the Form is shared
// read-only.
// Ownership: both functions share the Form for as long as they need it; nothing refers to
// `canonical_json` after the call. A ReplayedSubmission owns its session and the clock it runs on.
#ifndef CHOSA_SUBMISSION_CHECK_H_
#define CHOSA_SUBMISSION_CHECK_H_

#include <memory>
#include <string_view>

#include "chosa/env.h"
#include "chosa/form.h"
#include "chosa/session.h"
#include "chosa/status.h"

namespace chosa {

// OK exactly when `canonical_json` is a submission that `form` could have produced:
//  - the envelope is that of schemas/submission.schema.json, keys in the engine's order: a
//    version 4 UUID, this form's id and version, one of its languages, timestamps as the engine
//    writes them, instance_name present exactly when the form names its submissions, an optional
//    audit trail (checked for shape only);
//  - the answers replay in a Session: every key is a question of the form in document order, of
//    its type, one of its choices (select_multiple in choice-list order), relevant, meeting its
//    constraint and choice filter; every relevant required question is answered; repeats hold a
//    number of instances within min..max; calculations and the instance name are what the engine
//    computes;
//  - the bytes are canonical, and the answers byte-identical to those the engine writes.
// Otherwise InvalidArgument with the JSON Pointer of the fault inside the submission
// ("/answers/attendees/1/name"; "" for the whole document) and an English message ("not one of
// the choices of list yes_no", "required answer missing", "not relevant here"). The input is
// untrusted network data: any bytes are refused cleanly, never crash.
//
// Expressions reading now() or today() are evaluated at the submission's ended_at, in its UTC
// offset; a calculation reading random() or uuid() cannot be replayed and is refused.
Status CheckSubmission(std::shared_ptr<const Form> form, std::string_view canonical_json);

// A submission's filling rebuilt: the session its answers give (with the clock stopped at its
// ended_at), for analysis that needs more than the answers, such as which questions were relevant
// (a submission has no key for an unanswered question nor for a non-relevant one). The
// submission is expected to have passed CheckSubmission; its envelope and answers are read with
// the same rules, faults reported as CheckSubmission would.
struct ReplayedSubmission {
  std::unique_ptr<Env> env;          // the session's clock; outlives nothing but the session
  std::unique_ptr<Session> session;  // declared after env: destroyed first
};
Result<ReplayedSubmission> ReplaySubmission(std::shared_ptr<const Form> form, std::string_view json);

}  // namespace chosa

#endif  // CHOSA_SUBMISSION_CHECK_H_
