// UTF-8 as the engine reads it: well-formed sequences per the Unicode standard (Table 3-7: no
// overlong forms, no UTF-16 surrogates, nothing past U+10FFFF), which is exactly what simdjson
// and nlohmann/json accept. One definition serves the JSON reader, the string functions of the
// expression language and the checks of typed answers.
#ifndef CHOSA_ENGINE_UTF8_H_
#define CHOSA_ENGINE_UTF8_H_

#include <cstddef>
#include <string_view>

namespace chosa {

// Length in bytes of the well-formed sequence starting at text[i]; 0 if it is ill-formed.
// REQUIRES: i < text.size().
size_t Utf8SequenceLength(std::string_view text, size_t i);

// Whether every byte of `text` belongs to a well-formed sequence.
bool IsValidUtf8(std::string_view text);

}  // namespace chosa

#endif  // CHOSA_ENGINE_UTF8_H_
