// A device's identity: what a device store keeps, stamps into every submission it finalizes and
// enrols with at a collector, and what the collector then knows the device by (docs/store.md).
//
// Thread safety: a pure function, safe from any thread. Ownership: nothing is kept.
#ifndef CHOSA_DEVICE_ID_H_
#define CHOSA_DEVICE_ID_H_

#include <string_view>

namespace chosa {

// The rule, for messages: "1 to 64 characters of A-Z, a-z, 0-9, '.', '_', ':' and '-', ...".
extern const char kDeviceIdRule[];

// Whether `id` follows kDeviceIdRule. Thread-safe.
bool IsValidDeviceId(std::string_view id);

}  // namespace chosa

#endif  // CHOSA_DEVICE_ID_H_
