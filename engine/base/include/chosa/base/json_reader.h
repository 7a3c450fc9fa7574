// The JSON reading layer: validity and DOM from simdjson, error positions from nlohmann/json.
//
// simdjson is fast but says little about *where* a document is broken, so a document it rejects
// is scanned a second time by nlohmann/json (SAX, no DOM built) only to find the first fault and
// its line and column. Both parsers are configured to accept exactly the same texts (checked by
// tests/json_corpus/ through NlohmannAccepts()).
//
// Rules on top of RFC 8259, applied identically on both paths:
//  * Nesting depth. The depth of an array or object is the number of arrays and objects on the
//    path from the root down to it, itself included: a root container has depth 1, and scalars
//    add nothing (a root scalar has depth 0). A document is accepted when no container is deeper
//    than JsonLimits::max_depth, so with the default 64, 64 nested arrays are accepted and 65 are
//    refused. (In nlohmann's callback terms: container depth = callback `depth` + 1.)
//  * Byte order mark. One leading UTF-8 BOM (EF BB BF) is allowed and ignored (nlohmann skips it,
//    simdjson 3.0.1 does not, so we strip it before simdjson). It takes no column. A second BOM
//    is an error, as is a BOM anywhere else except inside a string.
//  * Numbers must fit: a float that overflows a double (1e400) and an integer outside both int64
//    and uint64 (18446744073709551616) are refused; simdjson refuses both, nlohmann only the
//    first, so the second is refused explicitly. Underflow to zero (1e-400) is accepted.
//  * A NUL byte outside a string is an error (nlohmann would silently stop reading there).
//  * Keys of an object must be distinct (simdjson's DOM keeps duplicates; nlohmann keeps the last).
//
// Which fault is reported when there are several: a document larger than max_bytes is refused
// before reading; otherwise the first in text order among syntax errors (malformed JSON, invalid
// UTF-8, numbers out of range, NUL) and nesting too deep, since reading stops at either; duplicate
// keys only when there is neither (the first duplicate in text order).
//
// Lines and columns: lines are separated by LF (CRLF works, a lone CR does not start a line);
// both are 1-based; columns count Unicode code points, an ill-formed UTF-8 byte counting as one.
//
// Thread safety: a JsonDocument is not safe for concurrent use; distinct objects are independent.
#ifndef CHOSA_JSON_JSON_READER_H_
#define CHOSA_JSON_JSON_READER_H_

#include <simdjson.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "chosa/status.h"

namespace chosa {

struct JsonLimits {
  size_t max_depth = 64;         // deepest container accepted; see the convention above
  size_t max_bytes = 16u << 20;  // size of the text, BOM included
};

// A parsed JSON document. Owns the simdjson parser whose buffers hold the DOM.
class JsonDocument {
 public:
  JsonDocument() noexcept;
  ~JsonDocument();
  JsonDocument(const JsonDocument&) = delete;
  JsonDocument& operator=(const JsonDocument&) = delete;
  // Elements obtained from root() before a move stay valid and belong to the moved-to object
  // (the parser lives on the heap). A moved-from document may be parsed into again.
  JsonDocument(JsonDocument&&) noexcept;
  JsonDocument& operator=(JsonDocument&&) noexcept;

  // Parses `text` (which need not outlive the call). On failure returns InvalidArgument:
  //  - syntax: "line L, column C: <what is wrong>", pointer empty;
  //  - invalid UTF-8: "line L, column C: invalid UTF-8";
  //  - too large: "document is N bytes; the limit is M bytes";
  //  - too deep: pointer of the first container too deep, "nesting deeper than 64 levels";
  //  - duplicate key: pointer of the second occurrence, "duplicate key \"name\"".
  // Out of memory yields Internal. A failed Parse invalidates elements from an earlier one.
  Status Parse(std::string_view text, const JsonLimits& limits = {});

  // REQUIRES: the last Parse returned OK. Valid until the next Parse or destruction.
  simdjson::dom::element root() const { return root_; }

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::element root_;
};

// A document whose simdjson buffers are kept by the calling thread between parses, for readers
// that run per request (a submission, its envelope): allocating the buffers anew cost more than
// parsing an 800-byte submission. One per slot, so that documents alive at once never share one.
// A text over kThreadDocumentBytes gets `own` instead, so that a worker thread does not keep the
// buffers of its largest document for ever.
enum class ThreadDocumentSlot { kEnvelope, kSubmission, kEngineAnswers, kCount };
constexpr size_t kThreadDocumentBytes = 1u << 20;
JsonDocument& ThreadDocumentFor(ThreadDocumentSlot slot, size_t text_bytes, JsonDocument& own);

// What a value is, for messages: "an array", "an object", "a string", "a number", "a boolean",
// "null".
const char* JsonTypeName(simdjson::dom::element value);
// Any of simdjson's three number representations.
bool IsJsonNumber(simdjson::dom::element value);

// JSON Pointer (RFC 6901) building: appends "/" and the reference token, escaping '~' as "~0"
// and '/' as "~1". PointerAppend("", "a/b") == "/a~1b"; PointerAppend("/items", 2) == "/items/2".
std::string PointerAppend(std::string_view base, std::string_view key);
std::string PointerAppend(std::string_view base, size_t index);
// The same, appending to `pointer` in place (a walk that appends and truncates one string
// allocates no pointer per key).
void PointerAppendTo(std::string& pointer, std::string_view key);
void PointerAppendTo(std::string& pointer, size_t index);

// Line and column (both 1-based, column in code points) of `byte_offset` in `text`; an offset past
// the end is taken as text.size(), the position just after the last character.
struct TextPosition {
  int line;
  int column;
};
TextPosition PositionOfOffset(std::string_view text, size_t byte_offset);

// Internal, for tests: whether nlohmann/json, configured with the rules above (default limits;
// duplicate keys not checked), accepts `text`. Must equal JsonDocument::Parse's verdict on every
// document without duplicate keys.
bool NlohmannAccepts(std::string_view text);

}  // namespace chosa

#endif  // CHOSA_JSON_JSON_READER_H_
