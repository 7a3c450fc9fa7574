// The terminal filler's input: one line read from standard input at a time, and the words of a
// command typed on it. No drawing and no filling here (filler.cpp runs the loop).
#ifndef CHOSA_TOOLS_FILLER_INPUT_H_
#define CHOSA_TOOLS_FILLER_INPUT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace chosa {
namespace tools {

// Longer lines are refused whole: no answer needs 64 KiB, and a runaway paste must not be stored.
constexpr size_t kMaxLine = 64 * 1024;

// Reads one line of standard input into `line` (without its "\n", or a CRLF's "\r"); false at the
// end of input. A line longer than kMaxLine is read to its end, cut, and `too_long` set.
bool ReadLine(std::string* line, bool* too_long);

// Splits "HEAD REST" at the first ASCII or ideographic space; REST is trimmed.
void SplitHead(std::string_view line, std::string_view* head, std::string_view* rest);

// ASCII letters in lower case; the rest unchanged.
std::string Lower(std::string text);

// Echoing a typed token inside a message: long garbage is cut (on a character boundary), "..."
// added.
std::string Shorten(std::string_view text, size_t kMax = 40);

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_FILLER_INPUT_H_
