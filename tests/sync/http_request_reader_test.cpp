// The collector's strict HTTP request reader (sync/collector/src/http_request_reader.h): what it
// refuses and why, what it gives the routes, and its fuzz corpus replayed (every input in a
// child process: a crash or a sanitizer report fails it).
#include <catch2/catch.hpp>
#include <string>

#include "fuzz_replay.h"
#include "http_request_fuzz.h"
#include "http_request_reader.h"

namespace chosa::collector {
namespace {

Refusal Read(const std::string& bytes, HttpRequest* out, uint64_t limit = 1024) {
  return ReadRequestFromBytes(bytes, limit, out);
}

TEST_CASE("request reader: a request is read with its path, query and body") {
  HttpRequest request;
  const Refusal refused = Read("POST /api/v1/forms/a%5Fb/submissions?since=c%3D1&labels=ja+JP HTTP/1.1\r\n"
                               "Host: c\r\ncontent-length: 5\r\nAuthorization: bearer x\r\n\r\nhello", &request);
  REQUIRE_FALSE(refused);
  CHECK(request.method == "POST");
  CHECK(request.path == "/api/v1/forms/a_b/submissions");
  REQUIRE(request.query.size() == 2);
  CHECK(request.query[0] == std::make_pair(std::string("since"), std::string("c=1")));
  CHECK(request.query[1] == std::make_pair(std::string("labels"), std::string("ja JP")));
  CHECK(request.body == "hello");
  CHECK(request.has_content_length);
  CHECK(request.Header("AUTHORIZATION") == "bearer x");

  // A path refused for its escape keeps what was sent, for the access log.
  HttpRequest escaped;
  CHECK(Read("GET /api/v1/forms/x%00y HTTP/1.1\r\nHost: c\r\n\r\n", &escaped).status == 400);
  CHECK(escaped.path == "/api/v1/forms/x%00y");

  // HTTP/1.0 may leave Host out.
  HttpRequest old;
  CHECK_FALSE(Read("GET /healthz HTTP/1.0\r\n\r\n", &old));
  CHECK(old.path == "/healthz");
}

TEST_CASE("request reader: ambiguous framing and malformed targets are refused with a reason") {
  struct Case {
    std::string bytes;
    int status;
    std::string reason;
  };
  const std::string post = "POST /p HTTP/1.1\r\nHost: c\r\n";
  const std::vector<Case> cases = {
      {post + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400, "Content-Length"},
      {post + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400, "more than one Content-Length"},
      {post + "Content-Length: 3, 3\r\n\r\nabc", 400, "one decimal number"},
      {post + "Content-Length: +3\r\n\r\nabc", 400, "Content-Length"},
      {post + "Content-Length: 99999999999999999999999\r\n\r\n", 400, "Content-Length"},
      {post + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "Transfer-Encoding"},
      {post + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400, "Content-Length"},
      {post + "Transfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc", 400, "Transfer-Encoding and Content-Length"},
      {post + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 411, "needs a Content-Length"},
      {post + "Content-Length: 2000\r\n\r\n", 413, "larger than this route accepts"},
      {"GET /p?a=1&a=2 HTTP/1.1\r\n\r\n", 400, "query parameter \"a\" given more than once"},
      {"GET /p?a=%4 HTTP/1.1\r\n\r\n", 400, "percent escape in the query"},
      {"GET /p%00 HTTP/1.1\r\n\r\n", 400, "percent escape in the path"},
      {"GET http://elsewhere/p HTTP/1.1\r\n\r\n", 400, "origin form"},
      {"GET /p HTTP/1.1\r\nHost: c\r\n", 400, "ended before it was complete"},
      {"GET /p HTTP/1.1\r\nX-Big: " + std::string(20000, 'x') + "\r\n\r\n", 431, "request head is larger"},
      {"GET /p HTTP/1.1\r\n\r\n", 400, "needs a Host field"},
      {"GET /p?a=1 HTTP/1.1\r\nX: y\r\n\r\n", 400, "needs a Host field"},
      {"GET /p HTTP/1.1\r\nHost: c\r\nhost: d\r\n\r\n", 400, "more than one Host field"},
      {"GET /p HTTP/1.0\r\nHost: c\r\nHost: c\r\n\r\n", 400, "more than one Host field"},
  };
  for (const Case& c : cases) {
    INFO(c.bytes.substr(0, 120));
    HttpRequest request;
    const Refusal refused = Read(c.bytes, &request);
    CHECK(refused.status == c.status);
    CHECK(refused.reason.find(c.reason) != std::string::npos);
  }
}

TEST_CASE("request reader: the fuzz corpus replays without a crash or a broken promise", "[fuzz]") {
  size_t count = 0;
  for (const std::string& file : testing::FilesIn(CHOSA_SOURCE_DIR "/tests/fuzz/corpus/http_request")) {
    const std::string data = testing::Slurp(file);
    INFO("input: " << file);
    // The whole input and each of its prefixes: a request cut anywhere.
    for (size_t cut = 0; cut <= data.size(); cut += 1 + data.size() / 24) {
      INFO("cut after " << cut << " bytes");
      CHECK(testing::RunInChild(fuzz::FuzzHttpRequest, data, cut) == "");
    }
    CHECK(testing::RunInChild(fuzz::FuzzHttpRequest, data, data.size()) == "");
    ++count;
  }
  CHECK(count >= 15);
}

}  // namespace
}  // namespace chosa::collector
