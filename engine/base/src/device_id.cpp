#include "chosa/device_id.h"

namespace chosa {

const char kDeviceIdRule[] =
    "1 to 64 characters of A-Z, a-z, 0-9, '.', '_', ':' and '-', beginning with a letter or a digit";

bool IsValidDeviceId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != ':' && c != '-'))) return false;
  }
  return true;
}

}  // namespace chosa
