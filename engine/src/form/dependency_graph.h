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
  // A relevance node of a question that takes an answer (TakesAnswer), counted by the evaluation
  // state while relevant: 1 when the question is writable for good, 2 when its read-only state (or
  // its matrix's) is an expression; 0 otherwise. (Beside `property`: no room added.)
  uint8_t counts = 0;
  int32_t expression = kNone;  // kNone: a relevance node that only inherits its parent's
  int32_t rank = 0;            // every node reads only nodes of lower rank
  int32_t slot = 0;            // index of its cached result in its item's block
};

// A question the filling's progress counts (TakesAnswer), as the evaluation state reads it in one
// block (the root, or an instance of its repeat): where its value, its relevance and its
// read-only state are. Laid out for a count from scratch that walks them in order.
struct CountedQuestion {
  static constexpr int32_t kAlways = -1;        // relevance_slot: no node, always relevant
  static constexpr int32_t kWritable = -1;      // read_only_slot: never read-only
  static constexpr int32_t kReadOnly = -2;      // read_only_slot: read-only for good
  int32_t value_slot = 0;                       // Item::slot
  int32_t relevance_slot = kAlways;             // GraphNode::slot of its relevance node
  int32_t read_only_slot = kWritable;           // GraphNode::slot of its (matrix's) read-only node
};

// A node that must be re-evaluated when an item's value (as expressions read it) changes.
struct Reader {
  int32_t node;
  // True when reader and item sit in the same repeat and the reader reads its own instance's
  // sibling: only that instance's node is affected. Otherwise every instance of the reader is.
  bool same_instance;
};

// A read-only view of consecutive elements (the graph keeps its lists back to back).
template <typename T>
class Span {
 public:
  Span(const T* first, const T* last) : first_(first), last_(last) {}
  const T* begin() const { return first_; }
  const T* end() const { return last_; }
  size_t size() const { return static_cast<size_t>(last_ - first_); }
  bool empty() const { return first_ == last_; }

 private:
  const T* first_;
  const T* last_;
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
  Span<Reader> ReadersOf(int32_t item) const {
    const size_t i = static_cast<size_t>(item);
    return {readers_.data() + readers_begin_[i], readers_.data() + readers_begin_[i + 1]};
  }
  // Relevance nodes of the items directly below `item` (they inherit its relevance).
  Span<int32_t> InheritorsOf(int32_t item) const {
    const size_t i = static_cast<size_t>(item);
    return {inheritors_.data() + inheritors_begin_[i], inheritors_.data() + inheritors_begin_[i + 1]};
  }
  // Node indices in rank order: the order of a full evaluation.
  const std::vector<int32_t>& order() const { return order_; }
  // Nodes whose expression reads the session's language (jr:choice-name), in rank order.
  const std::vector<int32_t>& language_nodes() const { return language_nodes_; }
  // The questions the progress counts in block `block`: 0 the root, r + 1 an instance of the
  // repeat at position r of Form::repeats().
  Span<CountedQuestion> CountedIn(size_t block) const {
    return {counted_.data() + counted_begin_[block], counted_.data() + counted_begin_[block + 1]};
  }
  // The counts of a block just made, before any evaluation, holding only its defaults: its
  // questions without a relevance node (unless read-only for good), and those of them with a
  // default (a default is never empty: one that does not parse fails the form's load).
  int32_t FreshQuestions(size_t block) const { return fresh_counts_[block].first; }
  int32_t FreshAnswered(size_t block) const { return fresh_counts_[block].second; }
  // Number of cached node results in the root block and in a repeat's instance block.
  int32_t root_node_slots() const { return root_node_slots_; }
  int32_t repeat_node_slots(int32_t repeat) const;

 private:
  friend class FormCompiler;
  std::vector<GraphNode> nodes_;
  std::vector<int32_t> node_of_;
  // Lists by item, back to back: item i's are [begin_[i], begin_[i + 1]).
  std::vector<Reader> readers_;
  std::vector<uint32_t> readers_begin_;
  std::vector<int32_t> inheritors_;
  std::vector<uint32_t> inheritors_begin_;
  std::vector<int32_t> order_;
  std::vector<int32_t> language_nodes_;
  std::vector<CountedQuestion> counted_;  // by block, back to back
  std::vector<uint32_t> counted_begin_;
  std::vector<std::pair<int32_t, int32_t>> fresh_counts_;  // by block: (questions, answered)
  int32_t root_node_slots_ = 0;
  std::vector<std::pair<int32_t, int32_t>> repeat_node_slots_;  // (repeat item, slots)
};

}  // namespace chosa

#endif  // CHOSA_ENGINE_FORM_DEPENDENCY_GRAPH_H_
