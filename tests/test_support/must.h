// Must(result): the value of a Result a test expects to succeed; REQUIREs it did (with the
// status in the failure), so that a failing storage fails the test rather than crash it.
#ifndef CHOSA_TESTS_TEST_SUPPORT_MUST_H_
#define CHOSA_TESTS_TEST_SUPPORT_MUST_H_

#include <catch2/catch.hpp>
#include <utility>

#include "chosa/status.h"

namespace chosa::testing {

template <typename T>
T Must(Result<T> result) {
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return std::move(result).value();
}

}  // namespace chosa::testing

#endif  // CHOSA_TESTS_TEST_SUPPORT_MUST_H_
