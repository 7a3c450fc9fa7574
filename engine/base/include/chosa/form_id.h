// A form's id: what its JSON declares (docs/form-format.md), what each of its submissions names
// (`form_id`) and what the collector's routes take. One rule for the form reader, the protocol
// and the collector, so that a form that loads is one whose submissions are accepted.
//
// Thread safety: a pure function, safe from any thread. Ownership: nothing is kept.
#ifndef CHOSA_FORM_ID_H_
#define CHOSA_FORM_ID_H_

#include <string_view>

namespace chosa {

// The rule, for messages: "a lower-case letter, then lower-case letters, digits and '_'; at most
// 128 bytes".
extern const char kFormIdRule[];

// Whether `id` follows kFormIdRule (^[a-z][a-z0-9_]*$, 1 to 128 bytes).
bool IsValidFormId(std::string_view id);

}  // namespace chosa

#endif  // CHOSA_FORM_ID_H_
