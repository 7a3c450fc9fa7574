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

}  // namespace chosa

#endif  // CHOSA_ENGINE_FORM_FORM_INTERNALS_H_
