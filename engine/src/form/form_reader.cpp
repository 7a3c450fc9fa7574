// Pass 1 of the form compiler: reads the JSON document into items, choice lists, settings and
// pending expressions, checking every property of every item.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include "form/compiler_support.h"
#include "form/form_compiler.h"
#include "form/text_arena.h"
#include "chosa/base/json_reader.h"
#include "chosa/base/suggest.h"

namespace chosa {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr int kFormatVersion = 1;

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
    if (c == 0xC2 && i + 1 < s.size() &&
        (static_cast<unsigned char>(s[i + 1]) == 0xA0 || static_cast<unsigned char>(s[i + 1]) == 0x85))
      return true;
    if (c == 0xE3 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        static_cast<unsigned char>(s[i + 2]) == 0x80)
      return true;  // U+3000
    if (c == 0xE2 && i + 2 < s.size()) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]), c2 = static_cast<unsigned char>(s[i + 2]);
      if (c1 == 0x80 && (c2 <= 0x8A || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF))
        return true;                              // U+2000..200A, 2028, 2029, 202F
      if (c1 == 0x81 && c2 == 0x9F) return true;  // U+205F
    }
  }
  return false;
}

std::string TypeOfJson(element value) { return JsonTypeName(value); }

bool IsNumber(element value) { return IsJsonNumber(value); }

// An integer in [lo, hi], or nullopt.
std::optional<int64_t> IntegerIn(element value, int64_t lo, int64_t hi) {
  int64_t n;
  if (value.type() == element_type::INT64 && value.get_int64().get(n) == simdjson::SUCCESS && n >= lo && n <= hi)
    return n;
  return std::nullopt;
}

std::optional<ItemType> ParseItemType(std::string_view s) {
  static const std::pair<std::string_view, ItemType> kTypes[] = {{"page", ItemType::kPage},
                                                                 {"group", ItemType::kGroup},
                                                                 {"repeat", ItemType::kRepeat},
                                                                 {"text", ItemType::kText},
                                                                 {"integer", ItemType::kInteger},
                                                                 {"decimal", ItemType::kDecimal},
                                                                 {"select_one", ItemType::kSelectOne},
                                                                 {"select_multiple", ItemType::kSelectMultiple},
                                                                 {"rank", ItemType::kRank},
                                                                 {"date", ItemType::kDate},
                                                                 {"time", ItemType::kTime},
                                                                 {"datetime", ItemType::kDateTime},
                                                                 {"acknowledge", ItemType::kAcknowledge},
                                                                 {"note", ItemType::kNote},
                                                                 {"calculate", ItemType::kCalculate},
                                                                 {"matrix", ItemType::kMatrix}};
  for (const auto& t : kTypes) {
    if (t.first == s) return t.second;
  }
  return std::nullopt;
}

std::vector<std::string_view> ItemTypeNames() {
  return {"page", "group", "repeat", "text",     "integer",     "decimal", "select_one", "select_multiple",
          "rank", "date",  "time",   "datetime", "acknowledge", "note",    "calculate",  "matrix"};
}

// The properties each item type accepts (besides `type` and `name`).
const std::vector<std::string_view>& AllowedProperties(ItemType type) {
  static const std::vector<std::string_view> kPage = {"type", "name", "label", "hint", "relevant", "items"};
  static const std::vector<std::string_view> kGroup = {"type",     "name",       "label", "hint",
                                                       "relevant", "appearance", "items"};
  static const std::vector<std::string_view> kRepeat = {"type",       "name",  "label", "hint", "relevant",
                                                        "appearance", "items", "min",   "max",  "count"};
  static const std::vector<std::string_view> kQuestion = {"type",       "name",
                                                          "label",      "hint",
                                                          "relevant",   "appearance",
                                                          "required",   "required_message",
                                                          "constraint", "constraint_message",
                                                          "read_only",  "default",
                                                          "calculation"};
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
  static const std::vector<std::string_view> kMatrix = {"type",       "name", "label", "hint",     "relevant",
                                                        "appearance", "list", "rows",  "required", "required_message",
                                                        "read_only"};
  switch (type) {
    case ItemType::kPage:
      return kPage;
    case ItemType::kGroup:
      return kGroup;
    case ItemType::kRepeat:
      return kRepeat;
    case ItemType::kSelectOne:
    case ItemType::kRank:
      return kSelect;
    case ItemType::kSelectMultiple:
      return kSelectMultiple;
    case ItemType::kNote:
      return kNote;
    case ItemType::kCalculate:
      return kCalculate;
    case ItemType::kMatrix:
      return kMatrix;
    default:
      return kQuestion;
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

// Item properties by number, so that reading an item switches instead of comparing strings.
enum class Prop : uint8_t {
  kType,
  kName,
  kLabel,
  kHint,
  kRequiredMessage,
  kConstraintMessage,
  kAppearance,
  kRelevant,
  kConstraint,
  kCalculation,
  kChoiceFilter,
  kCount,
  kRequired,
  kReadOnly,
  kDefault,
  kList,
  kMin,
  kMax,
  kMinChoices,
  kMaxChoices,
  kItems,
  kRows,
  kUnknown,
};

// `key` (of the literal's length: checked before) is the literal. The length is a constant here,
// so the comparison compiles to a few loads instead of a call to memcmp.
template <size_t N>
bool Is(std::string_view key, const char (&literal)[N]) {
  return std::memcmp(key.data(), literal, N - 1) == 0;
}

Prop LookupProp(std::string_view key) {
  // By length first: at most three names share one, so a lookup compares one or two strings.
  switch (key.size()) {
    case 3:
      if (Is(key, "min")) return Prop::kMin;
      if (Is(key, "max")) return Prop::kMax;
      break;
    case 4:
      if (Is(key, "type")) return Prop::kType;
      if (Is(key, "name")) return Prop::kName;
      if (Is(key, "hint")) return Prop::kHint;
      if (Is(key, "list")) return Prop::kList;
      if (Is(key, "rows")) return Prop::kRows;
      break;
    case 5:
      if (Is(key, "label")) return Prop::kLabel;
      if (Is(key, "count")) return Prop::kCount;
      if (Is(key, "items")) return Prop::kItems;
      break;
    case 7:
      if (Is(key, "default")) return Prop::kDefault;
      break;
    case 8:
      if (Is(key, "relevant")) return Prop::kRelevant;
      if (Is(key, "required")) return Prop::kRequired;
      break;
    case 9:
      if (Is(key, "read_only")) return Prop::kReadOnly;
      break;
    case 10:
      if (Is(key, "appearance")) return Prop::kAppearance;
      if (Is(key, "constraint")) return Prop::kConstraint;
      break;
    case 11:
      if (Is(key, "calculation")) return Prop::kCalculation;
      if (Is(key, "min_choices")) return Prop::kMinChoices;
      if (Is(key, "max_choices")) return Prop::kMaxChoices;
      break;
    case 13:
      if (Is(key, "choice_filter")) return Prop::kChoiceFilter;
      break;
    case 16:
      if (Is(key, "required_message")) return Prop::kRequiredMessage;
      break;
    case 18:
      if (Is(key, "constraint_message")) return Prop::kConstraintMessage;
      break;
    default:
      break;
  }
  return Prop::kUnknown;
}

// Bit Prop of the mask: the property is allowed on items of `type`.
uint32_t AllowedMask(ItemType type) {
  static const auto kMasks = [] {
    std::array<uint32_t, 17> masks{};
    for (size_t t = 0; t < masks.size(); ++t) {
      for (std::string_view name : AllowedProperties(static_cast<ItemType>(t))) {
        masks[t] |= 1u << static_cast<unsigned>(LookupProp(name));
      }
    }
    return masks;
  }();
  return kMasks[static_cast<size_t>(type)];
}

std::string UnknownKeyMessage(std::string_view key, const std::vector<std::string_view>& allowed) {
  return "unknown property \"" + std::string(key) + "\"" + DidYouMean(key, allowed, "\"", "\"");
}

}  // namespace

// Reading the document

void FormCompiler::ReadForm(element root) {
  simdjson::dom::object top;
  if (root.get_object().get(top) != simdjson::SUCCESS) {
    Fault("", "a form must be a JSON object, not " + TypeOfJson(root));
    return;
  }
  static const std::vector<std::string_view> kTopKeys = {
      "format",           "id",           "version", "title",    "languages",
      "default_language", "choice_lists", "items",   "settings", "$schema"};
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
      form_->title_ = ReadText(value, "", key, kNone, false);
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
    } else if (key == "$schema") {
      // Lets editors find form.schema.json; chosa itself ignores it.
      if (value.type() != element_type::STRING) Fault(pointer, "$schema must be a string (a URI)");
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
  std::string pointer = "/items";
  ReadItems(items_value, pointer, kNone, kNone, kNone);
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

LocalizedText FormCompiler::ReadText(element value, std::string_view parent, std::string_view key, int32_t item,
                                     bool interpolates) {
  // The text's pointer is built only for a fault or a label to check later.
  auto pointer = [parent, key] { return PointerAppend(parent, key); };
  const auto& languages = form_->languages_;
  std::string_view plain;
  if (value.get_string().get(plain) == simdjson::SUCCESS) {
    // The same in every language: LocalizedText::Get answers any language with the one text.
    if (interpolates && plain.find("${") != std::string_view::npos)
      labels_.push_back({item, pointer(), std::string(plain)});
    return form_->texts_->Add(plain);
  }
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    Fault(pointer(), "text must be a string or an object of languages such as {\"ja\": \"…\", \"en\": \"…\"}, not " +
                         TypeOfJson(value));
    return LocalizedText();
  }
  std::vector<std::string_view>& texts = text_scratch_;
  texts.resize(languages.size());
  for (std::string_view& text : texts) text = {};
  uint64_t seen = 0;  // bit i: language i given (a form has far fewer than 64 languages)
  for (auto field : object) {
    auto at = [&pointer, &field] { return PointerAppend(pointer(), field.key); };
    // Language codes are a few bytes: a byte loop beats a call to memcmp per code.
    auto it = std::find_if(languages.begin(), languages.end(), [&field](const std::string& language) {
      if (language.size() != field.key.size()) return false;
      for (size_t i = 0; i < language.size(); ++i) {
        if (language[i] != field.key[i]) return false;
      }
      return true;
    });
    if (it == languages.end()) {
      std::string listed;
      for (const auto& l : languages) listed += (listed.empty() ? "" : ", ") + l;
      Fault(at(), "unknown language \"" + std::string(field.key) + "\"; the form's languages are " + listed);
      continue;
    }
    std::string_view text;
    if (field.value.get_string().get(text) != simdjson::SUCCESS) {
      Fault(at(), "text must be a string, not " + TypeOfJson(field.value));
      continue;
    }
    size_t index = static_cast<size_t>(it - languages.begin());
    texts[index] = text;
    if (index < 64) seen |= uint64_t{1} << index;
    if (interpolates && text.find("${") != std::string_view::npos) labels_.push_back({item, at(), std::string(text)});
  }
  for (size_t i = 0; i < languages.size(); ++i) {
    if (i < 64 && !(seen & (uint64_t{1} << i))) Fault(pointer(), "missing language \"" + languages[i] + "\"");
  }
  return form_->texts_->Add(texts.data(), texts.size());
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
      AddExpression(field.value, kNone, ExprRole::kInstanceName);
    } else if (key == "public_key") {
      std::string_view pem;
      if (field.value.get_string().get(pem) != simdjson::SUCCESS ||
          pem.find("-----BEGIN PUBLIC KEY-----") == std::string_view::npos) {
        Fault(at, "public_key must be a PEM public key (-----BEGIN PUBLIC KEY-----)");
      } else if (!options_.accept_public_key) {
        Fault(at, kEncryptedFormsUnavailable);
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
        Fault(pointer,
              "code list " + path + ": /" + std::string(field.key) + ": " + UnknownKeyMessage(field.key, kKeys));
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
          choice.label = ReadText(field.value, at, field.key, kNone, false);
        } else {
          // A code list is shared by forms of any languages: take the languages the form has.
          simdjson::dom::object labels;
          std::string_view plain;
          if (field.value.get_string().get(plain) == simdjson::SUCCESS) {
            choice.label = form_->texts_->Add(plain);
          } else if (field.value.get_object().get(labels) == simdjson::SUCCESS) {
            std::vector<std::string_view> texts;
            for (const auto& language : form_->languages_) {
              std::string_view text;
              if (labels[language].get_string().get(text) != simdjson::SUCCESS) {
                fault(field_at, "missing language \"" + language + "\"");
                text = "";
              }
              texts.push_back(text);
            }
            choice.label = form_->texts_->Add(texts.data(), texts.size());
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

int32_t FormCompiler::NewItem(ItemType type, std::string_view pointer, int32_t parent, int32_t repeat, int32_t page) {
  Item item;
  item.type = type;
  item.parent = parent;
  item.repeat = repeat;
  item.page = page;
  form_->items_.push_back(std::move(item));
  item_pointers_.append(pointer);
  item_pointer_ends_.push_back(static_cast<uint32_t>(item_pointers_.size()));
  int32_t index = static_cast<int32_t>(form_->items_.size() - 1);
  if (parent == kNone) {
    form_->top_level_.push_back(index);
  } else {
    form_->items_[static_cast<size_t>(parent)].children.push_back(index);
  }
  return index;
}

std::string FormCompiler::ItemPointer(int32_t item) const {
  const size_t i = static_cast<size_t>(item);
  const size_t begin = i == 0 ? 0 : item_pointer_ends_[i - 1];
  return item_pointers_.substr(begin, item_pointer_ends_[i] - begin);
}

void FormCompiler::ReadItems(element value, std::string& pointer, int32_t parent, int32_t repeat, int32_t page) {
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) {
    Fault(pointer, "items must be an array, not " + TypeOfJson(value));
    return;
  }
  const size_t length = pointer.size();
  size_t index = 0;
  for (element item : array) {
    PointerAppendTo(pointer, index++);
    ReadItem(item, pointer, parent, repeat, page);
    pointer.resize(length);
  }
}

void FormCompiler::ReadItem(element value, std::string& pointer, int32_t parent, int32_t repeat, int32_t page) {
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
    Fault(pointer + "/type",
          "unknown item type \"" + std::string(type_name) + "\"" + DidYouMean(type_name, ItemTypeNames(), "\"", "\""));
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
  const uint32_t allowed_mask = AllowedMask(*type);
  bool has_name = false, has_items = false, has_list = false, has_rows = false, has_calculation = false;
  element items_value, rows_value;
  for (auto field : object) {
    std::string_view key = field.key;
    // Most fields never need their pointer: build it only for a fault or a stored expression.
    auto at = [&pointer, key] { return PointerAppend(pointer, key); };
    element v = field.value;
    const Prop prop = LookupProp(key);
    if (prop == Prop::kUnknown || !(allowed_mask & (1u << static_cast<unsigned>(prop)))) {
      if (IsKnownProperty(key)) {
        Fault(at(), "property \"" + std::string(key) + "\" is not allowed on a " + std::string(type_name));
      } else {
        Fault(at(), UnknownKeyMessage(key, allowed));
      }
      continue;
    }
    switch (prop) {
      case Prop::kType:
        break;
      case Prop::kName: {
        has_name = true;
        std::string_view name;
        if (v.get_string().get(name) != simdjson::SUCCESS || !IsName(name)) {
          Fault(at(),
                "a name is ASCII letters, digits and '_', starting with a letter or '_' (it is the export column)");
        } else {
          item().name = std::string(name);
        }
        break;
      }
      case Prop::kLabel:
        item().label = ReadText(v, pointer, key, index, true);
        break;
      case Prop::kHint:
        item().hint = ReadText(v, pointer, key, index, true);
        break;
      case Prop::kRequiredMessage:
        item().required_message = ReadText(v, pointer, key, index, true);
        break;
      case Prop::kConstraintMessage:
        item().constraint_message = ReadText(v, pointer, key, index, true);
        break;
      case Prop::kAppearance: {
        std::string_view appearance;
        if (v.get_string().get(appearance) != simdjson::SUCCESS) {
          Fault(at(), "appearance must be a string such as \"likert\"");
        } else {
          item().appearance = std::string(appearance);
        }
        break;
      }
      case Prop::kRelevant:
        AddExpression(v, index, ExprRole::kRelevant);
        break;
      case Prop::kConstraint:
        AddExpression(v, index, ExprRole::kConstraint);
        break;
      case Prop::kCalculation:
        has_calculation = true;
        AddExpression(v, index, ExprRole::kCalculation);
        break;
      case Prop::kChoiceFilter:
        AddExpression(v, index, ExprRole::kChoiceFilter);
        break;
      case Prop::kCount:
        AddExpression(v, index, ExprRole::kRepeatCount);
        break;
      case Prop::kRequired:
        ReadExpressionOrBool(v, index, ExprRole::kRequired);
        break;
      case Prop::kReadOnly:
        ReadExpressionOrBool(v, index, ExprRole::kReadOnly);
        break;
      case Prop::kDefault: {
        std::string_view text;
        double number;
        bool flag;
        if (v.get_string().get(text) == simdjson::SUCCESS) {
          item().default_value = std::string(text);
        } else if (IsNumber(v) && v.get_double().get(number) == simdjson::SUCCESS) {
          item().default_value = FormatNumber(number);
        } else if (v.get_bool().get(flag) == simdjson::SUCCESS) {
          Fault(at(), "default is an answer written as a string or a number, not a boolean");
        } else {
          Fault(at(), "default must be a string or a number");
        }
        break;
      }
      case Prop::kList: {
        has_list = true;
        std::string_view list;
        if (v.get_string().get(list) != simdjson::SUCCESS) {
          Fault(at(), "list must be the name of a choice list");
        } else {
          list_references_.emplace_back(index, list);
        }
        break;
      }
      case Prop::kMin:
      case Prop::kMax:
      case Prop::kMinChoices:
      case Prop::kMaxChoices: {
        auto n = IntegerIn(v, 0, 100000);
        if (!n) {
          Fault(at(), std::string(key) + " must be a whole number from 0 to 100000");
        } else if (prop == Prop::kMin || prop == Prop::kMinChoices) {
          item().min = static_cast<int32_t>(*n);
        } else {
          item().max = static_cast<int32_t>(*n);
        }
        break;
      }
      case Prop::kItems:
        has_items = true;
        items_value = v;
        break;
      case Prop::kRows:
        has_rows = true;
        rows_value = v;
        break;
      case Prop::kUnknown:
        break;
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
      const size_t length = pointer.size();
      pointer += "/items";
      ReadItems(items_value, pointer, index, *type == ItemType::kRepeat ? index : repeat,
                *type == ItemType::kPage ? index : page);
      pointer.resize(length);
    }
  }
  if (*type == ItemType::kMatrix) {
    if (!has_rows) {
      Fault(pointer, "missing property \"rows\"");
    } else {
      const size_t length = pointer.size();
      pointer += "/rows";
      ReadMatrixRows(rows_value, pointer, index);
      pointer.resize(length);
    }
  }
}

void FormCompiler::ReadMatrixRows(element value, std::string& pointer, int32_t matrix) {
  simdjson::dom::array rows;
  if (value.get_array().get(rows) != simdjson::SUCCESS || rows.size() == 0) {
    Fault(pointer, "rows must be a non-empty array of {\"name\", \"label\"}");
    return;
  }
  const size_t length = pointer.size();
  size_t index = 0;
  for (element row_value : rows) {
    pointer.resize(length);
    PointerAppendTo(pointer, index++);
    const std::string& at = pointer;
    simdjson::dom::object object;
    if (row_value.get_object().get(object) != simdjson::SUCCESS) {
      Fault(at, "a row must be an object with name and label");
      continue;
    }
    const Item& owner = form_->item(matrix);
    int32_t row = NewItem(ItemType::kMatrixRow, at, matrix, owner.repeat, owner.page);
    bool has_name = false;
    for (auto field : object) {
      auto field_at = [&at, &field] { return PointerAppend(at, field.key); };
      if (field.key == "name") {
        std::string_view name;
        if (field.value.get_string().get(name) != simdjson::SUCCESS || !IsName(name)) {
          Fault(field_at(), "a name is ASCII letters, digits and '_', starting with a letter or '_'");
        } else {
          form_->items_[static_cast<size_t>(row)].name = std::string(name);
          has_name = true;
        }
      } else if (field.key == "label") {
        form_->items_[static_cast<size_t>(row)].label = ReadText(field.value, at, field.key, row, true);
      } else {
        Fault(field_at(), UnknownKeyMessage(field.key, {"name", "label"}));
      }
    }
    if (!has_name) Fault(at, "missing property \"name\"");
  }
  pointer.resize(length);
}

void FormCompiler::ReadExpressionOrBool(element value, int32_t item, ExprRole role) {
  bool flag;
  if (value.get_bool().get(flag) == simdjson::SUCCESS) {
    Item& target = form_->items_[static_cast<size_t>(item)];
    (role == ExprRole::kRequired ? target.required : target.read_only) = flag;
    return;
  }
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS &&
      (text == "yes" || text == "no" || text == "true" || text == "false")) {
    Fault(PointerOf({item, role, {}}), "write the JSON boolean " +
                                           std::string(text == "yes" || text == "true" ? "true" : "false") +
                                           " instead of the string \"" + std::string(text) + "\"");
    return;
  }
  AddExpression(value, item, role);
}

void FormCompiler::AddExpression(element value, int32_t item, ExprRole role) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    Fault(PointerOf({item, role, {}}), "an expression must be a string, not " + TypeOfJson(value));
    return;
  }
  pending_.push_back({item, role, text});
}

std::string FormCompiler::PointerOf(const PendingExpression& pending) const {
  if (pending.item == kNone) return "/settings/instance_name";
  const char* key = "";
  switch (pending.role) {
    case ExprRole::kRelevant:
      key = "relevant";
      break;
    case ExprRole::kRequired:
      key = "required";
      break;
    case ExprRole::kReadOnly:
      key = "read_only";
      break;
    case ExprRole::kConstraint:
      key = "constraint";
      break;
    case ExprRole::kCalculation:
      key = "calculation";
      break;
    case ExprRole::kChoiceFilter:
      key = "choice_filter";
      break;
    case ExprRole::kRepeatCount:
      key = "count";
      break;
    case ExprRole::kInstanceName:
      return "/settings/instance_name";
  }
  return ItemPointer(pending.item) + "/" + key;
}

int32_t* FormCompiler::ExpressionField(const PendingExpression& pending) {
  if (pending.item == kNone) return &form_->settings_.instance_name;
  Item& item = form_->items_[static_cast<size_t>(pending.item)];
  switch (pending.role) {
    case ExprRole::kRelevant:
      return &item.relevant;
    case ExprRole::kRequired:
      return &item.required_if;
    case ExprRole::kReadOnly:
      return &item.read_only_if;
    case ExprRole::kConstraint:
      return &item.constraint;
    case ExprRole::kCalculation:
      return &item.calculation;
    case ExprRole::kChoiceFilter:
      return &item.choice_filter;
    case ExprRole::kRepeatCount:
      return &item.repeat_count;
    case ExprRole::kInstanceName:
      return &form_->settings_.instance_name;
  }
  return nullptr;
}

}  // namespace chosa
