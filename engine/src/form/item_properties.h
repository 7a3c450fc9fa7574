// The property schema of a form's items: the item types by name, the properties each type
// accepts, and a property's number (Prop) for the reader's switch. Apart from item_reader.cpp,
// which applies it. LookupProp and AllowedMask run for every property of every item: they are
// inline here, as they were when the reader was one file.
#ifndef CHOSA_ENGINE_FORM_ITEM_PROPERTIES_H_
#define CHOSA_ENGINE_FORM_ITEM_PROPERTIES_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/form.h"

namespace chosa {

// The type named `s` ("select_one"), or nullopt.
std::optional<ItemType> ParseItemType(std::string_view s);
// Every type's name, for "did you mean".
std::vector<std::string_view> ItemTypeNames();
// The properties each item type accepts (`type` and `name` included).
const std::vector<std::string_view>& AllowedProperties(ItemType type);
// Whether some item type accepts `key`.
bool IsKnownProperty(std::string_view key);
// "unknown property \"key\"", with a suggestion from `allowed`.
std::string UnknownKeyMessage(std::string_view key, const std::vector<std::string_view>& allowed);

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
inline bool KeyIs(std::string_view key, const char (&literal)[N]) {
  return std::memcmp(key.data(), literal, N - 1) == 0;
}

inline Prop LookupProp(std::string_view key) {
  // By length first: at most three names share one, so a lookup compares one or two strings.
  switch (key.size()) {
    case 3:
      if (KeyIs(key, "min")) return Prop::kMin;
      if (KeyIs(key, "max")) return Prop::kMax;
      break;
    case 4:
      if (KeyIs(key, "type")) return Prop::kType;
      if (KeyIs(key, "name")) return Prop::kName;
      if (KeyIs(key, "hint")) return Prop::kHint;
      if (KeyIs(key, "list")) return Prop::kList;
      if (KeyIs(key, "rows")) return Prop::kRows;
      break;
    case 5:
      if (KeyIs(key, "label")) return Prop::kLabel;
      if (KeyIs(key, "count")) return Prop::kCount;
      if (KeyIs(key, "items")) return Prop::kItems;
      break;
    case 7:
      if (KeyIs(key, "default")) return Prop::kDefault;
      break;
    case 8:
      if (KeyIs(key, "relevant")) return Prop::kRelevant;
      if (KeyIs(key, "required")) return Prop::kRequired;
      break;
    case 9:
      if (KeyIs(key, "read_only")) return Prop::kReadOnly;
      break;
    case 10:
      if (KeyIs(key, "appearance")) return Prop::kAppearance;
      if (KeyIs(key, "constraint")) return Prop::kConstraint;
      break;
    case 11:
      if (KeyIs(key, "calculation")) return Prop::kCalculation;
      if (KeyIs(key, "min_choices")) return Prop::kMinChoices;
      if (KeyIs(key, "max_choices")) return Prop::kMaxChoices;
      break;
    case 13:
      if (KeyIs(key, "choice_filter")) return Prop::kChoiceFilter;
      break;
    case 16:
      if (KeyIs(key, "required_message")) return Prop::kRequiredMessage;
      break;
    case 18:
      if (KeyIs(key, "constraint_message")) return Prop::kConstraintMessage;
      break;
    default:
      break;
  }
  return Prop::kUnknown;
}

// Bit Prop of the mask: the property is allowed on items of `type`.
inline uint32_t AllowedMask(ItemType type) {
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

}  // namespace chosa

#endif  // CHOSA_ENGINE_FORM_ITEM_PROPERTIES_H_
