#include "chosa/base/json_reader.h"
#include "chosa/base/utf8.h"

#include <array>
#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iterator>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace chosa {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kNpos = std::string_view::npos;

size_t BomLength(std::string_view text) {
  return text.substr(0, kBom.size()) == kBom ? kBom.size() : 0;
}

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }


// Byte offset of the first ill-formed UTF-8 sequence, or kNpos.
size_t FirstInvalidUtf8(std::string_view text) {
  if (simdjson::validate_utf8(text.data(), text.size())) return kNpos;
  for (size_t i = 0; i < text.size();) {
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) return i;
    i += n;
  }
  return kNpos;
}

// "U+3042" for the (well-formed) character at text[i].
std::string CodePointName(std::string_view text, size_t i) {
  const size_t n = std::max<size_t>(Utf8SequenceLength(text, i), 1);
  uint32_t cp = static_cast<unsigned char>(text[i]);
  if (n > 1) {
    cp &= 0x3Fu >> (n - 1);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3Fu);
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

// `s` as a JSON string literal, for quoting keys in messages.
std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string DepthMessage(size_t max_depth) {
  return "nesting deeper than " + std::to_string(max_depth) + " levels";
}

// ---------------------------------------------------------------------------------------------
// The nlohmann scan: used when simdjson rejects a document, to find the first fault and where it
// is, and by NlohmannAccepts().

struct ScanFault {
  enum Kind { kNone, kSyntax, kDepth, kInternal } kind = kNone;
  size_t offset = 0;    // kSyntax: byte offset (in the scanned text) of the offending character
  std::string message;  // kSyntax: without the position; kDepth, kInternal: complete
  std::string pointer;  // kDepth
};

// An input iterator over the text that publishes how far nlohmann's input adapter has read. The
// SAX interface gives no position, and we need one to place an integer that overflows 64 bits
// (nlohmann turns it into a double; simdjson refuses it, so we must refuse it too, with a column).
class TrackingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  TrackingIterator() = default;
  TrackingIterator(const char* p, const char** read_end) : p_(p), read_end_(read_end) {}
  reference operator*() const { return *p_; }
  TrackingIterator& operator++() {
    ++p_;
    if (read_end_ != nullptr) *read_end_ = p_;
    return *this;
  }
  TrackingIterator operator++(int) {
    TrackingIterator before = *this;
    ++*this;
    return before;
  }
  [[maybe_unused]] friend bool operator==(const TrackingIterator& a, const TrackingIterator& b) { return a.p_ == b.p_; }
  friend bool operator!=(const TrackingIterator& a, const TrackingIterator& b) { return a.p_ != b.p_; }

 private:
  const char* p_ = nullptr;
  const char** read_end_ = nullptr;
};

// The parts of a nlohmann parse_error.101 message, which reads
//   "[json.exception.parse_error.101] parse error at line 1, column 4: syntax error while parsing
//    <context> - <detail>[; expected <token>]"
// where <detail> is "<lexer message>; last read: '<text>'" or "unexpected <token>".
struct NlohmannSyntaxError {
  std::string context;    // "value", "object key", "object separator", "object", "array"
  bool lexer_error = false;
  std::string lexer_message;  // when lexer_error: "invalid literal", "invalid string: ...", ...
  std::string unexpected;     // otherwise: "end of input", "']'", "number literal", ...
};

NlohmannSyntaxError SplitNlohmannMessage(const std::string& what) {
  NlohmannSyntaxError out;
  static const std::string kIntro = "syntax error while parsing ";
  size_t pos = what.find(kIntro);
  if (pos == std::string::npos) return out;
  pos += kIntro.size();
  const size_t dash = what.find(" - ", pos);
  if (dash == std::string::npos) return out;
  out.context = what.substr(pos, dash - pos);
  std::string detail = what.substr(dash + 3);
  const size_t last_read = detail.find("; last read: '");
  if (last_read != std::string::npos) {
    out.lexer_error = true;
    out.lexer_message = detail.substr(0, last_read);
    return out;
  }
  static const std::string kUnexpected = "unexpected ";
  if (detail.compare(0, kUnexpected.size(), kUnexpected) == 0) {
    detail.erase(0, kUnexpected.size());
    out.unexpected = detail.substr(0, detail.find("; expected "));
  }
  return out;
}

class NlohmannScanner {
 public:
  using json = nlohmann::json;

  NlohmannScanner(std::string_view text, size_t max_depth, const char** read_end)
      : text_(text), max_depth_(max_depth), read_end_(read_end) {}

  const ScanFault& fault() const { return fault_; }

  // SAX interface (nlohmann::detail::is_sax checks these signatures).
  bool null() { return BeginValue(); }
  bool boolean(bool) { return BeginValue(); }
  bool number_integer(json::number_integer_t) { return BeginValue(); }
  bool number_unsigned(json::number_unsigned_t) { return BeginValue(); }
  bool number_float(json::number_float_t, const json::string_t& token) {
    if (token.find_first_of(".eE") == std::string::npos) {
      // An integer literal nlohmann had to store as a double: it fits neither int64 nor uint64.
      fault_.kind = ScanFault::kSyntax;
      fault_.offset = NumberStart(token);
      fault_.message = "integer " + token + " is out of range (it fits in neither int64 nor uint64)";
      return false;
    }
    return BeginValue();
  }
  bool string(json::string_t&) { return BeginValue(); }
  bool binary(json::binary_t&) { return BeginValue(); }
  bool start_object(std::size_t) { return BeginContainer(true); }
  bool key(json::string_t& name) {
    frames_.back().key = name;
    return true;
  }
  bool end_object() {
    frames_.pop_back();
    return true;
  }
  bool start_array(std::size_t) { return BeginContainer(false); }
  bool end_array() {
    frames_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string& last_token, const json::exception& ex) {
    fault_.kind = ScanFault::kSyntax;
    if (ex.id == 406) {  // out_of_range.406: "number overflow parsing '1e400'"
      fault_.offset = TokenStart(position, last_token.size());  // numbers: the exact token
      fault_.message = "number " + last_token + " is out of range";
      return false;
    }
    const NlohmannSyntaxError parts = SplitNlohmannMessage(ex.what());
    if (parts.lexer_error) {
      // The lexer stopped on the character it could not use, the last one read.
      fault_.offset = LastRead(position);
      fault_.message = DescribeLexerError(parts);
    } else if (parts.unexpected == "end of input") {
      // nlohmann counts one read past the end; a NUL byte also reads as end of input to it.
      fault_.offset = LastRead(position);
      fault_.message = DescribeEndOfInput(parts.context);
    } else {
      // An unexpected complete token: point at its first character.
      fault_.offset = TokenStart(position, TokenLength(parts.unexpected, last_token));
      if (parts.unexpected == "number literal" && LeadingZeroBefore(fault_.offset)) {
        // nlohmann reads "01" as the number 0 followed by the number 1; say what is meant.
        fault_.offset = NumberStartBefore(fault_.offset - 1);
        fault_.message = "leading zeros are not allowed in numbers";
        return false;
      }
      fault_.message = Expectation(parts.context, fault_.offset, /*found_closer=*/
                                   parts.unexpected == "']'" || parts.unexpected == "'}'");
    }
    return false;
  }

 private:
  struct Frame {
    bool is_object;
    size_t count = 0;  // arrays: elements begun so far, so the current one is count - 1
    std::string key;   // objects: key of the current member
  };

  bool BeginValue() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().count;
    return true;
  }

  bool BeginContainer(bool is_object) {
    BeginValue();
    if (frames_.size() + 1 > max_depth_) {
      fault_.kind = ScanFault::kDepth;
      fault_.message = DepthMessage(max_depth_);
      for (const Frame& f : frames_) {
        fault_.pointer = f.is_object ? PointerAppend(fault_.pointer, f.key) : PointerAppend(fault_.pointer, f.count - 1);
      }
      return false;  // stops nlohmann: nothing past this point is read, so no deep recursion risk
    }
    frames_.push_back(Frame{is_object, 0, {}});
    return true;
  }

  // Offset of the last character nlohmann read, given its count of characters read (which
  // includes one for reaching the end); text_.size() for the end itself.
  size_t LastRead(size_t position) const { return position == 0 ? 0 : std::min(position - 1, text_.size()); }

  // Length of the complete token nlohmann calls `name`. Its get_token_string() is the token
  // itself only for strings and numbers (the lexer resets it there); for punctuation and
  // true/false/null it also holds what was read since the last reset.
  static size_t TokenLength(const std::string& name, const std::string& last_token) {
    if (name == "true literal" || name == "null literal") return 4;
    if (name == "false literal") return 5;
    if (name == "string literal" || name == "number literal") return last_token.size();
    return 1;  // '[', ']', '{', '}', ':', ','
  }

  // Start of a complete token of `length` bytes that ends at `position` (nlohmann's count of
  // characters read, which is the offset just past the token).
  size_t TokenStart(size_t position, size_t length) const {
    const size_t end = std::min(position, text_.size());
    return length <= end ? end - length : 0;
  }

  // Start of the number token just reported. The adapter has read either one character past it
  // (the terminator, then given back to the lexer) or up to the end of the text.
  size_t NumberStart(const std::string& token) const {
    const size_t read = static_cast<size_t>(*read_end_ - text_.data());
    if (read >= token.size() + 1 && text_.compare(read - 1 - token.size(), token.size(), token) == 0) {
      return read - 1 - token.size();
    }
    if (read >= token.size() && text_.compare(read - token.size(), token.size(), token) == 0) {
      return read - token.size();
    }
    return read == 0 ? 0 : read - 1;
  }

  // Whether the number starting at `offset` directly follows a number that is just "0" or "-0".
  bool LeadingZeroBefore(size_t offset) const {
    if (offset == 0 || text_[offset - 1] != '0') return false;
    const size_t zero = offset - 1;
    if (zero == BomLength(text_)) return true;
    const char before = text_[zero - 1];
    return before == '-' || before == '[' || before == ',' || before == ':' || IsJsonWhitespace(before);
  }

  // Start of the number whose first digit is at `digit` (it may have a minus sign).
  size_t NumberStartBefore(size_t digit) const {
    return digit > 0 && text_[digit - 1] == '-' ? digit - 1 : digit;
  }

  // The last non-whitespace character before `offset`, or 0 at the start of the document.
  char PreviousSignificant(size_t offset) const {
    const size_t begin = BomLength(text_);
    for (size_t i = std::min(offset, text_.size()); i > begin; --i) {
      if (!IsJsonWhitespace(text_[i - 1])) return text_[i - 1];
    }
    return 0;
  }

  // What the grammar wanted where the fault is, in plain words.
  std::string Expectation(const std::string& context, size_t offset, bool found_closer) const {
    const char prev = PreviousSignificant(offset);
    if (context == "object key") {
      if (prev == '{') return "expected a string key or '}'";
      return found_closer ? "expected a string key after ',' (trailing commas are not allowed)"
                          : "expected a string key after ','";
    }
    if (context == "object separator") return "expected ':' after an object key";
    if (context == "object") return "expected ',' or '}' after an object member";
    if (context == "array") return "expected ',' or ']' after an array element";
    // context "value": either a value is missing, or something follows the top-level value.
    if (prev == 0) return "expected a JSON value";
    if (prev == '[') return "expected a value or ']'";
    if (prev == ',') {
      return found_closer ? "expected a value after ',' (trailing commas are not allowed)"
                          : "expected a value after ','";
    }
    if (prev == ':') return "expected a value after ':'";
    return "expected end of input after the top-level value";
  }

  std::string DescribeEndOfInput(const std::string& context) const {
    if (fault_.offset < text_.size()) {  // a NUL byte, which nlohmann takes for the end
      return "unexpected NUL character (U+0000); " + Expectation(context, fault_.offset, false);
    }
    if (PreviousSignificant(fault_.offset) == 0) return "the document is empty; expected a JSON value";
    return "unexpected end of input; " + Expectation(context, fault_.offset, false);
  }

  std::string DescribeLexerError(const NlohmannSyntaxError& parts) const {
    if (parts.lexer_message != "invalid literal" || fault_.offset >= text_.size()) {
      // nlohmann's lexer messages are clear English ("invalid string: control character U+0009
      // (HT) must be escaped to \u0009 or \t", "invalid number; expected digit after '-'").
      return parts.lexer_message;
    }
    const size_t at = fault_.offset;
    const unsigned char c = static_cast<unsigned char>(text_[at]);
    if (c == '\'') return "single quotes are not allowed; JSON strings use double quotes";
    if (c == '/') return "comments are not allowed in JSON";
    std::string problem = "invalid literal";
    if (c < 0x20 || c >= 0x7F) problem = "unexpected character " + CodePointName(text_, at);
    // The literal may have started before the offending character ("[tru]" fails on ']').
    size_t start = at;
    while (start > 0 && std::isalnum(static_cast<unsigned char>(text_[start - 1]))) --start;
    return problem + "; " + Expectation(parts.context, start, false);
  }

  std::string_view text_;
  size_t max_depth_;
  const char** read_end_;
  std::vector<Frame> frames_;
  ScanFault fault_;
};

// Runs the nlohmann scan over the whole `text` (BOM included: nlohmann skips one itself).
// Returns kNone when nlohmann accepts the document under our rules.
ScanFault ScanWithNlohmann(std::string_view text, size_t max_depth) {
  if (text.data() == nullptr) text = std::string_view("", 0);
  const char* read_end = text.data();
  NlohmannScanner scanner(text, max_depth, &read_end);
  bool accepted = false;
  try {
    accepted = nlohmann::json::sax_parse(TrackingIterator(text.data(), &read_end),
                                         TrackingIterator(text.data() + text.size(), &read_end), &scanner,
                                         nlohmann::json::input_format_t::json, /*strict=*/true,
                                         /*ignore_comments=*/false);
  } catch (const std::bad_alloc&) {
    ScanFault f;
    f.kind = ScanFault::kInternal;
    f.message = "out of memory while reading JSON";
    return f;
  } catch (const std::exception& e) {  // not expected: the scanner reports errors without throwing
    ScanFault f;
    f.kind = ScanFault::kInternal;
    f.message = std::string("JSON scan failed: ") + e.what();
    return f;
  }
  if (!accepted || scanner.fault().kind != ScanFault::kNone) return scanner.fault();
  // nlohmann stops at a NUL byte after the top-level value as if the text ended there; a NUL
  // before or inside the value would have been an error already, so the first NUL is this one.
  const size_t nul = text.find('\0');
  if (nul != kNpos) {
    ScanFault f;
    f.kind = ScanFault::kSyntax;
    f.offset = nul;
    f.message = "unexpected NUL character (U+0000); expected end of input after the top-level value";
    return f;
  }
  return ScanFault{};
}

// Turns a syntax fault found by the scan into the Status callers see.
Status SyntaxStatus(std::string_view text, const ScanFault& fault) {
  size_t offset = fault.offset;
  std::string message = fault.message;
  // Invalid UTF-8 gets one message whatever nlohmann made of it ("ill-formed UTF-8 byte" in a
  // string, "invalid literal" outside, sometimes a byte or two late for a truncated sequence).
  // nlohmann reads in order, so invalid UTF-8 at or before its fault is what stopped it.
  const size_t bad_utf8 = FirstInvalidUtf8(text);
  if (bad_utf8 != kNpos && bad_utf8 <= offset) {
    offset = bad_utf8;
    message = "invalid UTF-8";
  }
  // Positions are reported as the user's editor shows them: without the BOM.
  const size_t bom = BomLength(text);
  const TextPosition pos = PositionOfOffset(text.substr(bom), offset < bom ? 0 : offset - bom);
  return Status::InvalidArgument("line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) +
                                 ": " + message);
}

// ---------------------------------------------------------------------------------------------
// The walk over a document simdjson accepted: duplicate keys, and the one depth case simdjson
// lets through (see Parse). It reads simdjson's tape directly (the format of simdjson's
// doc/tape.md: one 64-bit word per value, its type in the top byte; a string's payload is the
// offset of its length and bytes in the string buffer; numbers take a second word), in one
// linear pass: walking the DOM with iterators cost as much as a third of simdjson's own parse.

// Keys seen so far in one object: a linear scan over an inline array while the object is small
// (no allocation for the objects forms are made of), beyond that an open-addressing table of
// views that is kept from object to object (a submission's answers object has dozens of keys,
// and a node-based set allocated for each of them).
class KeySet {
 public:
  // Returns false if `key` was already there.
  bool Insert(std::string_view key) {
    if (count_ < kLinearLimit) {
      // Keys of one object mostly differ in length or in their first or last byte: compare
      // those first, and the bytes only when they match.
      const uint32_t print = Fingerprint(key);
      for (size_t i = 0; i < count_; ++i) {
        if (prints_[i] == print && small_[i] == key) return false;
      }
      prints_[count_] = print;
      small_[count_++] = key;
      return true;
    }
    if (count_ == kLinearLimit) {
      for (std::string_view seen : small_) Place(seen);
    }
    if (!Place(key)) return false;
    ++count_;
    return true;
  }
  // Frees the table if it grew past what a submission's objects need.
  void ReleaseIfLarge() {
    constexpr size_t kKeptSlots = 1024;
    if (slots_.size() <= kKeptSlots) return;
    Clear();
    slots_ = std::vector<uint32_t>();
    used_ = std::vector<uint32_t>();
    hashed_ = std::vector<std::string_view>();
  }
  // Costs what the object's keys cost, not what the table grew to for a larger object before.
  void Clear() {
    // By what the table holds, not by count_: a duplicate found as the table was filled leaves
    // keys in it that count_ does not count.
    for (uint32_t slot : used_) slots_[slot] = 0;
    used_.clear();
    hashed_.clear();
    count_ = 0;
  }

 private:
  static uint32_t Fingerprint(std::string_view key) {
    if (key.empty()) return 0;
    return static_cast<uint32_t>(key.size()) << 16 | static_cast<uint32_t>(static_cast<unsigned char>(key.front())) << 8 |
           static_cast<unsigned char>(key.back());
  }
  // FNV-1a: keys are short (question names), where it costs a fraction of std::hash's call.
  static size_t Hash(std::string_view key) {
    uint64_t hash = 14695981039346656037ull;
    for (char c : key) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return static_cast<size_t>(hash ^ (hash >> 32));
  }
  // Adds `key` to the table unless it is there; the table stays at most half full.
  bool Place(std::string_view key) {
    if ((hashed_.size() + 1) * 2 > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = Hash(key) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == 0) {
        hashed_.push_back(key);
        slots_[i] = static_cast<uint32_t>(hashed_.size());
        used_.push_back(static_cast<uint32_t>(i));
        return true;
      }
      if (hashed_[slots_[i] - 1] == key) return false;
    }
  }
  void Grow() {
    slots_.assign(std::max<size_t>(64, slots_.size() * 2), 0u);
    used_.clear();
    const size_t mask = slots_.size() - 1;
    for (size_t k = 0; k < hashed_.size(); ++k) {
      size_t i = Hash(hashed_[k]) & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = static_cast<uint32_t>(k + 1);
      used_.push_back(static_cast<uint32_t>(i));
    }
  }

  static constexpr size_t kLinearLimit = 16;
  std::array<std::string_view, kLinearLimit> small_;  // views into the parser's string buffer
  std::array<uint32_t, kLinearLimit> prints_;
  size_t count_ = 0;
  std::vector<std::string_view> hashed_;  // past kLinearLimit: every key, in order
  std::vector<uint32_t> slots_;           // index + 1 into hashed_, 0 when free; a power of two
  std::vector<uint32_t> used_;            // the slots taken, so that Clear frees just those
};

struct WalkFrame {
  bool is_object = false;
  bool expect_key = false;  // objects: the next word is a key
  size_t index = 0;         // arrays: index of the current element
  size_t next_index = 0;
  std::string_view key;     // objects: key of the current member
  KeySet keys;
};

// The pointer of the member or element being visited in the innermost of the `depth` open frames.
std::string PointerOfCurrent(const std::vector<WalkFrame>& frames, size_t depth) {
  std::string pointer;
  for (size_t i = 0; i < depth; ++i) {
    const WalkFrame& f = frames[i];
    pointer = f.is_object ? PointerAppend(pointer, f.key) : PointerAppend(pointer, f.index);
  }
  return pointer;
}

Status CheckTree(const simdjson::dom::document& doc, size_t max_depth) {
  constexpr uint64_t kPayloadMask = 0x00FFFFFFFFFFFFFFull;
  const uint64_t* tape = doc.tape.get();
  const uint8_t* strings = doc.string_buf.get();
  const size_t root_end = static_cast<size_t>(tape[0] & kPayloadMask);  // the closing root word
  // frames[0, depth) are the open containers, outermost first. A frame is reused by every
  // container at its depth, and by every document this thread walks, so that walking a
  // submission allocates nothing once the first one has been walked.
  thread_local std::vector<WalkFrame> frames;
  struct ReleaseLarge {  // a table grown for a huge object is not kept for the thread's life
    ~ReleaseLarge() {
      for (WalkFrame& frame : frames) frame.keys.ReleaseIfLarge();
    }
  } release_large;
  size_t depth = 0;
  std::string duplicate_pointer, duplicate_key;
  bool have_duplicate = false;

  WalkFrame* top = nullptr;  // frames[depth - 1]
  for (size_t i = 1; i < root_end;) {
    const char type = static_cast<char>(tape[i] >> 56);
    if (top != nullptr && top->expect_key) {  // an object's key (a string word), or its end
      if (type != '}') {
        uint32_t length;
        const uint8_t* at = strings + (tape[i] & kPayloadMask);
        std::memcpy(&length, at, sizeof length);
        top->key = std::string_view(reinterpret_cast<const char*>(at + sizeof length), length);
        top->expect_key = false;
        if (!top->keys.Insert(top->key) && !have_duplicate) {
          // Keep walking: a depth fault further on outranks a duplicate key.
          have_duplicate = true;
          duplicate_pointer = PointerOfCurrent(frames, depth);
          duplicate_key = std::string(top->key);
        }
        ++i;
        continue;
      }
    } else if (top != nullptr && type != ']') {  // a value: note where it is
      if (top->is_object) {
        top->expect_key = true;  // after this value
      } else {
        top->index = top->next_index++;
      }
    }
    switch (type) {
      case '}':
      case ']':
        --depth;
        top = depth == 0 ? nullptr : &frames[depth - 1];
        ++i;
        break;
      case '{':
      case '[': {
        if (depth + 1 > max_depth) {
          return Status::InvalidArgument(DepthMessage(max_depth), PointerOfCurrent(frames, depth));
        }
        if (depth == frames.size()) frames.emplace_back();
        top = &frames[depth++];
        top->is_object = type == '{';
        top->expect_key = top->is_object;
        top->next_index = 0;
        if (top->is_object) top->keys.Clear();
        ++i;
        break;
      }
      case 'l':
      case 'u':
      case 'd':
        i += 2;  // the number is in the next word
        break;
      default:
        ++i;
        break;
    }
  }
  if (have_duplicate) {
    return Status::InvalidArgument("duplicate key " + JsonQuote(duplicate_key), duplicate_pointer);
  }
  return Status::Ok();
}

}  // namespace

// ---------------------------------------------------------------------------------------------

JsonDocument::JsonDocument() noexcept = default;
JsonDocument::~JsonDocument() = default;
JsonDocument::JsonDocument(JsonDocument&&) noexcept = default;
JsonDocument& JsonDocument::operator=(JsonDocument&&) noexcept = default;

Status JsonDocument::Parse(std::string_view text, const JsonLimits& limits) {
  root_ = simdjson::dom::element();
  if (text.size() > limits.max_bytes) {
    return Status::InvalidArgument("document is " + std::to_string(text.size()) + " bytes; the limit is " +
                                   std::to_string(limits.max_bytes) + " bytes");
  }
  try {
    if (!parser_) parser_ = std::make_unique<simdjson::dom::parser>();
  } catch (const std::bad_alloc&) {
    return Status::Internal("out of memory while reading JSON");
  }
  // simdjson's max_depth(N) admits N - 1 levels of non-empty containers, and does not count an
  // empty {} or [] as a level at all. Giving it max_depth + 1 makes it accept every document we
  // accept; the single excess it lets through (an empty container one level too deep) is caught
  // by CheckTree, which counts every container.
  const size_t simdjson_depth = limits.max_depth + 1;
  if (parser_->max_depth() != simdjson_depth) {
    const simdjson::error_code err = parser_->allocate(text.size(), simdjson_depth);
    if (err != simdjson::SUCCESS) return Status::Internal("out of memory while reading JSON");
  }

  // simdjson 3.0.1 refuses a BOM; nlohmann skips one. We skip one for simdjson; see the header.
  std::string_view body = text.substr(BomLength(text));
  if (body.data() == nullptr) body = std::string_view("", 0);  // simdjson memcpy()s from it
  simdjson::dom::element root;
  // realloc_if_needed: copies `body` into the parser's padded buffer (simdjson reads past the end).
  const simdjson::error_code err = parser_->parse(body.data(), body.size(), true).get(root);
  if (err == simdjson::SUCCESS) {
    Status status = CheckTree(parser_->doc, limits.max_depth);
    if (status.ok()) root_ = root;
    return status;
  }
  if (err == simdjson::MEMALLOC) return Status::Internal("out of memory while reading JSON");
  if (err == simdjson::CAPACITY) {  // over simdjson's own 4 GiB limit, when max_bytes allows more
    return Status::InvalidArgument("document is " + std::to_string(text.size()) + " bytes; too large to read");
  }

  // simdjson refused the document: let nlohmann find the first fault and its position.
  const ScanFault fault = ScanWithNlohmann(text, limits.max_depth);
  switch (fault.kind) {
    case ScanFault::kSyntax: return SyntaxStatus(text, fault);
    case ScanFault::kDepth: return Status::InvalidArgument(fault.message, fault.pointer);
    case ScanFault::kInternal: return Status::Internal(fault.message);
    case ScanFault::kNone: break;
  }
  // The parsers disagree (a bug: the corpus tests exist to prevent this). simdjson decides.
  return Status::InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(err));
}

JsonDocument& ThreadDocumentFor(ThreadDocumentSlot slot, size_t text_bytes, JsonDocument& own) {
  thread_local JsonDocument documents[static_cast<size_t>(ThreadDocumentSlot::kCount)];
  return text_bytes <= kThreadDocumentBytes ? documents[static_cast<size_t>(slot)] : own;
}

const char* JsonTypeName(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::ARRAY: return "an array";
    case simdjson::dom::element_type::OBJECT: return "an object";
    case simdjson::dom::element_type::STRING: return "a string";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE: return "a number";
    case simdjson::dom::element_type::BOOL: return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE: return "null";
  }
  return "a value";
}

bool IsJsonNumber(simdjson::dom::element value) {
  const simdjson::dom::element_type type = value.type();
  return type == simdjson::dom::element_type::INT64 || type == simdjson::dom::element_type::UINT64 ||
         type == simdjson::dom::element_type::DOUBLE;
}

void PointerAppendTo(std::string& pointer, std::string_view key) {
  pointer += '/';
  if (key.find_first_of("~/") == std::string_view::npos) {  // the common case: nothing to escape
    pointer.append(key);
    return;
  }
  for (char c : key) {
    if (c == '~') {
      pointer += "~0";
    } else if (c == '/') {
      pointer += "~1";
    } else {
      pointer += c;
    }
  }
}

std::string PointerAppend(std::string_view base, std::string_view key) {
  std::string out;
  out.reserve(base.size() + key.size() + 1);
  out.append(base);
  PointerAppendTo(out, key);
  return out;
}

void PointerAppendTo(std::string& pointer, size_t index) {
  char digits[24];
  digits[0] = '/';
  char* end = std::to_chars(digits + 1, digits + sizeof digits, index).ptr;
  pointer.append(digits, end);
}

std::string PointerAppend(std::string_view base, size_t index) {
  std::string out;
  out.reserve(base.size() + 21);
  out.append(base);
  PointerAppendTo(out, index);
  return out;
}

TextPosition PositionOfOffset(std::string_view text, size_t byte_offset) {
  const size_t end = std::min(byte_offset, text.size());
  size_t line = 1, line_start = 0;
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  size_t column = 1;
  for (size_t i = line_start; i < end; ++column) {
    i += std::max<size_t>(Utf8SequenceLength(text, i), 1);  // an ill-formed byte is one column
  }
  auto clamp = [](size_t v) { return static_cast<int>(std::min<size_t>(v, INT_MAX)); };
  return TextPosition{clamp(line), clamp(column)};
}

bool NlohmannAccepts(std::string_view text) {
  return ScanWithNlohmann(text, JsonLimits{}.max_depth).kind == ScanFault::kNone;
}

}  // namespace chosa
