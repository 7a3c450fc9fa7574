// gzip (RFC 1952) compression of push bodies: submissions are repetitive JSON and shrink several
// times, which matters on a tablet's mobile link.
#ifndef CHOSA_SYNC_CLIENT_GZIP_H_
#define CHOSA_SYNC_CLIENT_GZIP_H_

#include <string>
#include <string_view>

#include "chosa/status.h"

namespace chosa::sync {

// `data` as one gzip member (zlib level `level`, 1 fastest .. 9 smallest).
Result<std::string> GzipCompress(std::string_view data, int level = 6);

}  // namespace chosa::sync

#endif  // CHOSA_SYNC_CLIENT_GZIP_H_
