// The "answers" object of a submission, in canonical JSON: one implementation for the device's
// Finalize (submission_writer.cpp) and the collector's re-validation (submission_check.cpp),
// which compares a received submission's bytes with what this writes.
#ifndef CHOSA_ENGINE_SESSION_ANSWERS_WRITER_H_
#define CHOSA_ENGINE_SESSION_ANSWERS_WRITER_H_

#include "chosa/form.h"
#include "chosa/engine/canonical_json.h"
#include "state/form_state.h"

namespace chosa {

// Writes the members of the answers object (not its braces): relevant, non-empty answers keyed
// by item name in document order; groups, pages and matrices flatten into it, a repeat is an
// array with one object per instance, notes have no key.
void WriteAnswers(const Form& form, const FormState& state, CanonicalJsonWriter& out);

}  // namespace chosa

#endif  // CHOSA_ENGINE_SESSION_ANSWERS_WRITER_H_
