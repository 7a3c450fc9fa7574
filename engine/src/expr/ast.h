// The syntax tree of one expression, stored flat: nodes live in one vector and refer to their
// children by index, so an expression is one allocation and cheap to walk.
#ifndef CHOSA_ENGINE_EXPR_AST_H_
#define CHOSA_ENGINE_EXPR_AST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "chosa/value.h"

namespace chosa {

struct FunctionSpec;

enum class NodeKind : uint8_t {
  kConstant,   // a literal, or a subtree folded at compile time
  kRef,        // ${name}: one value (same repeat instance when inside a repeat)
  kRefAll,     // ${name} as an aggregate's argument: every instance / every matrix row
  kSelf,       // . : the item's own value
  kAttribute,  // a bare name in a choice_filter: an attribute of the candidate choice
  kNegate,     // unary -
  kBinary,     // op in `op`
  kCall,       // function in `function`
};

enum class BinaryOp : uint8_t { kOr, kAnd, kEq, kNe, kLt, kLe, kGt, kGe, kAdd, kSub, kMul, kDiv, kMod };

// 32 bytes: names and constants live beside the nodes, so that a form of thousands of
// expressions stays small and a walk over nodes stays in cache.
struct Node {
  NodeKind kind = NodeKind::kConstant;
  BinaryOp op = BinaryOp::kOr;
  uint16_t height = 1;       // of its subtree: bounds the evaluator's recursion
  // Where the node's token starts: its byte offset + 1 (counting code points costs a scan, so
  // the 1-based column is computed only for a fault: ColumnOfOffset(source, position - 1)).
  int32_t position = 0;
  int32_t target = -1;       // kRef/kRefAll: item index once resolved; jr:choice-name: its list
  uint32_t first_child = 0;  // index into Expression::children
  uint32_t child_count = 0;
  // kConstant: index into Expression::constants; kRef/kRefAll/kAttribute/kCall: into names.
  uint32_t payload = 0;
  const FunctionSpec* function = nullptr;  // kCall
};

// One compiled expression: the nodes, the children lists, the names and constants, the root.
struct Expression {
  std::vector<Node> nodes;
  std::vector<uint32_t> children;
  std::vector<std::string> names;   // as written: "ward" for ${ward}, "block", "concat"
  std::vector<Value> constants;
  uint32_t root = 0;
  // Its value depends on the session's language (jr:choice-name): set when the form compiles,
  // after folding; the evaluation state re-evaluates such nodes when the language changes.
  bool reads_language = false;

  const Node& node(uint32_t i) const { return nodes[i]; }
  uint32_t child(const Node& n, uint32_t k) const { return children[n.first_child + k]; }
  const std::string& name(const Node& n) const { return names[n.payload]; }
  const Value& constant(const Node& n) const { return constants[n.payload]; }
  bool is_constant() const { return !nodes.empty() && nodes[root].kind == NodeKind::kConstant; }
};

// Drops the nodes, names and constants that folding left unreachable, and trims capacity.
void CompactExpression(Expression& expression);

}  // namespace chosa

#endif  // CHOSA_ENGINE_EXPR_AST_H_
