// The line protocol between chosa_crash_child and chosa_crash_harness (tests/store/).
//
// The child fills the example forms through a DeviceStore and writes one line per event to its
// standard output, a pipe to the harness, with one write(2) per line (a line is shorter than
// PIPE_BUF, so a kill never leaves half a line in the pipe; the harness ignores an incomplete
// last line all the same). Before each call that writes to the store it announces the call with
// a lower-case "intent" line; once the store acknowledged it, it writes the upper-case
// "confirmation". The harness keeps a model of what the store must hold: a confirmation changes
// the model, and an intent that is the last line before the kill is the one call that may or
// may not have committed (it adopts whichever outcome the store shows, and checks it is one of
// the two). An intent followed by any other line failed and changed nothing.
//
//   H <pid>                              the child is ready (store open, forms installed)
//   s <form_id>                          StartDraft(form_id) ...
//   S <draft> <form_id> <language>       ... returned this draft
//   R <draft>                            Resume(draft) returned (no write to check)
//   a <draft> <path> <text>              SetAnswer(path, text) ...
//   A <draft> <path> <text>              ... saved; <text> is Session::AnswerText of the stored value
//   + <draft> <repeat>                   AddRepeatInstance(repeat) ...
//   N <draft> <repeat> <count>           ... the repeat now has <count> instances
//   x <draft> <repeat> <position>        RemoveRepeatInstance(repeat, position) (always the last) ...
//   X <draft> <repeat> <position>        ... removed
//   p <draft>                            Next() / Back() / GoToPage() ...
//   P <draft> <page>                     ... the draft is on <page> (also after a refused finalize)
//   l <draft> <language>                 SetLanguage(language) ...
//   L <draft> <language>                 ... done
//   d <draft>                            DeleteDraft(draft) ...
//   D <draft>                            ... deleted
//   f <draft>                            Finalize() ...
//   F <draft> <uuid> <sha256>            ... in the outbox with these canonical bytes
//   m <uuid>                             MarkSent(uuid) (as the sync thread does) ...
//   M <uuid>                             ... sent: out of the outbox, kept until purged
//   u all                                PurgeSent(true) ...
//   U <count>                            ... every sent submission deleted (count of them)
//
// Texts never hold a newline; a text may hold spaces (the rest of the line is the text, even
// when empty: "A 3 comments " clears `comments`).
#ifndef CHOSA_TESTS_STORE_CRASH_PROTOCOL_H_
#define CHOSA_TESTS_STORE_CRASH_PROTOCOL_H_

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace chosa {
namespace crashtest {

// The five surveys of SURVEYS.md, in schemas/examples/.
inline constexpr const char* kExampleForms[] = {
    "coordinator_checklist", "medical_facility_survey", "older_residents_survey",
    "ward_activity_survey", "workshop_attendee_survey",
};

#ifdef CHOSA_SOURCE_DIR
inline constexpr const char* kDefaultFormsDir = CHOSA_SOURCE_DIR "/schemas/examples";
#else
inline constexpr const char* kDefaultFormsDir = "schemas/examples";
#endif

// One parsed line: a tag and up to three fields; `text` is the rest of the line after the
// fields the tag takes (see the table above).
struct Line {
  char tag = 0;
  int64_t draft = 0;
  std::string a, b, text;
};

inline int FieldsOf(char tag) {
  switch (tag) {
    case 'H': case 'R': case 'p': case 'd': case 'D': case 'f': return 1;
    case 's': case 'm': case 'M': case 'u': case 'U': return 1;
    case '+': case 'P': case 'l': case 'L': return 2;
    case 'S': case 'N': case 'x': case 'X': case 'F': return 3;
    case 'a': case 'A': return 2;  // and the text
    default: return -1;
  }
}

// Splits `line` (without its newline). Returns false when it is not a line of the protocol.
inline bool ParseLine(std::string_view line, Line* out) {
  if (line.size() < 3 || line[1] != ' ') return false;
  Line parsed;
  parsed.tag = line[0];
  int fields = FieldsOf(parsed.tag);
  if (fields < 0) return false;
  std::string_view rest = line.substr(2);
  auto next_field = [&rest](std::string* field) {
    size_t space = rest.find(' ');
    *field = std::string(rest.substr(0, space));
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    return !field->empty();
  };
  std::string first;
  if (!next_field(&first)) return false;
  if (std::strchr("smMuU", parsed.tag) != nullptr) {
    parsed.a = first;  // s <form_id>, m/M <uuid>, u all, U <count>
  } else {
    char* end = nullptr;
    parsed.draft = std::strtoll(first.c_str(), &end, 10);
    if (*end != '\0') return false;
  }
  if (fields >= 2 && !next_field(&parsed.a)) return false;
  if (fields >= 3 && !next_field(&parsed.b)) return false;
  if (parsed.tag == 'a' || parsed.tag == 'A') parsed.text = std::string(rest);
  *out = std::move(parsed);
  return true;
}

}  // namespace crashtest
}  // namespace chosa

#endif  // CHOSA_TESTS_STORE_CRASH_PROTOCOL_H_
