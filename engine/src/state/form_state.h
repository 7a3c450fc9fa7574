// The answers of one filling of a form and everything computed from them: relevance,
// calculated values, required / read-only / constraint states, repeat instances. Setting an
// answer re-evaluates only the nodes that read it, in rank order, stopping where a result did
// not change, so the cost of an answer grows with what depends on it, not with the form.
//
// Values live in blocks: one root block for the items outside repeats, one block per instance
// of each repeat, each laid out by Item::slot. Node results are cached in the same blocks.
//
// REQUIRES: external synchronization (one session, one thread at a time). The Form is shared.
#ifndef CHOSA_ENGINE_STATE_FORM_STATE_H_
#define CHOSA_ENGINE_STATE_FORM_STATE_H_

#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "chosa/form.h"
#include "chosa/value.h"
#include "expr/functions.h"
#include "form/dependency_graph.h"

namespace chosa {

class Env;

class FormState {
 public:
  // Starts an empty filling: defaults set, `min` instances of each repeat, everything evaluated.
  // `evaluate` false leaves the evaluation to the caller's EvaluateAll, for a filling restored
  // with SetValueQuietly (one full pass instead of two).
  FormState(std::shared_ptr<const Form> form, Env* env, bool evaluate = true);

  FormState(const FormState&) = delete;
  FormState& operator=(const FormState&) = delete;

  const Form& form() const { return *form_; }

  // Stores `value` as the answer of `item` (in repeat instance `instance`, 0-based; ignored
  // outside repeats) and re-evaluates what depends on it. No type checks: the session's job.
  // REQUIRES: HoldsAnswer(item type); instance < InstanceCount(repeat) when in a repeat.
  void SetValue(int32_t item, Value value, int32_t instance = 0);

  // The stored answer (calculated items: the computed value), whether relevant or not.
  const Value& StoredValue(int32_t item, int32_t instance = 0) const;
  // The value as expressions read it: "" when the item is not relevant.
  Value ReadValue(int32_t item, int32_t instance = 0) const;

  bool IsRelevant(int32_t item, int32_t instance = 0) const;
  bool IsRequired(int32_t item, int32_t instance = 0) const;
  bool IsReadOnly(int32_t item, int32_t instance = 0) const;
  // False when the item has a constraint, a non-empty value and the constraint is not met.
  bool ConstraintHolds(int32_t item, int32_t instance = 0) const;
  // The last result of the node holding `property` of `item`: an error value when its
  // expression could not be evaluated (a bad date, say); "" when the item has no such node.
  Value NodeResultOf(int32_t item, NodeProperty property, int32_t instance = 0) const;

  int32_t InstanceCount(int32_t repeat) const;
  // Appends an instance (with defaults) and returns its 0-based position.
  int32_t AddInstance(int32_t repeat);
  // Removes instance `position`; later instances move down by one.
  void RemoveInstance(int32_t repeat, int32_t position);

  // For rebuilding a saved filling: set values and instance counts without re-evaluating, then
  // evaluate everything once with EvaluateAll().
  void SetValueQuietly(int32_t item, Value value, int32_t instance = 0);
  void SetInstanceCountQuietly(int32_t repeat, int32_t count);
  void EvaluateAll();

  // The language (an index into Form::languages()) that jr:choice-name gives labels in; the form's
  // default until set. Changing it re-evaluates the nodes that read it (and what reads them).
  void SetLanguage(size_t language);
  size_t language() const { return language_; }

  // Evaluates an expression of the form (a choice filter, a label's ${}, the instance name) in
  // the context of `item` / `instance`; `choice` is the candidate of a choice filter.
  Value EvaluateIn(int32_t expression, int32_t item, int32_t instance, const Choice* choice = nullptr) const;

  // How many node evaluations ran since construction: lets tests check that an answer
  // re-evaluates exactly its dependents.
  uint64_t evaluations() const { return evaluations_; }

  // The relevant questions of the whole filling that take an answer — every answer type and
  // matrix row, in every repeat instance; not notes, calculates, structure, nor questions that
  // are read-only now (a `calculation` or `read_only`; a row when its matrix is) — and how many
  // of them hold an answer. Kept where values, relevance, read-only states and instances change
  // (each change adjusts its own item's share), so reading them is O(1). The first EvaluateAll
  // starts from what the graph knows of blocks holding only defaults (after a quiet restore, from
  // one walk over the questions) and moves the counts as its nodes flip. Valid from EvaluateAll on.
  int32_t questions() const { return questions_; }
  int32_t answered() const { return answered_; }
  // Whether `item` in `instance` is one of questions() now.
  bool CountsAsQuestion(int32_t item, int32_t instance = 0) const;

 private:
  struct Block {
    std::vector<Value> values;        // by Item::slot
    // By Item::slot: whether the value is not empty. Kept wherever a value is written, so that a
    // relevance flip counts an answer without reading the (larger, colder) value itself.
    std::vector<uint8_t> filled;
    std::vector<Value> results;       // by GraphNode::slot
    std::vector<uint8_t> queued;      // by GraphNode::slot: already in the dirty queue
  };
  struct Dirty {
    int32_t rank;
    int32_t node;
    int32_t instance;                 // kNone outside repeats
    bool operator>(const Dirty& other) const {
      return rank != other.rank ? rank > other.rank : node != other.node ? node > other.node : instance > other.instance;
    }
  };
  class Scope;

  Block& BlockOf(int32_t repeat, int32_t instance);
  const Block& BlockOf(int32_t repeat, int32_t instance) const;
  Block NewBlock(int32_t repeat) const;
  const Value& NodeResult(int32_t node, int32_t instance) const;
  int32_t RepeatIndex(int32_t repeat) const;

  // Queues `node` for re-evaluation after a change in instance `instance` of `from_repeat`.
  void Enqueue(int32_t node, bool same_instance, int32_t from_repeat, int32_t instance);
  void EnqueueReadersOf(int32_t item, int32_t instance);
  void EnqueueAllOfBlock(int32_t repeat, int32_t instance);
  void Propagate();
  // Re-evaluates one node; true when its result changed.
  bool EvaluateNode(int32_t node, int32_t instance);
  void ApplyRepeatCount(int32_t repeat, double wanted);
  void InstancesChanged(int32_t repeat);
  void SetDefaults(int32_t repeat, int32_t instance);
  // Adds (`sign` 1) or takes away (-1) the shares of the questions of one block (its index as in
  // DependencyGraph::CountedIn) in questions_ and answered_, as the state is now: for instances
  // that come and go, and the first count.
  void CountBlock(const Block& block, size_t block_index, int32_t sign);
  // Adds the shares of the questions of a block none of whose nodes was evaluated yet: those
  // without a relevance node, unless read-only for good.
  void CountUnevaluated(const Block& block, size_t block_index);
  // The same as CountBlock for one repeat instance, while counting.
  void CountInstance(int32_t repeat, int32_t instance, int32_t sign);
  void Recount();
  // The read-only state of `item` (a matrix: of its rows) that became `now` in `instance`: moves
  // their shares. Out of line: EvaluateNode stays small (a relevance flip is counted there).
  [[gnu::noinline]] void CountReadOnly(int32_t item, int32_t instance, bool now);
  // IsReadOnly of the item (of its matrix, for a row), without the graph when it is static.
  bool ReadOnlyNow(const Item& item, int32_t instance) const;

  std::shared_ptr<const Form> form_;
  const DependencyGraph& graph_;
  FunctionContext context_;
  Block root_;
  std::vector<std::vector<Block>> instances_;   // by position of the repeat in Form::repeats()
  std::vector<int32_t> repeat_index_;           // item -> index into instances_, or kNone
  std::vector<std::vector<int32_t>> repeat_items_;  // by repeat index: the items inside it
  std::vector<std::vector<int32_t>> repeat_nodes_;  // by repeat index: the nodes inside it
  std::priority_queue<Dirty, std::vector<Dirty>, std::greater<Dirty>> dirty_;
  uint64_t evaluations_ = 0;
  bool initializing_ = false;  // the first full pass: readers need no queue, order suffices
  bool counting_ = false;      // questions_ and answered_ are kept (from EvaluateAll on)
  bool restored_ = false;      // SetValueQuietly put values beside the defaults
  size_t language_ = 0;        // for jr:choice-name
  std::string list_separator_; // what joins the labels of several choices: "、" in Japanese
  int32_t questions_ = 0;
  int32_t answered_ = 0;
};

}  // namespace chosa

#endif  // CHOSA_ENGINE_STATE_FORM_STATE_H_
