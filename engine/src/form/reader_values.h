// Reading a JSON value in the form reader's files (form_reader.cpp, choice_list_reader.cpp,
// item_reader.cpp): its type named for a message, an integer within bounds. Inline, as they were
// when the reader was one file: they run for every property read.
#ifndef CHOSA_ENGINE_FORM_READER_VALUES_H_
#define CHOSA_ENGINE_FORM_READER_VALUES_H_

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>

#include "chosa/base/json_reader.h"

namespace chosa {

// "an array", "a string", ...: what `value` is, for a message.
inline std::string TypeOfJson(simdjson::dom::element value) { return JsonTypeName(value); }

// An integer in [lo, hi], or nullopt.
inline std::optional<int64_t> IntegerIn(simdjson::dom::element value, int64_t lo, int64_t hi) {
  int64_t n;
  if (value.type() == simdjson::dom::element_type::INT64 && value.get_int64().get(n) == simdjson::SUCCESS && n >= lo &&
      n <= hi)
    return n;
  return std::nullopt;
}

}  // namespace chosa

#endif  // CHOSA_ENGINE_FORM_READER_VALUES_H_
