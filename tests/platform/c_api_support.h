// What the C API's tests share: the form they fill and a search through a view model's JSON.
#ifndef CHOSA_TESTS_PLATFORM_C_API_SUPPORT_H_
#define CHOSA_TESTS_PLATFORM_C_API_SUPPORT_H_

#include <nlohmann/json.hpp>
#include <string>

namespace chosa::testing {

// Two pages: an integer, a select, a matrix, a repeat with a date and a select_multiple, an
// acknowledge; settings.instance_name "visit ${age}".
inline const std::string kVisitRecord = std::string(CHOSA_SOURCE_DIR) + "/tests/forms/fill/visit_record.json";

// The item at `path` among a view model's items, depth first (groups, repeat instances, rows).
inline const nlohmann::json* FindItem(const nlohmann::json& items, const std::string& path) {
  for (const nlohmann::json& item : items) {
    if (item.value("path", "") == path) return &item;
    for (const char* nested : {"children", "instances", "items"}) {
      if (item.contains(nested)) {
        if (const nlohmann::json* found = FindItem(item[nested], path)) return found;
      }
    }
  }
  return nullptr;
}

}  // namespace chosa::testing

#endif  // CHOSA_TESTS_PLATFORM_C_API_SUPPORT_H_
