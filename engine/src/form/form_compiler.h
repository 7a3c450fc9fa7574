// Reads a form's JSON, checks every rule of docs/form-format.md, compiles its expressions over
// item indices and builds the dependency graph. Collects every fault instead of stopping at
// the first, so that a form designer sees the whole list at once.
#ifndef CHOSA_ENGINE_FORM_FORM_COMPILER_H_
#define CHOSA_ENGINE_FORM_FORM_COMPILER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "chosa/form.h"
#include "expr/ast.h"
#include "form/dependency_graph.h"

namespace chosa {

class FormCompiler {
 public:
  explicit FormCompiler(const FormLoadOptions& options);
  FormLoadResult Run(std::string_view json);

 private:
  // Where an expression sits and what it may read.
  enum class ExprRole : uint8_t {
    kRelevant, kRequired, kReadOnly, kConstraint, kCalculation, kChoiceFilter, kRepeatCount, kInstanceName,
  };
  struct PendingExpression {
    int32_t item;             // the item it belongs to; kNone for form settings
    ExprRole role;
    std::string_view source;  // inside the JSON document, alive while the compiler runs
  };
  struct PendingLabel {   // label or hint text that may interpolate ${name}
    int32_t item;
    std::string pointer;
    std::string text;
  };

  void Fault(std::string pointer, std::string message, int column = 0);

  void ReadForm(simdjson::dom::element root);
  void ReadLanguages(simdjson::dom::element value, const std::string& pointer);
  // Localised text at `parent`/`key`; `interpolates`: its ${name}s are checked once names are known.
  LocalizedText ReadText(simdjson::dom::element value, std::string_view parent, std::string_view key, int32_t item,
                         bool interpolates);
  void ReadSettings(simdjson::dom::element value, const std::string& pointer);
  void ReadChoiceLists(simdjson::dom::element value, const std::string& pointer);
  void ReadChoices(ChoiceList& list, simdjson::dom::element value, const std::string& pointer,
                   const std::string& fault_pointer, const std::string& file);
  bool ResolveReference(std::string_view ref, const std::string& pointer, ChoiceList& list);
  // `pointer` is the value's JSON Pointer, in a buffer the readers extend for what they contain
  // and restore before returning: reading thousands of items builds no pointer string.
  void ReadItems(simdjson::dom::element value, std::string& pointer, int32_t parent, int32_t repeat, int32_t page);
  void ReadItem(simdjson::dom::element value, std::string& pointer, int32_t parent, int32_t repeat, int32_t page);
  void ReadMatrixRows(simdjson::dom::element value, std::string& pointer, int32_t matrix);
  // required / read_only: a boolean, or an expression.
  void ReadExpressionOrBool(simdjson::dom::element value, int32_t item, ExprRole role);
  void AddExpression(simdjson::dom::element value, int32_t item, ExprRole role);
  int32_t* ExpressionField(const PendingExpression& pending);
  // The JSON Pointer of the expression, built only to report a fault.
  std::string PointerOf(const PendingExpression& pending) const;
  int32_t NewItem(ItemType type, std::string_view pointer, int32_t parent, int32_t repeat, int32_t page);
  // The JSON Pointer of an item, for a fault.
  std::string ItemPointer(int32_t item) const;

  void CheckNames();
  void ResolveChoiceListReferences();
  void CompileExpressions();
  void CompileOne(PendingExpression& pending);
  void CheckChoiceLiteral(const PendingExpression& pending, const Expression& e, const Node& reference,
                          const Node& literal);
  int32_t ChoiceNameList(const PendingExpression& pending, const Expression& e, const Node& named);
  void CheckDefaults();
  void CheckLabels();
  void AssignSlots();
  void BuildGraph();

  FormLoadOptions options_;
  std::unique_ptr<Form> form_;
  std::vector<Status> faults_;
  std::vector<PendingExpression> pending_;
  std::vector<PendingLabel> labels_;
  std::vector<std::pair<int32_t, std::string_view>> list_references_;  // (item, list name in the document)
  std::string base_dir_;
  std::string item_pointers_;                 // every item's JSON Pointer, back to back
  std::vector<uint32_t> item_pointer_ends_;   // by item: where its pointer ends in item_pointers_
  std::vector<std::string_view> text_scratch_;  // ReadText: one text per language
  std::vector<uint8_t> argument_scratch_;       // CompileOne: what each node is an argument of
  std::vector<std::string> item_names_;  // every name, sorted: built on the first unknown name
  const std::vector<std::string>& ItemNames();

 public:
  void set_base_dir(std::string dir) { base_dir_ = std::move(dir); }
};

}  // namespace chosa

#endif  // CHOSA_ENGINE_FORM_FORM_COMPILER_H_
