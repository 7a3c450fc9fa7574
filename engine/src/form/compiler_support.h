// Small rules shared by the form compiler's passes: what a name is, how a reference is
// written in messages, and reading form and code-list files.
#ifndef CHOSA_ENGINE_FORM_COMPILER_SUPPORT_H_
#define CHOSA_ENGINE_FORM_COMPILER_SUPPORT_H_

#include <string>
#include <string_view>

namespace chosa {

// An item, list or attribute name: ASCII letters, digits and '_', not starting with a digit.
bool IsName(std::string_view s);
// "${name}", as a form designer writes it.
std::string Ref(std::string_view name);
// The whole file, or *ok = false when it cannot be read.
std::string ReadFileText(const std::string& path, bool* ok);
std::string DirectoryOf(const std::string& path);
// Orders JSON Pointers as their targets appear in a document: numbers compare as numbers.
bool PointerLess(std::string_view a, std::string_view b);

}  // namespace chosa

#endif  // CHOSA_ENGINE_FORM_COMPILER_SUPPORT_H_
