// How select answers split into their values: SplitValues normalizes (full-width forms, the
// ideographic space) and copies; ForEachValue, which the checks run on every select answer,
// must give exactly the same values.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "session/answer_text.h"

namespace chosa {
namespace {

std::vector<std::string> Visited(std::string_view text) {
  std::vector<std::string> out;
  ForEachValue(text, [&](std::string_view value) { out.emplace_back(value); });
  return out;
}

TEST_CASE("ForEachValue gives the values SplitValues gives", "[answers]") {
  const std::vector<std::string> texts = {
      "",
      " ",
      "a",
      "yes",
      "a b c",
      "  a  b ",
      "a,b,,c",
      ",a, b ,c,",
      "a\tb\nc\rd",
      "a\fb",              // not a separator: one value
      "ａ　ｂ",            // full-width letters and an ideographic space: normalized
      "北区 中央区",       // non-ASCII values
      "x,ｙ",
      std::string("a\0b", 3),
  };
  for (const std::string& text : texts) {
    INFO("text \"" << text << "\"");
    CHECK(Visited(text) == SplitValues(text));
  }
  CHECK(Visited("a  b,c") == std::vector<std::string>{"a", "b", "c"});
  CHECK(Visited("ａ　ｂ") == std::vector<std::string>{"a", "b"});
}

}  // namespace
}  // namespace chosa
