// A questionnaire, loaded from its JSON form (docs/form-format.md) and compiled once: items in
// a flat table with dense indices, expressions compiled over those indices, and the dependency
// graph with a topological rank per node. A Form is immutable after loading and may be shared
// by many sessions and threads without synchronization.
//
// Ownership: Load hands the form out as a shared_ptr<const Form>; every session, draft and
// layout that uses it keeps a reference, so it lives as long as its last user. The Items,
// choice lists and texts a Form returns (references, string_views of LocalizedText::Get) belong
// to it and are valid as long as the Form is.
#ifndef CHOSA_FORM_H_
#define CHOSA_FORM_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chosa/status.h"

namespace chosa {

struct Expression;
class DependencyGraph;
class TextArena;

enum class ItemType : uint8_t {
  kPage, kGroup, kRepeat,                                   // structure
  kText, kInteger, kDecimal, kSelectOne, kSelectMultiple,  // questions
  kRank, kDate, kTime, kDateTime, kAcknowledge, kNote, kCalculate,
  kMatrix,     // rows sharing one choice list
  kMatrixRow,  // one row of a matrix: a select_one in the form's name space
};

// "select_one", "matrix", ...; "matrix_row" for rows.
const char* ItemTypeName(ItemType type);
bool IsStructural(ItemType type);  // page, group, repeat (and matrix: it holds rows)
bool HoldsAnswer(ItemType type);   // has a value of its own (questions, calculate, matrix rows)
bool IsSelect(ItemType type);      // select_one, select_multiple, rank, matrix_row

// Text in each of the form's languages, indexed like Form::languages(). A text that is the
// same in every language (a plain string in the form) is kept once. The characters belong to the
// Form (its text arena): a LocalizedText, like the views Get() returns, is valid as long as the
// Form it came from.
class LocalizedText {
 public:
  LocalizedText() = default;
  bool empty() const { return encoded_ == nullptr; }
  // The text in `language` ("" when none was given).
  std::string_view Get(size_t language) const;

 private:
  friend class TextArena;
  explicit LocalizedText(const uint32_t* encoded) : encoded_(encoded) {}
  const uint32_t* encoded_ = nullptr;  // see TextArena::Add
};

struct Choice {
  std::string value;
  LocalizedText label;
  std::optional<double> score;
  std::vector<std::pair<std::string, std::string>> attributes;  // read by choice_filter
  // The attribute's value, or null.
  const std::string* Attribute(std::string_view name) const;
};

struct ChoiceList {
  std::string name;
  std::vector<Choice> choices;
  std::unordered_map<std::string, int32_t> index_of_value;
  bool has_scores = false;
  // Index of the choice with this value, or -1.
  int32_t Find(std::string_view value) const;
};

constexpr int32_t kNone = -1;

struct Item {
  ItemType type = ItemType::kText;
  std::string name;
  int32_t parent = kNone;          // enclosing page, group, repeat or matrix
  int32_t repeat = kNone;          // enclosing repeat (not the item itself), if any
  int32_t page = kNone;            // enclosing page; kNone when the form has no pages
  int32_t slot = 0;                // index of its value in its block (root or repeat instance)
  std::vector<int32_t> children;   // items, or matrix rows

  LocalizedText label, hint, required_message, constraint_message;
  std::string appearance;
  std::string default_value;
  int32_t list = kNone;            // index into Form::choice_lists()

  bool required = false;           // static required (when no expression)
  bool read_only = false;          // static read_only (when no expression)
  // Compiled expressions: indices into Form::expression(), kNone when absent.
  int32_t relevant = kNone, required_if = kNone, read_only_if = kNone, constraint = kNone,
          calculation = kNone, choice_filter = kNone, repeat_count = kNone;
  int32_t min = 0, max = -1;       // repeat: instances; select_multiple: choices (-1: no limit)
};

struct FormSettings {
  int32_t instance_name = kNone;   // expression naming drafts
  std::string public_key;          // PEM; only with FormLoadOptions::accept_public_key (never finalized)
  bool audit = false;
  int32_t retention_days = 30;
  bool allow_back = true;
};

struct FormLoadOptions {
  // Directories where `{"$ref": "..."}` paths are looked up, in order. LoadFormFile() puts the
  // form's own directory first.
  std::vector<std::string> search_paths;
  // A form with settings.public_key is refused (kEncryptedFormsUnavailable): chosa does not
  // encrypt submissions yet, and such a form's answers would leave the device in clear. The device
  // store sets this to open drafts of such a form installed by an older chosa; a Session refuses
  // to finalize them all the same.
  bool accept_public_key = false;
};

// Why a form with settings.public_key is refused at load, and its drafts at finalize.
extern const char kEncryptedFormsUnavailable[];

class Form;

struct FormLoadResult {
  std::shared_ptr<const Form> form;  // null when there is any fault
  std::vector<Status> faults;        // every fault found, in document order
  bool ok() const { return form != nullptr; }
};

class Form {
 public:
  // Reads, checks and compiles a form. Reports all faults at once, each with its JSON Pointer
  // and, inside an expression, the 1-based column.
  static FormLoadResult Load(std::string_view json, const FormLoadOptions& options = {});
  static FormLoadResult LoadFile(const std::string& path, FormLoadOptions options = {});

  ~Form();
  Form(const Form&) = delete;
  Form& operator=(const Form&) = delete;

  const std::string& id() const { return id_; }
  const std::string& version() const { return version_; }
  const LocalizedText& title() const { return title_; }
  const std::vector<std::string>& languages() const { return languages_; }
  size_t default_language() const { return default_language_; }
  const FormSettings& settings() const { return settings_; }

  const std::vector<Item>& items() const { return items_; }
  const Item& item(int32_t index) const { return items_[static_cast<size_t>(index)]; }
  // Index of the item named `name`, or kNone.
  int32_t Find(std::string_view name) const;
  const std::vector<int32_t>& top_level() const { return top_level_; }
  const std::vector<int32_t>& pages() const { return pages_; }   // empty: the form is one page
  const std::vector<int32_t>& repeats() const { return repeats_; }
  // Number of value slots in the root block and in each repeat's instance block.
  int32_t root_slots() const { return root_slots_; }
  int32_t repeat_slots(int32_t repeat) const;

  const std::vector<ChoiceList>& choice_lists() const { return choice_lists_; }
  size_t expression_count() const;
  // The items that expression `index` (an index held by Item or FormSettings) reads by ${name},
  // each once, in the order it reads them: the device store renames a draft when one changes.
  std::vector<int32_t> ItemsReadBy(int32_t index) const;

 private:
  friend class FormCompiler;
  // The compiled expressions and the dependency graph, for the engine's own files
  // (form/form_internals.h).
  friend const Expression& ExpressionOf(const Form& form, int32_t index);
  friend const DependencyGraph& GraphOf(const Form& form);
  Form();

  std::string id_, version_;
  LocalizedText title_;
  std::vector<std::string> languages_;
  size_t default_language_ = 0;
  FormSettings settings_;
  std::vector<Item> items_;
  // Item indices by name: open addressing, probed linearly from the name's hash (kNone: empty).
  std::vector<int32_t> name_table_;
  // Finds `name`, or the empty slot where it belongs.
  size_t NameSlot(std::string_view name) const;
  std::vector<int32_t> top_level_, pages_, repeats_;
  int32_t root_slots_ = 0;
  std::unordered_map<int32_t, int32_t> repeat_slots_;
  std::vector<ChoiceList> choice_lists_;
  std::vector<Expression> expressions_;
  std::unique_ptr<DependencyGraph> graph_;
  std::unique_ptr<TextArena> texts_;  // the characters of every LocalizedText above
};

}  // namespace chosa

#endif  // CHOSA_FORM_H_
