// What the engine's own files read of a Form beyond its public interface: the compiled
// expressions (indices held by Item and FormSettings) and the dependency graph.
#ifndef CHOSA_ENGINE_FORM_FORM_INTERNALS_H_
#define CHOSA_ENGINE_FORM_FORM_INTERNALS_H_

#include <cstdint>

#include "chosa/form.h"
#include "expr/ast.h"
#include "form/dependency_graph.h"

namespace chosa {

const Expression& ExpressionOf(const Form& form, int32_t index);
const DependencyGraph& GraphOf(const Form& form);

// Whether an item's answer is one a person gives, counted in the filling's progress: every answer
// type and matrix row, but not one the form computes (a `calculation` makes a question read-only).
inline bool TakesAnswer(const Item& item) {
  bool answer_type = (item.type >= ItemType::kText && item.type <= ItemType::kAcknowledge) ||
                     item.type == ItemType::kMatrixRow;
  return answer_type && item.calculation == kNone;
}

}  // namespace chosa

#endif  // CHOSA_ENGINE_FORM_FORM_INTERNALS_H_
