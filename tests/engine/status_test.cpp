#include <catch2/catch.hpp>

#include "chosa/status.h"

using chosa::Result;
using chosa::Status;
using chosa::StatusCode;

TEST_CASE("Status carries code, pointer and column") {
  Status ok;
  CHECK(ok.ok());
  CHECK(ok.ToString() == "OK");

  Status bad = Status::InvalidArgument("unknown name ${wrd}; did you mean ${ward}?", "/items/3/relevant", 14);
  CHECK_FALSE(bad.ok());
  CHECK(bad.code() == StatusCode::kInvalidArgument);
  CHECK(bad.ToString() == "/items/3/relevant: col 14: unknown name ${wrd}; did you mean ${ward}?");
  CHECK(std::string(chosa::StatusCodeName(bad.code())) == "invalid_argument");
}

TEST_CASE("Result holds a value or a status") {
  Result<int> good(42);
  REQUIRE(good.ok());
  CHECK(*good == 42);
  Result<int> failed(Status::NotFound("no such form"));
  CHECK_FALSE(failed.ok());
  CHECK(failed.status().code() == StatusCode::kNotFound);
}
