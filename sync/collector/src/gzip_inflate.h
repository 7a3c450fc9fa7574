// Inflating a gzip request body with a bound on what it inflates to, so that a small body
// cannot make the collector hold more than the limit (a gzip bomb stops at the limit).
#ifndef CHOSA_SYNC_COLLECTOR_GZIP_INFLATE_H_
#define CHOSA_SYNC_COLLECTOR_GZIP_INFLATE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace chosa::collector {

enum class Inflated { kOk, kTooLarge, kMalformed };

// Inflates the gzip stream `in` (one member, whole) into `out`, stopping past `max_bytes`.
Inflated InflateGzip(std::string_view in, size_t max_bytes, std::string* out);

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_GZIP_INFLATE_H_
