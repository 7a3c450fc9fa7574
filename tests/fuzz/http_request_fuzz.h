// The fuzz entry point of the collector's HTTP request reader
// (sync/collector/src/http_request_reader.h). Under clang with -DCHOSA_FUZZ=ON it is the
// libFuzzer target fuzz_http_request; under g++ tests/sync/http_request_reader_test.cpp replays
// its corpus (tests/fuzz/corpus/http_request) through it.
#ifndef CHOSA_TESTS_FUZZ_HTTP_REQUEST_FUZZ_H_
#define CHOSA_TESTS_FUZZ_HTTP_REQUEST_FUZZ_H_

#include <cstddef>
#include <cstdint>

namespace chosa::fuzz {

// Reads the bytes as one request (head checks, a body up to 4 KiB) and checks what the reader
// promises: a refusal is a 4xx or 5xx with a reason; a request read has an origin-form path and
// no query parameter twice. A broken promise aborts.
int FuzzHttpRequest(const uint8_t* data, size_t size);

}  // namespace chosa::fuzz

#endif  // CHOSA_TESTS_FUZZ_HTTP_REQUEST_FUZZ_H_
