// Lower-case hex and the SHA-256 digest that names a submission's content everywhere (device
// store, wire, collector): one implementation for all of them.
#ifndef CHOSA_ENGINE_HEX_DIGEST_H_
#define CHOSA_ENGINE_HEX_DIGEST_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace chosa {

std::string Hex(const unsigned char* bytes, size_t size);
std::string Sha256Hex(std::string_view data);

}  // namespace chosa

#endif  // CHOSA_ENGINE_HEX_DIGEST_H_
