#include "expr/evaluator.h"

#include <cmath>
#include <vector>

#include "expr/operators.h"

namespace chosa {
namespace {

class Evaluation {
 public:
  Evaluation(const Expression& e, const EvalScope& scope, const FunctionContext& context)
      : e_(e), scope_(scope), context_(context) {}

  Value Eval(uint32_t index) const {
    const Node& n = e_.node(index);
    switch (n.kind) {
      case NodeKind::kConstant: return e_.constant(n);
      case NodeKind::kRef: return scope_.Read(n.target);
      case NodeKind::kRefAll: return scope_.ReadAll(n.target);
      case NodeKind::kSelf: return scope_.Self();
      case NodeKind::kAttribute: return scope_.Attribute(e_.name(n));
      case NodeKind::kNegate: {
        Value operand = Eval(e_.child(n, 0));
        if (operand.is_error()) return operand;
        return Value::Number(-operand.ToNumber());
      }
      case NodeKind::kBinary: return EvalBinary(n);
      case NodeKind::kCall: return EvalCall(n);
    }
    return Value::Error("internal: unknown node");
  }

 private:
  Value EvalBinary(const Node& n) const {
    if (n.op == BinaryOp::kOr || n.op == BinaryOp::kAnd) {
      // Short-circuit, as XPath: `true() or date('')` never evaluates its right side.
      Value left = Eval(e_.child(n, 0));
      if (left.is_error()) return left;
      bool l = left.ToBoolean();
      if (n.op == BinaryOp::kOr ? l : !l) return Value::Boolean(l);
      Value right = Eval(e_.child(n, 1));
      if (right.is_error()) return right;
      return Value::Boolean(right.ToBoolean());
    }
    Value left = Eval(e_.child(n, 0));
    if (left.is_error()) return left;
    Value right = Eval(e_.child(n, 1));
    if (right.is_error()) return right;
    switch (n.op) {
      case BinaryOp::kEq: return CompareValues(CompareOp::kEq, left, right);
      case BinaryOp::kNe: return CompareValues(CompareOp::kNe, left, right);
      case BinaryOp::kLt: return CompareValues(CompareOp::kLt, left, right);
      case BinaryOp::kLe: return CompareValues(CompareOp::kLe, left, right);
      case BinaryOp::kGt: return CompareValues(CompareOp::kGt, left, right);
      case BinaryOp::kGe: return CompareValues(CompareOp::kGe, left, right);
      case BinaryOp::kAdd: return Arithmetic(ArithOp::kAdd, left, right);
      case BinaryOp::kSub: return Arithmetic(ArithOp::kSub, left, right);
      case BinaryOp::kMul: return Arithmetic(ArithOp::kMul, left, right);
      case BinaryOp::kDiv: return Arithmetic(ArithOp::kDiv, left, right);
      case BinaryOp::kMod: return Arithmetic(ArithOp::kMod, left, right);
      default: return Value::Error("internal: unknown operator");
    }
  }

  Value EvalCall(const Node& n) const {
    const FunctionSpec& f = *n.function;
    if (f.flags & kEvaluatorHandled) return EvalSpecial(n);
    // Most calls have few arguments: keep them on the stack.
    constexpr uint32_t kInline = 8;
    Value inline_args[kInline];
    std::vector<Value> heap_args;
    Value* args = inline_args;
    if (n.child_count > kInline) {
      heap_args.resize(n.child_count);
      args = heap_args.data();
    }
    for (uint32_t k = 0; k < n.child_count; ++k) {
      args[k] = Eval(e_.child(n, k));
      if (args[k].is_error()) return args[k];
    }
    return f.impl(args, static_cast<int>(n.child_count), context_);
  }

  // coalesce(a, b), the one lazy function with an implementation: b is evaluated only when a is
  // empty, as in JavaRosa (`coalesce('a', date('x'))` is 'a'). Out of line: inlined into the
  // recursive evaluation it made every call's frame larger (score answers 1.4x slower).
  [[gnu::noinline]] Value EvalCoalesce(const Node& n, const FunctionSpec& f) const {
    Value args[2] = {Eval(e_.child(n, 0)), Value()};
    if (args[0].is_error()) return args[0];
    Value first = f.impl(args, 2, context_);  // a itself when it is not empty, else "" (b unread)
    if (!first.is_empty()) return first;
    args[1] = Eval(e_.child(n, 1));
    if (args[1].is_error()) return args[1];
    return f.impl(args, 2, context_);
  }

  Value EvalSpecial(const Node& n) const {
    std::string_view name = n.function->name;
    if (name == "coalesce") return EvalCoalesce(n, *n.function);
    if (name == "if") {
      Value condition = Eval(e_.child(n, 0));
      if (condition.is_error()) return condition;
      return Eval(e_.child(n, condition.ToBoolean() ? 1 : 2));
    }
    if (name == "once") {
      // once(x): keeps the value the item already has; computes x only while it is empty.
      Value current = scope_.Self();
      if (!current.is_empty()) return current;
      return Eval(e_.child(n, 0));
    }
    if (name == "position") return Value::Number(static_cast<double>(scope_.Position()));
    if (name == "score") {
      const Node& arg = e_.node(e_.child(n, 0));
      if (arg.kind != NodeKind::kRef) return Value::Error("score() needs ${question}");
      return scope_.Score(arg.target);
    }
    if (name == "jr:choice-name") {
      // The list was resolved from the second argument when the form compiled (Node::target).
      Value value = Eval(e_.child(n, 0));
      if (value.is_error()) return value;
      return scope_.ChoiceName(n.target, value);
    }
    if (name == "indexed-repeat") {
      // One level of repeats: indexed-repeat(${name}, ${repeat}, index).
      const Node& arg = e_.node(e_.child(n, 0));
      if (arg.kind != NodeKind::kRef && arg.kind != NodeKind::kRefAll) return Value::Error("indexed-repeat() needs ${question}");
      Value index = Eval(e_.child(n, 2));
      if (index.is_error()) return index;
      double position = index.ToNumber();
      if (!std::isfinite(position) || position < 1 || position > 1e9) return Value();
      return scope_.ReadAt(arg.target, static_cast<int64_t>(position));
    }
    return Value::Error("internal: unhandled function " + std::string(name));
  }

  const Expression& e_;
  const EvalScope& scope_;
  const FunctionContext& context_;
};

// Whether a node computes the same value whatever the answers: pure, and over children that do
// (constants, or constant subtrees whose evaluation failed and were left unfolded).
bool IsConstantOver(const Expression& e, const Node& n, const std::vector<bool>& failed) {
  switch (n.kind) {
    case NodeKind::kNegate:
    case NodeKind::kBinary:
      break;
    case NodeKind::kCall:
      // Pure functions, those the evaluator handles for their laziness (if, coalesce) included.
      if (!(n.function->flags & kPure)) return false;
      break;
    default:
      return false;
  }
  for (uint32_t k = 0; k < n.child_count; ++k) {
    const uint32_t child = e.child(n, k);
    if (e.node(child).kind != NodeKind::kConstant && !failed[child]) return false;
  }
  return true;
}

// How many of a node's first children every evaluation of the node evaluates: `a or b`, `a and
// b`, if(c, x, y) and coalesce(a, b) evaluate only their first child for sure; once(x) may not
// evaluate x at all.
uint32_t ChildrenAlwaysEvaluated(const Node& n) {
  if (n.kind == NodeKind::kBinary && (n.op == BinaryOp::kOr || n.op == BinaryOp::kAnd)) return 1;
  if (n.kind == NodeKind::kCall && (n.function->flags & kLazy)) return n.function->name == "once" ? 0 : 1;
  return n.child_count;
}

// The innermost failure that evaluating the failed node `i` meets: the failed child it evaluates
// (its children are constants or failed), down to a node whose own evaluation fails.
uint32_t InnermostFailure(const Expression& e, const std::vector<bool>& failed, uint32_t i) {
  for (;;) {
    const Node& n = e.nodes[i];
    uint32_t next = i;
    if (n.kind == NodeKind::kCall && n.function->name == "if" && !failed[e.child(n, 0)]) {
      next = e.child(n, e.constant(e.node(e.child(n, 0))).ToBoolean() ? 1 : 2);  // the branch taken
    } else {
      for (uint32_t k = 0; k < n.child_count && next == i; ++k) {
        if (failed[e.child(n, k)]) next = e.child(n, k);  // evaluated in order, the first error ends it
      }
    }
    if (next == i || !failed[next]) return i;
    i = next;
  }
}

}  // namespace

Value Evaluate(const Expression& expression, const EvalScope& scope, const FunctionContext& context) {
  if (expression.nodes.empty()) return Value();
  return Evaluation(expression, scope, context).Eval(expression.root);
}

Status FoldConstants(Expression& e) {
  // Children always precede their parents in `nodes` (the parser creates them first), so one
  // forward pass folds bottom-up. A constant subtree whose evaluation fails (date('x')) is left
  // as it is: it may sit in a branch that is never taken (if(true(), 1, date('x'))).
  EmptyScope scope;
  FunctionContext context;
  bool folded_any = false;
  std::vector<bool> failed(e.nodes.size(), false);
  for (uint32_t i = 0; i < e.nodes.size(); ++i) {
    if (!IsConstantOver(e, e.nodes[i], failed)) continue;
    Value folded = Evaluation(e, scope, context).Eval(i);
    if (folded.is_error()) {
      failed[i] = true;
      continue;
    }
    Node& n = e.nodes[i];
    n.kind = NodeKind::kConstant;
    n.payload = static_cast<uint32_t>(e.constants.size());
    e.constants.push_back(std::move(folded));
    n.child_count = 0;
    n.function = nullptr;
    folded_any = true;
  }
  // A failure is a load error when every evaluation of the whole expression meets it. Walked
  // from the root, parents first (they follow their children in `nodes`).
  if (!e.nodes.empty()) {
    std::vector<bool> always(e.nodes.size(), false);
    always[e.root] = true;
    for (uint32_t i = static_cast<uint32_t>(e.nodes.size()); i-- > 0;) {
      if (!always[i]) continue;
      const Node& n = e.nodes[i];
      const uint32_t sure = ChildrenAlwaysEvaluated(n);
      for (uint32_t k = 0; k < sure; ++k) always[e.child(n, k)] = true;
    }
    for (uint32_t i = 0; i < e.nodes.size(); ++i) {
      if (!failed[i] || !always[i]) continue;
      i = InnermostFailure(e, failed, i);
      Value error = Evaluation(e, scope, context).Eval(i);
      // The column field carries the node's position; the caller, who has the source, converts it.
      return Status::InvalidArgument(error.text(), {}, e.nodes[i].position);
    }
  }
  if (folded_any) CompactExpression(e);
  return Status::Ok();
}

}  // namespace chosa
