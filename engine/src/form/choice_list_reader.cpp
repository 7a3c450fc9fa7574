// Pass 1 of the form compiler, its choice lists: a form's own lists, and the code-list files
// their {"$ref": "codelists/NAME.json"} names, found beside the form or on the search paths
// (form_reader.cpp has the rest of the document).
#include "form/compiler_support.h"
#include "form/form_compiler.h"
#include "form/item_properties.h"
#include "form/name_rules.h"
#include "form/reader_values.h"
#include "form/text_arena.h"
#include "chosa/base/json_reader.h"

namespace chosa {

using simdjson::dom::element;
using simdjson::dom::element_type;

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
        if (!IsJsonNumber(field.value) || field.value.get_double().get(score) != simdjson::SUCCESS) {
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
          } else if (IsJsonNumber(attribute.value) && attribute.value.get_double().get(number) == simdjson::SUCCESS) {
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

}  // namespace chosa
