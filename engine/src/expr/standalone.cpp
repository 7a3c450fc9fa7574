#include "chosa/env.h"
#include "chosa/expression.h"
#include "expr/evaluator.h"
#include "expr/parser.h"

namespace chosa {

Result<Value> EvaluateStandalone(std::string_view source, Env* env) {
  Result<Expression> parsed = ParseExpression(source);
  if (!parsed.ok()) return parsed.status();
  Expression& e = *parsed;
  for (const Node& n : e.nodes) {
    if (n.kind == NodeKind::kRef || n.kind == NodeKind::kAttribute) {
      return Status::InvalidArgument("unknown name " + (n.kind == NodeKind::kRef ? "${" + e.name(n) + "}" : e.name(n)) +
                                         ": a standalone expression has no questions", {},
                                     ColumnOfOffset(source, static_cast<size_t>(n.position - 1)));
    }
    if (n.kind == NodeKind::kSelf) {
      return Status::InvalidArgument("'.' is only valid in constraint and required", {},
                                     ColumnOfOffset(source, static_cast<size_t>(n.position - 1)));
    }
  }
  Status folded = FoldConstants(e);
  if (!folded.ok()) {
    return Status::InvalidArgument(folded.message(), {}, ColumnOfOffset(source, static_cast<size_t>(folded.column() - 1)));
  }
  FunctionContext context;
  context.env = env != nullptr ? env : Env::Default();
  return Evaluate(e, EmptyScope(), context);
}

}  // namespace chosa
