#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "chosa/base/json_reader.h"

using chosa::JsonDocument;
using chosa::JsonLimits;
using chosa::NlohmannAccepts;
using chosa::PointerAppend;
using chosa::PositionOfOffset;
using chosa::Status;
using chosa::StatusCode;

namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Status ParseText(std::string_view text, const JsonLimits& limits = {}) {
  JsonDocument doc;
  return doc.Parse(text, limits);
}

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// n nested arrays; `inner` in the innermost one.
std::string NestedArrays(size_t n, std::string_view inner = "1") {
  return std::string(n, '[') + std::string(inner) + std::string(n, ']');
}

// The syntax error message for `text` ("line L, column C: ..."), checking its shape.
std::string SyntaxError(std::string_view text) {
  const Status status = ParseText(text);
  INFO("text: " << text);
  REQUIRE_FALSE(status.ok());
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.pointer().empty());
  CHECK(status.column() == 0);
  return status.message();
}

}  // namespace

TEST_CASE("simdjson and nlohmann agree on every corpus document") {
  const std::filesystem::path dir = std::filesystem::path(CHOSA_SOURCE_DIR) / "tests" / "json_corpus";
  REQUIRE(std::filesystem::is_directory(dir));
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());

  size_t accepts = 0, rejects = 0;
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    const bool expect_accept = name.rfind("accept_", 0) == 0;
    const bool expect_reject = name.rfind("reject_", 0) == 0;
    INFO("corpus file: " << name);
    REQUIRE((expect_accept || expect_reject));
    REQUIRE(path.extension() == ".json");
    (expect_accept ? accepts : rejects)++;

    const std::string text = ReadFile(path);
    JsonDocument doc;
    const Status status = doc.Parse(text);
    INFO("status: " << status.ToString());
    CHECK(status.ok() == expect_accept);
    CHECK(NlohmannAccepts(text) == expect_accept);
    if (!status.ok()) {
      CHECK(status.code() == StatusCode::kInvalidArgument);
      // Every refusal is located: by line and column, or (depth) by pointer; never the fallback
      // used when the two parsers disagree.
      const bool located = status.message().rfind("line ", 0) == 0 ||
                           (status.message() == "nesting deeper than 64 levels" && !status.pointer().empty());
      CHECK(located);
    }
  }
  CHECK(accepts >= 20);
  CHECK(rejects >= 20);
  CHECK(accepts + rejects >= 40);
}

TEST_CASE("Parse exposes the simdjson DOM") {
  JsonDocument doc;
  REQUIRE(doc.Parse("\xEF\xBB\xBF{\"title\": \"\xE8\xAA\xBF\xE6\x9F\xBB\", \"items\": [1, -2, 3.5]}").ok());
  std::string_view title;
  REQUIRE(doc.root()["title"].get(title) == simdjson::SUCCESS);
  CHECK(title == "\xE8\xAA\xBF\xE6\x9F\xBB");
  simdjson::dom::array items;
  REQUIRE(doc.root()["items"].get(items) == simdjson::SUCCESS);
  CHECK(items.size() == 3);

  SECTION("a document can be moved, elements included") {
    simdjson::dom::element before = doc.root();
    JsonDocument moved(std::move(doc));
    std::string_view again;
    REQUIRE(moved.root()["title"].get(again) == simdjson::SUCCESS);
    CHECK(again == title);
    REQUIRE(before["title"].get(again) == simdjson::SUCCESS);
    CHECK(again == title);
    JsonDocument assigned;
    assigned = std::move(moved);
    CHECK(assigned.root().is_object());
  }
  SECTION("a document can be reused, and a moved-from one parsed into again") {
    CHECK_FALSE(doc.Parse("[1,]").ok());
    REQUIRE(doc.Parse("[true]").ok());
    CHECK(doc.root().at(0).get_bool().value_unsafe());
    JsonDocument other(std::move(doc));
    REQUIRE(doc.Parse("7").ok());  // NOLINT(bugprone-use-after-move): documented as allowed
    CHECK(doc.root().get_int64().value_unsafe() == 7);
  }
}

TEST_CASE("syntax errors name line and column in code points") {
  // Multi-line document: the error is at the start of the unexpected token.
  CHECK(SyntaxError("{\n  \"a\": 1\n  \"b\": 2\n}") == "line 3, column 3: expected ',' or '}' after an object member");
  CHECK(SyntaxError("{\n  \"a\": 1,\n  \"b\": 2\n  \"c\": 3}") ==
        "line 4, column 3: expected ',' or '}' after an object member");
  // Japanese before the error: columns count characters, not bytes.
  CHECK(SyntaxError("{\n  \"名前\": \"太郎\" \"x\"\n}") == "line 2, column 14: expected ',' or '}' after an object member");
  CHECK(SyntaxError("[\"日本語\", \"テスト\" 1]") == "line 1, column 15: expected ',' or ']' after an array element");
  CHECK(SyntaxError("{\"質問\" 1}") == "line 1, column 7: expected ':' after an object key");
  // CRLF line ends: CR is an ordinary character at the end of its line.
  CHECK(SyntaxError("[1,\r\n2 3]") == "line 2, column 3: expected ',' or ']' after an array element");
  // Trailing commas.
  CHECK(SyntaxError("[1,\n 2,\n]") == "line 3, column 1: expected a value after ',' (trailing commas are not allowed)");
  CHECK(SyntaxError("{\"a\": 1,}") == "line 1, column 9: expected a string key after ',' (trailing commas are not allowed)");
  // End of input.
  CHECK(SyntaxError("{\"a\": [1, 2") == "line 1, column 12: unexpected end of input; expected ',' or ']' after an array element");
  CHECK(SyntaxError("{\"a\":") == "line 1, column 6: unexpected end of input; expected a value after ':'");
  CHECK(SyntaxError("") == "line 1, column 1: the document is empty; expected a JSON value");
  CHECK(SyntaxError(std::string_view()) == "line 1, column 1: the document is empty; expected a JSON value");
  CHECK_FALSE(NlohmannAccepts(std::string_view()));
  CHECK(SyntaxError(" \n  ") == "line 2, column 3: the document is empty; expected a JSON value");
  CHECK(SyntaxError("[\"abc") == "line 1, column 6: invalid string: missing closing quote");
  // After the top-level value.
  CHECK(SyntaxError("{}\n{}") == "line 2, column 1: expected end of input after the top-level value");
  // Lexer errors keep nlohmann's wording, at the offending character.
  CHECK(SyntaxError("{\"k\": \"あ\tい\"}") ==
        "line 1, column 9: invalid string: control character U+0009 (HT) must be escaped to \\u0009 or \\t");
  CHECK(SyntaxError("[1, 012]") == "line 1, column 5: leading zeros are not allowed in numbers");
  CHECK(SyntaxError("{\"a\": -00.5}") == "line 1, column 7: leading zeros are not allowed in numbers");
  CHECK(SyntaxError("[0 1]") == "line 1, column 4: expected ',' or ']' after an array element");
  CHECK(SyntaxError("[1, -x]") == "line 1, column 6: invalid number; expected digit after '-'");
  CHECK(SyntaxError("[\"\\q\"]") == "line 1, column 4: invalid string: forbidden character after backslash");
  CHECK(SyntaxError("[\"\\ud800\"]") ==
        "line 1, column 9: invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF");
  CHECK(SyntaxError("[NaN]") == "line 1, column 2: invalid literal; expected a value or ']'");
  CHECK(SyntaxError("[1, tru]") == "line 1, column 8: invalid literal; expected a value after ','");
  CHECK(SyntaxError("{a: 1}") == "line 1, column 2: invalid literal; expected a string key or '}'");
  CHECK(SyntaxError("['a']") == "line 1, column 2: single quotes are not allowed; JSON strings use double quotes");
  CHECK(SyntaxError("[1] // note") == "line 1, column 5: comments are not allowed in JSON");
  CHECK(SyntaxError("[1, \xE3\x81\x82]") == "line 1, column 5: unexpected character U+3042; expected a value after ','");
  CHECK(SyntaxError("\f[1]") == "line 1, column 1: unexpected character U+000C; expected a JSON value");
  // NUL bytes, which nlohmann alone would take for the end of the text.
  CHECK(SyntaxError(std::string("[1]\0", 4)) ==
        "line 1, column 4: unexpected NUL character (U+0000); expected end of input after the top-level value");
  CHECK(SyntaxError(std::string("[1,\0 2]", 7)) == "line 1, column 4: unexpected NUL character (U+0000); expected a value after ','");
  CHECK(SyntaxError(std::string("[\"a\0\"]", 6)) ==
        "line 1, column 4: invalid string: control character U+0000 (NUL) must be escaped to \\u0000");
  // A BOM takes no column.
  CHECK(SyntaxError("\xEF\xBB\xBF[1,]") == "line 1, column 4: expected a value after ',' (trailing commas are not allowed)");
  CHECK(SyntaxError("\xEF\xBB\xBF\xEF\xBB\xBF[1]") == "line 1, column 1: unexpected character U+FEFF; expected a JSON value");
}

TEST_CASE("numbers out of range are syntax errors at the number") {
  CHECK(SyntaxError("{\"n\": 1e400}") == "line 1, column 7: number 1e400 is out of range");
  CHECK(SyntaxError("[\n  -1.5e999]") == "line 2, column 3: number -1.5e999 is out of range");
  CHECK(SyntaxError("[1, 18446744073709551616]") ==
        "line 1, column 5: integer 18446744073709551616 is out of range (it fits in neither int64 nor uint64)");
  CHECK(SyntaxError("-9223372036854775809") ==
        "line 1, column 1: integer -9223372036854775809 is out of range (it fits in neither int64 nor uint64)");
  CHECK(SyntaxError("{\"番号\":99999999999999999999}") ==
        "line 1, column 7: integer 99999999999999999999 is out of range (it fits in neither int64 nor uint64)");
  CHECK(ParseText("[18446744073709551615, -9223372036854775808, 1e-400, -0]").ok());
}

TEST_CASE("invalid UTF-8 is reported where it starts") {
  CHECK(SyntaxError("[\"ok\",\n \"日本\xFF\"]") == "line 2, column 5: invalid UTF-8");
  CHECK(SyntaxError("[\"\xE3\x81\"]") == "line 1, column 3: invalid UTF-8");  // truncated sequence
  CHECK(SyntaxError("[\"\xED\xA0\x80\"]") == "line 1, column 3: invalid UTF-8");  // UTF-16 surrogate
  CHECK(SyntaxError("[\"\xC0\xAF\"]") == "line 1, column 3: invalid UTF-8");      // overlong '/'
  CHECK(SyntaxError("[1, \xFF]") == "line 1, column 5: invalid UTF-8");           // outside a string
  CHECK(SyntaxError("\xEF\xBB[1]") == "line 1, column 1: invalid UTF-8");         // half a BOM
  // The first fault wins: a syntax error before the bad byte is reported instead.
  CHECK(SyntaxError("[1 2, \"\xFF\"]") == "line 1, column 4: expected ',' or ']' after an array element");
}

TEST_CASE("duplicate keys are reported at the second occurrence") {
  Status s = ParseText("{\"a\": 1, \"a\": 2}");
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.pointer() == "/a");
  CHECK(s.message() == "duplicate key \"a\"");

  s = ParseText(R"({"items": [{"name": "x"}, {"name": "y"}, {"type": "z", "name": "a", "name": "b"}]})");
  CHECK(s.pointer() == "/items/2/name");
  CHECK(s.message() == "duplicate key \"name\"");
  CHECK(s.ToString() == "/items/2/name: duplicate key \"name\"");

  // Keys needing ~0 / ~1 in the pointer, and quoting in the message.
  s = ParseText(R"({"a/b": {"m~n": 1, "m~n": 2}})");
  CHECK(s.pointer() == "/a~1b/m~0n");
  CHECK(s.message() == "duplicate key \"m~n\"");
  s = ParseText(R"({"say \"hi\"\n": 1, "say \"hi\"\n": 2})");
  CHECK(s.pointer() == "/say \"hi\"\n");
  CHECK(s.message() == R"(duplicate key "say \"hi\"\n")");
  // Escapes are compared decoded: "\u0061" is "a".
  s = ParseText(R"({"a": 1, "\u0061": 2})");
  CHECK(s.pointer() == "/a");
  // The empty key.
  s = ParseText(R"([0, {"": 1, "": 2}])");
  CHECK(s.pointer() == "/1/");

  // The first duplicate in text order, even when it is nested in a member whose key repeats later.
  s = ParseText(R"({"x": {"d": 1, "d": 2}, "x": 3})");
  CHECK(s.pointer() == "/x/d");

  // The same key in different objects is fine.
  CHECK(ParseText(R"([{"a": 1}, {"a": 2}, {"b": {"a": 3}}])").ok());

  SECTION("large objects use a hash set") {
    std::string big = "{";
    for (int i = 0; i < 500; ++i) big += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
    CHECK(ParseText(big + "\"end\": 0}").ok());
    s = ParseText(big + "\"k17\": 0}");
    CHECK(s.pointer() == "/k17");
    s = ParseText(big + "\"k499\": 0, \"k0\": 1}");
    CHECK(s.pointer() == "/k499");
    // The duplicate is the 17th key: found just as the object switches to the hash set.
    std::string edge = "{";
    for (int i = 0; i < 16; ++i) edge += "\"k" + std::to_string(i) + "\": 0, ";
    CHECK(ParseText(edge + "\"k0\": 1}").pointer() == "/k0");
    CHECK(ParseText(edge + "\"k16\": 1, \"k3\": 2}").pointer() == "/k3");
    // The duplicate found as the table filled leaves nothing behind for the next document: the
    // same keys, once each, are fine (the table once kept views into the freed document).
    CHECK(ParseText(edge + "\"k0\": 1}").pointer() == "/k0");
    CHECK(ParseText(edge + "\"k16\": 1, \"k17\": 2}").ok());
    // The table is kept from one large object to the next: each starts empty, and a duplicate in
    // a later, smaller one is still found (after one of 500 keys, one of 40, then one of 20).
    std::string forty = "{";
    for (int i = 0; i < 40; ++i) forty += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
    std::string twenty = "{";
    for (int i = 0; i < 20; ++i) twenty += "\"k" + std::to_string(i * 7) + "\": 0, ";
    CHECK(ParseText("[" + big + "\"end\": 0}, " + forty + "\"end\": 0}, " + twenty + "\"end\": 0}]").ok());
    s = ParseText("[" + big + "\"end\": 0}, " + forty + "\"end\": 0}, " + twenty + "\"k21\": 1}]");
    CHECK(s.pointer() == "/2/k21");
    s = ParseText("[" + big + "\"end\": 0}, " + forty + "\"k39\": 0}]");
    CHECK(s.pointer() == "/1/k39");
    // A huge object's table is let go after its document (not kept for the thread's life); the
    // next documents still find their duplicates.
    std::string huge = "{";
    for (int i = 0; i < 5000; ++i) huge += "\"h" + std::to_string(i) + "\": 0, ";
    CHECK(ParseText(huge + "\"end\": 0}").ok());
    CHECK(ParseText(huge + "\"h4999\": 1}").pointer() == "/h4999");
    CHECK(ParseText(forty + "\"k7\": 0}").pointer() == "/k7");
    CHECK(ParseText(forty + "\"end\": 0}").ok());
  }

  SECTION("syntax errors and depth outrank duplicate keys") {
    s = ParseText(R"({"a": 1, "a": 2,})");
    CHECK(s.pointer().empty());
    CHECK(s.message() == "line 1, column 17: expected a string key after ',' (trailing commas are not allowed)");
    // The root object is level 1, "/a" level 2, so the 65th level is /a followed by 63 "/0".
    const std::string deep_pointer = "/a" + Repeat("/0", 63);
    s = ParseText("{\"a\": 1, \"a\": " + NestedArrays(64) + "}");  // simdjson refuses: nlohmann scan
    CHECK(s.pointer() == deep_pointer);
    CHECK(s.message() == "nesting deeper than 64 levels");
    s = ParseText("{\"a\": 1, \"a\": " + NestedArrays(64, "") + "}");  // simdjson accepts: DOM walk
    CHECK(s.pointer() == deep_pointer);
    CHECK(s.message() == "nesting deeper than 64 levels");
  }
}

TEST_CASE("nesting depth: 64 levels accepted and 65 refused with the pointer of level 65") {
  const std::string pointer65 = Repeat("/0", 64);

  CHECK(ParseText(NestedArrays(64)).ok());
  CHECK(ParseText(NestedArrays(64, "")).ok());
  CHECK(NlohmannAccepts(NestedArrays(64)));

  for (const std::string& text : {NestedArrays(65), NestedArrays(65, ""), NestedArrays(65, "{\"a\": 1}"),
                                  NestedArrays(64, "{}"), NestedArrays(100)}) {
    INFO("length " << text.size());
    const Status s = ParseText(text);
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK(s.message() == "nesting deeper than 64 levels");
    CHECK(s.pointer() == pointer65);
    CHECK_FALSE(NlohmannAccepts(text));
  }

  // Objects and arrays mixed: levels count containers of either kind; scalars add none.
  const std::string objects64 = Repeat("{\"a\": ", 63) + "{\"leaf\": [ ]" + std::string(64, '}');
  CHECK(ParseText(objects64).code() == StatusCode::kInvalidArgument);  // the [ ] is level 65
  CHECK(ParseText(objects64).pointer() == Repeat("/a", 63) + "/leaf");
  CHECK(ParseText(Repeat("{\"a\": ", 63) + "{\"leaf\": 1" + std::string(64, '}')).ok());
  CHECK(ParseText(Repeat("[0, {\"k/~\": ", 32) + "1" + Repeat("}]", 32)).ok());  // 64 levels
  const Status mixed = ParseText(Repeat("[0, {\"k/~\": ", 32) + "[]" + Repeat("}]", 32));
  CHECK(mixed.pointer() == Repeat("/1/k~1~0", 32));

  SECTION("100000 unclosed '[' are refused without deep recursion") {
    const std::string open(100000, '[');
    const Status s = ParseText(open);
    CHECK(s.message() == "nesting deeper than 64 levels");
    CHECK(s.pointer() == pointer65);
    CHECK_FALSE(NlohmannAccepts(open));
    CHECK(ParseText(NestedArrays(100000)).pointer() == pointer65);
    CHECK_FALSE(NlohmannAccepts(NestedArrays(100000)));
    CHECK(ParseText(Repeat("{\"a\":", 100000)).pointer() == Repeat("/a", 64));
  }

  SECTION("the limit is configurable") {
    JsonLimits limits;
    limits.max_depth = 3;
    CHECK(ParseText("[[[1]]]", limits).ok());
    Status s = ParseText("[[[[1]]]]", limits);
    CHECK(s.message() == "nesting deeper than 3 levels");
    CHECK(s.pointer() == "/0/0/0");
    s = ParseText("[1, [2, {\"x\": [[]]}]]", limits);
    CHECK(s.pointer() == "/1/1/x");  // the root is level 1, "/1" level 2, "/1/1" level 3
    limits.max_depth = 0;
    CHECK(ParseText("\"scalar\"", limits).ok());
    s = ParseText("[]", limits);
    CHECK(s.message() == "nesting deeper than 0 levels");
    CHECK(s.pointer().empty());
    limits.max_depth = 5000;
    CHECK(ParseText(NestedArrays(5000), limits).ok());
    CHECK(ParseText(NestedArrays(5001), limits).pointer() == Repeat("/0", 5000));
  }
}

TEST_CASE("documents over max_bytes are refused before parsing") {
  JsonLimits limits;
  limits.max_bytes = 10;
  CHECK(ParseText("[1,2,3,44]", limits).ok());
  const Status s = ParseText("[1,2,3,444]", limits);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message() == "document is 11 bytes; the limit is 10 bytes");
  CHECK(s.pointer().empty());
}

TEST_CASE("PointerAppend escapes per RFC 6901") {
  CHECK(PointerAppend("", "a") == "/a");
  CHECK(PointerAppend("", "") == "/");
  CHECK(PointerAppend("/items", size_t{0}) == "/items/0");
  CHECK(PointerAppend("/items/12", "name") == "/items/12/name");
  CHECK(PointerAppend("", "a/b") == "/a~1b");
  CHECK(PointerAppend("", "m~n") == "/m~0n");
  CHECK(PointerAppend("", "~1") == "/~01");  // escape '~' first, or this would read back as "/"
  CHECK(PointerAppend("", "/~") == "/~1~0");
  CHECK(PointerAppend("/x", "名前") == "/x/名前");
  CHECK(PointerAppend("", "2") == "/2");
  // In place, as the walk over a submission's answers appends and truncates one pointer.
  std::string pointer = "/answers";
  chosa::PointerAppendTo(pointer, "a/b~c");
  CHECK(pointer == "/answers/a~1b~0c");
  chosa::PointerAppendTo(pointer, size_t{3});
  CHECK(pointer == "/answers/a~1b~0c/3");
  pointer.resize(8);
  chosa::PointerAppendTo(pointer, "name");
  CHECK(pointer == "/answers/name");
}

TEST_CASE("PositionOfOffset counts lines and code points") {
  using chosa::TextPosition;
  auto at = [](std::string_view text, size_t offset) {
    const TextPosition p = PositionOfOffset(text, offset);
    return std::make_pair(p.line, p.column);
  };
  CHECK(at("", 0) == std::make_pair(1, 1));
  CHECK(at("abc", 2) == std::make_pair(1, 3));
  CHECK(at("abc", 3) == std::make_pair(1, 4));
  CHECK(at("abc", 99) == std::make_pair(1, 4));  // clamped to the end
  CHECK(at("a\nbc", 1) == std::make_pair(1, 2));  // the LF itself ends line 1
  CHECK(at("a\nbc", 2) == std::make_pair(2, 1));
  CHECK(at("a\r\nb", 3) == std::make_pair(2, 1));
  const std::string ja = "x\n日本語!";  // 日本語 are three bytes each
  CHECK(at(ja, 2) == std::make_pair(2, 1));
  CHECK(at(ja, 5) == std::make_pair(2, 2));
  CHECK(at(ja, 11) == std::make_pair(2, 4));
  CHECK(at("😀x", 4) == std::make_pair(1, 2));  // four bytes, one code point
  CHECK(at("\xFF\xFEx", 2) == std::make_pair(1, 3));  // ill-formed bytes count one each
  CHECK(at("\xE3\x81x", 2) == std::make_pair(1, 3));
}
