// Evaluating one expression on its own, outside any form: for tools, the demo and the
// conformance test. Inside a form, expressions are compiled once by the form loader instead.
//
// Thread safety: EvaluateStandalone may run on any number of threads at once (each call keeps its
// own state). Ownership: nothing outlives the call; `env` is borrowed during it (null: the default).
#ifndef CHOSA_EXPRESSION_H_
#define CHOSA_EXPRESSION_H_

#include <string_view>

#include "chosa/status.h"
#include "chosa/value.h"

namespace chosa {

class Env;

// Parses, checks and evaluates `source`, which may not refer to questions (${name}) or to `.`.
// A syntax error, an unknown function, a wrong argument count or a constant fault (a bad date
// literal) is a Status with the 1-based column; otherwise the value (which may be an error value).
// `env` gives today() and now(); null means Env::Default().
Result<Value> EvaluateStandalone(std::string_view source, Env* env = nullptr);

}  // namespace chosa

#endif  // CHOSA_EXPRESSION_H_
