// Parses XLSForm expression syntax into an Expression tree. Names are not resolved here:
// kRef and kCall nodes carry the name as written, and the form compiler resolves them.
#ifndef CHOSA_ENGINE_EXPR_PARSER_H_
#define CHOSA_ENGINE_EXPR_PARSER_H_

#include <string_view>

#include "chosa/status.h"
#include "expr/ast.h"

namespace chosa {

// Longest expression accepted, in bytes, and deepest nesting of parentheses, calls and operators:
// limits that keep a hostile form from exhausting the stack or the memory of a tablet.
constexpr size_t kMaxExpressionBytes = 16 * 1024;
constexpr int kMaxExpressionDepth = 64;
constexpr int kMaxExpressionHeight = 256;  // operations nested in the tree, chains included

// On failure, the Status has the 1-based column (in code points) of the offending token and says
// what was expected. Function names are looked up (unknown name: an error with "did you mean").
Result<Expression> ParseExpression(std::string_view source);

// 1-based code point column of byte offset `offset` in `text`.
int ColumnOfOffset(std::string_view text, size_t offset);

}  // namespace chosa

#endif  // CHOSA_ENGINE_EXPR_PARSER_H_
