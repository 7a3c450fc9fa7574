// The libcurl transport (sync/client/src/curl_transport.cpp) against real TLS servers on
// loopback (cpp-httplib's SSLServer) with certificates made by the test (the collector's
// dev_tls.h: a CA and a server certificate for localhost and 127.0.0.1): the right
// CA is trusted, a wrong CA, a wrong host name and a wrong pin are refused with libcurl's own
// words, a backup pin is accepted, and one connection carries several requests.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "chosa/http_transport.h"
#include "gzip.h"
#include "chosa/collector/dev_tls.h"
#include "temp_dir.h"

namespace chosa::sync {
namespace {

using chosa::testing::TempDir;

using collector::DevTlsFiles;
using collector::DevTlsOptions;
using collector::MakeDevTls;

// An HTTPS server on 127.0.0.1 with a few routes, noting the client port of every request (one
// port: one connection).
class LoopbackServer {
 public:
  explicit LoopbackServer(const DevTlsFiles& identity)
      : server_(identity.server_cert.c_str(), identity.server_key.c_str()) {
    REQUIRE(server_.is_valid());
    server_.set_keep_alive_max_count(100);
    server_.set_keep_alive_timeout(1);
    server_.Get("/api/v1/forms", [this](const httplib::Request& request, httplib::Response& response) {
      Note(request);
      response.set_header("ETag", "\"0123abcd\"");
      response.set_content(R"({"forms":[]})", "application/json");
    });
    server_.Post("/api/v1/submissions", [this](const httplib::Request& request, httplib::Response& response) {
      Note(request);
      // cpp-httplib has already gunzipped a "Content-Encoding: gzip" body.
      response.set_content(request.get_header_value("Authorization") + "\n" + request.body, "text/plain");
    });
    server_.Get("/busy", [this](const httplib::Request& request, httplib::Response& response) {
      Note(request);
      response.status = 503;
      response.set_header("Retry-After", "7");
      response.set_content(R"({"error":"shutting down","pointer":""})", "application/json");
    });
    // Answers before reading the body, as a collector refusing a push early (401, 429): the
    // unread bytes would be taken for the next request, so the connection is closed.
    server_.Post("/early",
                 [this](const httplib::Request& request, httplib::Response& response, const httplib::ContentReader&) {
                   Note(request);
                   response.status = 429;
                   response.set_header("Connection", "close");
                   response.set_header("Retry-After", "1");
                   response.set_content(R"({"error":"too many requests","pointer":""})", "application/json");
                 });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& response) {
      response.set_content(std::string(2u << 20, 'x'), "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LoopbackServer() {
    server_.stop();
    thread_.join();
  }

  std::string Url(const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(port_);
  }
  std::vector<int> ClientPorts() {
    std::lock_guard<std::mutex> lock(mutex_);
    return client_ports_;
  }

 private:
  void Note(const httplib::Request& request) {
    std::lock_guard<std::mutex> lock(mutex_);
    client_ports_.push_back(request.remote_port);
  }

  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<int> client_ports_;
};

DevTlsFiles MustMakeTls(const std::string& dir, const DevTlsOptions& options = {}) {
  auto made = MakeDevTls(dir, options);
  INFO(made.status().ToString());
  REQUIRE(made.ok());
  return *made;
}

// A CA, the collector's certificate it signed (localhost and 127.0.0.1), their files.
struct Pki {
  TempDir dir;
  DevTlsFiles tls;
  std::string ca_file;
  Pki() {
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);  // a proxy from the environment must not get in the way
    tls = MustMakeTls(dir.File("tls"));
    ca_file = tls.ca_cert;
  }
};

std::unique_ptr<HttpTransport> MustMake(const std::string& url, const TransportOptions& options) {
  auto transport = MakeCurlTransport(url, options);
  INFO(transport.status().ToString());
  REQUIRE(transport.ok());
  return std::move(transport.value());
}

HttpRequest Get(const std::string& path) {
  HttpRequest request;
  request.path = path;
  return request;
}

TEST_CASE("with the right CA, requests go over one kept-alive connection and headers are collected") {
  Pki pki;
  LoopbackServer server(pki.tls);
  TransportOptions options;
  options.tls.ca_file = pki.ca_file;
  auto transport = MustMake(server.Url() + "/", options);  // a trailing '/' is fine

  HttpResponse response;
  REQUIRE(transport->Send(Get("/api/v1/forms"), &response).ok());
  CHECK(response.status == 200);
  CHECK(response.body == R"({"forms":[]})");
  REQUIRE(response.Header("etag") != nullptr);  // names are matched without case
  CHECK(*response.Header("ETag") == "\"0123abcd\"");

  // A 503 is an HTTP answer, not a transport failure; its Retry-After is there to read.
  REQUIRE(transport->Send(Get("/busy"), &response).ok());
  CHECK(response.status == 503);
  REQUIRE(response.Header("Retry-After") != nullptr);
  CHECK(*response.Header("Retry-After") == "7");

  // A gzip body with headers, as the sync client pushes it.
  HttpRequest push;
  push.method = "POST";
  push.path = "/api/v1/submissions";
  push.headers = {
      {"Authorization", "Bearer t0ken"}, {"Content-Type", "application/x-ndjson"}, {"Content-Encoding", "gzip"}};
  const std::string lines = "{\"uuid\":\"a\"}\n{\"uuid\":\"b\"}\n";
  push.body = GzipCompress(lines).value();
  REQUIRE(transport->Send(push, &response).ok());
  CHECK(response.status == 200);
  CHECK(response.body == "Bearer t0ken\n" + lines);

  REQUIRE(transport->Send(Get("/api/v1/forms"), &response).ok());
  REQUIRE(transport->Send(push, &response).ok());
  REQUIRE(transport->Send(Get("/api/v1/forms"), &response).ok());
  CHECK(response.status == 200);
  CHECK(response.Header("Retry-After") == nullptr);  // the headers are this response's only

  std::vector<int> ports = server.ClientPorts();
  REQUIRE(ports.size() == 6);
  CHECK(std::set<int>(ports.begin(), ports.end()).size() == 1);

  // localhost is in the certificate as well.
  auto by_name = MustMake(server.Url("localhost"), options);
  REQUIRE(by_name->Send(Get("/api/v1/forms"), &response).ok());
  CHECK(response.status == 200);
}

TEST_CASE("an early answer that closes the connection: the next request gets its own answer") {
  Pki pki;
  LoopbackServer server(pki.tls);
  TransportOptions options;
  options.tls.ca_file = pki.ca_file;
  auto transport = MustMake(server.Url(), options);
  HttpRequest push;
  push.method = "POST";
  push.path = "/early";
  push.headers = {{"Content-Type", "application/x-ndjson"}};
  HttpResponse response;
  for (size_t size : {size_t{100}, size_t{20000}, size_t{300000}}) {
    INFO("body of " << size << " bytes");
    push.body = std::string(size, 'x');
    Status status = transport->Send(push, &response);
    // A large body may be cut by the close before it is all sent: a transport failure then.
    if (status.ok()) {
      CHECK(response.status == 429);
    } else {
      CHECK(status.code() == StatusCode::kUnavailable);
    }
    REQUIRE(transport->Send(Get("/api/v1/forms"), &response).ok());
    CHECK(response.status == 200);
    CHECK(response.body == R"({"forms":[]})");
  }
}

TEST_CASE("a CA that did not sign the collector's certificate is refused with libcurl's exact error") {
  Pki pki;
  LoopbackServer server(pki.tls);
  const DevTlsFiles stranger = MustMakeTls(pki.dir.File("stranger"));  // another CA altogether
  const std::string expected = std::string(curl_easy_strerror(CURLE_PEER_FAILED_VERIFICATION)) +
                               ": SSL certificate problem: unable to get local issuer certificate";

  TransportOptions options;
  options.tls.ca_file = stranger.ca_cert;
  auto transport = MustMake(server.Url(), options);
  HttpResponse response;
  Status status = transport->Send(Get("/api/v1/forms"), &response);
  CHECK(status.code() == StatusCode::kPermissionDenied);
  CHECK(status.message() == expected);

  // The system trust store does not know the test CA either.
  auto system_store = MustMake(server.Url(), TransportOptions());
  status = system_store->Send(Get("/api/v1/forms"), &response);
  CHECK(status.code() == StatusCode::kPermissionDenied);
  CHECK(status.message() == expected);
  CHECK(server.ClientPorts().empty());  // no request got through
}

TEST_CASE("a certificate for another host name is refused") {
  Pki pki;
  DevTlsOptions elsewhere;
  elsewhere.dns_names = {"collector.example.jp"};
  elsewhere.ip_addresses = {};
  const DevTlsFiles tls = MustMakeTls(pki.dir.File("elsewhere"), elsewhere);
  LoopbackServer server(tls);
  TransportOptions options;
  options.tls.ca_file = tls.ca_cert;
  auto transport = MustMake(server.Url(), options);
  HttpResponse response;
  Status status = transport->Send(Get("/api/v1/forms"), &response);
  CHECK(status.code() == StatusCode::kPermissionDenied);
  CHECK(status.message() == std::string(curl_easy_strerror(CURLE_PEER_FAILED_VERIFICATION)) +
                                ": SSL: no alternative certificate subject name matches target host name '127.0.0.1'");
}

TEST_CASE("public key pinning: the right pin or a backup list holding it is accepted, a wrong pin refused") {
  Pki pki;
  LoopbackServer server(pki.tls);
  const std::string right = pki.tls.server_pin;
  const std::string wrong = MustMakeTls(pki.dir.File("other")).server_pin;  // another key
  REQUIRE(right != wrong);
  HttpResponse response;

  TransportOptions options;
  options.tls.ca_file = pki.ca_file;
  options.tls.pinned_public_keys = {right};
  REQUIRE(MustMake(server.Url(), options)->Send(Get("/api/v1/forms"), &response).ok());
  CHECK(response.status == 200);

  options.tls.pinned_public_keys = {wrong, right};  // the current key and a backup: either will do
  REQUIRE(MustMake(server.Url(), options)->Send(Get("/api/v1/forms"), &response).ok());
  CHECK(response.status == 200);

  options.tls.pinned_public_keys = {wrong};
  Status status = MustMake(server.Url(), options)->Send(Get("/api/v1/forms"), &response);
  CHECK(status.code() == StatusCode::kPermissionDenied);
  CHECK(status.message() == std::string(curl_easy_strerror(CURLE_SSL_PINNEDPUBKEYNOTMATCH)) +
                                ": SSL: public key does not match pinned public key");
  CHECK(server.ClientPorts().size() == 2);
}

TEST_CASE("plain http, malformed pins and an unreadable CA file are refused before any request") {
  auto http = MakeCurlTransport("http://collector.example.jp");
  CHECK(http.status().code() == StatusCode::kInvalidArgument);
  CHECK(http.status().message() == "the collector URL must begin with https:// (got \"http://collector.example.jp\")");
  CHECK_FALSE(MakeCurlTransport("collector.example.jp").ok());
  CHECK_FALSE(MakeCurlTransport("https://").ok());

  TransportOptions options;
  options.tls.pinned_public_keys = {"AAAA"};
  CHECK(MakeCurlTransport("https://collector.example.jp", options).status().message() ==
        "a pinned public key must read sha256//BASE64 (got \"AAAA\")");
  options.tls.pinned_public_keys = {"sha256//AAAA;sha256//BBBB"};  // one pin per entry
  CHECK_FALSE(MakeCurlTransport("https://collector.example.jp", options).ok());

  options = TransportOptions();
  options.tls.ca_file = "/nonexistent/ca.pem";
  auto unreadable = MakeCurlTransport("https://collector.example.jp", options);
  CHECK(unreadable.status().code() == StatusCode::kInvalidArgument);
  CHECK(unreadable.status().message() == "cannot read the CA file /nonexistent/ca.pem: No such file or directory");
}

TEST_CASE("a response larger than the limit is refused; the connection goes on") {
  Pki pki;
  LoopbackServer server(pki.tls);
  TransportOptions options;
  options.tls.ca_file = pki.ca_file;
  options.max_response_bytes = 1u << 20;
  auto transport = MustMake(server.Url(), options);
  HttpResponse response;
  Status status = transport->Send(Get("/big"), &response);
  CHECK(status.code() == StatusCode::kUnavailable);
  CHECK(status.message() == "the response is larger than 1048576 bytes; refused");
  REQUIRE(transport->Send(Get("/api/v1/forms"), &response).ok());
  CHECK(response.status == 200);
}

TEST_CASE("a server that never answers the handshake fails with libcurl's timeout") {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener, 4) == 0);  // connections wait in the backlog; nobody speaks TLS
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);

  TransportOptions options;
  options.connect_timeout_ms = 200;
  auto transport = MustMake("https://127.0.0.1:" + std::to_string(ntohs(address.sin_port)), options);
  HttpResponse response;
  Status status = transport->Send(Get("/api/v1/forms"), &response);
  ::close(listener);
  CHECK(status.code() == StatusCode::kUnavailable);
  CHECK_THAT(status.message(), Catch::StartsWith(curl_easy_strerror(CURLE_OPERATION_TIMEDOUT)));
}

}  // namespace
}  // namespace chosa::sync
