// Re-validation's canonical re-encoding of received JSON (submission_check_internal.h): the
// bytes the engine would write for a received value, and where received bytes first depart
// from them. Apart, as every check of bytes (the fast path's included) goes through it.
#include "chosa/base/json_reader.h"
#include "session/submission_check_internal.h"

namespace chosa {
namespace submission_check {

using simdjson::dom::element;
using simdjson::dom::element_type;

void Encode(element value, CanonicalJsonWriter& out, std::string* pointer, size_t target, std::string* where) {
  const size_t start = out.text().size();
  switch (value.type()) {
    case element_type::OBJECT: {
      out.BeginObject();
      simdjson::dom::object object = value.get_object().value_unsafe();
      for (auto field : object) {
        const size_t length = where != nullptr ? pointer->size() : 0;
        const size_t member = out.text().size();
        if (where != nullptr) *pointer = PointerAppend(*pointer, field.key);
        out.Key(field.key);
        Encode(field.value, out, pointer, target, where);
        if (where != nullptr) {
          if (where->empty() && target >= member && target <= out.text().size()) *where = *pointer;
          pointer->resize(length);
        }
      }
      out.EndObject();
      break;
    }
    case element_type::ARRAY: {
      out.BeginArray();
      size_t index = 0;
      simdjson::dom::array array = value.get_array().value_unsafe();
      for (element item : array) {
        const size_t length = where != nullptr ? pointer->size() : 0;
        if (where != nullptr) PointerAppendTo(*pointer, index++);
        Encode(item, out, pointer, target, where);
        if (where != nullptr) pointer->resize(length);
      }
      out.EndArray();
      break;
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      out.Number(value.get_double().value_unsafe());  // finite: the reader refuses numbers out of a double's range
      break;
    case element_type::STRING:
      out.String(value.get_string().value_unsafe());
      break;
    case element_type::BOOL:
      out.Bool(value.get_bool().value_unsafe());
      break;
    case element_type::NULL_VALUE:
      // Unreachable: the engine never writes null, and every null is refused before any encoding.
      out.String("null");
      break;
  }
  if (where != nullptr && where->empty() && target >= start && target <= out.text().size()) *where = *pointer;
}

std::string Canonical(element value) {
  CanonicalJsonWriter out;
  Encode(value, out);
  return out.Take();
}

std::string CanonicalEnvelope(simdjson::dom::object root, size_t* answers_begin, size_t* answers_end) {
  CanonicalJsonWriter out;
  out.BeginObject();
  for (auto field : root) {
    out.Key(field.key);
    const bool answers = field.key == "answers";
    if (answers) *answers_begin = out.text().size();
    Encode(field.value, out);
    if (answers) *answers_end = out.text().size();
  }
  out.EndObject();
  return out.Take();
}

std::string PointerOfDifference(element value, std::string_view received, std::string_view expected,
                                const std::string& base) {
  size_t at = 0;
  while (at < received.size() && at < expected.size() && received[at] == expected[at]) ++at;
  CanonicalJsonWriter out;
  std::string pointer = base, where;
  Encode(value, out, &pointer, at, &where);
  return where.empty() ? base : where;
}

}  // namespace submission_check
}  // namespace chosa
