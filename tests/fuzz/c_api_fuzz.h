// The C API's fuzz entry point (c_api_fuzz.cpp). Under clang with -DCHOSA_FUZZ=ON it is the
// libFuzzer target fuzz_c_api (scripts/fuzz.sh); under any compiler the test c_api_fuzz_replay
// (tests/platform) runs every file of tests/fuzz/corpus/c_api through it.
#ifndef CHOSA_TESTS_FUZZ_C_API_FUZZ_H_
#define CHOSA_TESTS_FUZZ_C_API_FUZZ_H_

#include <cstddef>
#include <cstdint>

namespace chosa::fuzz {

// Reads the bytes as a sequence of C API calls and action messages on a new store (a copy, in a
// temporary directory removed before returning, of one with visit_record and
// coordinator_checklist installed), and aborts when a call breaks what chosa.h promises. Returns 0.
int FuzzCApi(const uint8_t* data, size_t size);
// Makes the store the inputs start from (once per process; it is removed at exit): a replay that
// runs each input in a child process calls it first, so that the children share it.
void PrepareCApi();

}  // namespace chosa::fuzz

#endif  // CHOSA_TESTS_FUZZ_C_API_FUZZ_H_
