// Pass 3 of the form compiler: the dependency graph. Nodes for every computed property, the
// readers of each item, topological ranks (Kahn), and every reference cycle named by its path.
#include <algorithm>
#include <functional>

#include "form/compiler_support.h"
#include "form/form_compiler.h"
#include "form/form_internals.h"

namespace chosa {

namespace {

// Groups `pairs` by key (0 <= key < keys), keeping their order within a key: the values back to
// back in `values`, key k's at [begin[k], begin[k + 1]). One allocation per array, however many
// lists: a form has tens of thousands of them, most of one or two elements.
template <typename V>
void GroupByKey(const std::vector<std::pair<int32_t, V>>& pairs, size_t keys, std::vector<V>& values,
                std::vector<uint32_t>& begin) {
  begin.assign(keys + 1, 0);
  for (const auto& p : pairs) ++begin[static_cast<size_t>(p.first) + 1];
  for (size_t k = 0; k < keys; ++k) begin[k + 1] += begin[k];
  values.resize(pairs.size());
  std::vector<uint32_t> next(begin.begin(), begin.end() - 1);
  for (const auto& p : pairs) values[next[static_cast<size_t>(p.first)]++] = p.second;
}

}  // namespace

// The dependency graph

void FormCompiler::BuildGraph() {
  DependencyGraph& g = *form_->graph_;
  const auto& items = form_->items_;
  const size_t item_count = items.size();
  g.node_of_.assign(item_count * kNodeProperties, kNone);

  // Next free node slot by block: [0] the root, [r + 1] repeat r's instances.
  std::vector<int32_t> node_slots(item_count + 1, 0);
  auto add_node = [&](int32_t item, NodeProperty property, int32_t expression) {
    GraphNode node;
    node.item = item;
    node.property = property;
    node.expression = expression;
    // A repeat's own nodes (relevance, count) live outside its instances.
    int32_t block = items[static_cast<size_t>(item)].repeat;
    node.slot = node_slots[static_cast<size_t>(block + 1)]++;
    g.nodes_.push_back(node);
    int32_t index = static_cast<int32_t>(g.nodes_.size() - 1);
    g.node_of_[static_cast<size_t>(item) * kNodeProperties + static_cast<size_t>(property)] = index;
    return index;
  };
  // Items are in document order, so a parent's relevance node exists before its children's.
  std::vector<std::pair<int32_t, int32_t>> inheritors;  // (parent item, child's relevance node)
  for (size_t i = 0; i < item_count; ++i) {
    const Item& item = items[i];
    int32_t self = static_cast<int32_t>(i);
    int32_t parent_relevance = item.parent == kNone ? kNone : g.NodeOf(item.parent, NodeProperty::kRelevant);
    if (item.relevant != kNone || parent_relevance != kNone) {
      int32_t node = add_node(self, NodeProperty::kRelevant, item.relevant);
      if (parent_relevance != kNone) inheritors.emplace_back(item.parent, node);
      if (TakesAnswer(item)) {
        // A matrix row is read-only when its matrix is; the matrix precedes its rows.
        const Item& owner = item.type == ItemType::kMatrixRow ? items[static_cast<size_t>(item.parent)] : item;
        g.nodes_[static_cast<size_t>(node)].counts = owner.read_only_if != kNone ? 2 : owner.read_only ? 0 : 1;
      }
    }
    if (item.calculation != kNone) add_node(self, NodeProperty::kCalculation, item.calculation);
    if (item.required_if != kNone) add_node(self, NodeProperty::kRequired, item.required_if);
    if (item.read_only_if != kNone) add_node(self, NodeProperty::kReadOnly, item.read_only_if);
    if (item.constraint != kNone) add_node(self, NodeProperty::kConstraint, item.constraint);
    if (item.repeat_count != kNone) add_node(self, NodeProperty::kRepeatCount, item.repeat_count);
  }
  // The questions the progress counts, by block, for a count from scratch.
  {
    std::vector<int32_t> block_of_repeat(item_count, 0);
    for (size_t r = 0; r < form_->repeats_.size(); ++r) block_of_repeat[static_cast<size_t>(form_->repeats_[r])] = static_cast<int32_t>(r + 1);
    std::vector<std::pair<int32_t, CountedQuestion>> counted;  // (block, question)
    g.fresh_counts_.assign(form_->repeats_.size() + 1, {0, 0});
    for (size_t i = 0; i < item_count; ++i) {
      const Item& item = items[i];
      if (!TakesAnswer(item)) continue;
      CountedQuestion q;
      q.value_slot = item.slot;
      int32_t relevance = g.NodeOf(static_cast<int32_t>(i), NodeProperty::kRelevant);
      if (relevance != kNone) q.relevance_slot = g.nodes_[static_cast<size_t>(relevance)].slot;
      int32_t owner = item.type == ItemType::kMatrixRow ? item.parent : static_cast<int32_t>(i);
      int32_t read_only = g.NodeOf(owner, NodeProperty::kReadOnly);
      if (read_only != kNone) {
        q.read_only_slot = g.nodes_[static_cast<size_t>(read_only)].slot;
      } else if (items[static_cast<size_t>(owner)].read_only) {
        q.read_only_slot = CountedQuestion::kReadOnly;
      }
      const int32_t block = item.repeat == kNone ? 0 : block_of_repeat[static_cast<size_t>(item.repeat)];
      counted.emplace_back(block, q);
      if (q.relevance_slot == CountedQuestion::kAlways && q.read_only_slot != CountedQuestion::kReadOnly) {
        ++g.fresh_counts_[static_cast<size_t>(block)].first;
        if (!item.default_value.empty()) ++g.fresh_counts_[static_cast<size_t>(block)].second;
      }
    }
    GroupByKey(counted, form_->repeats_.size() + 1, g.counted_, g.counted_begin_);
  }
  g.root_node_slots_ = node_slots[0];
  for (int32_t repeat : form_->repeats_) {
    g.repeat_node_slots_.emplace_back(repeat, node_slots[static_cast<size_t>(repeat + 1)]);
  }
  GroupByKey(inheritors, item_count, g.inheritors_, g.inheritors_begin_);

  // Readers: which nodes read which items.
  std::vector<std::pair<int32_t, Reader>> readers;  // (item read, reader)
  std::vector<int32_t> last_reader(item_count, -1);  // by item: its latest entry in `readers`
  for (size_t n = 0; n < g.nodes_.size(); ++n) {
    const GraphNode& node = g.nodes_[n];
    if (node.expression == kNone) continue;
    const Expression& e = form_->expressions_[static_cast<size_t>(node.expression)];
    const Item& reader_item = items[static_cast<size_t>(node.item)];
    int32_t reader_repeat = reader_item.repeat;
    auto add_reader = [&](int32_t target, bool same_instance) {
      // Nodes are visited in order, so a node reading an item twice finds itself last.
      int32_t& last = last_reader[static_cast<size_t>(target)];
      if (last >= 0 && readers[static_cast<size_t>(last)].second.node == static_cast<int32_t>(n)) {
        Reader& reader = readers[static_cast<size_t>(last)].second;
        reader.same_instance = reader.same_instance && same_instance;
        return;
      }
      last = static_cast<int32_t>(readers.size());
      readers.push_back({target, Reader{static_cast<int32_t>(n), same_instance}});
    };
    for (const Node& x : e.nodes) {
      if (x.kind == NodeKind::kSelf) {
        add_reader(node.item, true);
      } else if (x.kind == NodeKind::kRef) {
        const Item& t = items[static_cast<size_t>(x.target)];
        add_reader(x.target, t.repeat != kNone && t.repeat == reader_repeat);
      } else if (x.kind == NodeKind::kRefAll) {
        const Item& t = items[static_cast<size_t>(x.target)];
        add_reader(x.target, false);
        if (t.type == ItemType::kMatrix) {
          for (int32_t row : t.children) add_reader(row, false);
        }
      }
    }
  }

  // Ranks by Kahn's algorithm over edges source -> reader, where a source is the relevance or
  // calculation node of a read item, a parent's relevance for its children, and a repeat's
  // count for whoever reads the repeat or its children.
  GroupByKey(readers, item_count, g.readers_, g.readers_begin_);
  const size_t node_count = g.nodes_.size();
  std::vector<std::pair<int32_t, int32_t>> edge_list;  // (source, reader)
  auto sources_of_item = [&](int32_t item, auto&& visit) {
    for (NodeProperty p : {NodeProperty::kRelevant, NodeProperty::kCalculation}) {
      int32_t source = g.NodeOf(item, p);
      if (source != kNone) visit(source);
    }
    const Item& it = items[static_cast<size_t>(item)];
    int32_t repeat = it.type == ItemType::kRepeat ? item : it.repeat;
    if (repeat != kNone) {
      int32_t count = g.NodeOf(repeat, NodeProperty::kRepeatCount);
      if (count != kNone) visit(count);
    }
  };
  for (size_t item = 0; item < item_count; ++item) {
    for (const Reader& r : g.ReadersOf(static_cast<int32_t>(item))) {
      sources_of_item(static_cast<int32_t>(item), [&](int32_t source) { edge_list.emplace_back(source, r.node); });
    }
    int32_t own = g.NodeOf(static_cast<int32_t>(item), NodeProperty::kRelevant);
    for (int32_t child : g.InheritorsOf(static_cast<int32_t>(item))) edge_list.emplace_back(own, child);
  }
  std::vector<int32_t> edge_targets;
  std::vector<uint32_t> edges_begin;
  GroupByKey(edge_list, node_count, edge_targets, edges_begin);
  auto edges = [&](int32_t node) {
    const size_t n = static_cast<size_t>(node);
    return Span<int32_t>(edge_targets.data() + edges_begin[n], edge_targets.data() + edges_begin[n + 1]);
  };
  std::vector<int32_t> indegree(node_count, 0);
  for (int32_t to : edge_targets) ++indegree[static_cast<size_t>(to)];
  std::vector<int32_t> ready;
  for (size_t n = 0; n < node_count; ++n) {
    if (indegree[n] == 0) ready.push_back(static_cast<int32_t>(n));
  }
  size_t head = 0;
  while (head < ready.size()) {
    int32_t n = ready[head++];
    g.order_.push_back(n);
    for (int32_t to : edges(n)) {
      auto& target = g.nodes_[static_cast<size_t>(to)];
      target.rank = std::max(target.rank, g.nodes_[static_cast<size_t>(n)].rank + 1);
      if (--indegree[static_cast<size_t>(to)] == 0) ready.push_back(to);
    }
  }
  if (g.order_.size() == node_count) {
    // Order by rank so that a full evaluation can walk `order_` front to back.
    std::stable_sort(g.order_.begin(), g.order_.end(), [&](int32_t a, int32_t b) {
      return g.nodes_[static_cast<size_t>(a)].rank < g.nodes_[static_cast<size_t>(b)].rank;
    });
    for (int32_t n : g.order_) {
      const GraphNode& node = g.nodes_[static_cast<size_t>(n)];
      if (node.expression != kNone && form_->expressions_[static_cast<size_t>(node.expression)].reads_language) {
        g.language_nodes_.push_back(n);
      }
    }
    return;
  }
  // Some nodes lie on cycles: report each cycle once, naming its path.
  std::vector<uint8_t> state(node_count, 0);  // 0 unseen, 1 on stack, 2 done
  std::vector<int32_t> stack;
  auto describe = [&](int32_t n) {
    const GraphNode& node = g.nodes_[static_cast<size_t>(n)];
    return Ref(items[static_cast<size_t>(node.item)].name) + " (" + NodePropertyName(node.property) + ")";
  };
  std::function<bool(int32_t)> visit = [&](int32_t n) -> bool {
    state[static_cast<size_t>(n)] = 1;
    stack.push_back(n);
    for (int32_t to : edges(n)) {
      if (indegree[static_cast<size_t>(to)] == 0) continue;  // not on a cycle
      if (state[static_cast<size_t>(to)] == 1) {
        auto from = std::find(stack.begin(), stack.end(), to);
        std::string path;
        for (auto it = from; it != stack.end(); ++it) path += describe(*it) + " -> ";
        path += describe(to);
        const GraphNode& first = g.nodes_[static_cast<size_t>(to)];
        Fault(ItemPointer(first.item) + "/" + NodePropertyName(first.property),
              "reference cycle: " + path);
        return true;
      }
      if (state[static_cast<size_t>(to)] == 0 && visit(to)) return true;
    }
    stack.pop_back();
    state[static_cast<size_t>(n)] = 2;
    return false;
  };
  for (size_t n = 0; n < node_count; ++n) {
    if (indegree[n] != 0 && state[n] == 0) {
      stack.clear();
      if (visit(static_cast<int32_t>(n))) {
        // Mark the whole stack done so that each cycle is reported once.
        for (size_t k = 0; k < node_count; ++k) {
          if (state[k] == 1) state[k] = 2;
        }
      }
    }
  }
}

}  // namespace chosa
