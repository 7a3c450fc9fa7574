// Evaluates a compiled Expression against an EvalScope: the reader of answers that the form
// state (or a test) provides. Evaluation never throws and never looks a name up: references were
// resolved to item indices when the form was compiled.
#ifndef CHOSA_ENGINE_EXPR_EVALUATOR_H_
#define CHOSA_ENGINE_EXPR_EVALUATOR_H_

#include <cstdint>
#include <string_view>

#include "chosa/value.h"
#include "chosa/status.h"
#include "expr/ast.h"
#include "expr/functions.h"

namespace chosa {

// What an expression reads while it is evaluated. All reads of non-relevant items give "".
class EvalScope {
 public:
  virtual ~EvalScope() = default;
  // ${name}: the value of `item` (in the current repeat instance when it is in the same repeat).
  virtual Value Read(int32_t item) const = 0;
  // ${name} inside an aggregate: every instance of a repeat child, every row of a matrix, or
  // the instances of a repeat itself (for count()).
  virtual Value ReadAll(int32_t item) const = 0;
  // indexed-repeat(${name}, ${repeat}, index): `item` in instance `position` (1-based).
  virtual Value ReadAt(int32_t item, int64_t position) const = 0;
  // . : the value of the item whose expression this is.
  virtual Value Self() const = 0;
  // A bare name in a choice_filter: an attribute of the candidate choice ("" if it has none).
  virtual Value Attribute(std::string_view name) const = 0;
  // position(): the 1-based position of the current repeat instance (0 outside repeats).
  virtual int64_t Position() const = 0;
  // score(${q}): the score of the choice selected in `item` ("" if none or no score).
  virtual Value Score(int32_t item) const = 0;
  // jr:choice-name(value, '${q}'): the labels of the choices `values` names (several separated by
  // spaces) in choice list `list`, in the session's language; "" when there is no form or list.
  virtual Value ChoiceName(int32_t list, const Value& values) const {
    (void)list;
    (void)values;
    return Value();
  }
};

// A scope that has no answers: for expressions over literals only (and constant folding).
class EmptyScope final : public EvalScope {
 public:
  Value Read(int32_t) const override { return Value(); }
  Value ReadAll(int32_t) const override { return Value::Nodeset({}); }
  Value ReadAt(int32_t, int64_t) const override { return Value(); }
  Value Self() const override { return Value(); }
  Value Attribute(std::string_view) const override { return Value(); }
  int64_t Position() const override { return 0; }
  Value Score(int32_t) const override { return Value(); }
};

Value Evaluate(const Expression& expression, const EvalScope& scope, const FunctionContext& context);

// Replaces every subtree that reads nothing and calls only pure functions by its value. A
// constant subtree whose evaluation fails (a constant bad date, say) is left unfolded; when every
// evaluation of the whole expression would evaluate it (not only a branch of if(), the right side
// of `or`/`and` or coalesce's second argument), its error is returned as a Status whose column()
// is the subtree's Node::position (byte offset + 1), so that the fault is found when the form
// loads; convert it with ColumnOfOffset(source, position - 1).
Status FoldConstants(Expression& expression);

}  // namespace chosa

#endif  // CHOSA_ENGINE_EXPR_EVALUATOR_H_
