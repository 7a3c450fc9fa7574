// The canonical JSON of submissions: the bytes that are stored, sent and hashed.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "chosa/engine/canonical_json.h"

TEST_CASE("Canonical JSON: fixed order, minimal escapes, shortest numbers") {
  chosa::CanonicalJsonWriter w;
  w.BeginObject();
  w.Key("text");
  w.String("北区 \"quoted\" back\\slash\ttab\nline\x01/slash");
  w.Key("numbers");
  w.BeginArray();
  for (double n : {12.0, -0.25, 0.1, 1.5e21, 76.3, -3.0, 1e-7}) w.Number(n);
  w.EndArray();
  w.Key("empty");
  w.BeginObject();
  w.EndObject();
  w.Key("flags");
  w.BeginArray();
  w.Bool(true);
  w.Bool(false);
  w.EndArray();
  w.EndObject();
  CHECK(w.text() ==
        "{\"text\":\"北区 \\\"quoted\\\" back\\\\slash\\ttab\\nline\\u0001/slash\","
        "\"numbers\":[12,-0.25,0.1,1.5e+21,76.3,-3,1e-07],\"empty\":{},\"flags\":[true,false]}");
  // It is JSON, and reads back to the same values.
  auto parsed = nlohmann::json::parse(w.text());
  CHECK(parsed["numbers"][2].get<double>() == 0.1);
  CHECK(parsed["text"].get<std::string>() == "北区 \"quoted\" back\\slash\ttab\nline\x01/slash");
}

TEST_CASE("Canonical JSON: strings that are all escapes, start or end with one, or are empty") {
  const std::pair<std::string, std::string> cases[] = {
      {"", "\"\""},
      {"\"", "\"\\\"\""},
      {"\\\n", "\"\\\\\\n\""},
      {"\x1f" "end", "\"\\u001fend\""},
      {"start\x7f\b", "\"start\x7f\\b\""},  // DEL is not escaped
      {"ｃ０１", "\"ｃ０１\""},
  };
  for (const auto& [text, expected] : cases) {
    chosa::CanonicalJsonWriter w;
    w.String(text);
    CHECK(w.text() == expected);
    CHECK(nlohmann::json::parse(w.text()).get<std::string>() == text);
  }
}
