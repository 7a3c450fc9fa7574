// Compares an expected JSON fragment from a scenario with what the engine produced (the view
// model, a submission), and says where they differ.
#ifndef CHOSA_TOOLS_JSON_MATCH_H_
#define CHOSA_TOOLS_JSON_MATCH_H_

#include <string>

#include <nlohmann/json.hpp>

namespace chosa {
namespace scenario {

using Json = nlohmann::ordered_json;

struct MatchMode {
  // Objects: partial (every expected key present and matching; others ignored) or exact (and
  // no other key).
  bool exact_objects = false;
  // Arrays: elementwise (same length, element by element) or as an ordered subsequence (each
  // expected element matches a later actual one; an empty expected array matches only []).
  bool subsequence_arrays = false;
};

// Numbers compare numerically (an expected number also matches a string holding that number,
// as the view model writes values as text); strings, booleans and null exactly.
// Returns "" when `actual` matches `expected`; otherwise where and how they first differ:
// "/items/2/value: expected \"yes\", found \"no\"".
std::string Mismatch(const Json& expected, const Json& actual, const MatchMode& mode,
                     const std::string& pointer = "");

// Equal within rounding noise (sums of decimals).
bool NumbersEqual(double a, double b);

// A short, valid UTF-8 rendering of a JSON value for messages (long values are cut).
std::string Describe(const Json& value);

}  // namespace scenario
}  // namespace chosa

#endif  // CHOSA_TOOLS_JSON_MATCH_H_
