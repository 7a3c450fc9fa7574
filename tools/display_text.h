// Text on a terminal, for both programs: how many columns it takes, and making text that came
// from elsewhere (a form, a device, an answer) safe to print on one line.
#ifndef CHOSA_TOOLS_DISPLAY_TEXT_H_
#define CHOSA_TOOLS_DISPLAY_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace chosa {
namespace tools {

// Decodes one code point at byte `i` of `s`; returns its byte length, or 0 when the bytes there
// are not UTF-8 (a stray byte, a cut sequence, an overlong form, a surrogate, past U+10FFFF).
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp);
void AppendUtf8(uint32_t cp, std::string* out);

// The columns `cp` takes on a terminal, from Unicode's East Asian Width by utf8proc: 2 for wide
// and full-width characters (kanji, kana, ＡＢＣ, most emoji), 0 for combining marks and other
// characters that take no column, 1 otherwise.
//
// East Asian *ambiguous* characters (○ × ① ※ ─ α …) count 1. A Japanese terminal may be set to
// draw them two columns wide, but the program cannot tell, and 1 is what the other programs on
// the line count: glibc's wcwidth() in every locale, tmux (which redraws every pane by its own
// count, and through which the filler is often run), and the default of xterm, VTE and
// Terminal.app. Counting 2 would misalign every table in those, and they are the common case.
int CodePointWidth(uint32_t cp);

// The width of `text` in terminal columns (CodePointWidth summed; a byte that is not UTF-8
// counts 1, as the replacement character it is shown as).
int DisplayWidth(std::string_view text);

// `text` made safe for one line of a terminal: bytes that are not UTF-8 and control characters
// (a newline inside an answer) become U+FFFD, a tab a space; cut to `max_width` columns with "…"
// (0: no cut).
std::string ForDisplay(std::string_view text, int max_width = 0);

// `text` as a typed word is compared with a label: Unicode NFKC (full-width Latin letters and
// digits to ASCII, half-width katakana to full-width, the ideographic space to a space), case
// folded (ＹＥＳ, Yes and yes are one), runs of white space as one space, trimmed. Text that is
// not UTF-8 is returned as it is.
std::string FoldForMatch(std::string_view text);

// `text` with control characters (C0, DEL, C1) and bytes outside well-formed UTF-8 as \xNN:
// text from a device must not drive the terminal, and the bureau sees exactly which bytes came.
std::string Printable(std::string_view text);

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_DISPLAY_TEXT_H_
