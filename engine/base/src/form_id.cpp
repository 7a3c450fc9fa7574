#include "chosa/form_id.h"

namespace chosa {

const char kFormIdRule[] = "a lower-case letter, then lower-case letters, digits and '_'; at most 128 bytes";

bool IsValidFormId(std::string_view id) {
  if (id.empty() || id.size() > 128 || !(id[0] >= 'a' && id[0] <= 'z')) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace chosa
