// Values as both programs read and print them on a command line: ids and local times.
#ifndef CHOSA_TOOLS_CLI_VALUES_H_
#define CHOSA_TOOLS_CLI_VALUES_H_

#include <cstdint>
#include <string>

namespace chosa {
namespace tools {

// Parses a positive decimal id (digits only, at most 18); -1 when `text` is not one.
int64_t ParseId(const std::string& text);

// "2024-11-01 14:03" in the local time zone (TZ), with " +09:00" when `with_offset`; "-" for 0.
std::string LocalTime(int64_t millis, bool with_offset = false);

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_CLI_VALUES_H_
