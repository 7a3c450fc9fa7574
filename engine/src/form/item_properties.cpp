// The property schema of form/item_properties.h: which item types there are and which
// properties each accepts.
#include "form/item_properties.h"

#include "chosa/base/suggest.h"

namespace chosa {

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

std::string UnknownKeyMessage(std::string_view key, const std::vector<std::string_view>& allowed) {
  return "unknown property \"" + std::string(key) + "\"" + DidYouMean(key, allowed, "\"", "\"");
}

}  // namespace chosa
