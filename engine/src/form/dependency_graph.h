// Who reads whom: the nodes that hold a computed property of an item (its relevance, its
// calculated value, its required / read-only / constraint state, a repeat's count), the items
// each node reads, and a topological rank per node. Built once when the form loads; the
// evaluation state walks it to re-evaluate only what depends on a change.
#ifndef CHOSA_ENGINE_FORM_DEPENDENCY_GRAPH_H_
#define CHOSA_ENGINE_FORM_DEPENDENCY_GRAPH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "chosa/form.h"

namespace chosa {

enum class NodeProperty : uint8_t { kRelevant, kCalculation, kRequired, kReadOnly, kConstraint, kRepeatCount };
constexpr int kNodeProperties = 6;
const char* NodePropertyName(NodeProperty property);

struct GraphNode {
  int32_t item = kNone;
  NodeProperty property = NodeProperty::kRelevant;
  int32_t expression = kNone;  // kNone: a relevance node that only inherits its parent's
  int32_t rank = 0;            // every node reads only nodes of lower rank
  int32_t slot = 0;            // index of its cached result in its item's block
};

// A node that must be re-evaluated when an item's value (as expressions read it) changes.
struct Reader {
  int32_t node;
  // True when reader and item sit in the same repeat and the reader reads its own instance's
  // sibling: only that instance's node is affected. Otherwise every instance of the reader is.
  bool same_instance;
};

class DependencyGraph {
 public:
  const std::vector<GraphNode>& nodes() const { return nodes_; }
  const GraphNode& node(int32_t index) const { return nodes_[static_cast<size_t>(index)]; }
  // The node holding `property` of `item`, or kNone.
  int32_t NodeOf(int32_t item, NodeProperty property) const {
    return node_of_[static_cast<size_t>(item) * kNodeProperties + static_cast<size_t>(property)];
  }
  // Nodes whose expressions read `item`'s value.
  const std::vector<Reader>& ReadersOf(int32_t item) const { return readers_[static_cast<size_t>(item)]; }
  // Relevance nodes of the items directly below `item` (they inherit its relevance).
  const std::vector<int32_t>& InheritorsOf(int32_t item) const { return inheritors_[static_cast<size_t>(item)]; }
  // Node indices in rank order: the order of a full evaluation.
  const std::vector<int32_t>& order() const { return order_; }
  // Number of cached node results in the root block and in a repeat's instance block.
  int32_t root_node_slots() const { return root_node_slots_; }
  int32_t repeat_node_slots(int32_t repeat) const;

 private:
  friend class FormCompiler;
  std::vector<GraphNode> nodes_;
  std::vector<int32_t> node_of_;
  std::vector<std::vector<Reader>> readers_;
  std::vector<std::vector<int32_t>> inheritors_;
  std::vector<int32_t> order_;
  int32_t root_node_slots_ = 0;
  std::vector<std::pair<int32_t, int32_t>> repeat_node_slots_;  // (repeat item, slots)
};

}  // namespace chosa

#endif  // CHOSA_ENGINE_FORM_DEPENDENCY_GRAPH_H_
