// The collector's HTTPS server (sync/collector/include/chosa/collector/server.h) over real TLS on loopback, with a
// real SQLite storage: routes, authentication, limits, streaming of push bodies, TLS 1.2.
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/ssl.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <httplib.h>
#include <thread>

#include "chosa/collector_storage.h"
#include "chosa/env.h"
#include "chosa/form.h"
#include "chosa/protocol.h"
#include "chosa/session.h"
#include "chosa/collector/dev_tls.h"
#include "chosa/collector/server.h"
#include "fuzz_replay.h"
#include "must.h"
#include "gzip.h"
#include "temp_dir.h"

namespace chosa::collector {
namespace {

using chosa::testing::Must;

// A small form of its own (no shared code lists): an age with a constraint and a yes/no question.
const char* kForm = R"({
  "format": 1, "id": "health_check", "version": "1",
  "title": {"ja": "健康チェック", "en": "Health check"}, "languages": ["ja", "en"],
  "choice_lists": {"yes_no": [{"value": "yes", "label": {"ja": "はい", "en": "Yes"}},
                              {"value": "no", "label": {"ja": "いいえ", "en": "No"}}]},
  "items": [
    {"type": "integer", "name": "age", "label": {"ja": "年齢", "en": "Age"}, "required": true,
     "constraint": ". >= 0 and . <= 120"},
    {"type": "select_one", "name": "smokes", "list": "yes_no", "label": {"ja": "喫煙", "en": "Smokes"}}
  ]})";


// A submission the engine finalized, with the given answers.
std::string Submission(const std::shared_ptr<const Form>& form, const std::string& age, const std::string& smokes) {
  auto session = Session::Start(form, Env::Default(), {"", "tablet-7", "staff-1"});
  REQUIRE(session.ok());
  REQUIRE((*session)->SetAnswer("age", age).ok());
  if (!smokes.empty()) REQUIRE((*session)->SetAnswer("smokes", smokes).ok());
  auto submission = (*session)->Finalize();
  REQUIRE(submission.ok());
  return submission->canonical_json;
}

// A collector serving on a free loopback port, in this process, until destroyed.
class RunningServer {
 public:
  explicit RunningServer(ServerOptions options = {}) : dir_("chosa-server-test") {
    auto tls = MakeDevTls(dir_.path() + "/tls");
    REQUIRE(tls.ok());
    tls_ = *tls;
    auto storage = OpenSqliteStorage(dir_.path() + "/data");
    REQUIRE(storage.ok());
    storage_ = std::move(*storage);
    FormVersion version{"health_check", "1", kForm, protocol::Sha256Hex(kForm), 1};
    REQUIRE(storage_->PublishForm(version).ok());
    options.host = "127.0.0.1";
    options.port = 0;
    if (options.cert_file.empty()) {  // else a certificate of the test's own
      options.cert_file = tls_.server_cert;
      options.key_file = tls_.server_key;
    }
    options.access_log = dir_.path() + "/access.log";
    auto server = CollectorServer::Create(options, *storage_, nullptr, Env::Default());
    REQUIRE(server.ok());
    server_ = std::move(*server);
    REQUIRE(server_->Bind().ok());
    thread_ = std::thread([this] { ran_ = server_->Run(); });
  }
  ~RunningServer() { Stop(); }
  // Stops serving and waits for requests in flight (the access log is complete after this).
  void Stop() {
    if (!thread_.joinable()) return;
    server_->Stop();
    thread_.join();
  }

  int port() const { return server_->port(); }
  CollectorStorage& storage() { return *storage_; }
  const DevTlsFiles& tls() const { return tls_; }
  const std::string& dir() const { return dir_.path(); }

  std::unique_ptr<httplib::SSLClient> Client() const {
    auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", port());
    client->set_ca_cert_path(tls_.ca_cert.c_str());
    client->enable_server_certificate_verification(true);
    return client;
  }

  // Enrols a device for the form; returns its token.
  std::string EnrolDevice() {
    const std::string code = "CODE-" + std::to_string(++codes_);
    REQUIRE(storage_->AddEnrolmentCode(code, {"health_check"}, Env::Default()->NowMillis() + 3600000, "").ok());
    auto res = Client()->Post(std::string(protocol::kEnrollPath), protocol::ToJson(protocol::EnrollRequest{code, "t", ""}),
                              "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    auto enrolled = protocol::ParseEnrollResponse(res->body);
    REQUIRE(enrolled.ok());
    return enrolled->token;
  }

 private:
  testing::TempDir dir_;  // removed last, once the storage is closed
  DevTlsFiles tls_;
  std::unique_ptr<CollectorStorage> storage_;
  std::unique_ptr<CollectorServer> server_;
  std::thread thread_;
  Status ran_;
  int codes_ = 0;
};

httplib::Headers Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

// The error message of an error body.
std::string ErrorOf(const httplib::Result& res) {
  auto body = protocol::ParseErrorBody(res->body);
  return body.ok() ? body->error : "(not an error body: " + res->body + ")";
}

// Sends `request` as raw bytes over TLS and returns what the server answers: its head, or all
// it sends until it closes when `whole`. For requests no well-behaved client library would send.
std::string RawExchange(const RunningServer& server, const std::string& request, bool whole = false) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(ctx, server.tls().ca_cert.c_str(), nullptr);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  BIO* bio = BIO_new_ssl_connect(ctx);
  const std::string address = "127.0.0.1:" + std::to_string(server.port());
  BIO_set_conn_hostname(bio, address.c_str());
  std::string response;
  if (BIO_do_connect(bio) == 1 && BIO_do_handshake(bio) == 1) {
    BIO_write(bio, request.data(), static_cast<int>(request.size()));
    char buffer[4096];
    int n;
    while ((n = BIO_read(bio, buffer, sizeof buffer)) > 0) {
      response.append(buffer, static_cast<size_t>(n));
      if (!whole && response.find("\r\n\r\n") != std::string::npos) break;  // the head is enough
    }
  }
  BIO_free_all(bio);
  SSL_CTX_free(ctx);
  return response;
}

TEST_CASE("a second collector on the port of a running one does not start: address already in use") {
  RunningServer first;
  // Another data directory, as an operator starting a second instance by mistake would have.
  testing::TempDir temp("chosa-server-test");
  const std::string& dir = temp.path();
  auto storage = OpenSqliteStorage(dir + "/data");
  REQUIRE(storage.ok());
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = first.port();
  options.cert_file = first.tls().server_cert;
  options.key_file = first.tls().server_key;
  options.access_log = dir + "/access.log";
  auto second = CollectorServer::Create(options, **storage, nullptr, Env::Default());
  REQUIRE(second.ok());
  Status bound = (*second)->Bind();
  CHECK_FALSE(bound.ok());
  CHECK(bound.message() == "cannot listen on 127.0.0.1:" + std::to_string(first.port()) + ": address already in use");
  // The first still serves.
  auto res = first.Client()->Get("/healthz");
  REQUIRE(res);
  CHECK(res->status == 200);
  second->reset();
  storage->reset();
}

TEST_CASE("the collector answers health checks and names unknown routes") {
  RunningServer server;
  auto health = server.Client()->Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(health->body == R"({"status":"ok"})");
  auto missing = server.Client()->Get("/api/v1/nothing");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(ErrorOf(missing) == "no route GET /api/v1/nothing");
}

TEST_CASE("a device enrols once with a code, then lists and downloads its forms") {
  RunningServer server;
  REQUIRE(server.storage().AddEnrolmentCode("ABCD-EFGH", {"health_check"}, Env::Default()->NowMillis() + 60000, "").ok());
  auto client = server.Client();
  const std::string request = protocol::ToJson(protocol::EnrollRequest{"ABCD-EFGH", "ward tablet", ""});
  auto first = client->Post("/api/v1/enroll", request, "application/json");
  REQUIRE(first);
  REQUIRE(first->status == 200);
  auto enrolled = protocol::ParseEnrollResponse(first->body);
  REQUIRE(enrolled.ok());
  auto again = client->Post("/api/v1/enroll", request, "application/json");
  REQUIRE(again);
  CHECK(again->status == 403);

  auto malformed = client->Post("/api/v1/enroll", R"({"code":"ABCD-EFGH","name":"x"})", "application/json");
  REQUIRE(malformed);
  CHECK(malformed->status == 400);
  CHECK(protocol::ParseErrorBody(malformed->body)->pointer == "/name");

  auto forms = client->Get("/api/v1/forms", Bearer(enrolled->token));
  REQUIRE(forms);
  REQUIRE(forms->status == 200);
  auto listing = protocol::ParseFormsResponse(forms->body);
  REQUIRE(listing.ok());
  REQUIRE(listing->forms.size() == 1);
  CHECK(listing->forms[0].form_id == "health_check");
  CHECK(listing->forms[0].sha256 == protocol::Sha256Hex(kForm));

  const std::string path = protocol::FormVersionPath("health_check", "1");
  auto download = client->Get(path, Bearer(enrolled->token));
  REQUIRE(download);
  CHECK(download->status == 200);
  CHECK(download->body == kForm);
  const std::string etag = download->get_header_value("ETag");
  CHECK(etag == "\"" + protocol::Sha256Hex(kForm) + "\"");
  httplib::Headers conditional = Bearer(enrolled->token);
  conditional.emplace("If-None-Match", etag);
  auto unchanged = client->Get(path, conditional);
  REQUIRE(unchanged);
  CHECK(unchanged->status == 304);
  auto no_version = client->Get(protocol::FormVersionPath("health_check", "2"), Bearer(enrolled->token));
  REQUIRE(no_version);
  CHECK(no_version->status == 404);
}

TEST_CASE("tokens: missing, malformed, unknown and revoked all get 401 and store nothing") {
  RunningServer server;
  const std::string token = server.EnrolDevice();
  auto form = Form::Load(kForm).form;
  const std::string batch = protocol::JoinBatch({Submission(form, "40", "no")});
  auto client = server.Client();
  for (const httplib::Headers& headers :
       {httplib::Headers{}, Bearer("nonsense"), Bearer("0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")}) {
    auto res = client->Post("/api/v1/submissions", headers, batch, "application/x-ndjson");
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(res->get_header_value("WWW-Authenticate") == "Bearer");
  }
  auto devices = Must(server.storage().ListDevices());
  REQUIRE(devices.size() == 1);
  REQUIRE(server.storage().RevokeDevice(devices[0].device_id).ok());
  auto revoked = client->Post("/api/v1/submissions", Bearer(token), batch, "application/x-ndjson");
  REQUIRE(revoked);
  CHECK(revoked->status == 401);
  CHECK(server.storage().SubmissionCount("health_check") == 0);
}

TEST_CASE("a push is answered per submission: accepted, duplicate, rejected with a reason") {
  RunningServer server;
  const std::string token = server.EnrolDevice();
  auto form = Form::Load(kForm).form;
  const std::string a = Submission(form, "40", "no"), b = Submission(form, "71", "yes");
  std::string tampered = b;  // the same UUID with other content
  REQUIRE(tampered.find("\"age\":71") != std::string::npos);
  tampered.replace(tampered.find("\"age\":71"), 8, "\"age\":72");
  std::string other_version = Submission(form, "30", "");
  other_version.replace(other_version.find("\"form_version\":\"1\""), 18, "\"form_version\":\"9\"");

  auto client = server.Client();
  auto first = client->Post("/api/v1/submissions", Bearer(token), protocol::JoinBatch({a, b}), "application/x-ndjson");
  REQUIRE(first);
  REQUIRE(first->status == 200);
  auto results = protocol::ParsePushResponse(first->body);
  REQUIRE(results.ok());
  REQUIRE(results->results.size() == 2);
  CHECK(results->results[0].status == protocol::PushStatus::kAccepted);
  CHECK(results->results[1].status == protocol::PushStatus::kAccepted);
  CHECK(server.storage().SubmissionCount("health_check") == 2);
  CHECK(*server.storage().SubmissionBody(protocol::ReadEnvelope(a)->uuid) == a);

  // Gzip-compressed, as the sync client sends it.
  httplib::Headers gzip = Bearer(token);
  gzip.emplace("Content-Encoding", "gzip");
  const std::string batch = protocol::JoinBatch({a, tampered, other_version, "{}"});
  auto second = client->Post("/api/v1/submissions", gzip, sync::GzipCompress(batch, 9).value(),
                             "application/x-ndjson");
  REQUIRE(second);
  REQUIRE(second->status == 200);
  results = protocol::ParsePushResponse(second->body);
  REQUIRE(results.ok());
  REQUIRE(results->results.size() == 4);
  CHECK(results->results[0].status == protocol::PushStatus::kDuplicate);
  CHECK(results->results[1].status == protocol::PushStatus::kRejected);
  CHECK(results->results[1].reason == "uuid already stored with different content");
  CHECK(results->results[2].status == protocol::PushStatus::kRejected);
  CHECK(results->results[2].reason == "unknown form version health_check 9");
  CHECK(results->results[3].status == protocol::PushStatus::kRejected);
  CHECK(results->results[3].reason.rfind("not a submission: ", 0) == 0);
  CHECK(server.storage().SubmissionCount("health_check") == 2);
  CHECK(Must(server.storage().ListQuarantine(false)).size() == 3);  // rejected items are kept, never dropped
}

TEST_CASE("push bodies: type, encoding and length are required; sizes are bounded while reading") {
  ServerOptions options;
  options.limits.max_body_bytes = 64 * 1024;
  options.limits.max_decompressed_bytes = 256 * 1024;
  options.limits.max_batch_items = 3;
  RunningServer server(options);
  const std::string token = server.EnrolDevice();
  auto client = server.Client();
  auto form = Form::Load(kForm).form;
  const std::string one = Submission(form, "40", "no");

  auto wrong_type = client->Post("/api/v1/submissions", Bearer(token), protocol::JoinBatch({one}), "application/json");
  REQUIRE(wrong_type);
  CHECK(wrong_type->status == 415);

  auto too_many = client->Post("/api/v1/submissions", Bearer(token), protocol::JoinBatch({one, one, one, one}),
                               "application/x-ndjson");
  REQUIRE(too_many);
  CHECK(too_many->status == 413);
  CHECK(ErrorOf(too_many) == "a batch holds at most 3 submissions");

  // A gzip bomb: 64 MiB of zeros in about 64 KiB, within the body limit. Inflating it stops at
  // the 256 KiB limit: 413, and the server never holds more.
  const std::string bomb = sync::GzipCompress(std::string(64u << 20, '0'), 9).value();
  REQUIRE(bomb.size() < options.limits.max_body_bytes);
  const std::string bomb_request = "POST /api/v1/submissions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
                                   token + "\r\nContent-Type: application/x-ndjson\r\nContent-Encoding: gzip\r\n"
                                   "Content-Length: " + std::to_string(bomb.size()) + "\r\n\r\n" + bomb;
  const std::string refused = RawExchange(server, bomb_request);
  CHECK(refused.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(refused.find("inflates past 262144 bytes") != std::string::npos);

  // Over the body limit by its Content-Length: refused before any of the body is read (none
  // is sent here: the answer comes from the head alone).
  const std::string oversized = "POST /api/v1/submissions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
                                token + "\r\nContent-Type: application/x-ndjson\r\nContent-Length: 102400\r\n\r\n";
  CHECK(RawExchange(server, oversized).rfind("HTTP/1.1 413", 0) == 0);

  // Chunked: no length, so refused at once (an endless body is never read).
  const std::string chunked = "POST /api/v1/submissions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token +
                              "\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "400\r\n" + std::string(1024, 'x') + "\r\n";
  const std::string answer = RawExchange(server, chunked);
  CHECK(answer.rfind("HTTP/1.1 411", 0) == 0);

  // No Content-Length at all: whatever follows the head was meant as the batch and cannot be
  // told from a next request, so the answer closes the connection, with a token or without.
  const std::string unframed = "POST /api/v1/submissions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token +
                               "\r\nContent-Type: application/x-ndjson\r\n\r\n";
  const std::string unframed_answer = RawExchange(server, unframed);
  CHECK(unframed_answer.rfind("HTTP/1.1 411", 0) == 0);
  CHECK(unframed_answer.find("Connection: close\r\n") != std::string::npos);
  const std::string anonymous = RawExchange(server, "POST /api/v1/submissions HTTP/1.1\r\nHost: localhost\r\n\r\n");
  CHECK(anonymous.rfind("HTTP/1.1 401", 0) == 0);
  CHECK(anonymous.find("Connection: close\r\n") != std::string::npos);

  // The server still serves, and nothing was stored.
  auto health = server.Client()->Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(server.storage().SubmissionCount("health_check") == 0);
}

TEST_CASE("a device over its request rate gets 429 with Retry-After") {
  ServerOptions options;
  options.device_requests_per_second = 0.01;  // one request per 100 s after the burst
  options.device_request_burst = 2;
  RunningServer server(options);
  const std::string token = server.EnrolDevice();
  auto client = server.Client();
  CHECK(client->Get("/api/v1/forms", Bearer(token))->status == 200);
  CHECK(client->Get("/api/v1/forms", Bearer(token))->status == 200);
  auto limited = client->Get("/api/v1/forms", Bearer(token));
  REQUIRE(limited);
  CHECK(limited->status == 429);
  const int retry_after = std::atoi(limited->get_header_value("Retry-After").c_str());
  CHECK(retry_after >= 1);
  CHECK(retry_after <= 100);
}

TEST_CASE("TLS 1.1 is refused, TLS 1.2 accepted") {
  RunningServer server;
  auto handshake = [&](int max_version) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_security_level(ctx, 0);  // let this client offer TLS 1.1 at all
    SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
    SSL_CTX_set_max_proto_version(ctx, max_version);
    BIO* bio = BIO_new_ssl_connect(ctx);
    const std::string address = "127.0.0.1:" + std::to_string(server.port());
    BIO_set_conn_hostname(bio, address.c_str());
    const bool ok = BIO_do_connect(bio) == 1 && BIO_do_handshake(bio) == 1;
    BIO_free_all(bio);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return ok;
  };
  CHECK_FALSE(handshake(TLS1_1_VERSION));
  CHECK(handshake(TLS1_2_VERSION));
}

TEST_CASE("the access log has one JSON line per request") {
  std::string log_path;
  {
    RunningServer server;
    log_path = server.dir() + "/access.log";
    server.Client()->Get("/healthz");
    server.Client()->Get("/api/v1/forms");
    server.Stop();
    std::ifstream in(log_path);
    std::string first, second;
    std::getline(in, first);
    std::getline(in, second);
    CHECK(first.find(R"("method":"GET","route":"/healthz","status":200)") != std::string::npos);
    CHECK(second.find(R"("route":"/api/v1/forms","status":401)") != std::string::npos);
    CHECK(second.find(R"("error":"missing \"Authorization: Bearer <token>\"")") != std::string::npos);
  }
}


// The status line's code and the error message of a raw exchange read to the end.
std::pair<int, std::string> StatusAndError(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0) return {0, "(no response: " + response + ")"};
  const int status = std::atoi(response.c_str() + 9);
  const size_t body = response.find("\r\n\r\n");
  auto error = protocol::ParseErrorBody(body == std::string::npos ? "" : response.substr(body + 4));
  return {status, error.ok() ? error->error : ""};
}

TEST_CASE("framing: ambiguous lengths and repeated or overflowing parameters are 400 before authentication") {
  RunningServer server;
  const std::string push = "POST /api/v1/submissions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-ndjson\r\n";
  struct Case {
    std::string name, request, reason;
  };
  const std::vector<Case> cases = {
      {"two different Content-Length", push + "Content-Length: 10\r\nContent-Length: 20\r\n\r\n0123456789",
       "Content-Length"},
      {"two equal Content-Length", push + "Content-Length: 10\r\nContent-Length: 10\r\n\r\n0123456789", "Content-Length"},
      {"a list in Content-Length", push + "Content-Length: 10, 10\r\n\r\n0123456789", "Content-Length"},
      {"Content-Length then Transfer-Encoding", push + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n",
       "Transfer-Encoding"},
      {"Transfer-Encoding then Content-Length", push + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nabcde\r\n0\r\n\r\n",
       "Content-Length"},
      {"a Content-Length that is not a number", push + "Content-Length: ten\r\n\r\n", "Content-Length"},
      {"an overflowing Content-Length", push + "Content-Length: 99999999999999999999999\r\n\r\n", "Content-Length"},
      {"a repeated parameter",
       "GET /api/v1/forms/health_check/submissions?limit=1&limit=2 HTTP/1.1\r\nHost: localhost\r\n\r\n",
       "query parameter \"limit\" given more than once"},
      {"an overflowing number",
       "GET /api/v1/forms/health_check/submissions?limit=99999999999999999999999 HTTP/1.1\r\nHost: localhost\r\n\r\n",
       "limit must be a positive number"},
      {"a malformed escape", "GET /api/v1/forms?x=%zz HTTP/1.1\r\nHost: localhost\r\n\r\n", "percent escape"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const auto [status, error] = StatusAndError(RawExchange(server, c.request, true));
    CHECK(status == 400);
    CHECK(error.find(c.reason) != std::string::npos);
  }
  server.Stop();
  // None of them reached authentication or storage: the access log has their 400s and no 401.
  const std::string log = chosa::testing::Slurp(server.dir() + "/access.log");
  CHECK(log.find("\"status\":401") == std::string::npos);
  CHECK(server.storage().SubmissionCount("health_check") == 0);
}

TEST_CASE("a body over its route's limit is refused by its Content-Length before it is read, on every route") {
  ServerOptions options;
  RunningServer server(options);
  // 40 MB announced on enrol (no token needed) and none of it sent: answered from the head alone.
  const auto enrol = StatusAndError(RawExchange(
      server, "POST /api/v1/enroll HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
              "Content-Length: 40000000\r\n\r\n", true));
  CHECK(enrol.first == 413);
  CHECK(enrol.second == "the body is 40000000 bytes; this route accepts at most " +
                            std::to_string(options.max_enrol_body_bytes));
  // Routes that take no body take none.
  const auto health = StatusAndError(RawExchange(server, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello", true));
  CHECK(health.first == 413);
  // Push: over max_body_bytes by its length, before authentication.
  const auto push = StatusAndError(RawExchange(
      server, "POST /api/v1/submissions HTTP/1.1\r\nHost: localhost\r\nContent-Length: " +
                  std::to_string(options.limits.max_body_bytes + 1) + "\r\n\r\n", true));
  CHECK(push.first == 413);
}

TEST_CASE("the Bearer scheme is read in any case") {
  RunningServer server;
  const std::string token = server.EnrolDevice();
  for (const std::string scheme : {"Bearer", "bearer", "BEARER", "bEaReR"}) {
    INFO(scheme);
    auto res = server.Client()->Get("/api/v1/forms", {{"Authorization", scheme + " " + token}});
    REQUIRE(res);
    CHECK(res->status == 200);
  }
  auto wrong = server.Client()->Get("/api/v1/forms", {{"Authorization", "Basic " + token}});
  REQUIRE(wrong);
  CHECK(wrong->status == 401);
}

TEST_CASE("enrolment is rate-limited per client address") {
  ServerOptions options;
  options.enrol_requests_per_second = 0.01;  // one per 100 s after the burst
  options.enrol_burst = 2;
  RunningServer server(options);
  auto client = server.Client();
  const std::string body = protocol::ToJson(protocol::EnrollRequest{"NO-SUCH-CODE", "t", ""});
  for (int i = 0; i < 2; ++i) {
    auto refused = client->Post(std::string(protocol::kEnrollPath), body, "application/json");
    REQUIRE(refused);
    CHECK(refused->status != 429);  // a wrong code, answered as such
  }
  auto limited = client->Post(std::string(protocol::kEnrollPath), body, "application/json");
  REQUIRE(limited);
  CHECK(limited->status == 429);
  CHECK(std::atoi(limited->get_header_value("Retry-After").c_str()) >= 1);
  CHECK(ErrorOf(limited).find("too many enrolments from this address") == 0);
}

// A self-signed RSA 2048 certificate and its key, written as PEM into `dir`.
std::pair<std::string, std::string> MakeRsaCertificate(const std::string& dir) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  REQUIRE(key != nullptr);
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  X509_set_pubkey(cert, key);
  REQUIRE(X509_sign(cert, key, EVP_sha256()) > 0);
  const std::string cert_path = dir + "/rsa.pem", key_path = dir + "/rsa-key.pem";
  FILE* out = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(out, cert);
  std::fclose(out);
  out = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(out);
  X509_free(cert);
  EVP_PKEY_free(key);
  return {cert_path, key_path};
}

// The suite a TLS handshake agreed on with the server, or "" when it was refused. `suites`
// (TLS 1.2's list) is what the client offers, between the versions given.
std::string Negotiate(int port, int min_version, int max_version, const std::string& suites) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(ctx, 0);  // let this client offer what the server must refuse
  SSL_CTX_set_min_proto_version(ctx, min_version);
  SSL_CTX_set_max_proto_version(ctx, max_version);
  if (!suites.empty()) SSL_CTX_set_cipher_list(ctx, suites.c_str());
  BIO* bio = BIO_new_ssl_connect(ctx);
  const std::string address = "127.0.0.1:" + std::to_string(port);
  BIO_set_conn_hostname(bio, address.c_str());
  std::string agreed;
  if (BIO_do_connect(bio) == 1 && BIO_do_handshake(bio) == 1) {
    SSL* ssl = nullptr;
    BIO_get_ssl(bio, &ssl);
    agreed = SSL_get_cipher_name(ssl);
  }
  BIO_free_all(bio);
  SSL_CTX_free(ctx);
  ERR_clear_error();
  return agreed;
}

TEST_CASE("TLS policy: 1.2 with ECDHE and AEAD suites only, 1.3; for RSA and ECDSA certificates alike") {
  testing::TempDir dir("chosa-tls-policy");
  const auto [rsa_cert, rsa_key] = MakeRsaCertificate(dir.path());
  for (const bool rsa : {true, false}) {
    ServerOptions options;
    if (rsa) {
      options.cert_file = rsa_cert;
      options.key_file = rsa_key;
    }  // else dev-tls's P-256 (ECDSA) certificate
    RunningServer server(options);
    const std::string kind = rsa ? "RSA" : "ECDSA";
    const std::vector<std::string> refused = {"AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES256-SHA", "AES128-SHA",
                                              "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES128-SHA",
                                              "ECDHE-RSA-AES256-SHA384", "ECDHE-ECDSA-AES256-SHA384",
                                              "DHE-RSA-AES128-GCM-SHA256"};
    for (const std::string& suite : refused) {
      INFO(kind << " certificate, TLS 1.2 offering only " << suite);
      CHECK(Negotiate(server.port(), TLS1_2_VERSION, TLS1_2_VERSION, suite).empty());
    }
    for (const int version : {TLS1_VERSION, TLS1_1_VERSION}) {
      INFO(kind << " certificate, TLS version " << version);
      CHECK(Negotiate(server.port(), version, version, "DEFAULT:@SECLEVEL=0").empty());
    }
    const std::string prefix = rsa ? "ECDHE-RSA-" : "ECDHE-ECDSA-";
    for (const std::string aead : {"AES128-GCM-SHA256", "AES256-GCM-SHA384", "CHACHA20-POLY1305"}) {
      INFO(kind << " certificate, TLS 1.2 offering " << prefix + aead);
      CHECK(Negotiate(server.port(), TLS1_2_VERSION, TLS1_2_VERSION, prefix + aead) == prefix + aead);
    }
    INFO(kind << " certificate, TLS 1.3");
    CHECK(Negotiate(server.port(), TLS1_3_VERSION, TLS1_3_VERSION, "").rfind("TLS_", 0) == 0);
  }
}

}  // namespace
}  // namespace chosa::collector
