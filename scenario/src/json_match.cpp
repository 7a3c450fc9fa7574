// Matching expected JSON against actual JSON, for scenario expectations.
#include "chosa/scenario/json_match.h"

#include <algorithm>
#include <cmath>

#include "chosa/value.h"
#include "chosa/base/json_reader.h"  // PointerAppend (the engine's internal header)

namespace chosa {
namespace scenario {

namespace {

std::string At(const std::string& pointer) { return pointer.empty() ? "" : pointer + ": "; }

bool ScalarsMatch(const Json& expected, const Json& actual) {
  if (expected.is_number()) {
    if (actual.is_number()) return NumbersEqual(expected.get<double>(), actual.get<double>());
    if (actual.is_string()) {
      double parsed = ParseNumber(actual.get<std::string>());
      return !std::isnan(parsed) && NumbersEqual(expected.get<double>(), parsed);
    }
    return false;
  }
  return expected == actual;
}

}  // namespace

bool NumbersEqual(double a, double b) {
  if (a == b) return true;
  double scale = std::max({1.0, std::fabs(a), std::fabs(b)});
  return std::fabs(a - b) <= 1e-9 * scale;
}

std::string Describe(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 200) {
    size_t cut = 200;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole code points
    text = text.substr(0, cut) + "...";
  }
  return text;
}

std::string Mismatch(const Json& expected, const Json& actual, const MatchMode& mode, const std::string& pointer) {
  if (expected.is_object()) {
    if (!actual.is_object()) return At(pointer) + "expected an object, found " + Describe(actual);
    for (const auto& [key, value] : expected.items()) {
      std::string p = PointerAppend(pointer, key);
      auto found = actual.find(key);
      if (found == actual.end()) return p + ": missing (expected " + Describe(value) + ")";
      std::string why = Mismatch(value, *found, mode, p);
      if (!why.empty()) return why;
    }
    if (mode.exact_objects) {
      for (const auto& [key, value] : actual.items()) {
        if (!expected.contains(key)) return PointerAppend(pointer, key) + ": not expected, found " + Describe(value);
      }
    }
    return "";
  }
  if (expected.is_array()) {
    if (!actual.is_array()) return At(pointer) + "expected an array, found " + Describe(actual);
    if (!mode.subsequence_arrays || expected.empty()) {
      if (expected.size() != actual.size()) {
        return At(pointer) + "expected " + std::to_string(expected.size()) + " elements, found " +
               std::to_string(actual.size()) + ": " + Describe(actual);
      }
      for (size_t i = 0; i < expected.size(); ++i) {
        std::string why = Mismatch(expected[i], actual[i], mode, pointer + "/" + std::to_string(i));
        if (!why.empty()) return why;
      }
      return "";
    }
    // Subsequence: the earliest match for each expected element never rules out a later one.
    size_t next = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      bool found = false;
      for (; next < actual.size() && !found; ++next) {
        found = Mismatch(expected[i], actual[next], mode, "").empty();
      }
      if (!found) {
        return At(pointer) + "no element " + (i == 0 ? "" : "after the match of " + Describe(expected[i - 1]) + " ") +
               "matches " + Describe(expected[i]);
      }
    }
    return "";
  }
  if (!ScalarsMatch(expected, actual)) return At(pointer) + "expected " + Describe(expected) + ", found " + Describe(actual);
  return "";
}

}  // namespace scenario
}  // namespace chosa
