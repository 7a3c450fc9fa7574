// CheckSubmission for a caller that has parsed the submission already: the collector reads a
// line's envelope first and re-validates the same parse instead of parsing the line twice.
#ifndef CHOSA_ENGINE_SESSION_SUBMISSION_CHECK_PARSED_H_
#define CHOSA_ENGINE_SESSION_SUBMISSION_CHECK_PARSED_H_

#include <cstddef>
#include <memory>
#include <string_view>

#include "chosa/form.h"
#include "chosa/status.h"
#include "chosa/base/json_reader.h"

namespace chosa {

// The deepest submission CheckSubmission reads (a submission nests at most 5 levels).
constexpr size_t kSubmissionMaxDepth = 16;

// CheckSubmission(form, canonical_json), given `root`: JsonDocument::Parse of exactly
// `canonical_json` with max_depth at most kSubmissionMaxDepth (so depth and duplicate keys are
// checked already). Same faults, same thread safety.
Status CheckParsedSubmission(std::shared_ptr<const Form> form, std::string_view canonical_json,
                             const simdjson::dom::element& root);

}  // namespace chosa

#endif  // CHOSA_ENGINE_SESSION_SUBMISSION_CHECK_PARSED_H_
