// Pass 1 of the form compiler: reads the JSON document into items, choice lists, settings and
// pending expressions, checking every property of every item. This file reads the document's
// top level (format, id, version, title), its languages and localised texts, and its settings;
// choice_list_reader.cpp reads the choice lists and the code-list files their $refs name,
// item_reader.cpp the items; item_properties.h is the item property schema they check against,
// name_rules.h the rules for ids, language codes and choice values.
#include <algorithm>

#include "form/compiler_support.h"
#include "chosa/form_id.h"
#include "form/form_compiler.h"
#include "form/item_properties.h"
#include "form/name_rules.h"
#include "form/reader_values.h"
#include "form/text_arena.h"
#include "chosa/base/json_reader.h"
#include "chosa/base/suggest.h"

namespace chosa {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {

constexpr int kFormatVersion = 1;

}  // namespace

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
      if (value.get_string().get(id) != simdjson::SUCCESS || !IsValidFormId(id)) {
        Fault(pointer, std::string("a form id is ") + kFormIdRule);
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

}  // namespace chosa
