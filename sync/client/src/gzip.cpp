#include "gzip.h"

#include <zlib.h>

#include <limits>

namespace chosa::sync {

Result<std::string> GzipCompress(std::string_view data, int level) {
  if (data.size() > std::numeric_limits<uInt>::max()) return Status::InvalidArgument("too much data for one gzip call");
  z_stream stream{};
  // windowBits 15 + 16: a gzip header and trailer rather than zlib's.
  if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("zlib: deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int code = deflate(&stream, Z_FINISH);  // deflateBound leaves room to finish in one call
  size_t written = stream.total_out;
  deflateEnd(&stream);
  if (code != Z_STREAM_END) return Status::Internal("zlib: deflate failed (" + std::to_string(code) + ")");
  out.resize(written);
  return out;
}

}  // namespace chosa::sync
