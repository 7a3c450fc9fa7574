// The library of XForms / XLSForm functions that expressions may call, looked up by name once at
// compile time. The evaluator calls an implementation with already evaluated arguments; the
// few functions that need the form or the evaluation state (if, once, position, score,
// indexed-repeat, jr:choice-name, and the aggregates' nodesets) are handled by the evaluator itself, and are
// still listed here so that name lookup, arity checks and "did you mean" see one table.
#ifndef CHOSA_ENGINE_EXPR_FUNCTIONS_H_
#define CHOSA_ENGINE_EXPR_FUNCTIONS_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "chosa/value.h"

namespace chosa {

class Env;

// What a function may read besides its arguments.
struct FunctionContext {
  Env* env = nullptr;           // today(), now(): clock and time zone; random(), uuid()
};

using FunctionImpl = Value (*)(const Value* args, int count, const FunctionContext& context);

enum FunctionFlags : uint32_t {
  kPure = 1u << 0,              // same arguments, same result: may be folded at compile time
  kEvaluatorHandled = 1u << 1,  // implemented inside the evaluator; `impl` is null but for coalesce
  kAggregate = 1u << 2,         // takes a nodeset: sum, count, min, max, join, count-non-empty
  kReadsSelect = 1u << 3,       // first argument should be a select question: selected, ...
  kLazy = 1u << 4,              // arguments are evaluated only as needed (if, coalesce)
};

struct FunctionSpec {
  std::string_view name;
  int min_args;
  int max_args;  // -1: any number
  uint32_t flags;
  FunctionImpl impl;
};

// The function named `name`, or null when chosa does not offer it.
const FunctionSpec* FindFunction(std::string_view name);
// Every function, for "did you mean" and the docs.
const std::vector<FunctionSpec>& AllFunctions();

}  // namespace chosa

#endif  // CHOSA_ENGINE_EXPR_FUNCTIONS_H_
