// What a person types for a choice at the terminal filler (tools/typed_input.h): letters, labels
// as shown (width and case folded), values, several at once, and the refusals that say what
// can be typed.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "display_text.h"
#include "page_index.h"
#include "typed_input.h"

namespace chosa {
namespace tools {
namespace {

NumberedItem Question(const std::string& type, std::vector<ChoiceView> choices) {
  NumberedItem item;
  item.number = 1;
  item.path = "q";
  item.type = type;
  item.shown = true;
  item.choices = std::move(choices);
  return item;
}

// The checklist's scale: values 4 to 1, できる first and worth 4.
NumberedItem Scale4(const std::string& language) {
  bool ja = language == "ja";
  return Question("matrix_row", {{"4", ja ? "できる" : "Can do", false},
                                 {"3", ja ? "少しできる" : "Can do a little", false},
                                 {"2", ja ? "あまりできない" : "Can hardly do", false},
                                 {"1", ja ? "できない" : "Cannot do", false}});
}

std::string Answer(const NumberedItem& item, const std::string& typed, const std::string& language = "ja") {
  std::string answer, error;
  if (!ChoiceAnswer(language, item, typed, &answer, &error)) return "! " + error;
  return answer;
}

TEST_CASE("choices are lettered a to z, then aa, ab", "[typed_input]") {
  CHECK(ChoiceLetter(0) == "a");
  CHECK(ChoiceLetter(23) == "x");  // the 24th ward
  CHECK(ChoiceLetter(25) == "z");
  CHECK(ChoiceLetter(26) == "aa");
  CHECK(ChoiceLetter(27) == "ab");
  CHECK(ChoiceLetter(51) == "az");
  CHECK(ChoiceLetter(52) == "ba");
  CHECK(ParseChoiceLetter("x", 24) == 23);
  CHECK(ParseChoiceLetter("X", 24) == 23);
  CHECK(ParseChoiceLetter("ｘ", 24) == 23);  // full-width
  CHECK(ParseChoiceLetter("y", 24) == -1);   // past the list
  CHECK(ParseChoiceLetter("ab", 30) == 27);
  CHECK(ParseChoiceLetter("4", 30) == -1);
  CHECK(ParseChoiceLetter("", 30) == -1);
  for (size_t i = 0; i < 800; ++i) CHECK(ParseChoiceLetter(ChoiceLetter(i), 800) == static_cast<int64_t>(i));
}

TEST_CASE("a number is a choice's value, never its position", "[typed_input]") {
  NumberedItem scale = Scale4("ja");
  CHECK(Answer(scale, "4") == "4");  // できる, 4 points: not the 4th choice (できない)
  CHECK(Answer(scale, "１") == "1");
  CHECK(Answer(scale, "=4") == "4");
  std::string refused = Answer(scale, "5");
  CHECK(refused.find("「5」は選択肢にありません") != std::string::npos);
  CHECK(refused.find("a〜d") != std::string::npos);
  CHECK(refused.find("「できる」「少しできる」「あまりできない」「できない」") != std::string::npos);
  CHECK(Answer(Scale4("en"), "0", "en") ==
        "! There is no choice \"0\"; type its letter (a-d) or its words as shown "
        "(\"Can do\", \"Can do a little\", \"Can hardly do\", \"Cannot do\").");
}

TEST_CASE("a choice is typed by its letter or its label as shown", "[typed_input]") {
  NumberedItem scale = Scale4("ja");
  CHECK(Answer(scale, "a") == "4");
  CHECK(Answer(scale, "D") == "1");
  CHECK(Answer(scale, "ｂ") == "3");
  CHECK(Answer(scale, "少しできる") == "3");
  CHECK(Answer(scale, "　あまりできない ") == "2");  // trimmed, the ideographic space too
  CHECK(Answer(scale, "Can do").rfind("! ", 0) == 0);  // the session's language only
  NumberedItem english = Scale4("en");
  CHECK(Answer(english, "can do a little", "en") == "3");  // case folded, a label with spaces
  CHECK(Answer(english, "CAN   DO", "en") == "4");           // runs of spaces as one
  CHECK(Answer(english, "Ｃａｎ ｄｏ", "en") == "4");         // full-width Latin
  CHECK(Answer(english, "Can", "en").rfind("! ", 0) == 0);    // exact: not a prefix
  NumberedItem profession = Question("select_one", {{"care_manager", "ケアマネジャー", false}, {"nurse", "看護師（正）", false}});
  CHECK(Answer(profession, "ｹｱﾏﾈｼﾞｬｰ") == "care_manager");  // half-width katakana
  CHECK(Answer(profession, "看護師(正)") == "nurse");          // half-width brackets
  CHECK(Answer(profession, "nurse") == "nurse");              // the value
  CHECK(Answer(profession, "a b") == "! 選択肢は1つだけ選んでください。");
  CHECK(Answer(profession, ",,,") == "! 選択肢を記号か言葉で入力してください（空にするには c 番号）。");
}

TEST_CASE("several choices by letter, label or value, labels with spaces kept whole", "[typed_input]") {
  NumberedItem services = Question("select_multiple", {{"nursing", "Home nursing", false},
                                                       {"rehab", "Home rehabilitation", false},
                                                       {"bathing", "Home bathing", false},
                                                       {"other", "Other", false}});
  CHECK(Answer(services, "a c", "en") == "nursing bathing");
  CHECK(Answer(services, "a,c", "en") == "nursing bathing");
  CHECK(Answer(services, "ａ、ｃ", "en") == "nursing bathing");
  CHECK(Answer(services, "Home nursing, other", "en") == "nursing other");
  CHECK(Answer(services, "Home nursing Home rehabilitation", "en") == "nursing rehab");
  CHECK(Answer(services, "b Home bathing", "en") == "rehab bathing");
  CHECK(Answer(services, "a, Home nursin", "en").find("\"Home nursin\"") != std::string::npos);
  // The words that name no choice, not the whole of what was typed.
  CHECK(Answer(services, "a z", "en").rfind("! There is no choice \"z\";", 0) == 0);
  CHECK(Answer(services, "Other Home nursin", "en").rfind("! There is no choice \"Home nursin\";", 0) == 0);
}

TEST_CASE("a word that names two choices is refused, =VALUE settles it", "[typed_input]") {
  // Letter b is "Second"; the value "b" is "First".
  NumberedItem item = Question("select_one", {{"b", "First", false}, {"x", "Second", false}});
  std::string refused = Answer(item, "b", "en");
  CHECK(refused == "! \"b\" could be a) First or b) Second; type the choice's words (or =b for its value).");
  CHECK(Answer(item, "=b", "en") == "b");
  CHECK(Answer(item, "Second", "en") == "x");
  // A letter that is also its own choice's value is not ambiguous.
  NumberedItem same = Question("select_one", {{"a", "Alpha", false}, {"b", "Beta", false}});
  CHECK(Answer(same, "b", "en") == "b");
}

TEST_CASE("labels are compared width- and case-folded", "[typed_input]") {
  CHECK(FoldForMatch("  ＹＥＳ  ") == "yes");
  CHECK(FoldForMatch("ｹｱﾏﾈｼﾞｬｰ") == "ケアマネジャー");
  CHECK(FoldForMatch("相談支援室（在宅）") == FoldForMatch("相談支援室(在宅)"));
  CHECK(FoldForMatch("Can \t do") == "can do");
  CHECK(FoldForMatch(std::string("\xff", 1)) == std::string("\xff", 1));  // not UTF-8: as it is
}

TEST_CASE("a month-year question shows its month", "[typed_input]") {
  CHECK(IsMonthYear("month-year"));
  CHECK(IsMonthYear("minimal month-year"));
  CHECK_FALSE(IsMonthYear("year"));
  CHECK_FALSE(IsMonthYear(""));
  CHECK(MonthOf("2024-04-01") == "2024-04");
  CHECK(MonthOf("2024-04") == "2024-04");
  CHECK(MonthOf("") == "");
}

}  // namespace
}  // namespace tools
}  // namespace chosa
