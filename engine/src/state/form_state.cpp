#include "state/form_state.h"

#include <cmath>

#include "chosa/env.h"
#include "expr/ast.h"
#include "chosa/engine/datetime.h"
#include "expr/evaluator.h"
#include "form/form_internals.h"
#include "session/answer_text.h"

namespace chosa {
namespace {

// A repeat never grows past this through a count expression: a typo such as ${age} for
// ${n_children} must not allocate millions of instances on a tablet.
constexpr int32_t kMaxRepeatInstances = 10000;

// The literal `default` of an item, typed as the item's answers are.
Value DefaultValueOf(const Item& item, Env* env) {
  const std::string& text = item.default_value;
  switch (item.type) {
    case ItemType::kInteger:
    case ItemType::kDecimal: {
      double number = ParseNumber(text);
      return std::isnan(number) ? Value() : Value::Number(number);
    }
    case ItemType::kDate: {
      auto parsed = ParseTemporal(text, Value::Type::kDate, env);
      if (!parsed) return Value();
      return DateInputOf(item) == DateInput::kMonth ? FirstOfMonth(*parsed) : *parsed;
    }
    case ItemType::kTime: {
      auto parsed = ParseTemporal(text, Value::Type::kTime, env);
      return parsed ? *parsed : Value();
    }
    case ItemType::kDateTime: {
      auto parsed = ParseTemporal(text, Value::Type::kDateTime, env);
      return parsed ? *parsed : Value();
    }
    default:
      return Value::String(text);
  }
}

// Value::is_empty, inline: the answer paths ask it on every set.
bool IsEmptyValue(const Value& value) {
  return value.is_string() ? value.text().empty() : value.is_nodeset() && value.is_empty();
}

}  // namespace

// Reads answers for one node evaluation: the item whose expression it is, and its instance.
class FormState::Scope final : public EvalScope {
 public:
  Scope(const FormState& state, int32_t item, int32_t instance, const Choice* choice)
      : state_(state), form_(*state.form_), item_(item), instance_(instance), choice_(choice) {}

  Value Read(int32_t target) const override {
    const Item& t = form_.item(target);
    if (t.repeat == kNone) return state_.ReadValue(target, 0);
    if (item_ != kNone && form_.item(item_).repeat == t.repeat) return state_.ReadValue(target, instance_);
    return Value();  // the compiler allows no other case
  }

  Value ReadAll(int32_t target) const override {
    std::vector<Value> out;
    const Item& t = form_.item(target);
    // Sized once: an aggregate over a matrix or a repeat is re-evaluated on every answer to it.
    size_t instances = t.repeat == kNone ? 1 : static_cast<size_t>(state_.InstanceCount(t.repeat));
    if (t.type == ItemType::kRepeat) {
      if (state_.IsRelevant(target, 0)) out.resize(static_cast<size_t>(state_.InstanceCount(target)));
    } else if (t.type == ItemType::kMatrix) {
      out.reserve(instances * t.children.size());
      Collect(t, [&](int32_t instance) {
        for (int32_t row : t.children) Append(out, row, instance);
      });
    } else {
      out.reserve(instances);
      Collect(t, [&](int32_t instance) { Append(out, target, instance); });
    }
    return Value::Nodeset(std::move(out));
  }

  Value ReadAt(int32_t target, int64_t position) const override {
    const Item& t = form_.item(target);
    if (t.repeat == kNone) return position == 1 ? state_.ReadValue(target, 0) : Value();
    if (position < 1 || position > state_.InstanceCount(t.repeat)) return Value();
    return state_.ReadValue(target, static_cast<int32_t>(position - 1));
  }

  Value Self() const override { return item_ == kNone ? Value() : state_.StoredValue(item_, instance_); }

  Value Attribute(std::string_view name) const override {
    if (choice_ == nullptr) return Value();
    if (name == "value" || name == "name") return Value::String(choice_->value);
    if (name == "label") return Value::String(std::string(choice_->label.Get(form_.default_language())));
    const std::string* attribute = choice_->Attribute(name);
    return attribute == nullptr ? Value() : Value::String(*attribute);
  }

  int64_t Position() const override {
    if (item_ == kNone || form_.item(item_).repeat == kNone) return 0;
    return instance_ + 1;
  }

  Value Score(int32_t target) const override {
    const Item& t = form_.item(target);
    if (t.list == kNone) return Value();
    Value selected = Read(target);
    if (selected.is_empty()) return Value();
    const ChoiceList& list = form_.choice_lists()[static_cast<size_t>(t.list)];
    int32_t index = list.Find(selected.ToString());
    if (index == kNone) return Value();
    const Choice& choice = list.choices[static_cast<size_t>(index)];
    return choice.score ? Value::Number(*choice.score) : Value();
  }

  Value ChoiceName(int32_t list, const Value& values) const override {
    if (list == kNone) return Value();
    const ChoiceList& choices = form_.choice_lists()[static_cast<size_t>(list)];
    // A select_multiple's values give their labels joined as the review joins them; a value that
    // is no choice of the list gives nothing, as in ODK.
    std::string out;
    ForEachValue(values.ToString(), [&](std::string_view value) {
      int32_t index = choices.Find(value);
      if (index == kNone) return;
      if (!out.empty()) out += state_.list_separator_;
      out.append(choices.choices[static_cast<size_t>(index)].label.Get(state_.language_));
    });
    return Value::String(std::move(out));
  }

 private:
  // ReadValue into a nodeset, copied once from the stored answer.
  void Append(std::vector<Value>& out, int32_t item, int32_t instance) const {
    if (state_.IsRelevant(item, instance)) {
      out.push_back(state_.StoredValue(item, instance));
    } else {
      out.emplace_back();
    }
  }

  // Calls `visit` with each instance the item has (one, outside repeats).
  template <typename Visit>
  void Collect(const Item& t, Visit visit) const {
    if (t.repeat == kNone) {
      visit(0);
      return;
    }
    int32_t count = state_.InstanceCount(t.repeat);
    for (int32_t k = 0; k < count; ++k) visit(k);
  }

  const FormState& state_;
  const Form& form_;
  int32_t item_;
  int32_t instance_;
  const Choice* choice_;
};

FormState::FormState(std::shared_ptr<const Form> form, Env* env, bool evaluate)
    : form_(std::move(form)), graph_(GraphOf(*form_)) {
  context_.env = env != nullptr ? env : Env::Default();
  language_ = form_->default_language();
  list_separator_ = Message(MessageId::kListSeparator, form_->languages()[language_]);
  const auto& repeats = form_->repeats();
  repeat_index_.assign(form_->items().size(), kNone);
  for (size_t r = 0; r < repeats.size(); ++r) repeat_index_[static_cast<size_t>(repeats[r])] = static_cast<int32_t>(r);
  instances_.resize(repeats.size());
  repeat_items_.resize(repeats.size());
  repeat_nodes_.resize(repeats.size());
  for (size_t i = 0; i < form_->items().size(); ++i) {
    const Item& item = form_->items()[i];
    if (item.repeat != kNone) repeat_items_[static_cast<size_t>(RepeatIndex(item.repeat))].push_back(static_cast<int32_t>(i));
  }
  for (size_t n = 0; n < graph_.nodes().size(); ++n) {
    int32_t repeat = form_->item(graph_.nodes()[n].item).repeat;
    if (repeat != kNone) repeat_nodes_[static_cast<size_t>(RepeatIndex(repeat))].push_back(static_cast<int32_t>(n));
  }

  root_ = NewBlock(kNone);
  SetDefaults(kNone, 0);
  for (int32_t repeat : repeats) {
    const Item& r = form_->item(repeat);
    int32_t initial = r.repeat_count == kNone ? r.min : 0;
    for (int32_t k = 0; k < initial; ++k) {
      instances_[static_cast<size_t>(RepeatIndex(repeat))].push_back(NewBlock(repeat));
      SetDefaults(repeat, k);
    }
  }
  if (evaluate) EvaluateAll();
}

void FormState::EvaluateAll() {
  // The progress counts. Before the first evaluation no node has a result (no relevance node
  // holds, no read-only node either): the counts of that state are those of the questions without
  // a relevance node, and the pass below moves them as its nodes flip, as any change does. A state
  // evaluated before is counted from scratch after the pass instead.
  const bool first = !counting_;
  if (first && !restored_) {
    // Only defaults: the counts the graph knows for a fresh block.
    questions_ = graph_.FreshQuestions(0);
    answered_ = graph_.FreshAnswered(0);
    for (size_t r = 0; r < instances_.size(); ++r) {
      const int32_t instances = static_cast<int32_t>(instances_[r].size());
      questions_ += instances * graph_.FreshQuestions(r + 1);
      answered_ += instances * graph_.FreshAnswered(r + 1);
    }
  } else if (first) {
    questions_ = 0;
    answered_ = 0;
    CountUnevaluated(root_, 0);
    for (size_t r = 0; r < instances_.size(); ++r) {
      for (const Block& block : instances_[r]) CountUnevaluated(block, r + 1);
    }
  }
  counting_ = first;
  // Every node once, in rank order: each sees its inputs final, so no queue is needed. Only
  // instances that a count expression creates meanwhile go through the queue afterwards.
  initializing_ = true;
  for (int32_t node : graph_.order()) {
    int32_t repeat = form_->item(graph_.node(node).item).repeat;
    int32_t count = repeat == kNone ? 1 : InstanceCount(repeat);
    for (int32_t k = 0; k < count; ++k) EvaluateNode(node, k);
  }
  initializing_ = false;
  if (!first) Recount();
  counting_ = true;
  Propagate();
}

void FormState::SetLanguage(size_t language) {
  if (language == language_ || language >= form_->languages().size()) return;
  language_ = language;
  list_separator_ = Message(MessageId::kListSeparator, form_->languages()[language_]);
  if (!counting_) return;  // not evaluated yet: EvaluateAll will read the language
  for (int32_t node : graph_.language_nodes()) Enqueue(node, false, kNone, 0);
  Propagate();
}

bool FormState::CountsAsQuestion(int32_t item, int32_t instance) const {
  const Item& it = form_->item(item);
  if (it.repeat == kNone) instance = 0;
  return TakesAnswer(it) && IsRelevant(item, instance) && !ReadOnlyNow(it, instance);
}

bool FormState::ReadOnlyNow(const Item& item, int32_t instance) const {
  int32_t owner = item.type == ItemType::kMatrixRow ? item.parent : kNone;
  const Item& it = owner == kNone ? item : form_->item(owner);
  if (it.read_only_if == kNone) return it.read_only;
  return IsReadOnly(owner == kNone ? static_cast<int32_t>(&item - form_->items().data()) : owner, instance);
}

void FormState::CountReadOnly(int32_t item, int32_t instance, bool now) {
  // Read-only now (leaves the count) or no longer (comes back), where relevant; a matrix's
  // state is its rows'.
  const int32_t sign = now ? -1 : 1;
  auto flip = [&](int32_t target) {
    const Item& t = form_->item(target);
    if (!TakesAnswer(t) || !IsRelevant(target, instance)) return;
    questions_ += sign;
    if (BlockOf(t.repeat, instance).filled[static_cast<size_t>(t.slot)]) answered_ += sign;
  };
  const Item& it = form_->item(item);
  if (it.type == ItemType::kMatrix) {
    for (int32_t row : it.children) flip(row);
  } else {
    flip(item);
  }
}

void FormState::CountBlock(const Block& block, size_t block_index, int32_t sign) {
  auto truth = [](const Value& v) { return v.is_boolean() ? v.truth() : v.ToBoolean(); };
  int32_t questions = 0, answered = 0;  // kept apart from the members: no store per question
  for (const CountedQuestion& q : graph_.CountedIn(block_index)) {
    if (q.relevance_slot != CountedQuestion::kAlways && !truth(block.results[static_cast<size_t>(q.relevance_slot)])) continue;
    if (q.read_only_slot == CountedQuestion::kReadOnly ||
        (q.read_only_slot >= 0 && truth(block.results[static_cast<size_t>(q.read_only_slot)]))) {
      continue;
    }
    ++questions;
    answered += block.filled[static_cast<size_t>(q.value_slot)];
  }
  questions_ += sign * questions;
  answered_ += sign * answered;
}

void FormState::CountUnevaluated(const Block& block, size_t block_index) {
  int32_t questions = 0, answered = 0;
  for (const CountedQuestion& q : graph_.CountedIn(block_index)) {
    if (q.relevance_slot != CountedQuestion::kAlways || q.read_only_slot == CountedQuestion::kReadOnly) continue;
    ++questions;
    answered += block.filled[static_cast<size_t>(q.value_slot)];
  }
  questions_ += questions;
  answered_ += answered;
}

void FormState::CountInstance(int32_t repeat, int32_t instance, int32_t sign) {
  if (!counting_) return;
  const int32_t r = RepeatIndex(repeat);
  CountBlock(instances_[static_cast<size_t>(r)][static_cast<size_t>(instance)], static_cast<size_t>(r) + 1, sign);
}

void FormState::Recount() {
  questions_ = 0;
  answered_ = 0;
  CountBlock(root_, 0, 1);
  for (size_t r = 0; r < instances_.size(); ++r) {
    for (const Block& block : instances_[r]) CountBlock(block, r + 1, 1);
  }
}

void FormState::SetValueQuietly(int32_t item, Value value, int32_t instance) {
  const Item& it = form_->item(item);
  Block& block = BlockOf(it.repeat, it.repeat == kNone ? 0 : instance);
  restored_ = true;
  block.filled[static_cast<size_t>(it.slot)] = !IsEmptyValue(value);
  block.values[static_cast<size_t>(it.slot)] = std::move(value);
}

void FormState::SetInstanceCountQuietly(int32_t repeat, int32_t count) {
  auto& blocks = instances_[static_cast<size_t>(RepeatIndex(repeat))];
  if (count < static_cast<int32_t>(blocks.size())) blocks.resize(static_cast<size_t>(count));
  while (static_cast<int32_t>(blocks.size()) < count) {
    blocks.push_back(NewBlock(repeat));
    SetDefaults(repeat, static_cast<int32_t>(blocks.size() - 1));
  }
}

int32_t FormState::RepeatIndex(int32_t repeat) const { return repeat_index_[static_cast<size_t>(repeat)]; }

FormState::Block FormState::NewBlock(int32_t repeat) const {
  Block block;
  int32_t slots = repeat == kNone ? form_->root_slots() : form_->repeat_slots(repeat);
  int32_t node_slots = repeat == kNone ? graph_.root_node_slots() : graph_.repeat_node_slots(repeat);
  block.values.resize(static_cast<size_t>(slots));
  block.filled.assign(static_cast<size_t>(slots), 0);
  block.results.resize(static_cast<size_t>(node_slots));
  block.queued.assign(static_cast<size_t>(node_slots), 0);
  return block;
}

FormState::Block& FormState::BlockOf(int32_t repeat, int32_t instance) {
  if (repeat == kNone) return root_;
  return instances_[static_cast<size_t>(RepeatIndex(repeat))][static_cast<size_t>(instance)];
}

const FormState::Block& FormState::BlockOf(int32_t repeat, int32_t instance) const {
  if (repeat == kNone) return root_;
  return instances_[static_cast<size_t>(RepeatIndex(repeat))][static_cast<size_t>(instance)];
}

const Value& FormState::StoredValue(int32_t item, int32_t instance) const {
  const Item& it = form_->item(item);
  return BlockOf(it.repeat, it.repeat == kNone ? 0 : instance).values[static_cast<size_t>(it.slot)];
}

const Value& FormState::NodeResult(int32_t node, int32_t instance) const {
  const GraphNode& n = graph_.node(node);
  int32_t repeat = form_->item(n.item).repeat;
  return BlockOf(repeat, repeat == kNone ? 0 : instance).results[static_cast<size_t>(n.slot)];
}

Value FormState::ReadValue(int32_t item, int32_t instance) const {
  if (!IsRelevant(item, instance)) return Value();
  return StoredValue(item, instance);
}

bool FormState::IsRelevant(int32_t item, int32_t instance) const {
  int32_t node = graph_.NodeOf(item, NodeProperty::kRelevant);
  return node == kNone || NodeResult(node, instance).ToBoolean();
}

bool FormState::IsRequired(int32_t item, int32_t instance) const {
  int32_t node = graph_.NodeOf(item, NodeProperty::kRequired);
  return node == kNone ? form_->item(item).required : NodeResult(node, instance).ToBoolean();
}

bool FormState::IsReadOnly(int32_t item, int32_t instance) const {
  int32_t node = graph_.NodeOf(item, NodeProperty::kReadOnly);
  return node == kNone ? form_->item(item).read_only : NodeResult(node, instance).ToBoolean();
}

bool FormState::ConstraintHolds(int32_t item, int32_t instance) const {
  int32_t node = graph_.NodeOf(item, NodeProperty::kConstraint);
  if (node == kNone || StoredValue(item, instance).is_empty()) return true;  // empty: required's job
  return NodeResult(node, instance).ToBoolean();
}

Value FormState::NodeResultOf(int32_t item, NodeProperty property, int32_t instance) const {
  int32_t node = graph_.NodeOf(item, property);
  return node == kNone ? Value() : NodeResult(node, instance);
}

int32_t FormState::InstanceCount(int32_t repeat) const {
  return static_cast<int32_t>(instances_[static_cast<size_t>(RepeatIndex(repeat))].size());
}

Value FormState::EvaluateIn(int32_t expression, int32_t item, int32_t instance, const Choice* choice) const {
  Scope scope(*this, item, instance, choice);
  return Evaluate(ExpressionOf(*form_, expression), scope, context_);
}

void FormState::SetValue(int32_t item, Value value, int32_t instance) {
  const Item& it = form_->item(item);
  if (it.repeat == kNone) instance = 0;
  Block& block = BlockOf(it.repeat, instance);
  Value& slot = block.values[static_cast<size_t>(it.slot)];
  if (slot.SameAs(value)) return;
  const bool was_empty = IsEmptyValue(slot);
  slot = std::move(value);
  // Only an answer given or cleared moves the count; relevance and read-only are as they were.
  if (was_empty != IsEmptyValue(slot)) {
    block.filled[static_cast<size_t>(it.slot)] = was_empty;
    if (counting_ && CountsAsQuestion(item, instance)) answered_ += was_empty ? 1 : -1;
  }
  EnqueueReadersOf(item, instance);
  Propagate();
}

void FormState::SetDefaults(int32_t repeat, int32_t instance) {
  Block& block = BlockOf(repeat, instance);
  const std::vector<int32_t>* items = nullptr;
  std::vector<int32_t> root_items;
  if (repeat == kNone) {
    for (size_t i = 0; i < form_->items().size(); ++i) {
      if (form_->items()[i].repeat == kNone) root_items.push_back(static_cast<int32_t>(i));
    }
    items = &root_items;
  } else {
    items = &repeat_items_[static_cast<size_t>(RepeatIndex(repeat))];
  }
  for (int32_t i : *items) {
    const Item& item = form_->item(i);
    if (item.default_value.empty()) continue;
    Value& value = block.values[static_cast<size_t>(item.slot)];
    value = DefaultValueOf(item, context_.env);
    block.filled[static_cast<size_t>(item.slot)] = !IsEmptyValue(value);
  }
}

void FormState::Enqueue(int32_t node, bool same_instance, int32_t from_repeat, int32_t instance) {
  const GraphNode& n = graph_.node(node);
  int32_t repeat = form_->item(n.item).repeat;
  auto push = [&](int32_t at) {
    Block& block = BlockOf(repeat, at == kNone ? 0 : at);
    uint8_t& queued = block.queued[static_cast<size_t>(n.slot)];
    if (queued) return;
    queued = 1;
    dirty_.push({n.rank, node, at});
  };
  if (repeat == kNone) {
    push(kNone);
  } else if (same_instance && from_repeat == repeat) {
    push(instance);
  } else {
    int32_t count = InstanceCount(repeat);
    for (int32_t k = 0; k < count; ++k) push(k);
  }
}

void FormState::EnqueueReadersOf(int32_t item, int32_t instance) {
  if (initializing_) return;
  int32_t from_repeat = form_->item(item).repeat;
  for (const Reader& reader : graph_.ReadersOf(item)) Enqueue(reader.node, reader.same_instance, from_repeat, instance);
}

void FormState::Propagate() {
  while (!dirty_.empty()) {
    Dirty d = dirty_.top();
    dirty_.pop();
    const GraphNode& n = graph_.node(d.node);
    int32_t repeat = form_->item(n.item).repeat;
    if (repeat != kNone && d.instance >= InstanceCount(repeat)) continue;  // removed meanwhile
    BlockOf(repeat, d.instance == kNone ? 0 : d.instance).queued[static_cast<size_t>(n.slot)] = 0;
    EvaluateNode(d.node, d.instance == kNone ? 0 : d.instance);
  }
}

bool FormState::EvaluateNode(int32_t node, int32_t instance) {
  ++evaluations_;
  const GraphNode& n = graph_.node(node);
  const Item& item = form_->item(n.item);
  Value result;
  switch (n.property) {
    case NodeProperty::kRelevant: {
      // A repeat's children read the repeat's relevance from the root block.
      bool parent_relevant = item.parent == kNone || IsRelevant(item.parent, item.parent == item.repeat ? 0 : instance);
      bool own = parent_relevant && (n.expression == kNone || EvaluateIn(n.expression, n.item, instance).ToBoolean());
      result = Value::Boolean(own);
      break;
    }
    case NodeProperty::kCalculation:
      result = EvaluateIn(n.expression, n.item, instance);
      break;
    case NodeProperty::kRequired:
    case NodeProperty::kReadOnly:
    case NodeProperty::kConstraint:
      result = Value::Boolean(EvaluateIn(n.expression, n.item, instance).ToBoolean());
      break;
    case NodeProperty::kRepeatCount:
      result = Value::Number(EvaluateIn(n.expression, n.item, instance).ToNumber());
      break;
  }
  int32_t repeat = item.repeat;
  Block& block = BlockOf(repeat, instance);
  Value& cached = block.results[static_cast<size_t>(n.slot)];
  if (cached.SameAs(result)) return false;
  // A relevance or read-only result is a boolean (before its first evaluation, ""): one that
  // changed flipped, and moves the counts of its item (below).
  const bool was_boolean = cached.is_boolean();
  cached = result;
  switch (n.property) {
    case NodeProperty::kRelevant:
      // A question relevant now or no longer (its read-only state and value are as they were).
      if (n.counts != 0 && counting_ && (was_boolean || result.truth()) &&
          (n.counts == 1 || !ReadOnlyNow(item, instance))) {
        const int32_t sign = result.truth() ? 1 : -1;
        questions_ += sign;
        if (block.filled[static_cast<size_t>(item.slot)]) answered_ += sign;
      }
      EnqueueReadersOf(n.item, instance);
      if (!initializing_) {
        for (int32_t child : graph_.InheritorsOf(n.item)) Enqueue(child, true, repeat, instance);
      }
      break;
    case NodeProperty::kCalculation: {
      // NaN and errors are stored as empty; the node keeps the error for the session to show.
      Value stored = result;
      if (stored.is_error() || (stored.is_number() && std::isnan(stored.number()))) stored = Value();
      Value& slot = block.values[static_cast<size_t>(item.slot)];
      if (!slot.SameAs(stored)) {
        block.filled[static_cast<size_t>(item.slot)] = !IsEmptyValue(stored);
        slot = std::move(stored);
        EnqueueReadersOf(n.item, instance);
      }
      break;
    }
    case NodeProperty::kReadOnly:
      if (counting_ && (was_boolean || result.truth())) CountReadOnly(n.item, instance, result.truth());
      break;
    case NodeProperty::kRepeatCount:
      ApplyRepeatCount(n.item, result.number());
      break;
    default:
      break;
  }
  return true;
}

void FormState::ApplyRepeatCount(int32_t repeat, double wanted) {
  int32_t target = 0;
  if (std::isfinite(wanted) && wanted > 0) {
    target = wanted >= kMaxRepeatInstances ? kMaxRepeatInstances : static_cast<int32_t>(wanted);
  }
  auto& blocks = instances_[static_cast<size_t>(RepeatIndex(repeat))];
  int32_t current = static_cast<int32_t>(blocks.size());
  if (target == current) return;
  if (target < current) {
    for (int32_t k = target; k < current; ++k) CountInstance(repeat, k, -1);
    blocks.resize(static_cast<size_t>(target));  // a count that shrinks deletes trailing instances
  } else {
    for (int32_t k = current; k < target; ++k) {
      blocks.push_back(NewBlock(repeat));
      SetDefaults(repeat, k);
      CountInstance(repeat, k, 1);
      for (int32_t node : repeat_nodes_[static_cast<size_t>(RepeatIndex(repeat))]) Enqueue(node, true, repeat, k);
    }
  }
  InstancesChanged(repeat);
}

// Readers of the repeat, and readers of its children from other instances or from outside,
// see a different set of instances.
void FormState::InstancesChanged(int32_t repeat) {
  for (const Reader& reader : graph_.ReadersOf(repeat)) Enqueue(reader.node, false, kNone, 0);
  for (int32_t item : repeat_items_[static_cast<size_t>(RepeatIndex(repeat))]) {
    for (const Reader& reader : graph_.ReadersOf(item)) {
      if (!reader.same_instance) Enqueue(reader.node, false, kNone, 0);
    }
  }
}

int32_t FormState::AddInstance(int32_t repeat) {
  auto& blocks = instances_[static_cast<size_t>(RepeatIndex(repeat))];
  int32_t position = static_cast<int32_t>(blocks.size());
  blocks.push_back(NewBlock(repeat));
  SetDefaults(repeat, position);
  CountInstance(repeat, position, 1);
  for (int32_t node : repeat_nodes_[static_cast<size_t>(RepeatIndex(repeat))]) Enqueue(node, true, repeat, position);
  InstancesChanged(repeat);
  Propagate();
  return position;
}

void FormState::RemoveInstance(int32_t repeat, int32_t position) {
  auto& blocks = instances_[static_cast<size_t>(RepeatIndex(repeat))];
  if (position < 0 || position >= static_cast<int32_t>(blocks.size())) return;
  CountInstance(repeat, position, -1);
  blocks.erase(blocks.begin() + position);
  // Later instances moved: what they compute from position() must be recomputed.
  for (int32_t k = position; k < static_cast<int32_t>(blocks.size()); ++k) {
    for (int32_t node : repeat_nodes_[static_cast<size_t>(RepeatIndex(repeat))]) Enqueue(node, true, repeat, k);
  }
  InstancesChanged(repeat);
  Propagate();
}

}  // namespace chosa
