#include "typed_input.h"

#include <algorithm>
#include <string>

#include "display_text.h"
#include "filler_input.h"
#include "ui_words.h"

namespace chosa {
namespace tools {

namespace {

// Separators between several typed choices: ASCII and ideographic spaces, `,`, `、`, `，`, `､`.
std::vector<std::string> SplitChoices(std::string_view typed) {
  std::vector<std::string> tokens;
  std::string current;
  for (size_t i = 0; i < typed.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(typed, i, &cp);
    if (len == 0) len = 1, cp = 0xFFFD;  // IsCleanUtf8 ran before; stay safe anyway
    bool separator = cp == ' ' || cp == '\t' || cp == ',' || cp == 0x3000 || cp == 0x3001 || cp == 0xFF0C ||
                     cp == 0xFF64;
    if (separator) {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
    } else {
      current.append(typed.substr(i, len));
    }
    i += len;
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

bool IsChoiceType(const std::string& type) {
  return type == "select_one" || type == "select_multiple" || type == "rank" || type == "matrix_row";
}

}  // namespace

bool IsCleanUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(text, i, &cp);
    if (len == 0) return false;
    if ((cp < 0x20 && cp != '\t') || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return false;
    i += len;
  }
  return true;
}

std::string FoldWidth(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(text, i, &cp);
    if (len == 0) {
      out.push_back(text[i]);
      ++i;
      continue;
    }
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
      out.push_back(static_cast<char>(cp - 0xFF01 + 0x21));
    } else if (cp == 0x3000) {
      out.push_back(' ');
    } else {
      AppendUtf8(cp, &out);
    }
    i += len;
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  static constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  for (;;) {
    if (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r' || text.front() == '\n')) {
      text.remove_prefix(1);
    } else if (text.substr(0, 3) == kIdeographicSpace) {
      text.remove_prefix(3);
    } else {
      break;
    }
  }
  for (;;) {
    if (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
      text.remove_suffix(1);
    } else if (text.size() >= 3 && text.substr(text.size() - 3) == kIdeographicSpace) {
      text.remove_suffix(3);
    } else {
      break;
    }
  }
  return text;
}

int64_t ParseSmallNumber(std::string_view text) {
  if (text.empty() || text.size() > 9) return -1;  // 9 digits cannot overflow, and no page is that long
  int64_t number = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    number = number * 10 + (c - '0');
  }
  return number;
}

std::string ChoiceLetter(size_t index) {
  std::string letters;
  size_t n = index + 1;  // bijective base 26: a..z, aa..zz, aaa..
  while (n > 0) {
    --n;
    letters.insert(letters.begin(), static_cast<char>('a' + n % 26));
    n /= 26;
  }
  return letters;
}

int64_t ParseChoiceLetter(std::string_view typed, size_t count) {
  std::string folded = Lower(FoldWidth(typed));
  if (folded.empty() || folded.size() > 3) return -1;
  int64_t n = 0;
  for (char c : folded) {
    if (c < 'a' || c > 'z') return -1;
    n = n * 26 + (c - 'a' + 1);
  }
  return n >= 1 && n <= static_cast<int64_t>(count) ? n - 1 : -1;
}

namespace {

// Separators between choices that are never inside one: `,` `、` `，` `､`.
bool IsListSeparator(uint32_t cp) { return cp == ',' || cp == 0x3001 || cp == 0xFF0C || cp == 0xFF64; }
bool IsSpace(uint32_t cp) { return cp == ' ' || cp == '\t' || cp == 0x3000; }

// `typed` cut at the code points `cut` accepts; empty pieces dropped.
template <typename Cut>
std::vector<std::string> SplitAt(std::string_view typed, Cut cut) {
  std::vector<std::string> pieces;
  std::string current;
  for (size_t i = 0; i < typed.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(typed, i, &cp);
    if (len == 0) len = 1, cp = 0xFFFD;  // IsCleanUtf8 ran before; stay safe anyway
    if (cut(cp)) {
      if (!current.empty()) pieces.push_back(std::move(current));
      current.clear();
    } else {
      current.append(typed.substr(i, len));
    }
    i += len;
  }
  if (!current.empty()) pieces.push_back(std::move(current));
  return pieces;
}

// What one typed word names.
struct Pick {
  enum Kind { kChoice, kValue, kNone, kAmbiguous } kind = kNone;
  std::string value;           // kChoice, kValue: the value to set
  std::vector<size_t> indices; // kChoice: the one; kAmbiguous: the choices it could mean
  std::string typed;
};

Pick PickChoice(const std::vector<ChoiceView>& choices, std::string_view word) {
  Pick pick;
  pick.typed = std::string(word);
  std::string folded = FoldWidth(word);
  if (folded.size() > 1 && folded[0] == '=') {
    // An exact value as typed wins over its folded twin (values are usually ASCII codes).
    pick.kind = Pick::kValue;
    pick.value = word.size() > 1 && word[0] == '=' ? std::string(word.substr(1)) : folded.substr(1);
    for (size_t i = 0; i < choices.size(); ++i) {
      if (choices[i].value == pick.value) pick.kind = Pick::kChoice, pick.indices = {i};
    }
    return pick;
  }
  std::string matched = FoldForMatch(word);
  auto add = [&](size_t i) {
    if (std::find(pick.indices.begin(), pick.indices.end(), i) == pick.indices.end()) pick.indices.push_back(i);
  };
  for (size_t i = 0; i < choices.size(); ++i) {
    const ChoiceView& c = choices[i];
    if (c.value == word || c.value == folded) add(i);
    if (!matched.empty() && FoldForMatch(c.label) == matched) add(i);
  }
  int64_t lettered = ParseChoiceLetter(word, choices.size());
  if (lettered >= 0) add(static_cast<size_t>(lettered));
  if (pick.indices.size() == 1) {
    pick.kind = Pick::kChoice;
    pick.value = choices[pick.indices.front()].value;
  } else if (pick.indices.size() > 1) {
    pick.kind = Pick::kAmbiguous;
  }
  return pick;
}

// Reads `piece` as one or more choices: the whole of it when it names one, else its words from
// left to right, each time the longest run of words that names one ("Home nursing Bathing").
// Returns false (and the failing text in `*bad`) when some word starts no choice.
bool PickWords(const std::vector<ChoiceView>& choices, const std::string& piece, std::vector<Pick>* picks,
               std::string* bad) {
  Pick whole = PickChoice(choices, piece);
  if (whole.kind != Pick::kNone) {
    picks->push_back(std::move(whole));
    return true;
  }
  std::vector<std::string> words = SplitAt(piece, IsSpace);
  if (words.size() < 2) {
    *bad = piece;
    return false;
  }
  for (size_t i = 0; i < words.size();) {
    size_t taken = 0;
    for (size_t j = words.size(); j > i && taken == 0; --j) {
      std::string run = words[i];
      for (size_t k = i + 1; k < j; ++k) run += " " + words[k];
      Pick pick = PickChoice(choices, run);
      if (pick.kind != Pick::kNone) {
        picks->push_back(std::move(pick));
        taken = j - i;
      }
    }
    if (taken == 0) {
      // What is left from the word that starts no choice: "z" of "a z", not the whole of it.
      *bad = words[i];
      for (size_t k = i + 1; k < words.size(); ++k) *bad += " " + words[k];
      return false;
    }
    i += taken;
  }
  return true;
}

// 「あり」「なし」 / "Yes", "No": the labels, or the first few and "…" for a long list.
std::string ListLabels(const std::string& language, const std::vector<ChoiceView>& choices) {
  constexpr size_t kListed = 4;
  bool ja = std::string(Say(language, Word::kSeparator)) != ", ";
  std::string out;
  for (size_t i = 0; i < choices.size() && i < kListed; ++i) {
    if (ja) {
      out += "「" + choices[i].label + "」";
    } else {
      out += (i ? ", \"" : "\"") + choices[i].label + "\"";
    }
  }
  if (choices.size() > kListed) out += ja ? "など" : ", ...";
  return out;
}

std::string LetterRange(const std::string& language, size_t count) {
  bool ja = std::string(Say(language, Word::kSeparator)) != ", ";
  return count <= 1 ? ChoiceLetter(0) : ChoiceLetter(0) + (ja ? "〜" : "-") + ChoiceLetter(count - 1);
}

}  // namespace

bool ChoiceAnswer(const std::string& language, const NumberedItem& item, std::string_view typed, std::string* answer,
                  std::string* error) {
  const std::vector<ChoiceView>& choices = item.choices;
  bool several = item.type == "select_multiple" || item.type == "rank";
  std::vector<std::string> pieces = SplitAt(typed, [&](uint32_t cp) { return IsListSeparator(cp); });
  for (std::string& piece : pieces) piece = std::string(Trim(piece));
  pieces.erase(std::remove(pieces.begin(), pieces.end(), std::string()), pieces.end());
  if (pieces.empty()) {  // ",,," must not clear the answer by accident
    *error = Say(language, Word::kNoChoiceGiven);
    return false;
  }
  std::vector<Pick> picks;
  for (const std::string& piece : pieces) {
    std::string bad;
    if (!PickWords(choices, piece, &picks, &bad)) {
      *error = choices.empty() ? Format(Say(language, Word::kNoChoicesOffered), Shorten(bad).c_str())
                               : Format(Say(language, Word::kNoSuchChoice), Shorten(bad).c_str(),
                                        LetterRange(language, choices.size()).c_str(), ListLabels(language, choices).c_str());
      return false;
    }
  }
  for (const Pick& pick : picks) {
    if (pick.kind != Pick::kAmbiguous) continue;
    const ChoiceView& one = choices[pick.indices[0]];
    const ChoiceView& other = choices[pick.indices[1]];
    std::string typed_word = Shorten(pick.typed);
    *error = Format(Say(language, Word::kAmbiguousChoice), typed_word.c_str(), ChoiceLetter(pick.indices[0]).c_str(),
                    one.label.c_str(), ChoiceLetter(pick.indices[1]).c_str(), other.label.c_str(), typed_word.c_str());
    return false;
  }
  if (!several && picks.size() > 1) {
    *error = Say(language, Word::kNeedOneChoice);
    return false;
  }
  std::string joined;
  for (const Pick& pick : picks) {
    if (!joined.empty()) joined += ' ';
    joined += pick.value;  // a value not offered (=VALUE) goes to the session, which says why not
  }
  *answer = joined;
  return true;
}

bool IsMonthYear(std::string_view appearance) {
  for (size_t i = 0; i < appearance.size();) {
    size_t end = appearance.find(' ', i);
    if (end == std::string_view::npos) end = appearance.size();
    if (appearance.substr(i, end - i) == "month-year") return true;
    i = end + 1;
  }
  return false;
}

std::string MonthOf(const std::string& value) {
  bool date = value.size() == 10 && value[4] == '-' && value[7] == '-' &&
              std::all_of(value.begin(), value.end(), [](char c) { return (c >= '0' && c <= '9') || c == '-'; });
  return date ? value.substr(0, 7) : value;
}

std::string DisplayValue(const std::string& language, const std::string& type, const std::string& value,
                         const std::vector<ChoiceView>& choices,
                         const std::function<std::string(const std::string& value)>& hidden) {
  if (!IsChoiceType(type)) return value;
  auto label_of = [&](const std::string& v) {
    for (const ChoiceView& c : choices) {
      if (c.value == v) return c.label;
    }
    std::string label = hidden ? hidden(v) : "";
    return label.empty() ? v : label;
  };
  if (type == "select_one" || type == "matrix_row") return label_of(value);
  std::string shown;
  const char* separator = type == "rank" ? " > " : Say(language, Word::kSeparator);
  for (const std::string& v : SplitChoices(value)) {
    if (!shown.empty()) shown += separator;
    shown += label_of(v);
  }
  return shown;
}

}  // namespace tools
}  // namespace chosa
