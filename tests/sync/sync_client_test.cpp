// The sync client's logic (sync/client/include/chosa/sync_client.h) on a real device store, through a
// scripted HttpTransport: a small in-memory collector that speaks protocol.h, with faults
// injected request by request. A mobile app supplies its own HttpTransport the same way.
#include "chosa/sync_client.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "chosa/env.h"
#include "chosa/protocol.h"
#include "chosa/store.h"
#include "chosa/sync_credentials.h"
#include "backoff.h"
#include "temp_dir.h"
#include "must.h"

using chosa::testing::Must;

namespace chosa::sync {
namespace {

using chosa::testing::TempDir;

namespace fs = std::filesystem;

const std::string kExamples = std::string(CHOSA_SOURCE_DIR) + "/schemas/examples";
const std::string kToken = "token-of-tablet-7";

// Random bytes all equal to `fill` (0x00: the shortest waits, 0xFF: the longest), or the
// system's when `fill` < 0; a clock that stands still.
class JitterEnv : public EnvWrapper {
 public:
  explicit JitterEnv(int fill) : EnvWrapper(Env::Default()), fill_(fill) {}
  void RandomBytes(uint8_t* out, size_t size) override {
    if (fill_ < 0) return Env::Default()->RandomBytes(out, size);
    for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(fill_);
  }
  int64_t NowMillis() override { return 1730597430000; }

 private:
  int fill_;
};

std::string Gunzip(const std::string& data) {
  z_stream stream{};
  REQUIRE(inflateInit2(&stream, 15 + 16) == Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[65536];
  int code = Z_OK;
  while (code == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    code = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  REQUIRE(code == Z_STREAM_END);
  return out;
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers.push_back({"Content-Type", "application/json"});
  response.body = std::move(body);
  return response;
}

HttpResponse ErrorResponse(int status, const std::string& error, const std::string& retry_after = "") {
  HttpResponse response = JsonResponse(status, protocol::ToJson(protocol::ErrorBody{error, ""}));
  if (!retry_after.empty()) response.headers.push_back({"Retry-After", retry_after});
  return response;
}

// An in-memory collector behind the HttpTransport interface. Each request first meets the next
// scripted step, if any: a step may answer by itself (a fault), or let the collector answer and
// then change or lose the answer.
class FakeCollector : public HttpTransport {
 public:
  using Step = std::function<Status(FakeCollector&, const HttpRequest&, HttpResponse*)>;

  Status Send(const HttpRequest& request, HttpResponse* response) override {
    requests.push_back(request);
    if (!script.empty()) {
      Step step = std::move(script.front());
      script.pop_front();
      return step(*this, request, response);
    }
    return Handle(request, response);
  }

  // What a sound collector answers.
  Status Handle(const HttpRequest& request, HttpResponse* response) {
    if (request.path == protocol::kEnrollPath) {
      auto enroll = protocol::ParseEnrollRequest(request.body);
      REQUIRE(enroll.ok());
      if (enroll->code != "ABCD-EFGH" || enrolled) {
        *response = ErrorResponse(403, "the enrolment code is unknown, expired or already used");
      } else {
        enrolled = true;
        *response = JsonResponse(200, protocol::ToJson(protocol::EnrollResponse{"dev-0007", kToken}));
      }
      return Status::Ok();
    }
    const std::string* authorization = Header(request, "Authorization");
    if (authorization == nullptr || *authorization != "Bearer " + token) {
      *response = ErrorResponse(401, "unknown or revoked token");
      return Status::Ok();
    }
    if (request.method == "GET" && request.path == protocol::kFormsPath) {
      *response = JsonResponse(200, protocol::ToJson(listing));
      return Status::Ok();
    }
    if (request.method == "GET" && forms.count(request.path) > 0) {
      const std::string& body = forms[request.path];
      *response = JsonResponse(200, body);
      response->headers.push_back({"ETag", "\"" + protocol::Sha256Hex(body) + "\""});
      return Status::Ok();
    }
    if (request.method == "POST" && request.path == protocol::kSubmissionsPath) return Push(request, response);
    *response = ErrorResponse(404, "no such route");
    return Status::Ok();
  }

  Status Push(const HttpRequest& request, HttpResponse* response) {
    const std::string* type = Header(request, "Content-Type");
    REQUIRE(type != nullptr);
    CHECK(*type == protocol::kBatchContentType);
    const std::string* encoding = Header(request, "Content-Encoding");
    std::string body = encoding != nullptr && *encoding == "gzip" ? Gunzip(request.body) : request.body;
    auto lines = protocol::SplitBatch(body);
    REQUIRE(lines.ok());
    if (lines->size() > max_batch_items) {
      *response = ErrorResponse(413, "a batch holds at most " + std::to_string(max_batch_items) + " submissions");
      return Status::Ok();
    }
    batch_sizes.push_back(lines->size());
    protocol::PushResponse answer;
    for (std::string_view line : *lines) {
      auto envelope = protocol::ReadEnvelope(line);
      REQUIRE(envelope.ok());
      protocol::PushResult result;
      result.uuid = envelope->uuid;
      if (auto reason = reject.find(envelope->uuid); reason != reject.end()) {
        result.status = protocol::PushStatus::kRejected;
        result.reason = reason->second;
      } else if (stored.count(envelope->uuid) > 0) {
        result.status = protocol::PushStatus::kDuplicate;
      } else {
        result.status = protocol::PushStatus::kAccepted;
        stored[envelope->uuid] = std::string(line);
      }
      answer.results.push_back(result);
    }
    *response = JsonResponse(200, protocol::ToJson(answer));
    return Status::Ok();
  }

  // Serves `json` as a form version and lists it with `listed_sha256` ("" = its true hash).
  void Publish(const std::string& json, const std::string& listed_sha256 = "") {
    nlohmann::json form = nlohmann::json::parse(json);
    protocol::FormListing entry{form["id"], form["version"], protocol::Sha256Hex(json)};
    if (!listed_sha256.empty()) entry.sha256 = listed_sha256;
    listing.forms.push_back(entry);
    forms[protocol::FormVersionPath(entry.form_id, entry.version)] = json;
  }

  static const std::string* Header(const HttpRequest& request, const std::string& name) {
    for (const HttpHeader& header : request.headers) {
      if (header.name == name) return &header.value;
    }
    return nullptr;
  }

  size_t Pushes() const {
    size_t count = 0;
    for (const HttpRequest& request : requests) count += request.path == protocol::kSubmissionsPath;
    return count;
  }

  std::deque<Step> script;
  std::vector<HttpRequest> requests;
  std::string token = kToken;
  bool enrolled = false;
  protocol::FormsResponse listing;
  std::map<std::string, std::string> forms;   // path -> served JSON
  std::map<std::string, std::string> stored;  // uuid -> canonical JSON
  std::map<std::string, std::string> reject;  // uuid -> reason
  std::vector<size_t> batch_sizes;            // of the pushes answered 200
  size_t max_batch_items = 500;
};

// Steps for FakeCollector::script.
FakeCollector::Step Answer(HttpResponse response) {
  return [response](FakeCollector&, const HttpRequest&, HttpResponse* out) {
    *out = response;
    return Status::Ok();
  };
}
FakeCollector::Step Unreachable(const std::string& message = "Couldn't connect to server") {
  return [message](FakeCollector&, const HttpRequest&, HttpResponse*) { return Status::Unavailable(message); };
}
// The collector stores the batch, then the connection drops before its answer arrives.
FakeCollector::Step LoseResponse() {
  return [](FakeCollector& collector, const HttpRequest& request, HttpResponse* out) {
    REQUIRE(collector.Handle(request, out).ok());
    return Status::Unavailable("Recv failure: Connection reset by peer");
  };
}
// Lets the collector answer, then changes the answer.
FakeCollector::Step Tamper(std::function<void(protocol::PushResponse*)> change) {
  return [change](FakeCollector& collector, const HttpRequest& request, HttpResponse* out) {
    REQUIRE(collector.Handle(request, out).ok());
    auto answer = protocol::ParsePushResponse(out->body);
    REQUIRE(answer.ok());
    change(&*answer);
    out->body = protocol::ToJson(*answer);
    return Status::Ok();
  };
}

std::unique_ptr<DeviceStore> OpenStore(const std::string& path) {
  StoreOptions options;
  options.device_id = "dev-0007";
  auto store = DeviceStore::Open(path, options);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store.value());
}

// `count` finalized workshop questionnaires (the answers of its full_submission scenario).
std::vector<std::string> FillOutbox(DeviceStore& store, int count) {
  auto installed = store.InstallFormFile(kExamples + "/workshop_attendee_survey.json");
  INFO(installed.status().ToString());
  REQUIRE(installed.ok());
  std::vector<std::string> uuids;
  for (int i = 0; i < count; ++i) {
    auto draft = store.StartDraft("workshop_attendee_survey", "staff-3");
    REQUIRE(draft.ok());
    for (auto [path, text] :
         std::vector<std::pair<std::string, std::string>>{{"event_type", "workshop"},
                                                          {"event_date", "2024-09-12"},
                                                          {"block", "east"},
                                                          {"ward", "271098"},
                                                          {"profession", "pharmacist"},
                                                          {"feels_collaborating", "yes"},
                                                          {"knew_support_office", "no"},
                                                          {"wish_collaborate", "want"},
                                                          {"acp_awareness", "name_only"},
                                                          {"useful", "4"},
                                                          {"comments", "グループワークが良かった " + std::to_string(i)},
                                                          {"attendees[1]/attendee_name", "田中 美咲"},
                                                          {"attendees[1]/attendee_profession", "nurse"}}) {
      Status set = (*draft)->SetAnswer(path, text);
      INFO(path << ": " << set.ToString());
      REQUIRE(set.ok());
    }
    auto submission = (*draft)->Finalize();
    INFO(submission.status().ToString());
    REQUIRE(submission.ok());
    uuids.push_back(submission->uuid);
  }
  return uuids;
}

SyncCredentials Credentials() {
  SyncCredentials credentials;
  credentials.collector_url = "https://collector.test";
  credentials.device_id = "dev-0007";
  credentials.token = kToken;
  return credentials;
}

// Options whose waits are recorded rather than slept.
SyncOptions RecordingOptions(std::vector<int64_t>* waits, Env* env = nullptr) {
  SyncOptions options;
  options.env = env;
  options.sleep = [waits](int64_t millis) { waits->push_back(millis); };
  return options;
}

std::set<std::string> UuidsIn(const std::vector<InstanceSummary>& instances) {
  std::set<std::string> uuids;
  for (const InstanceSummary& instance : instances) uuids.insert(instance.uuid);
  return uuids;
}

// A resolved example form as a collector serves it: the bytes a store keeps for it.
std::string ResolvedForm(const std::string& file) {
  TempDir dir;
  std::string json;
  {
    auto store = OpenStore(dir.File("scratch.sqlite"));
    REQUIRE(store->InstallFormFile(kExamples + "/" + file).ok());
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(dir.File("scratch.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* row = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT form_json FROM form_version", -1, &row, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(row) == SQLITE_ROW);
  json = reinterpret_cast<const char*>(sqlite3_column_text(row, 0));
  sqlite3_finalize(row);
  sqlite3_close(db);
  return json;
}

std::string WithVersion(const std::string& json, const std::string& version) {
  nlohmann::ordered_json form = nlohmann::ordered_json::parse(json);
  form["version"] = version;
  return form.dump();
}

TEST_CASE("the outbox goes in gzip batches, each submission marked sent only once the collector answered") {
  TempDir dir;
  auto store = OpenStore(dir.File("store.sqlite"));
  std::vector<std::string> uuids = FillOutbox(*store, 230);
  FakeCollector collector;
  // While the collector holds the second batch, only the first is marked sent on the device.
  collector.script = {[](FakeCollector& c, const HttpRequest& r, HttpResponse* out) { return c.Handle(r, out); },
                      [&](FakeCollector& c, const HttpRequest& r, HttpResponse* out) {
                        CHECK(Must(store->Outbox()).size() == 130);
                        CHECK(Must(store->ListInstances(InstanceState::kSent)).size() == 100);
                        REQUIRE(c.Handle(r, out).ok());
                        CHECK(Must(store->Outbox()).size() == 130);  // answered, not yet read by the client
                        return Status::Ok();
                      }};
  std::vector<int64_t> waits;
  std::vector<SyncProgress> progress;
  SyncOptions options = RecordingOptions(&waits);
  options.progress = [&](const SyncProgress& p) { progress.push_back(p); };
  SyncClient client(&collector, store.get(), Credentials(), options);
  SyncReport report;
  REQUIRE(client.PushOutbox(&report).ok());

  CHECK(collector.batch_sizes == std::vector<size_t>{100, 100, 30});
  CHECK(report.sent == 230);
  CHECK(report.duplicates == 0);
  CHECK(report.left == 0);
  CHECK(report.Complete());
  CHECK(Must(store->Outbox()).empty());
  CHECK(UuidsIn(Must(store->ListInstances(InstanceState::kSent))) == std::set<std::string>(uuids.begin(), uuids.end()));
  CHECK(waits.empty());
  // Every body was gzip, with the bearer token; the collector holds exactly the outbox's bytes.
  uint64_t body_bytes = 0;
  for (const HttpRequest& request : collector.requests) {
    CHECK(*FakeCollector::Header(request, "Content-Encoding") == "gzip");
    CHECK(*FakeCollector::Header(request, "Authorization") == "Bearer " + kToken);
    body_bytes += request.body.size();
  }
  CHECK(report.bytes_sent == body_bytes);
  REQUIRE(collector.stored.size() == 230);
  // Progress: 0, 100, 200, 230 of 230, with the bytes so far.
  REQUIRE(progress.size() == 4);
  CHECK(progress[0].done == 0);
  CHECK(progress[1].done == 100);
  CHECK(progress[3].done == 230);
  CHECK(progress[3].total == 230);
  CHECK(progress[3].bytes_sent == body_bytes);
  CHECK(progress[1].bytes_sent < progress[2].bytes_sent);

  // A second sync sends nothing.
  collector.requests.clear();
  SyncReport again;
  REQUIRE(client.PushOutbox(&again).ok());
  CHECK(collector.requests.empty());
  CHECK(again.Complete());
}

TEST_CASE("a body without gzip is the batch's canonical lines as they are in the outbox") {
  TempDir dir;
  auto store = OpenStore(dir.File("store.sqlite"));
  FillOutbox(*store, 3);
  std::vector<std::string_view> lines;
  std::vector<OutboxItem> outbox = Must(store->Outbox());
  for (const OutboxItem& item : outbox) lines.push_back(item.canonical_json);
  FakeCollector collector;
  std::vector<int64_t> waits;
  SyncOptions options = RecordingOptions(&waits);
  options.gzip = false;
  SyncClient client(&collector, store.get(), Credentials(), options);
  SyncReport report;
  REQUIRE(client.PushOutbox(&report).ok());
  REQUIRE(collector.requests.size() == 1);
  CHECK(collector.requests[0].body == protocol::JoinBatch(lines));
  CHECK(FakeCollector::Header(collector.requests[0], "Content-Encoding") == nullptr);
  CHECK(report.sent == 3);
}

TEST_CASE("an answer lost after the collector stored the batch: the retry, or the next sync, gets duplicates") {
  TempDir dir;
  auto store = OpenStore(dir.File("store.sqlite"));
  FillOutbox(*store, 150);
  FakeCollector collector;
  std::vector<int64_t> waits;

  SECTION("retried within the same sync") {
    collector.script = {LoseResponse()};
    SyncClient client(&collector, store.get(), Credentials(), RecordingOptions(&waits));
    SyncReport report;
    REQUIRE(client.PushOutbox(&report).ok());
    CHECK(report.sent == 50);
    CHECK(report.duplicates == 100);
    CHECK(report.retries == 1);
    CHECK(waits.size() == 1);
  }
  SECTION("the sync gives up; the next one finishes the job") {
    collector.script = {LoseResponse()};
    SyncOptions options = RecordingOptions(&waits);
    options.retry.max_attempts = 1;
    {
      SyncClient client(&collector, store.get(), Credentials(), options);
      SyncReport report;
      Status status = client.PushOutbox(&report);
      CHECK(status.code() == StatusCode::kUnavailable);
      CHECK(status.message() ==
            "POST https://collector.test/api/v1/submissions: Recv failure: Connection reset by peer "
            "(gave up after 1 attempt)");
      CHECK(report.left == 150);
      CHECK(report.sent == 0);
      CHECK(Must(store->Outbox()).size() == 150);  // stored on the collector, but never acknowledged
    }
    // As after an app killed there: a new client, the same store.
    SyncClient client(&collector, store.get(), Credentials(), options);
    SyncReport report;
    REQUIRE(client.PushOutbox(&report).ok());
    CHECK(report.duplicates == 100);
    CHECK(report.sent == 50);
    CHECK(report.Complete());
  }
  CHECK(collector.stored.size() == 150);
  CHECK(Must(store->Outbox()).empty());
  CHECK(Must(store->ListInstances(InstanceState::kSent)).size() == 150);
}

TEST_CASE("an answer that does not match the batch marks nothing") {
  TempDir dir;
  auto store = OpenStore(dir.File("store.sqlite"));
  FillOutbox(*store, 5);
  FakeCollector collector;
  std::vector<int64_t> waits;
  SyncClient client(&collector, store.get(), Credentials(), RecordingOptions(&waits));

  std::function<void(protocol::PushResponse*)> faults[] = {
      [](protocol::PushResponse* r) { r->results.pop_back(); },                                        // one missing
      [](protocol::PushResponse* r) { std::swap(r->results[0], r->results[1]); },                      // out of order
      [](protocol::PushResponse* r) { r->results[2].uuid = "00000000-0000-4000-8000-000000000000"; },  // another
      [](protocol::PushResponse* r) { r->results.push_back(r->results[0]); },                          // one too many
  };
  for (auto& fault : faults) {
    collector.script = {Tamper(fault)};
    SyncReport report;
    Status status = client.PushOutbox(&report);
    CHECK(status.code() == StatusCode::kInternal);
    CHECK_THAT(status.message(), Catch::Contains("does not match the batch") && Catch::Contains("nothing was marked"));
    CHECK(report.sent + report.duplicates + report.rejected.size() == 0);
    CHECK(report.left == 5);
    CHECK(Must(store->Outbox()).size() == 5);
  }
  CHECK(collector.stored.size() == 5);  // stored by the first push; answered four times wrongly

  // An answer that is not a push answer at all.
  collector.script = {Answer(JsonResponse(200, "<html>captive portal</html>"))};
  SyncReport report;
  CHECK(client.PushOutbox(&report).code() == StatusCode::kInternal);
  CHECK(Must(store->Outbox()).size() == 5);

  SyncReport last;
  REQUIRE(client.PushOutbox(&last).ok());
  CHECK(last.duplicates == 5);
  CHECK(Must(store->Outbox()).empty());
}

TEST_CASE("rejected submissions are marked with the collector's reason; duplicates count as sent") {
  TempDir dir;
  auto store = OpenStore(dir.File("store.sqlite"));
  std::vector<std::string> uuids = FillOutbox(*store, 4);
  FakeCollector collector;
  const std::string reason = "fails re-validation: /answers/useful: unknown choice \"5\"";
  collector.reject[uuids[1]] = reason;
  collector.stored[uuids[2]] = "(stored by an earlier sync)";
  std::vector<int64_t> waits;
  SyncClient client(&collector, store.get(), Credentials(), RecordingOptions(&waits));
  SyncReport report;
  REQUIRE(client.PushOutbox(&report).ok());
  CHECK(report.sent == 2);
  CHECK(report.duplicates == 1);
  REQUIRE(report.rejected.size() == 1);
  CHECK(report.rejected[0].uuid == uuids[1]);
  CHECK(report.rejected[0].reason == reason);
  CHECK(report.left == 0);
  CHECK_FALSE(report.Complete());  // a rejected submission needs a person
  CHECK(Must(store->Outbox()).empty());
  auto rejected = Must(store->ListInstances(InstanceState::kRejected));
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].uuid == uuids[1]);
  CHECK(rejected[0].reject_reason == reason);
  CHECK(UuidsIn(Must(store->ListInstances(InstanceState::kSent))) == std::set<std::string>{uuids[0], uuids[2], uuids[3]});
}

TEST_CASE("503 and 429 are retried after their Retry-After; other failures back off exponentially with jitter") {
  TempDir dir;
  auto store = OpenStore(dir.File("store.sqlite"));
  FillOutbox(*store, 2);
  const int fill = GENERATE(0x00, 0xFF, -1);  // the shortest waits, the longest, random ones
  INFO("random bytes: " << fill);
  JitterEnv env(fill);
  FakeCollector collector;
  collector.script = {Answer(ErrorResponse(503, "shutting down", "7")),
                      Answer(ErrorResponse(429, "too many requests", "2")),
                      Unreachable(),
                      Answer(ErrorResponse(502, "bad gateway")),
                      Unreachable("Operation timed out after 300000 milliseconds with 0 bytes received"),
                      Answer(ErrorResponse(503, "down for maintenance", "Sun, 03 Nov 2024 01:31:00 GMT"))};
  std::vector<int64_t> waits;
  std::vector<std::string> reasons;
  SyncOptions options = RecordingOptions(&waits, &env);
  options.retry.max_attempts = 7;
  options.progress = [&](const SyncProgress& p) {
    if (p.phase == SyncProgress::Phase::kWaiting) reasons.push_back(p.why);
  };
  SyncClient client(&collector, store.get(), Credentials(), options);
  SyncReport report;
  REQUIRE(client.PushOutbox(&report).ok());
  CHECK(report.sent == 2);
  CHECK(report.retries == 6);
  REQUIRE(waits.size() == 6);
  const RetryPolicy policy;  // 1 s base, 60 s ceiling
  // Retry-After, plus up to one base delay so that devices told the same moment spread out.
  CHECK(waits[0] >= 7000);
  CHECK(waits[0] <= 7000 + policy.base_delay_ms);
  CHECK(waits[1] >= 2000);
  CHECK(waits[1] <= 2000 + policy.base_delay_ms);
  // Full jitter under a ceiling that doubles: 4 s, 8 s, 16 s before retries 3, 4, 5.
  for (int retry = 3; retry <= 5; ++retry) {
    CHECK(waits[retry - 1] >= 0);
    CHECK(waits[retry - 1] <= BackoffCeilingMillis(policy, retry));
  }
  // The HTTP-date form of Retry-After, 30 s after the (fixed) clock.
  CHECK(waits[5] >= 30000);
  CHECK(waits[5] <= 30000 + policy.base_delay_ms);
  if (fill == 0xFF) {
    CHECK(waits == std::vector<int64_t>{8000, 3000, 4000, 8000, 16000, 31000});
  } else if (fill == 0x00) {
    CHECK(waits == std::vector<int64_t>{7000, 2000, 0, 0, 0, 30000});
  }
  CHECK(reasons[0] == "the collector answered HTTP 503: shutting down");
  CHECK(reasons[2] == "Couldn't connect to server");
}

TEST_CASE("backoff ceilings double up to their cap; Retry-After is capped and read in both forms") {
  RetryPolicy policy;
  CHECK(BackoffCeilingMillis(policy, 1) == 1000);
  CHECK(BackoffCeilingMillis(policy, 2) == 2000);
  CHECK(BackoffCeilingMillis(policy, 6) == 32000);
  CHECK(BackoffCeilingMillis(policy, 7) == 60000);
  CHECK(BackoffCeilingMillis(policy, 1000) == 60000);
  JitterEnv longest(0xFF);
  CHECK(RetryDelayMillis(policy, 3, -1, &longest) == 4000);
  CHECK(RetryDelayMillis(policy, 1, 86400000, &longest) == policy.max_retry_after_ms + policy.base_delay_ms);

  const int64_t now = 1730597430000;  // 2024-11-03T01:30:30Z
  CHECK(ParseRetryAfterMillis("120", now) == 120000);
  CHECK(ParseRetryAfterMillis(" 0 ", now) == 0);
  CHECK(ParseRetryAfterMillis("Sun, 03 Nov 2024 01:31:30 GMT", now) == 60000);
  CHECK(ParseRetryAfterMillis("Sun, 03 Nov 2024 01:00:00 GMT", now) == 0);  // already past
  CHECK(ParseRetryAfterMillis("-5", now) == -1);
  CHECK(ParseRetryAfterMillis("soon", now) == -1);
  CHECK(ParseRetryAfterMillis("Sun, 03 Nov 2024 01:31:30 JST", now) == -1);
  CHECK(ParseRetryAfterMillis("", now) == -1);
}

TEST_CASE("after the last attempt the sync stops and leaves the rest in the outbox") {
  TempDir dir;
  auto store = OpenStore(dir.File("store.sqlite"));
  FillOutbox(*store, 120);
  FakeCollector collector;
  std::vector<int64_t> waits;
  SyncOptions options = RecordingOptions(&waits);
  options.retry.max_attempts = 3;
  // The first batch goes; then the collector is down for good.
  collector.script = {[](FakeCollector& c, const HttpRequest& r, HttpResponse* out) { return c.Handle(r, out); }};
  for (int i = 0; i < 10; ++i) collector.script.push_back(Answer(ErrorResponse(503, "overloaded")));
  SyncClient client(&collector, store.get(), Credentials(), options);
  SyncReport report;
  Status status = client.PushOutbox(&report);
  CHECK(status.code() == StatusCode::kUnavailable);
  CHECK(status.message() ==
        "POST https://collector.test/api/v1/submissions: the collector answered HTTP 503: overloaded "
        "(gave up after 3 attempts)");
  CHECK(collector.requests.size() == 4);  // one batch, then three tries of the second
  CHECK(waits.size() == 2);
  CHECK(report.sent == 100);
  CHECK(report.left == 20);
  CHECK(Must(store->Outbox()).size() == 20);
  CHECK_FALSE(report.Complete());
}

TEST_CASE("401 stops the sync at once, with nothing marked") {
  TempDir dir;
  auto store = OpenStore(dir.File("store.sqlite"));
  FillOutbox(*store, 3);
  FakeCollector collector;
  collector.token = "a-new-token";  // the device was revoked
  std::vector<int64_t> waits;
  SyncClient client(&collector, store.get(), Credentials(), RecordingOptions(&waits));
  SyncReport push;
  Status status = client.PushOutbox(&push);
  CHECK(status.code() == StatusCode::kUnauthenticated);
  CHECK(status.message() ==
        "pushing submissions: the collector answered HTTP 401: unknown or revoked token (the device's token is "
        "unknown or revoked: enrol it again)");
  CHECK(collector.requests.size() == 1);
  CHECK(push.left == 3);

  collector.requests.clear();
  SyncReport report = client.Sync();  // stopped by the forms listing: nothing pushed
  CHECK(report.status.code() == StatusCode::kUnauthenticated);
  CHECK(collector.requests.size() == 1);
  CHECK(report.left == 3);
  CHECK(waits.empty());
  CHECK(Must(store->Outbox()).size() == 3);
}

TEST_CASE("a batch too large for the collector is split; a lone submission too large stays for later") {
  TempDir dir;
  auto store = OpenStore(dir.File("store.sqlite"));
  FillOutbox(*store, 100);
  FakeCollector collector;
  collector.max_batch_items = 30;
  std::vector<int64_t> waits;
  SyncClient client(&collector, store.get(), Credentials(), RecordingOptions(&waits));
  SyncReport report;
  REQUIRE(client.PushOutbox(&report).ok());
  CHECK(collector.batch_sizes == std::vector<size_t>{25, 25, 25, 25});  // 100 and 50 were refused
  CHECK(report.sent == 100);
  CHECK(report.Complete());

  FillOutbox(*store, 2);
  collector.max_batch_items = 0;
  SyncReport refused;
  REQUIRE(client.PushOutbox(&refused).ok());
  CHECK(refused.left == 2);
  REQUIRE(refused.problems.size() == 2);
  CHECK_THAT(refused.problems[0], Catch::Contains("is too large for the collector and stays in the outbox: HTTP 413"));
  CHECK(Must(store->Outbox()).size() == 2);
}

TEST_CASE("Cancel stops the sync before its next request") {
  TempDir dir;
  auto store = OpenStore(dir.File("store.sqlite"));
  FillOutbox(*store, 250);
  FakeCollector collector;
  std::vector<int64_t> waits;
  SyncOptions options = RecordingOptions(&waits);
  SyncClient* cancelling = nullptr;
  options.progress = [&](const SyncProgress& p) {
    if (p.done == 100) cancelling->Cancel();
  };
  SyncClient client(&collector, store.get(), Credentials(), options);
  cancelling = &client;
  SyncReport report;
  Status status = client.PushOutbox(&report);
  CHECK(status.code() == StatusCode::kUnavailable);
  CHECK(status.message() == "the sync was cancelled");
  CHECK(report.sent == 100);
  CHECK(report.left == 150);
  CHECK(Must(store->Outbox()).size() == 150);
}

TEST_CASE("pulling installs the newest version of each listed form that the store lacks, once") {
  TempDir dir;
  auto store = OpenStore(dir.File("store.sqlite"));
  const std::string checklist = ResolvedForm("coordinator_checklist.json");
  const std::string workshop = ResolvedForm("workshop_attendee_survey.json");
  REQUIRE(store->InstallForm(checklist).ok());

  FakeCollector collector;
  collector.Publish(checklist);                         // installed already
  collector.Publish(workshop);                          // new
  collector.Publish(WithVersion(workshop, "2024.2"));   // newer still: the one to install
  collector.Publish(WithVersion(checklist, "2025.1"));  // new
  std::vector<int64_t> waits;
  std::vector<SyncProgress> progress;
  SyncOptions options = RecordingOptions(&waits);
  options.progress = [&](const SyncProgress& p) { progress.push_back(p); };
  SyncClient client(&collector, store.get(), Credentials(), options);
  SyncReport report;
  REQUIRE(client.PullForms(&report).ok());
  CHECK(report.problems.empty());
  REQUIRE(report.forms_installed.size() == 2);
  CHECK(report.forms_installed[0].form_id == "coordinator_checklist");
  CHECK(report.forms_installed[0].version == "2025.1");
  CHECK(report.forms_installed[1].form_id == "workshop_attendee_survey");
  CHECK(report.forms_installed[1].version == "2024.2");
  std::vector<std::string> paths;
  for (const HttpRequest& request : collector.requests) paths.push_back(request.path);
  CHECK(paths == std::vector<std::string>{"/api/v1/forms", "/api/v1/forms/coordinator_checklist/versions/2025.1",
                                          "/api/v1/forms/workshop_attendee_survey/versions/2024.2"});
  std::set<std::pair<std::string, std::string>> installed;
  for (const InstalledForm& form : Must(store->ListForms())) installed.emplace(form.form_id, form.version);
  CHECK(installed == std::set<std::pair<std::string, std::string>>{{"coordinator_checklist", "2024.1"},
                                                                   {"coordinator_checklist", "2025.1"},
                                                                   {"workshop_attendee_survey", "2024.2"}});
  CHECK((*store->LoadForm("coordinator_checklist"))->version() == "2025.1");  // new fillings start on it
  REQUIRE(progress.size() == 3);
  CHECK(progress[2].phase == SyncProgress::Phase::kForms);
  CHECK(progress[2].done == 2);
  CHECK(progress[2].total == 2);

  // Nothing new: only the listing is fetched.
  collector.requests.clear();
  SyncReport again;
  REQUIRE(client.PullForms(&again).ok());
  CHECK(again.forms_installed.empty());
  CHECK(collector.requests.size() == 1);
}

TEST_CASE("a downloaded form whose SHA-256 is not the listed one is refused") {
  TempDir dir;
  auto store = OpenStore(dir.File("store.sqlite"));
  const std::string workshop = ResolvedForm("workshop_attendee_survey.json");
  const std::string checklist = ResolvedForm("coordinator_checklist.json");
  FakeCollector collector;
  collector.Publish(workshop, protocol::Sha256Hex(workshop + " "));  // the bytes were changed on the way
  collector.Publish(checklist);
  std::vector<int64_t> waits;
  SyncClient client(&collector, store.get(), Credentials(), RecordingOptions(&waits));
  SyncReport report;
  REQUIRE(client.PullForms(&report).ok());
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0] ==
        "form workshop_attendee_survey version 2024.1 was not installed: the downloaded bytes have "
        "SHA-256 " +
            protocol::Sha256Hex(workshop) + ", the listing says " + protocol::Sha256Hex(workshop + " "));
  REQUIRE(report.forms_installed.size() == 1);  // the other form still comes
  CHECK(report.forms_installed[0].form_id == "coordinator_checklist");
  REQUIRE(Must(store->ListForms()).size() == 1);
  CHECK(Must(store->ListForms())[0].form_id == "coordinator_checklist");
  CHECK_FALSE(report.Complete());

  // A body that hashes right but names another form, and a form the engine cannot load.
  FakeCollector other;
  const std::string renamed = WithVersion(workshop, "2099.9");
  other.listing.forms.push_back({"workshop_attendee_survey", "2030.1", protocol::Sha256Hex(renamed)});
  other.forms[protocol::FormVersionPath("workshop_attendee_survey", "2030.1")] = renamed;
  const std::string broken = R"({"format": 1, "id": "broken", "version": "1", "title": "B", "languages": ["ja"],
    "items": [{"type": "integer", "name": "n", "label": "n", "relevant": "${m} > 1"}]})";
  other.Publish(broken);
  SyncClient other_client(&other, store.get(), Credentials(), RecordingOptions(&waits));
  SyncReport refused;
  REQUIRE(other_client.PullForms(&refused).ok());
  REQUIRE(refused.problems.size() == 2);
  CHECK(refused.problems[0] ==
        "form workshop_attendee_survey version 2030.1 was not installed: the downloaded form does not carry that id "
        "and version");
  CHECK_THAT(refused.problems[1], Catch::StartsWith("form broken version 1 cannot be installed: the form has faults"));
  CHECK(Must(store->ListForms()).size() == 1);
}

TEST_CASE("enrolment returns the credentials to keep; a used code is refused with the collector's reason") {
  FakeCollector collector;
  std::vector<int64_t> waits;
  SyncCredentials blank;
  blank.collector_url = "https://collector.test";
  blank.tls.ca_file = "/etc/chosa/ca.pem";
  SyncClient client(&collector, nullptr, blank, RecordingOptions(&waits));
  auto enrolled = client.Enroll("ABCD-EFGH", "ward office tablet 3");
  REQUIRE(enrolled.ok());
  CHECK(enrolled->collector_url == "https://collector.test");
  CHECK(enrolled->device_id == "dev-0007");
  CHECK(enrolled->token == kToken);
  CHECK(enrolled->tls.ca_file == "/etc/chosa/ca.pem");
  auto sent = protocol::ParseEnrollRequest(collector.requests[0].body);
  REQUIRE(sent.ok());
  CHECK(sent->device_name == "ward office tablet 3");
  CHECK(FakeCollector::Header(collector.requests[0], "Authorization") == nullptr);

  auto again = client.Enroll("ABCD-EFGH", "ward office tablet 3");
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == StatusCode::kPermissionDenied);
  CHECK(again.status().message() ==
        "enrolment refused: the collector answered HTTP 403: the enrolment code is unknown, expired or already used");
}

TEST_CASE("credentials are kept in a file only their owner reads, and read back strictly") {
  TempDir dir;
  const std::string path = CredentialsPathFor(dir.File("store.sqlite"));
  CHECK(path == dir.File("store.sqlite.sync.json"));
  CHECK(LoadCredentials(path).status().code() == StatusCode::kNotFound);

  SyncCredentials credentials = Credentials();
  credentials.tls.ca_file = "/etc/chosa/bureau-ca.pem";
  credentials.tls.pinned_public_keys = {"sha256//AAAA", "sha256//BBBB"};
  REQUIRE(SaveCredentials(path, credentials).ok());
  struct stat info;
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  auto loaded = LoadCredentials(path);
  REQUIRE(loaded.ok());
  CHECK(loaded->collector_url == credentials.collector_url);
  CHECK(loaded->device_id == credentials.device_id);
  CHECK(loaded->token == credentials.token);
  CHECK(loaded->tls.ca_file == credentials.tls.ca_file);
  CHECK(loaded->tls.pinned_public_keys == credentials.tls.pinned_public_keys);
  CHECK_FALSE(fs::exists(path + ".tmp"));

  std::ofstream(path) << R"({"collector_url": "https://c", "device_id": "d", "tokn": "t"})";
  auto misspelt = LoadCredentials(path);
  REQUIRE_FALSE(misspelt.ok());
  CHECK(misspelt.status().pointer() == "/tokn");
  std::ofstream(path) << R"({"collector_url": "https://c", "device_id": "d"})";
  CHECK_THAT(LoadCredentials(path).status().message(), Catch::EndsWith("missing field \"token\""));
  std::ofstream(path) << "not json";
  CHECK(LoadCredentials(path).status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace chosa::sync
