// Pass 2 of the form compiler: parses every expression, resolves names to item indices,
// checks what each may read (repeats, matrices, '.', choice attributes, select types, choice
// literals, regexes), folds constants; then checks defaults and the ${name}s in labels.
#include <re2/re2.h>

#include <cmath>
#include <set>
#include <sstream>

#include "chosa/engine/datetime.h"
#include "expr/evaluator.h"
#include "expr/functions.h"
#include "expr/parser.h"
#include "form/compiler_support.h"
#include "form/form_compiler.h"
#include "chosa/base/suggest.h"

namespace chosa {

// Expressions

void FormCompiler::CompileExpressions() {
  for (PendingExpression& pending : pending_) CompileOne(pending);
}

void FormCompiler::CompileOne(PendingExpression& pending) {
  Result<Expression> parsed = ParseExpression(pending.source);
  if (!parsed.ok()) {
    Fault(PointerOf(pending), parsed.status().message(), parsed.status().column());
    return;
  }
  Expression& e = *parsed;
  const Item* self = pending.item == kNone ? nullptr : &form_->item(pending.item);
  // The repeat whose instance the expression is evaluated in. A repeat's own relevance and
  // count are evaluated outside it.
  int32_t context_repeat = self == nullptr ? kNone : self->repeat;
  size_t faults_before = faults_.size();
  auto fault = [&](const Node& n, const std::string& message) {
    Fault(PointerOf(pending), message, ColumnOfOffset(pending.source, static_cast<size_t>(n.position - 1)));
  };

  // Where each node stands as an argument: of an aggregate (it may read many values), or of
  // indexed-repeat (argument 0 is the value read, arguments 1, 3, ... are repeats).
  enum : uint8_t { kInAggregate = 1, kIndexedValue = 2, kRepeatPosition = 4 };
  std::vector<uint8_t>& argument_of = argument_scratch_;
  argument_of.assign(e.nodes.size(), 0);
  for (const Node& n : e.nodes) {
    if (n.kind != NodeKind::kCall) continue;
    if (n.function->flags & kAggregate) {
      for (uint32_t k = 0; k < n.child_count; ++k) argument_of[e.child(n, k)] |= kInAggregate;
    }
    if (n.function->name == "indexed-repeat") {
      argument_of[e.child(n, 0)] |= kIndexedValue;
      for (uint32_t k = 1; k < n.child_count; k += 2) argument_of[e.child(n, k)] |= kRepeatPosition;
    }
  }
  auto in_aggregate = [&argument_of](uint32_t node) { return (argument_of[node] & kInAggregate) != 0; };
  auto indexed_value = [&argument_of](uint32_t node) { return (argument_of[node] & kIndexedValue) != 0; };
  auto repeat_position = [&argument_of](uint32_t node) { return (argument_of[node] & kRepeatPosition) != 0; };
  bool reads_language = false;

  for (uint32_t i = 0; i < e.nodes.size(); ++i) {
    Node& n = e.nodes[i];
    switch (n.kind) {
      case NodeKind::kRef: {
        const std::string& name = e.name(n);
        int32_t target = form_->Find(name);
        if (target == kNone) {
          std::vector<std::string_view> names(ItemNames().begin(), ItemNames().end());
          fault(n, "unknown name " + Ref(name) + DidYouMean(name, names, "${", "}"));
          break;
        }
        n.target = target;
        const Item& t = form_->item(target);
        if (t.type == ItemType::kPage || t.type == ItemType::kGroup || t.type == ItemType::kNote) {
          fault(n, Ref(name) + " is a " + ItemTypeName(t.type) + " and has no value");
          break;
        }
        if (repeat_position(i)) {
          if (t.type != ItemType::kRepeat) fault(n, "indexed-repeat() needs a repeat here; " + Ref(name) + " is a " + ItemTypeName(t.type));
          n.kind = NodeKind::kRefAll;
          break;
        }
        if (t.type == ItemType::kMatrix) {
          if (!in_aggregate(i)) {
            fault(n, "matrix " + Ref(name) + " can only be read inside an aggregate such as sum(" + Ref(name) + ")");
          }
          n.kind = NodeKind::kRefAll;
          break;
        }
        if (t.type == ItemType::kRepeat) {
          if (!in_aggregate(i)) {
            fault(n, "repeat " + Ref(name) + " can only be read inside an aggregate such as count(" + Ref(name) + ")");
          }
          n.kind = NodeKind::kRefAll;
          break;
        }
        if (t.repeat != kNone) {
          if (in_aggregate(i)) {
            n.kind = NodeKind::kRefAll;  // every instance, also from inside the repeat
          } else if (indexed_value(i)) {
            // read by position: stays kRef; the evaluator calls ReadAt
          } else if (t.repeat != context_repeat) {
            fault(n, Ref(name) + " is inside repeat " + Ref(form_->item(t.repeat).name) +
                         "; from outside it, read it with an aggregate such as sum(" + Ref(name) +
                         ") or with indexed-repeat()");
          }
        }
        break;
      }
      case NodeKind::kSelf:
        if (pending.role != ExprRole::kConstraint && pending.role != ExprRole::kRequired) {
          // Not "write ${self}": an item's calculation or relevance reading itself is a cycle.
          fault(n, "'.' is only valid in constraint and required; here, name the question to read, as ${name}");
        } else if (self != nullptr && !HoldsAnswer(self->type)) {
          fault(n, "'.' reads the item's own answer, and a " + std::string(ItemTypeName(self->type)) + " has none");
        }
        break;
      case NodeKind::kAttribute: {
        const std::string& name = e.name(n);
        if (pending.role != ExprRole::kChoiceFilter) {
          fault(n, "bare name \"" + name + "\": refer to questions as " + Ref(name));
          break;
        }
        if (self == nullptr || self->list == kNone) break;  // the missing list is reported already
        const ChoiceList& list = form_->choice_lists_[static_cast<size_t>(self->list)];
        if (name == "value" || name == "name" || name == "label") break;
        bool known = false;
        std::set<std::string> attribute_names;
        for (const Choice& c : list.choices) {
          for (const auto& attribute : c.attributes) attribute_names.insert(attribute.first);
        }
        known = attribute_names.count(name) != 0;
        if (!known) {
          std::vector<std::string_view> candidates(attribute_names.begin(), attribute_names.end());
          fault(n, "choice list " + list.name + " has no attribute \"" + name + "\"" +
                       DidYouMean(name, candidates, "\"", "\""));
        }
        break;
      }
      case NodeKind::kBinary:
        // ${q} = 'yse' where q is a select: the literal must be one of q's choices.
        if (n.op == BinaryOp::kEq || n.op == BinaryOp::kNe) {
          CheckChoiceLiteral(pending, e, e.node(e.child(n, 0)), e.node(e.child(n, 1)));
          CheckChoiceLiteral(pending, e, e.node(e.child(n, 1)), e.node(e.child(n, 0)));
        }
        break;
      case NodeKind::kCall: {
        const FunctionSpec& f = *n.function;
        if ((f.name == "selected") && n.child_count == 2) {
          CheckChoiceLiteral(pending, e, e.node(e.child(n, 0)), e.node(e.child(n, 1)));
        }
        if ((f.flags & kReadsSelect) && n.child_count > 0) {
          const Node& arg = e.node(e.child(n, 0));
          int32_t target = arg.kind == NodeKind::kRef ? form_->Find(e.name(arg)) : kNone;
          if (target != kNone) {
            ItemType t = form_->item(target).type;
            if (!IsSelect(t) && t != ItemType::kCalculate) {
              fault(arg, std::string(f.name) + "() needs a select question; " + Ref(e.name(arg)) + " is a " +
                             ItemTypeName(t) + " question");
            }
          }
        }
        if (f.name == "score") {
          const Node& arg = e.node(e.child(n, 0));
          int32_t target = arg.kind == NodeKind::kRef ? form_->Find(e.name(arg)) : kNone;
          if (arg.kind != NodeKind::kRef) {
            fault(arg, "score() reads a question: write score(${name})");
          } else if (target != kNone) {
            const Item& t = form_->item(target);
            if (t.type != ItemType::kSelectOne && t.type != ItemType::kMatrixRow) {
              fault(arg, "score() needs a select_one or a matrix row; " + Ref(e.name(arg)) + " is a " + ItemTypeName(t.type));
            } else if (t.list != kNone && !form_->choice_lists_[static_cast<size_t>(t.list)].has_scores) {
              fault(arg, "score() of " + Ref(e.name(arg)) + ": its choice list " +
                             form_->choice_lists_[static_cast<size_t>(t.list)].name + " has no scores");
            }
          }
        }
        if (f.name == "regex" && n.child_count == 2) {
          const Node& pattern = e.node(e.child(n, 1));
          if (pattern.kind == NodeKind::kConstant) {
            RE2::Options re_options;
            re_options.set_log_errors(false);
            RE2 re(e.constant(pattern).ToString(), re_options);
            if (!re.ok()) fault(pattern, "invalid regex: " + re.error());
          }
        }
        if (f.name == "indexed-repeat" && (n.child_count % 2) == 0) {
          fault(n, "indexed-repeat() takes ${name}, then pairs of ${repeat} and position");
        }
        if (f.name == "jr:choice-name" && n.child_count == 2) {
          reads_language = true;
          n.target = ChoiceNameList(pending, e, e.node(e.child(n, 1)));
        }
        break;
      }
      default:
        break;
    }
  }
  if (faults_.size() != faults_before) return;
  Status folded = FoldConstants(e);
  if (!folded.ok()) {
    Fault(PointerOf(pending), folded.message(), ColumnOfOffset(pending.source, static_cast<size_t>(folded.column() - 1)));
    return;
  }
  e.reads_language = reads_language;
  int32_t* field = ExpressionField(pending);
  *field = static_cast<int32_t>(form_->expressions_.size());
  form_->expressions_.push_back(std::move(e));
}

// jr:choice-name(value, '${question}'): the question is named in a text, as XLSForm writes it
// (pyxform turns the ${} into the question's path). The choice list of that question, or kNone
// after a fault.
int32_t FormCompiler::ChoiceNameList(const PendingExpression& pending, const Expression& e, const Node& named) {
  auto fault = [&](const std::string& message) {
    Fault(PointerOf(pending), message, ColumnOfOffset(pending.source, static_cast<size_t>(named.position - 1)));
    return kNone;
  };
  std::string text = named.kind == NodeKind::kConstant && e.constant(named).is_string() ? e.constant(named).text() : "";
  size_t begin = text.find_first_not_of(' '), end = text.find_last_not_of(' ');
  text = begin == std::string::npos ? std::string() : text.substr(begin, end - begin + 1);
  if (text.size() < 4 || text.compare(0, 2, "${") != 0 || text.back() != '}') {
    return fault("jr:choice-name() names its question in quotes as its second argument: jr:choice-name(${ward}, '${ward}')");
  }
  const std::string name = text.substr(2, text.size() - 3);
  int32_t target = form_->Find(name);
  if (target == kNone) {
    std::vector<std::string_view> names(ItemNames().begin(), ItemNames().end());
    return fault("unknown name " + Ref(name) + DidYouMean(name, names, "${", "}"));
  }
  const Item& t = form_->item(target);
  if (t.list == kNone) {
    return fault("jr:choice-name() needs a question with choices; " + Ref(name) + " is a " + ItemTypeName(t.type));
  }
  return t.list;
}

void FormCompiler::CheckChoiceLiteral(const PendingExpression& pending, const Expression& e, const Node& reference,
                                      const Node& literal) {
  if (reference.kind != NodeKind::kRef || literal.kind != NodeKind::kConstant || !e.constant(literal).is_string()) return;
  int32_t target = form_->Find(e.name(reference));
  if (target == kNone) return;
  const Item& item = form_->item(target);
  if (!IsSelect(item.type) || item.list == kNone) return;
  const ChoiceList& list = form_->choice_lists_[static_cast<size_t>(item.list)];
  const std::string& value = e.constant(literal).text();
  if (value.empty() || list.Find(value) != kNone) return;
  std::vector<std::string_view> values;
  for (const Choice& c : list.choices) values.push_back(c.value);
  Fault(PointerOf(pending), "'" + value + "' is not a choice of " + Ref(e.name(reference)) + " (list " + list.name + ")" +
                             DidYouMean(value, values, "'", "'"),
        ColumnOfOffset(pending.source, static_cast<size_t>(literal.position - 1)));
}

// A default is an answer: a number for numbers, a date for dates, a choice of the list.
void FormCompiler::CheckDefaults() {
  for (const Item& item : form_->items_) {
    if (item.default_value.empty()) continue;
    const std::string at = ItemPointer(static_cast<int32_t>(&item - form_->items_.data())) + "/default";
    const std::string& text = item.default_value;
    switch (item.type) {
      case ItemType::kInteger: {
        double number = ParseNumber(text);
        if (std::isnan(number) || number != std::floor(number)) Fault(at, "default \"" + text + "\" is not a whole number");
        break;
      }
      case ItemType::kDecimal:
        if (std::isnan(ParseNumber(text))) Fault(at, "default \"" + text + "\" is not a number");
        break;
      case ItemType::kDate:
        if (!ParseIsoDate(text)) Fault(at, "default \"" + text + "\" is not a date (YYYY-MM-DD)");
        break;
      case ItemType::kTime:
        if (!ParseIsoTime(text)) Fault(at, "default \"" + text + "\" is not a time (HH:MM)");
        break;
      case ItemType::kDateTime:
        if (!ParseIsoDateTime(text)) Fault(at, "default \"" + text + "\" is not a date and time (YYYY-MM-DDTHH:MM)");
        break;
      case ItemType::kSelectOne:
      case ItemType::kSelectMultiple:
      case ItemType::kRank: {
        if (item.list == kNone) break;
        const ChoiceList& list = form_->choice_lists_[static_cast<size_t>(item.list)];
        std::istringstream values(text);
        std::string value;
        size_t count = 0;
        while (values >> value) {
          ++count;
          if (list.Find(value) == kNone) Fault(at, "default \"" + value + "\" is not a choice of list " + list.name);
        }
        if (item.type == ItemType::kSelectOne && count > 1) Fault(at, "a select_one default is one choice");
        break;
      }
      case ItemType::kCalculate:
        Fault(at, "a calculate has no default; its calculation sets it");
        break;
      default:
        break;
    }
  }
}

// Every ${name} in a label, hint or message must name an item with a value.
void FormCompiler::CheckLabels() {
  for (const PendingLabel& label : labels_) {
    const std::string& text = label.text;
    size_t at = 0;
    while ((at = text.find("${", at)) != std::string::npos) {
      size_t end = text.find('}', at);
      if (end == std::string::npos) break;
      std::string name = text.substr(at + 2, end - at - 2);
      int32_t target = form_->Find(name);
      if (target == kNone) {
        std::vector<std::string_view> names(ItemNames().begin(), ItemNames().end());
        Fault(label.pointer, "unknown name " + Ref(name) + DidYouMean(name, names, "${", "}"), ColumnOfOffset(text, at));
      } else if (!HoldsAnswer(form_->item(target).type)) {
        Fault(label.pointer, Ref(name) + " is a " + std::string(ItemTypeName(form_->item(target).type)) +
                                 " and has no value to show", ColumnOfOffset(text, at));
      }
      at = end + 1;
    }
  }
}

}  // namespace chosa
