// The form reader's rules for names written in a form that are not item names (compiler_support.h
// has IsName): a form id, a language code, a choice value. Apart, so that each rule is stated once.
#ifndef CHOSA_ENGINE_FORM_NAME_RULES_H_
#define CHOSA_ENGINE_FORM_NAME_RULES_H_

#include <string_view>

namespace chosa {

// A language code: ^[a-z]{2,3}(-[A-Za-z0-9]+)*$ ("ja", "en", "zh-Hant").
bool IsLanguageCode(std::string_view s);
// Whitespace, including the ideographic space U+3000 and the other Unicode spaces, that would
// split a select_multiple value.
bool ContainsWhitespace(std::string_view s);

}  // namespace chosa

#endif  // CHOSA_ENGINE_FORM_NAME_RULES_H_
