#include "gzip_inflate.h"

#include <zlib.h>

#include <algorithm>

namespace chosa::collector {

Inflated InflateGzip(std::string_view in, size_t max_bytes, std::string* out) {
  out->clear();
  if (in.size() > 0xFFFFFFFFu) return Inflated::kTooLarge;  // zlib counts input in 32 bits
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Inflated::kMalformed;  // gzip only
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char buffer[64 * 1024];
  Inflated result = Inflated::kMalformed;
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    const int code = inflate(&z, Z_NO_FLUSH);
    const size_t made = sizeof buffer - z.avail_out;
    if (out->size() + made > max_bytes) {
      result = Inflated::kTooLarge;
      break;
    }
    out->append(buffer, made);
    if (code == Z_STREAM_END) {
      result = z.avail_in == 0 ? Inflated::kOk : Inflated::kMalformed;  // nothing may follow
      break;
    }
    if (code != Z_OK || (made == 0 && z.avail_in == 0)) break;  // corrupt, or cut short
  }
  inflateEnd(&z);
  if (result != Inflated::kOk) out->clear();
  return result;
}

}  // namespace chosa::collector
