#include "cli_values.h"

#include <ctime>

namespace chosa {
namespace tools {

int64_t ParseId(const std::string& text) {
  if (text.empty() || text.size() > 18) return -1;
  int64_t id = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    id = id * 10 + (c - '0');
  }
  return id > 0 ? id : -1;
}

std::string LocalTime(int64_t millis, bool with_offset) {
  if (millis <= 0) return "-";
  time_t seconds = static_cast<time_t>(millis / 1000);
  struct tm local;
  if (localtime_r(&seconds, &local) == nullptr) return "-";
  char text[40];
  if (std::strftime(text, sizeof text, with_offset ? "%Y-%m-%d %H:%M %z" : "%Y-%m-%d %H:%M", &local) == 0) return "-";
  std::string out = text;
  if (with_offset && out.size() >= 5) out.insert(out.size() - 2, ":");  // +0900 as +09:00
  return out;
}

}  // namespace tools
}  // namespace chosa
