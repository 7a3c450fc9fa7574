#include "typed_input.h"

#include <algorithm>
#include <string>

#include "display_text.h"
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

bool ChoiceAnswer(const std::string& language, const NumberedItem& item, std::string_view typed, std::string* answer,
                  std::string* error) {
  std::vector<std::string> tokens = SplitChoices(typed);
  if (tokens.empty()) {  // ",,," must not clear the answer by accident
    *error = Say(language, Word::kNoChoiceGiven);
    return false;
  }
  bool several = item.type == "select_multiple" || item.type == "rank";
  if (!several && tokens.size() > 1) {
    *error = Say(language, Word::kNeedOneChoice);
    return false;
  }
  const int count = static_cast<int>(item.choices.size());
  std::string joined;
  for (const std::string& token : tokens) {
    std::string value;
    std::string folded = FoldWidth(token);
    if (folded.size() > 1 && folded[0] == '=') {
      value = folded.substr(1);
      // An exact value as typed wins over its folded twin (values are usually ASCII codes).
      if (token.size() > 1 && token[0] == '=') value = token.substr(1);
    } else {
      int64_t number = ParseSmallNumber(folded);
      bool all_digits = !folded.empty() && std::all_of(folded.begin(), folded.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (number >= 1 && number <= count) {
        value = item.choices[static_cast<size_t>(number - 1)].value;
      } else {
        // Not a position: a value as typed (a ward code "271276"), else as folded.
        value = token;
        bool known = std::any_of(item.choices.begin(), item.choices.end(),
                                 [&](const ChoiceView& c) { return c.value == token; });
        if (!known && std::any_of(item.choices.begin(), item.choices.end(),
                                  [&](const ChoiceView& c) { return c.value == folded; })) {
          value = folded;
          known = true;
        }
        if (!known && all_digits) {
          *error = Format(Say(language, Word::kNoSuchChoice), token.c_str(), count);
          return false;
        }
      }
    }
    // Unknown non-numeric values go to the session, which refuses them in its own words.
    if (!joined.empty()) joined += ' ';
    joined += value;
  }
  *answer = joined;
  return true;
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
