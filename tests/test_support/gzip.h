// A whole buffer gzip-compressed (RFC 1952), as a device's push is sent: the tests that build
// pushes by hand, bombs and floods included. Best compression, so that a bomb is small.
#ifndef CHOSA_TESTS_GZIP_H_
#define CHOSA_TESTS_GZIP_H_

#include <zlib.h>

#include <catch2/catch.hpp>
#include <string>

namespace chosa::testing {

inline std::string Gzip(const std::string& data) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace chosa::testing

#endif  // CHOSA_TESTS_GZIP_H_
