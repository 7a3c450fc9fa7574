#include "http_request_fuzz.h"

#include <cstdlib>
#include <set>
#include <string_view>

#include "http_request_reader.h"

namespace chosa::fuzz {

int FuzzHttpRequest(const uint8_t* data, size_t size) {
  collector::HttpRequest request;
  const collector::Refusal refused = collector::ReadRequestFromBytes(
      std::string_view(reinterpret_cast<const char*>(data), size), 4096, &request);
  if (refused) {
    if (refused.status < 400 || refused.status > 599 || refused.reason.empty()) std::abort();
    return 0;
  }
  if (request.path.empty() || request.path[0] != '/' || request.body.size() > 4096) std::abort();
  std::set<std::string> names;
  for (const auto& parameter : request.query) {
    if (!names.insert(parameter.first).second) std::abort();
  }
  size_t lengths = 0;
  size_t hosts = 0;
  for (const auto& header : request.headers) {
    lengths += collector::HeaderNameEquals(header.first, "Content-Length") ? 1 : 0;
    hosts += collector::HeaderNameEquals(header.first, "Host") ? 1 : 0;
    if (collector::HeaderNameEquals(header.first, "Transfer-Encoding")) std::abort();
  }
  if (lengths > 1 || hosts > 1) std::abort();
  return 0;
}

}  // namespace chosa::fuzz

#ifdef CHOSA_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return chosa::fuzz::FuzzHttpRequest(data, size);
}
#endif
