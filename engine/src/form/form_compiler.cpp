#include "form/form_compiler.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <unordered_set>

#include "expr/datetime.h"
#include "expr/evaluator.h"
#include "expr/functions.h"
#include "expr/parser.h"
#include "json/json_reader.h"
#include "suggest.h"

namespace chosa {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr int kFormatVersion = 1;

bool IsName(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  auto start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!start(s[0])) return false;
  for (char c : s) {
    if (!start(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsFormId(std::string_view s) {
  if (s.empty() || s.size() > 128 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool IsLanguageCode(std::string_view s) {
  // ^[a-z]{2,3}(-[A-Za-z0-9]+)*$
  size_t i = 0;
  while (i < s.size() && s[i] >= 'a' && s[i] <= 'z') ++i;
  if (i < 2 || i > 3) return false;
  while (i < s.size()) {
    if (s[i] != '-') return false;
    size_t j = ++i;
    while (i < s.size() && std::isalnum(static_cast<unsigned char>(s[i]))) ++i;
    if (i == j) return false;
  }
  return true;
}

// Whitespace, including the ideographic space U+3000 and the other Unicode spaces, that would
// split a select_multiple value.
bool ContainsWhitespace(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return true;
    if (c == 0xC2 && i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) == 0xA0 ||
                                          static_cast<unsigned char>(s[i + 1]) == 0x85)) return true;
    if (c == 0xE3 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        static_cast<unsigned char>(s[i + 2]) == 0x80) return true;  // U+3000
    if (c == 0xE2 && i + 2 < s.size()) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]), c2 = static_cast<unsigned char>(s[i + 2]);
      if (c1 == 0x80 && (c2 <= 0x8A || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF)) return true;  // U+2000..200A, 2028, 2029, 202F
      if (c1 == 0x81 && c2 == 0x9F) return true;  // U+205F
    }
  }
  return false;
}

std::string TypeOfJson(element value) {
  switch (value.type()) {
    case element_type::ARRAY: return "an array";
    case element_type::OBJECT: return "an object";
    case element_type::STRING: return "a string";
    case element_type::INT64: case element_type::UINT64: case element_type::DOUBLE: return "a number";
    case element_type::BOOL: return "a boolean";
    case element_type::NULL_VALUE: return "null";
  }
  return "a value";
}

bool IsNumber(element value) {
  return value.type() == element_type::INT64 || value.type() == element_type::UINT64 ||
         value.type() == element_type::DOUBLE;
}

// An integer in [lo, hi], or nullopt.
std::optional<int64_t> IntegerIn(element value, int64_t lo, int64_t hi) {
  int64_t n;
  if (value.type() == element_type::INT64 && value.get_int64().get(n) == simdjson::SUCCESS && n >= lo && n <= hi) return n;
  return std::nullopt;
}

std::optional<ItemType> ParseItemType(std::string_view s) {
  static const std::pair<std::string_view, ItemType> kTypes[] = {
      {"page", ItemType::kPage}, {"group", ItemType::kGroup}, {"repeat", ItemType::kRepeat},
      {"text", ItemType::kText}, {"integer", ItemType::kInteger}, {"decimal", ItemType::kDecimal},
      {"select_one", ItemType::kSelectOne}, {"select_multiple", ItemType::kSelectMultiple},
      {"rank", ItemType::kRank}, {"date", ItemType::kDate}, {"time", ItemType::kTime},
      {"datetime", ItemType::kDateTime}, {"acknowledge", ItemType::kAcknowledge}, {"note", ItemType::kNote},
      {"calculate", ItemType::kCalculate}, {"matrix", ItemType::kMatrix}};
  for (const auto& t : kTypes) {
    if (t.first == s) return t.second;
  }
  return std::nullopt;
}

std::vector<std::string_view> ItemTypeNames() {
  return {"page", "group", "repeat", "text", "integer", "decimal", "select_one", "select_multiple", "rank",
          "date", "time", "datetime", "acknowledge", "note", "calculate", "matrix"};
}

// The properties each item type accepts (besides `type` and `name`).
const std::vector<std::string_view>& AllowedProperties(ItemType type) {
  static const std::vector<std::string_view> kPage = {"type", "name", "label", "hint", "relevant", "items"};
  static const std::vector<std::string_view> kGroup = {"type", "name", "label", "hint", "relevant", "appearance", "items"};
  static const std::vector<std::string_view> kRepeat = {"type", "name", "label", "hint", "relevant", "appearance",
                                                        "items", "min", "max", "count"};
  static const std::vector<std::string_view> kQuestion = {
      "type", "name", "label", "hint", "relevant", "appearance", "required", "required_message", "constraint",
      "constraint_message", "read_only", "default", "calculation"};
  static const std::vector<std::string_view> kSelect = [] {
    std::vector<std::string_view> v = kQuestion;
    v.push_back("list");
    v.push_back("choice_filter");
    return v;
  }();
  static const std::vector<std::string_view> kSelectMultiple = [] {
    std::vector<std::string_view> v = kSelect;
    v.push_back("min_choices");
    v.push_back("max_choices");
    return v;
  }();
  static const std::vector<std::string_view> kNote = {"type", "name", "label", "hint", "relevant", "appearance"};
  static const std::vector<std::string_view> kCalculate = {"type", "name", "label", "relevant", "calculation"};
  static const std::vector<std::string_view> kMatrix = {"type", "name", "label", "hint", "relevant", "appearance",
                                                        "list", "rows", "required", "required_message", "read_only"};
  switch (type) {
    case ItemType::kPage: return kPage;
    case ItemType::kGroup: return kGroup;
    case ItemType::kRepeat: return kRepeat;
    case ItemType::kSelectOne: case ItemType::kRank: return kSelect;
    case ItemType::kSelectMultiple: return kSelectMultiple;
    case ItemType::kNote: return kNote;
    case ItemType::kCalculate: return kCalculate;
    case ItemType::kMatrix: return kMatrix;
    default: return kQuestion;
  }
}

bool IsKnownProperty(std::string_view key) {
  for (ItemType t : {ItemType::kRepeat, ItemType::kSelectMultiple, ItemType::kMatrix}) {
    for (std::string_view p : AllowedProperties(t)) {
      if (p == key) return true;
    }
  }
  return false;
}

std::string UnknownKeyMessage(std::string_view key, const std::vector<std::string_view>& allowed) {
  return "unknown property \"" + std::string(key) + "\"" + DidYouMean(key, allowed, "\"", "\"");
}

std::string ReadFileText(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *ok = false;
    return {};
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *ok = true;
  return buffer.str();
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Orders JSON Pointers as their targets appear in a document: segment by segment, numbers as
// numbers.
bool PointerLess(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    size_t ei = a.find('/', i + 1), ej = b.find('/', j + 1);
    if (ei == std::string_view::npos) ei = a.size();
    if (ej == std::string_view::npos) ej = b.size();
    std::string_view sa = a.substr(i + 1, ei - i - 1), sb = b.substr(j + 1, ej - j - 1);
    bool na = !sa.empty() && sa.find_first_not_of("0123456789") == std::string_view::npos;
    bool nb = !sb.empty() && sb.find_first_not_of("0123456789") == std::string_view::npos;
    if (na && nb && sa.size() != sb.size()) return sa.size() < sb.size();
    if (sa != sb) return sa < sb;
    i = ei;
    j = ej;
  }
  return a.size() - i < b.size() - j;
}

std::string Ref(std::string_view name) { return "${" + std::string(name) + "}"; }

}  // namespace

FormCompiler::FormCompiler(const FormLoadOptions& options) : options_(options), form_(new Form()) {
  form_->graph_ = std::make_unique<DependencyGraph>();
}

void FormCompiler::Fault(std::string pointer, std::string message, int column) {
  faults_.push_back(Status::InvalidArgument(std::move(message), std::move(pointer), column));
}

FormLoadResult FormCompiler::Run(std::string_view json) {
  FormLoadResult result;
  JsonDocument document;
  Status parsed = document.Parse(json);
  if (!parsed.ok()) {
    result.faults.push_back(parsed);
    return result;
  }
  ReadForm(document.root());
  CheckNames();
  ResolveChoiceListReferences();
  AssignSlots();
  CompileExpressions();
  CheckDefaults();
  CheckLabels();
  BuildGraph();  // over the expressions that compiled: reports cycles even beside other faults
  // Document order, comparing array indices as numbers ("/items/2" before "/items/10").
  std::stable_sort(faults_.begin(), faults_.end(), [](const Status& a, const Status& b) {
    return PointerLess(a.pointer(), b.pointer());
  });
  result.faults = std::move(faults_);
  if (result.faults.empty()) result.form = std::shared_ptr<const Form>(form_.release());
  return result;
}

// ---------------------------------------------------------------------------------------------
// Reading the document

void FormCompiler::ReadForm(element root) {
  simdjson::dom::object top;
  if (root.get_object().get(top) != simdjson::SUCCESS) {
    Fault("", "a form must be a JSON object, not " + TypeOfJson(root));
    return;
  }
  static const std::vector<std::string_view> kTopKeys = {"format", "id", "version", "title", "languages",
                                                         "default_language", "choice_lists", "items", "settings"};
  // Languages first: every localised text depends on them.
  element languages;
  if (top["languages"].get(languages) == simdjson::SUCCESS) {
    ReadLanguages(languages, "/languages");
  } else {
    Fault("", "missing property \"languages\" (e.g. [\"ja\", \"en\"])");
    form_->languages_.push_back("ja");
  }
  bool has_format = false, has_id = false, has_version = false, has_title = false, has_items = false;
  element items_value;
  for (auto field : top) {
    std::string_view key = field.key;
    std::string pointer = PointerAppend("", key);
    element value = field.value;
    if (key == "format") {
      has_format = true;
      if (!IntegerIn(value, kFormatVersion, kFormatVersion)) {
        Fault(pointer, "unsupported format; this version of chosa reads format " + std::to_string(kFormatVersion));
      }
    } else if (key == "id") {
      has_id = true;
      std::string_view id;
      if (value.get_string().get(id) != simdjson::SUCCESS || !IsFormId(id)) {
        Fault(pointer, "a form id is lower-case letters, digits and '_', starting with a letter");
      } else {
        form_->id_ = std::string(id);
      }
    } else if (key == "version") {
      has_version = true;
      std::string_view version;
      if (value.get_string().get(version) != simdjson::SUCCESS || version.empty() || version.size() > 64) {
        Fault(pointer, "a version is a non-empty string (e.g. \"2024.1\")");
      } else {
        form_->version_ = std::string(version);
      }
    } else if (key == "title") {
      has_title = true;
      form_->title_ = ReadText(value, pointer, kNone, false);
    } else if (key == "languages") {
      // read above
    } else if (key == "default_language") {
      std::string_view language;
      if (value.get_string().get(language) != simdjson::SUCCESS) {
        Fault(pointer, "default_language must be a string");
        continue;
      }
      auto& langs = form_->languages_;
      auto it = std::find(langs.begin(), langs.end(), language);
      if (it == langs.end()) {
        Fault(pointer, "default_language \"" + std::string(language) + "\" is not one of the form's languages");
      } else {
        form_->default_language_ = static_cast<size_t>(it - langs.begin());
      }
    } else if (key == "choice_lists") {
      ReadChoiceLists(value, pointer);
    } else if (key == "items") {
      has_items = true;
      items_value = value;
    } else if (key == "settings") {
      ReadSettings(value, pointer);
    } else {
      Fault(pointer, UnknownKeyMessage(key, kTopKeys));
    }
  }
  if (!has_format) Fault("", "missing property \"format\" (1 for this version)");
  if (!has_id) Fault("", "missing property \"id\"");
  if (!has_version) Fault("", "missing property \"version\"");
  if (!has_title) Fault("", "missing property \"title\"");
  if (!has_items) {
    Fault("", "missing property \"items\"");
    return;
  }
  simdjson::dom::array items;
  if (items_value.get_array().get(items) != simdjson::SUCCESS || items.size() == 0) {
    Fault("/items", "items must be a non-empty array of items");
    return;
  }
  // Either every top-level item is a page, or none is.
  size_t pages = 0, index = 0;
  for (element item : items) {
    std::string_view type;
    if (item.type() == element_type::OBJECT && item["type"].get_string().get(type) == simdjson::SUCCESS &&
        type == "page") {
      ++pages;
    }
    ++index;
  }
  if (pages != 0 && pages != items.size()) {
    Fault("/items", "either every top-level item is a page or none is: " + std::to_string(pages) + " of " +
                        std::to_string(items.size()) + " are pages");
  }
  ReadItems(items_value, "/items", kNone, kNone, kNone);
}

void FormCompiler::ReadLanguages(element value, const std::string& pointer) {
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS || array.size() == 0) {
    Fault(pointer, "languages must be a non-empty array of language codes (e.g. [\"ja\", \"en\"])");
    form_->languages_.push_back("ja");
    return;
  }
  size_t i = 0;
  for (element language : array) {
    std::string at = PointerAppend(pointer, i++);
    std::string_view code;
    if (language.get_string().get(code) != simdjson::SUCCESS || !IsLanguageCode(code)) {
      Fault(at, "a language is a code such as \"ja\" or \"en\"");
      continue;
    }
    if (std::find(form_->languages_.begin(), form_->languages_.end(), code) != form_->languages_.end()) {
      Fault(at, "language \"" + std::string(code) + "\" is listed twice");
      continue;
    }
    form_->languages_.emplace_back(code);
  }
  if (form_->languages_.empty()) form_->languages_.push_back("ja");
}

LocalizedText FormCompiler::ReadText(element value, const std::string& pointer, int32_t item, bool interpolates) {
  LocalizedText out;
  const auto& languages = form_->languages_;
  std::string_view plain;
  if (value.get_string().get(plain) == simdjson::SUCCESS) {
    out.text.assign(languages.size(), std::string(plain));
    if (interpolates) labels_.push_back({item, pointer, std::string(plain)});
    return out;
  }
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    Fault(pointer, "text must be a string or an object of languages such as {\"ja\": \"…\", \"en\": \"…\"}, not " +
                       TypeOfJson(value));
    return out;
  }
  out.text.assign(languages.size(), std::string());
  std::vector<bool> seen(languages.size(), false);
  for (auto field : object) {
    std::string at = PointerAppend(pointer, field.key);
    auto it = std::find(languages.begin(), languages.end(), field.key);
    if (it == languages.end()) {
      std::string listed;
      for (const auto& l : languages) listed += (listed.empty() ? "" : ", ") + l;
      Fault(at, "unknown language \"" + std::string(field.key) + "\"; the form's languages are " + listed);
      continue;
    }
    std::string_view text;
    if (field.value.get_string().get(text) != simdjson::SUCCESS) {
      Fault(at, "text must be a string, not " + TypeOfJson(field.value));
      continue;
    }
    size_t index = static_cast<size_t>(it - languages.begin());
    out.text[index] = std::string(text);
    seen[index] = true;
    if (interpolates) labels_.push_back({item, at, std::string(text)});
  }
  for (size_t i = 0; i < languages.size(); ++i) {
    if (!seen[i]) Fault(pointer, "missing language \"" + languages[i] + "\"");
  }
  return out;
}

void FormCompiler::ReadSettings(element value, const std::string& pointer) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    Fault(pointer, "settings must be an object");
    return;
  }
  static const std::vector<std::string_view> kKeys = {"instance_name", "public_key", "audit", "retention_days",
                                                      "allow_back"};
  FormSettings& settings = form_->settings_;
  for (auto field : object) {
    std::string at = PointerAppend(pointer, field.key);
    std::string_view key = field.key;
    if (key == "instance_name") {
      AddExpression(field.value, at, kNone, ExprRole::kInstanceName);
    } else if (key == "public_key") {
      std::string_view pem;
      if (field.value.get_string().get(pem) != simdjson::SUCCESS ||
          pem.find("-----BEGIN PUBLIC KEY-----") == std::string_view::npos) {
        Fault(at, "public_key must be a PEM public key (-----BEGIN PUBLIC KEY-----)");
      } else {
        settings.public_key = std::string(pem);
      }
    } else if (key == "audit" || key == "allow_back") {
      bool flag;
      if (field.value.get_bool().get(flag) != simdjson::SUCCESS) {
        Fault(at, std::string(key) + " must be true or false");
      } else {
        (key == "audit" ? settings.audit : settings.allow_back) = flag;
      }
    } else if (key == "retention_days") {
      auto days = IntegerIn(field.value, 0, 36500);
      if (!days) {
        Fault(at, "retention_days must be a whole number of days from 0 to 36500");
      } else {
        settings.retention_days = static_cast<int32_t>(*days);
      }
    } else {
      Fault(at, UnknownKeyMessage(key, kKeys));
    }
  }
}

void FormCompiler::ReadChoiceLists(element value, const std::string& pointer) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    Fault(pointer, "choice_lists must be an object of named lists");
    return;
  }
  for (auto field : object) {
    std::string at = PointerAppend(pointer, field.key);
    if (!IsName(field.key)) {
      Fault(at, "a list name is letters, digits and '_', starting with a letter or '_'");
      continue;
    }
    ChoiceList list;
    list.name = std::string(field.key);
    simdjson::dom::object ref_object;
    if (field.value.get_object().get(ref_object) == simdjson::SUCCESS) {
      std::string_view ref;
      if (ref_object.size() != 1 || ref_object["$ref"].get_string().get(ref) != simdjson::SUCCESS) {
        Fault(at, "a choice list is an array of choices or {\"$ref\": \"codelists/NAME.json\"}");
        continue;
      }
      if (!ResolveReference(ref, PointerAppend(at, "$ref"), list)) continue;
    } else {
      ReadChoices(list, field.value, at, at, "");
    }
    form_->choice_lists_.push_back(std::move(list));
  }
}

bool FormCompiler::ResolveReference(std::string_view ref, const std::string& pointer, ChoiceList& list) {
  std::string path(ref);
  if (path.empty() || path[0] == '/' || path.size() < 6 || path.compare(path.size() - 5, 5, ".json") != 0) {
    Fault(pointer, "a $ref is a relative path to a .json code list (e.g. \"codelists/wards.json\")");
    return false;
  }
  std::vector<std::string> directories;
  if (!base_dir_.empty()) directories.push_back(base_dir_);
  for (const auto& dir : options_.search_paths) directories.push_back(dir);
  if (directories.empty()) directories.push_back(".");
  for (const auto& dir : directories) {
    bool found;
    std::string full = dir + "/" + path;
    std::string text = ReadFileText(full, &found);
    if (!found) continue;
    JsonDocument document;
    Status parsed = document.Parse(text);
    if (!parsed.ok()) {
      Fault(pointer, "code list " + path + ": " + parsed.ToString());
      return false;
    }
    simdjson::dom::object object;
    if (document.root().get_object().get(object) != simdjson::SUCCESS) {
      Fault(pointer, "code list " + path + " must be an object with \"choices\"");
      return false;
    }
    static const std::vector<std::string_view> kKeys = {"id", "description", "choices"};
    bool has_choices = false;
    for (auto field : object) {
      if (field.key == "choices") {
        has_choices = true;
        ReadChoices(list, field.value, "/choices", pointer, path);
      } else if (field.key != "id" && field.key != "description") {
        Fault(pointer, "code list " + path + ": /" + std::string(field.key) + ": " + UnknownKeyMessage(field.key, kKeys));
      }
    }
    if (!has_choices) Fault(pointer, "code list " + path + " has no \"choices\"");
    return true;
  }
  Fault(pointer, "code list not found: " + path);
  return false;
}

// Reads choices at `pointer` (inside a form, or inside a code list `file` referenced from
// `fault_pointer`, where faults are reported).
void FormCompiler::ReadChoices(ChoiceList& list, element value, const std::string& pointer,
                               const std::string& fault_pointer, const std::string& file) {
  auto fault = [&](const std::string& at, const std::string& message) {
    if (file.empty()) {
      Fault(at, message);
    } else {
      Fault(fault_pointer, "code list " + file + ": " + at + ": " + message);
    }
  };
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS || array.size() == 0) {
    fault(pointer, "a choice list must be a non-empty array of choices");
    return;
  }
  static const std::vector<std::string_view> kKeys = {"value", "label", "score", "attributes"};
  size_t index = 0;
  for (element choice_value : array) {
    std::string at = PointerAppend(pointer, index++);
    simdjson::dom::object object;
    if (choice_value.get_object().get(object) != simdjson::SUCCESS) {
      fault(at, "a choice must be an object with value and label");
      continue;
    }
    Choice choice;
    bool has_value = false, has_label = false, value_given = false;
    for (auto field : object) {
      std::string field_at = PointerAppend(at, field.key);
      if (field.key == "value") {
        value_given = true;
        std::string_view v;
        if (field.value.get_string().get(v) != simdjson::SUCCESS || v.empty()) {
          fault(field_at, "a choice value must be a non-empty string (write codes as strings: \"01\")");
          continue;
        }
        if (ContainsWhitespace(v)) {
          fault(field_at, "choice value contains whitespace: \"" + std::string(v) +
                              "\" (a select_multiple answer separates values with spaces)");
          continue;
        }
        choice.value = std::string(v);
        has_value = true;
      } else if (field.key == "label") {
        has_label = true;
        if (file.empty()) {
          choice.label = ReadText(field.value, field_at, kNone, false);
        } else {
          // A code list is shared by forms of any languages: take the languages the form has.
          simdjson::dom::object labels;
          std::string_view plain;
          if (field.value.get_string().get(plain) == simdjson::SUCCESS) {
            choice.label.text.assign(form_->languages_.size(), std::string(plain));
          } else if (field.value.get_object().get(labels) == simdjson::SUCCESS) {
            for (const auto& language : form_->languages_) {
              std::string_view text;
              if (labels[language].get_string().get(text) != simdjson::SUCCESS) {
                fault(field_at, "missing language \"" + language + "\"");
                text = "";
              }
              choice.label.text.emplace_back(text);
            }
          } else {
            fault(field_at, "a label must be a string or an object of languages");
          }
        }
      } else if (field.key == "score") {
        double score;
        if (!IsNumber(field.value) || field.value.get_double().get(score) != simdjson::SUCCESS) {
          fault(field_at, "score must be a number");
          continue;
        }
        choice.score = score;
        list.has_scores = true;
      } else if (field.key == "attributes") {
        simdjson::dom::object attributes;
        if (field.value.get_object().get(attributes) != simdjson::SUCCESS) {
          fault(field_at, "attributes must be an object of strings or numbers");
          continue;
        }
        for (auto attribute : attributes) {
          std::string attribute_at = PointerAppend(field_at, attribute.key);
          if (!IsName(attribute.key)) {
            fault(attribute_at, "an attribute name is letters, digits and '_'");
            continue;
          }
          std::string_view text;
          double number;
          if (attribute.value.get_string().get(text) == simdjson::SUCCESS) {
            choice.attributes.emplace_back(std::string(attribute.key), std::string(text));
          } else if (IsNumber(attribute.value) && attribute.value.get_double().get(number) == simdjson::SUCCESS) {
            choice.attributes.emplace_back(std::string(attribute.key), FormatNumber(number));
          } else {
            fault(attribute_at, "an attribute must be a string or a number");
          }
        }
      } else {
        fault(field_at, UnknownKeyMessage(field.key, kKeys));
      }
    }
    if (!has_value) {
      if (!value_given) fault(at, "a choice needs a value");
      continue;
    }
    if (!has_label) fault(at, "a choice needs a label");
    if (list.index_of_value.count(choice.value) != 0) {
      fault(PointerAppend(at, "value"), "duplicate choice value \"" + choice.value + "\" in list " + list.name);
      continue;
    }
    list.index_of_value.emplace(choice.value, static_cast<int32_t>(list.choices.size()));
    list.choices.push_back(std::move(choice));
  }
}

int32_t FormCompiler::NewItem(ItemType type, const std::string& pointer, int32_t parent, int32_t repeat,
                              int32_t page) {
  Item item;
  item.type = type;
  item.pointer = pointer;
  item.parent = parent;
  item.repeat = repeat;
  item.page = page;
  form_->items_.push_back(std::move(item));
  list_pointers_.emplace_back();
  int32_t index = static_cast<int32_t>(form_->items_.size() - 1);
  if (parent == kNone) {
    form_->top_level_.push_back(index);
  } else {
    form_->items_[static_cast<size_t>(parent)].children.push_back(index);
  }
  return index;
}

void FormCompiler::ReadItems(element value, const std::string& pointer, int32_t parent, int32_t repeat, int32_t page) {
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) {
    Fault(pointer, "items must be an array, not " + TypeOfJson(value));
    return;
  }
  size_t index = 0;
  for (element item : array) ReadItem(item, PointerAppend(pointer, index++), parent, repeat, page);
}

void FormCompiler::ReadItem(element value, const std::string& pointer, int32_t parent, int32_t repeat, int32_t page) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    Fault(pointer, "an item must be an object, not " + TypeOfJson(value));
    return;
  }
  std::string_view type_name;
  element type_value;
  if (object["type"].get(type_value) != simdjson::SUCCESS) {
    Fault(pointer, "missing property \"type\"");
    return;
  }
  if (type_value.get_string().get(type_name) != simdjson::SUCCESS) {
    Fault(pointer + "/type", "type must be a string");
    return;
  }
  std::optional<ItemType> type = ParseItemType(type_name);
  if (!type) {
    Fault(pointer + "/type", "unknown item type \"" + std::string(type_name) + "\"" +
                                 DidYouMean(type_name, ItemTypeNames(), "\"", "\""));
    return;
  }
  if (*type == ItemType::kPage && parent != kNone) {
    Fault(pointer + "/type", "a page can only be a top-level item");
  }
  if (*type == ItemType::kRepeat && repeat != kNone) {
    std::string_view inner;
    if (object["name"].get_string().get(inner) != simdjson::SUCCESS) inner = "?";
    Fault(pointer + "/type", "nested repeat: \"" + std::string(inner) + "\" is inside repeat \"" +
                                 form_->item(repeat).name + "\"; chosa supports one level of repeats");
  }
  int32_t index = NewItem(*type, pointer, parent, repeat, *type == ItemType::kPage ? kNone : page);
  if (*type == ItemType::kPage) {
    form_->items_[static_cast<size_t>(index)].page = index;
    form_->pages_.push_back(index);
  }
  if (*type == ItemType::kRepeat) form_->repeats_.push_back(index);
  auto item = [&]() -> Item& { return form_->items_[static_cast<size_t>(index)]; };

  const std::vector<std::string_view>& allowed = AllowedProperties(*type);
  bool has_name = false, has_items = false, has_list = false, has_rows = false, has_calculation = false;
  element items_value, rows_value;
  for (auto field : object) {
    std::string_view key = field.key;
    std::string at = PointerAppend(pointer, key);
    element v = field.value;
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      if (IsKnownProperty(key)) {
        Fault(at, "property \"" + std::string(key) + "\" is not allowed on a " + std::string(type_name));
      } else {
        Fault(at, UnknownKeyMessage(key, allowed));
      }
      continue;
    }
    if (key == "type") continue;
    if (key == "name") {
      has_name = true;
      std::string_view name;
      if (v.get_string().get(name) != simdjson::SUCCESS || !IsName(name)) {
        Fault(at, "a name is ASCII letters, digits and '_', starting with a letter or '_' (it is the export column)");
      } else {
        item().name = std::string(name);
      }
    } else if (key == "label") {
      item().label = ReadText(v, at, index, true);
    } else if (key == "hint") {
      item().hint = ReadText(v, at, index, true);
    } else if (key == "required_message") {
      item().required_message = ReadText(v, at, index, true);
    } else if (key == "constraint_message") {
      item().constraint_message = ReadText(v, at, index, true);
    } else if (key == "appearance") {
      std::string_view appearance;
      if (v.get_string().get(appearance) != simdjson::SUCCESS) {
        Fault(at, "appearance must be a string such as \"likert\"");
      } else {
        item().appearance = std::string(appearance);
      }
    } else if (key == "relevant") {
      AddExpression(v, at, index, ExprRole::kRelevant);
    } else if (key == "constraint") {
      AddExpression(v, at, index, ExprRole::kConstraint);
    } else if (key == "calculation") {
      has_calculation = true;
      AddExpression(v, at, index, ExprRole::kCalculation);
    } else if (key == "choice_filter") {
      AddExpression(v, at, index, ExprRole::kChoiceFilter);
    } else if (key == "count") {
      AddExpression(v, at, index, ExprRole::kRepeatCount);
    } else if (key == "required") {
      ReadExpressionOrBool(v, at, index, ExprRole::kRequired);
    } else if (key == "read_only") {
      ReadExpressionOrBool(v, at, index, ExprRole::kReadOnly);
    } else if (key == "default") {
      std::string_view text;
      double number;
      bool flag;
      if (v.get_string().get(text) == simdjson::SUCCESS) {
        item().default_value = std::string(text);
      } else if (IsNumber(v) && v.get_double().get(number) == simdjson::SUCCESS) {
        item().default_value = FormatNumber(number);
      } else if (v.get_bool().get(flag) == simdjson::SUCCESS) {
        Fault(at, "default is an answer written as a string or a number, not a boolean");
      } else {
        Fault(at, "default must be a string or a number");
      }
    } else if (key == "list") {
      has_list = true;
      std::string_view list;
      if (v.get_string().get(list) != simdjson::SUCCESS) {
        Fault(at, "list must be the name of a choice list");
      } else {
        list_references_.emplace_back(index, std::string(list));
        list_pointers_[static_cast<size_t>(index)] = at;
      }
    } else if (key == "min" || key == "max" || key == "min_choices" || key == "max_choices") {
      auto n = IntegerIn(v, 0, 100000);
      if (!n) {
        Fault(at, std::string(key) + " must be a whole number from 0 to 100000");
      } else if (key == "min" || key == "min_choices") {
        item().min = static_cast<int32_t>(*n);
      } else {
        item().max = static_cast<int32_t>(*n);
      }
    } else if (key == "items") {
      has_items = true;
      items_value = v;
    } else if (key == "rows") {
      has_rows = true;
      rows_value = v;
    }
  }
  if (!has_name) Fault(pointer, "missing property \"name\"");
  if (IsSelect(*type) || *type == ItemType::kMatrix) {
    if (!has_list) Fault(pointer, "missing property \"list\": a " + std::string(type_name) + " needs a choice list");
  }
  if (*type == ItemType::kCalculate && !has_calculation) Fault(pointer, "missing property \"calculation\"");
  if (item().max >= 0 && item().max < item().min) {
    Fault(pointer + (*type == ItemType::kRepeat ? "/max" : "/max_choices"), "max is smaller than min");
  }
  if (*type == ItemType::kRepeat && object["count"].error() == simdjson::SUCCESS &&
      (object["min"].error() == simdjson::SUCCESS || object["max"].error() == simdjson::SUCCESS)) {
    Fault(pointer + "/count", "a repeat has either a count expression or min/max, not both");
  }
  if (*type == ItemType::kPage || *type == ItemType::kGroup || *type == ItemType::kRepeat) {
    if (!has_items) {
      Fault(pointer, "missing property \"items\"");
    } else {
      simdjson::dom::array children;
      if (items_value.get_array().get(children) == simdjson::SUCCESS && children.size() == 0) {
        Fault(pointer + "/items", "a " + std::string(type_name) + " needs at least one item");
      }
      ReadItems(items_value, pointer + "/items", index, *type == ItemType::kRepeat ? index : repeat,
                *type == ItemType::kPage ? index : page);
    }
  }
  if (*type == ItemType::kMatrix) {
    if (!has_rows) {
      Fault(pointer, "missing property \"rows\"");
    } else {
      ReadMatrixRows(rows_value, pointer + "/rows", index);
    }
  }
}

void FormCompiler::ReadMatrixRows(element value, const std::string& pointer, int32_t matrix) {
  simdjson::dom::array rows;
  if (value.get_array().get(rows) != simdjson::SUCCESS || rows.size() == 0) {
    Fault(pointer, "rows must be a non-empty array of {\"name\", \"label\"}");
    return;
  }
  size_t index = 0;
  for (element row_value : rows) {
    std::string at = PointerAppend(pointer, index++);
    simdjson::dom::object object;
    if (row_value.get_object().get(object) != simdjson::SUCCESS) {
      Fault(at, "a row must be an object with name and label");
      continue;
    }
    const Item& owner = form_->item(matrix);
    int32_t row = NewItem(ItemType::kMatrixRow, at, matrix, owner.repeat, owner.page);
    bool has_name = false;
    for (auto field : object) {
      std::string field_at = PointerAppend(at, field.key);
      if (field.key == "name") {
        std::string_view name;
        if (field.value.get_string().get(name) != simdjson::SUCCESS || !IsName(name)) {
          Fault(field_at, "a name is ASCII letters, digits and '_', starting with a letter or '_'");
        } else {
          form_->items_[static_cast<size_t>(row)].name = std::string(name);
          has_name = true;
        }
      } else if (field.key == "label") {
        form_->items_[static_cast<size_t>(row)].label = ReadText(field.value, field_at, row, true);
      } else {
        Fault(field_at, UnknownKeyMessage(field.key, {"name", "label"}));
      }
    }
    if (!has_name) Fault(at, "missing property \"name\"");
  }
}

void FormCompiler::ReadExpressionOrBool(element value, const std::string& pointer, int32_t item, ExprRole role) {
  bool flag;
  if (value.get_bool().get(flag) == simdjson::SUCCESS) {
    Item& target = form_->items_[static_cast<size_t>(item)];
    (role == ExprRole::kRequired ? target.required : target.read_only) = flag;
    return;
  }
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS &&
      (text == "yes" || text == "no" || text == "true" || text == "false")) {
    Fault(pointer, "write the JSON boolean " + std::string(text == "yes" || text == "true" ? "true" : "false") +
                       " instead of the string \"" + std::string(text) + "\"");
    return;
  }
  AddExpression(value, pointer, item, role);
}

void FormCompiler::AddExpression(element value, const std::string& pointer, int32_t item, ExprRole role) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    Fault(pointer, "an expression must be a string, not " + TypeOfJson(value));
    return;
  }
  pending_.push_back({item, role, pointer, std::string(text)});
}

int32_t* FormCompiler::ExpressionField(const PendingExpression& pending) {
  if (pending.item == kNone) return &form_->settings_.instance_name;
  Item& item = form_->items_[static_cast<size_t>(pending.item)];
  switch (pending.role) {
    case ExprRole::kRelevant: return &item.relevant;
    case ExprRole::kRequired: return &item.required_if;
    case ExprRole::kReadOnly: return &item.read_only_if;
    case ExprRole::kConstraint: return &item.constraint;
    case ExprRole::kCalculation: return &item.calculation;
    case ExprRole::kChoiceFilter: return &item.choice_filter;
    case ExprRole::kRepeatCount: return &item.repeat_count;
    case ExprRole::kInstanceName: return &form_->settings_.instance_name;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Names, lists and slots

void FormCompiler::CheckNames() {
  auto& items = form_->items_;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string& name = items[i].name;
    if (name.empty()) continue;  // already reported
    auto inserted = form_->index_of_name_.emplace(name, static_cast<int32_t>(i));
    if (!inserted.second) {
      const Item& first = items[static_cast<size_t>(inserted.first->second)];
      Fault(items[i].pointer + "/name", "duplicate name \"" + name + "\" (first used at " + first.pointer + ")");
    }
  }
  for (const auto& entry : form_->index_of_name_) item_names_.push_back(entry.first);
  std::sort(item_names_.begin(), item_names_.end());
}

void FormCompiler::ResolveChoiceListReferences() {
  std::vector<std::string_view> names;
  for (const auto& list : form_->choice_lists_) names.push_back(list.name);
  for (const auto& reference : list_references_) {
    int32_t found = kNone;
    for (size_t i = 0; i < form_->choice_lists_.size(); ++i) {
      if (form_->choice_lists_[i].name == reference.second) found = static_cast<int32_t>(i);
    }
    Item& item = form_->items_[static_cast<size_t>(reference.first)];
    if (found == kNone) {
      Fault(list_pointers_[static_cast<size_t>(reference.first)],
            "unknown choice list \"" + reference.second + "\"" + DidYouMean(reference.second, names, "\"", "\""));
      continue;
    }
    item.list = found;
    if (item.type == ItemType::kMatrix) {
      for (int32_t row : item.children) form_->items_[static_cast<size_t>(row)].list = found;
    }
  }
}

void FormCompiler::AssignSlots() {
  for (Item& item : form_->items_) {
    if (item.repeat == kNone) {
      item.slot = form_->root_slots_++;
    } else {
      item.slot = form_->repeat_slots_[item.repeat]++;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Expressions

void FormCompiler::CompileExpressions() {
  for (PendingExpression& pending : pending_) CompileOne(pending);
}

void FormCompiler::CompileOne(PendingExpression& pending) {
  Result<Expression> parsed = ParseExpression(pending.source);
  if (!parsed.ok()) {
    Fault(pending.pointer, parsed.status().message(), parsed.status().column());
    return;
  }
  Expression& e = *parsed;
  const Item* self = pending.item == kNone ? nullptr : &form_->item(pending.item);
  // The repeat whose instance the expression is evaluated in. A repeat's own relevance and
  // count are evaluated outside it.
  int32_t context_repeat = self == nullptr ? kNone : self->repeat;
  size_t faults_before = faults_.size();
  auto fault = [&](const Node& n, const std::string& message) { Fault(pending.pointer, message, n.column); };

  // Which nodes are direct arguments of an aggregate (they may read many values).
  std::vector<bool> in_aggregate(e.nodes.size(), false);
  std::vector<bool> repeat_position(e.nodes.size(), false);  // arguments 1.. of indexed-repeat
  std::vector<bool> indexed_value(e.nodes.size(), false);    // argument 0 of indexed-repeat
  for (const Node& n : e.nodes) {
    if (n.kind != NodeKind::kCall) continue;
    if (n.function->flags & kAggregate) {
      for (uint32_t k = 0; k < n.child_count; ++k) in_aggregate[e.child(n, k)] = true;
    }
    if (n.function->name == "indexed-repeat") {
      indexed_value[e.child(n, 0)] = true;
      for (uint32_t k = 1; k < n.child_count; k += 2) repeat_position[e.child(n, k)] = true;
    }
  }

  for (uint32_t i = 0; i < e.nodes.size(); ++i) {
    Node& n = e.nodes[i];
    switch (n.kind) {
      case NodeKind::kRef: {
        int32_t target = form_->Find(n.name);
        if (target == kNone) {
          std::vector<std::string_view> names(item_names_.begin(), item_names_.end());
          fault(n, "unknown name " + Ref(n.name) + DidYouMean(n.name, names, "${", "}"));
          break;
        }
        n.target = target;
        const Item& t = form_->item(target);
        if (t.type == ItemType::kPage || t.type == ItemType::kGroup || t.type == ItemType::kNote) {
          fault(n, Ref(n.name) + " is a " + ItemTypeName(t.type) + " and has no value");
          break;
        }
        if (repeat_position[i]) {
          if (t.type != ItemType::kRepeat) fault(n, "indexed-repeat() needs a repeat here; " + Ref(n.name) + " is a " + ItemTypeName(t.type));
          n.kind = NodeKind::kRefAll;
          break;
        }
        if (t.type == ItemType::kMatrix) {
          if (!in_aggregate[i]) {
            fault(n, "matrix " + Ref(n.name) + " can only be read inside an aggregate such as sum(" + Ref(n.name) + ")");
          }
          n.kind = NodeKind::kRefAll;
          break;
        }
        if (t.type == ItemType::kRepeat) {
          if (!in_aggregate[i]) {
            fault(n, "repeat " + Ref(n.name) + " can only be read inside an aggregate such as count(" + Ref(n.name) + ")");
          }
          n.kind = NodeKind::kRefAll;
          break;
        }
        if (t.repeat != kNone) {
          if (in_aggregate[i]) {
            n.kind = NodeKind::kRefAll;  // every instance, also from inside the repeat
          } else if (indexed_value[i]) {
            // read by position: stays kRef; the evaluator calls ReadAt
          } else if (t.repeat != context_repeat) {
            fault(n, Ref(n.name) + " is inside repeat " + Ref(form_->item(t.repeat).name) +
                         "; from outside it, read it with an aggregate such as sum(" + Ref(n.name) +
                         ") or with indexed-repeat()");
          }
        }
        break;
      }
      case NodeKind::kSelf:
        if (pending.role != ExprRole::kConstraint && pending.role != ExprRole::kRequired) {
          fault(n, "'.' is only valid in constraint and required; write " +
                       (self != nullptr && !self->name.empty() ? Ref(self->name) : std::string("${name}")));
        } else if (self != nullptr && !HoldsAnswer(self->type)) {
          fault(n, "'.' reads the item's own answer, and a " + std::string(ItemTypeName(self->type)) + " has none");
        }
        break;
      case NodeKind::kAttribute: {
        if (pending.role != ExprRole::kChoiceFilter) {
          fault(n, "bare name \"" + n.name + "\": refer to questions as " + Ref(n.name));
          break;
        }
        if (self == nullptr || self->list == kNone) break;  // the missing list is reported already
        const ChoiceList& list = form_->choice_lists_[static_cast<size_t>(self->list)];
        if (n.name == "value" || n.name == "name" || n.name == "label") break;
        bool known = false;
        std::set<std::string> attribute_names;
        for (const Choice& c : list.choices) {
          for (const auto& attribute : c.attributes) attribute_names.insert(attribute.first);
        }
        known = attribute_names.count(n.name) != 0;
        if (!known) {
          std::vector<std::string_view> candidates(attribute_names.begin(), attribute_names.end());
          fault(n, "choice list " + list.name + " has no attribute \"" + n.name + "\"" +
                       DidYouMean(n.name, candidates, "\"", "\""));
        }
        break;
      }
      case NodeKind::kBinary:
        // ${q} = 'yse' where q is a select: the literal must be one of q's choices.
        if (n.op == BinaryOp::kEq || n.op == BinaryOp::kNe) {
          CheckChoiceLiteral(pending, e.node(e.child(n, 0)), e.node(e.child(n, 1)));
          CheckChoiceLiteral(pending, e.node(e.child(n, 1)), e.node(e.child(n, 0)));
        }
        break;
      case NodeKind::kCall: {
        const FunctionSpec& f = *n.function;
        if ((f.name == "selected") && n.child_count == 2) {
          CheckChoiceLiteral(pending, e.node(e.child(n, 0)), e.node(e.child(n, 1)));
        }
        if ((f.flags & kReadsSelect) && n.child_count > 0) {
          const Node& arg = e.node(e.child(n, 0));
          int32_t target = arg.kind == NodeKind::kRef ? form_->Find(arg.name) : kNone;
          if (target != kNone) {
            ItemType t = form_->item(target).type;
            if (!IsSelect(t) && t != ItemType::kCalculate) {
              fault(arg, std::string(f.name) + "() needs a select question; " + Ref(arg.name) + " is a " +
                             ItemTypeName(t) + " question");
            }
          }
        }
        if (f.name == "score") {
          const Node& arg = e.node(e.child(n, 0));
          int32_t target = arg.kind == NodeKind::kRef ? form_->Find(arg.name) : kNone;
          if (arg.kind != NodeKind::kRef) {
            fault(arg, "score() reads a question: write score(${name})");
          } else if (target != kNone) {
            const Item& t = form_->item(target);
            if (t.type != ItemType::kSelectOne && t.type != ItemType::kMatrixRow) {
              fault(arg, "score() needs a select_one or a matrix row; " + Ref(arg.name) + " is a " + ItemTypeName(t.type));
            } else if (t.list != kNone && !form_->choice_lists_[static_cast<size_t>(t.list)].has_scores) {
              fault(arg, "score() of " + Ref(arg.name) + ": its choice list " +
                             form_->choice_lists_[static_cast<size_t>(t.list)].name + " has no scores");
            }
          }
        }
        if (f.name == "regex" && n.child_count == 2) {
          const Node& pattern = e.node(e.child(n, 1));
          if (pattern.kind == NodeKind::kConstant) {
            RE2::Options re_options;
            re_options.set_log_errors(false);
            RE2 re(pattern.constant.ToString(), re_options);
            if (!re.ok()) fault(pattern, "invalid regex: " + re.error());
          }
        }
        if (f.name == "indexed-repeat" && (n.child_count % 2) == 0) {
          fault(n, "indexed-repeat() takes ${name}, then pairs of ${repeat} and position");
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
    Fault(pending.pointer, folded.message(), folded.column());
    return;
  }
  int32_t* field = ExpressionField(pending);
  *field = static_cast<int32_t>(form_->expressions_.size());
  form_->expressions_.push_back(std::move(e));
}

void FormCompiler::CheckChoiceLiteral(const PendingExpression& pending, const Node& reference, const Node& literal) {
  if (reference.kind != NodeKind::kRef || literal.kind != NodeKind::kConstant || !literal.constant.is_string()) return;
  int32_t target = form_->Find(reference.name);
  if (target == kNone) return;
  const Item& item = form_->item(target);
  if (!IsSelect(item.type) || item.list == kNone) return;
  const ChoiceList& list = form_->choice_lists_[static_cast<size_t>(item.list)];
  const std::string& value = literal.constant.text();
  if (value.empty() || list.Find(value) != kNone) return;
  std::vector<std::string_view> values;
  for (const Choice& c : list.choices) values.push_back(c.value);
  Fault(pending.pointer, "'" + value + "' is not a choice of " + Ref(reference.name) + " (list " + list.name + ")" +
                             DidYouMean(value, values, "'", "'"),
        literal.column);
}

// A default is an answer: a number for numbers, a date for dates, a choice of the list.
void FormCompiler::CheckDefaults() {
  for (const Item& item : form_->items_) {
    if (item.default_value.empty()) continue;
    const std::string at = item.pointer + "/default";
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
        std::vector<std::string_view> names(item_names_.begin(), item_names_.end());
        Fault(label.pointer, "unknown name " + Ref(name) + DidYouMean(name, names, "${", "}"), ColumnOfOffset(text, at));
      } else if (!HoldsAnswer(form_->item(target).type)) {
        Fault(label.pointer, Ref(name) + " is a " + std::string(ItemTypeName(form_->item(target).type)) +
                                 " and has no value to show", ColumnOfOffset(text, at));
      }
      at = end + 1;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The dependency graph

void FormCompiler::BuildGraph() {
  DependencyGraph& g = *form_->graph_;
  const auto& items = form_->items_;
  const size_t item_count = items.size();
  g.node_of_.assign(item_count * kNodeProperties, kNone);
  g.readers_.assign(item_count, {});
  g.inheritors_.assign(item_count, {});

  std::unordered_map<int32_t, int32_t> node_slots;  // repeat -> next slot (kNone: root)
  auto add_node = [&](int32_t item, NodeProperty property, int32_t expression) {
    GraphNode node;
    node.item = item;
    node.property = property;
    node.expression = expression;
    // A repeat's own nodes (relevance, count) live outside its instances.
    int32_t block = items[static_cast<size_t>(item)].repeat;
    node.slot = node_slots[block]++;
    g.nodes_.push_back(node);
    int32_t index = static_cast<int32_t>(g.nodes_.size() - 1);
    g.node_of_[static_cast<size_t>(item) * kNodeProperties + static_cast<size_t>(property)] = index;
    return index;
  };
  // Items are in document order, so a parent's relevance node exists before its children's.
  for (size_t i = 0; i < item_count; ++i) {
    const Item& item = items[i];
    int32_t self = static_cast<int32_t>(i);
    int32_t parent_relevance = item.parent == kNone ? kNone : g.NodeOf(item.parent, NodeProperty::kRelevant);
    if (item.relevant != kNone || parent_relevance != kNone) {
      int32_t node = add_node(self, NodeProperty::kRelevant, item.relevant);
      if (parent_relevance != kNone) g.inheritors_[static_cast<size_t>(item.parent)].push_back(node);
    }
    if (item.calculation != kNone) add_node(self, NodeProperty::kCalculation, item.calculation);
    if (item.required_if != kNone) add_node(self, NodeProperty::kRequired, item.required_if);
    if (item.read_only_if != kNone) add_node(self, NodeProperty::kReadOnly, item.read_only_if);
    if (item.constraint != kNone) add_node(self, NodeProperty::kConstraint, item.constraint);
    if (item.repeat_count != kNone) add_node(self, NodeProperty::kRepeatCount, item.repeat_count);
  }
  g.root_node_slots_ = node_slots[kNone];
  for (int32_t repeat : form_->repeats_) g.repeat_node_slots_.emplace_back(repeat, node_slots[repeat]);

  // Readers: which nodes read which items.
  for (size_t n = 0; n < g.nodes_.size(); ++n) {
    const GraphNode& node = g.nodes_[n];
    if (node.expression == kNone) continue;
    const Expression& e = form_->expressions_[static_cast<size_t>(node.expression)];
    const Item& reader_item = items[static_cast<size_t>(node.item)];
    int32_t reader_repeat = reader_item.repeat;
    auto add_reader = [&](int32_t target, bool same_instance) {
      auto& list = g.readers_[static_cast<size_t>(target)];
      for (Reader& r : list) {
        if (r.node == static_cast<int32_t>(n)) {
          r.same_instance = r.same_instance && same_instance;
          return;
        }
      }
      list.push_back({static_cast<int32_t>(n), same_instance});
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
  const size_t node_count = g.nodes_.size();
  std::vector<std::vector<int32_t>> edges(node_count);
  auto sources_of_item = [&](int32_t item, const std::function<void(int32_t)>& visit) {
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
    for (const Reader& r : g.readers_[item]) {
      sources_of_item(static_cast<int32_t>(item), [&](int32_t source) { edges[static_cast<size_t>(source)].push_back(r.node); });
    }
    int32_t own = g.NodeOf(static_cast<int32_t>(item), NodeProperty::kRelevant);
    for (int32_t child : g.inheritors_[item]) edges[static_cast<size_t>(own)].push_back(child);
  }
  std::vector<int32_t> indegree(node_count, 0);
  for (const auto& list : edges) {
    for (int32_t to : list) ++indegree[static_cast<size_t>(to)];
  }
  std::vector<int32_t> ready;
  for (size_t n = 0; n < node_count; ++n) {
    if (indegree[n] == 0) ready.push_back(static_cast<int32_t>(n));
  }
  size_t head = 0;
  while (head < ready.size()) {
    int32_t n = ready[head++];
    g.order_.push_back(n);
    for (int32_t to : edges[static_cast<size_t>(n)]) {
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
    for (int32_t to : edges[static_cast<size_t>(n)]) {
      if (indegree[static_cast<size_t>(to)] == 0) continue;  // not on a cycle
      if (state[static_cast<size_t>(to)] == 1) {
        auto from = std::find(stack.begin(), stack.end(), to);
        std::string path;
        for (auto it = from; it != stack.end(); ++it) path += describe(*it) + " -> ";
        path += describe(to);
        const GraphNode& first = g.nodes_[static_cast<size_t>(to)];
        Fault(items[static_cast<size_t>(first.item)].pointer + "/" + NodePropertyName(first.property),
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

FormLoadResult Form::Load(std::string_view json, const FormLoadOptions& options) {
  return FormCompiler(options).Run(json);
}

FormLoadResult Form::LoadFile(const std::string& path, FormLoadOptions options) {
  bool found;
  std::string text = ReadFileText(path, &found);
  if (!found) {
    FormLoadResult result;
    result.faults.push_back(Status::IOError("cannot read " + path));
    return result;
  }
  FormCompiler compiler(options);
  compiler.set_base_dir(DirectoryOf(path));
  return compiler.Run(text);
}

}  // namespace chosa
