// Security at the client level, against a real chosa-collector over TLS on loopback: a device
// that trusts the wrong CA or pins the wrong key is refused before any request reaches the
// collector (libcurl's exact error, outbox untouched); a revoked device gets 401 and stops at
// once, storing nothing; a form not assigned to the device is rejected into the quarantine with a
// reason naming it; a code is used once; a request without a token gets 401.
#include <curl/curl.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "chosa/collector_storage.h"
#include "chosa/protocol.h"
#include "chosa/store.h"
#include "chosa/sync_client.h"
#include "e2e_support.h"
#include "must.h"

namespace chosa::e2e {
namespace {

using chosa::testing::Must;

sync::SyncOptions NoWaits() {
  sync::SyncOptions options;
  options.sleep = [](int64_t) {};
  return options;
}

// A client for `device`'s store and token over a transport with `tls`.
struct OtherClient {
  std::unique_ptr<sync::HttpTransport> transport;
  std::unique_ptr<sync::SyncClient> client;
};
OtherClient ClientWith(Device& device, const std::string& url, const sync::TlsOptions& tls) {
  OtherClient other;
  sync::SyncCredentials credentials = device.client->credentials();
  credentials.tls = tls;
  sync::TransportOptions options;
  options.tls = tls;
  auto transport = sync::MakeCurlTransport(url, options);
  REQUIRE(transport.ok());
  other.transport = std::move(*transport);
  other.client = std::make_unique<sync::SyncClient>(other.transport.get(), device.store.get(), credentials, NoWaits());
  return other;
}

TEST_CASE("security: wrong CA and wrong pin refused with libcurl's words, outbox untouched; the right pin works",
          "[security]") {
  CollectorProcess collector;
  collector.Publish({"coordinator_checklist", "workshop_attendee_survey"});
  const std::string code = collector.EnrolCode({"coordinator_checklist"});
  collector.Start();
  std::unique_ptr<Device> device;
  REQUIRE(MakeDevice("tablet-sec", collector.url(), collector.ca_file(), code, NoWaits(), &device).ok());
  REQUIRE(device->client->Sync().Complete());
  REQUIRE(FillSubmissions(*device->store, "coordinator_checklist", 10).ok());
  const std::map<std::string, std::string> before = OutboxBytes(*device->store);
  REQUIRE(before.size() == 10);

  // Another CA, and another server key, from a second dev-tls.
  ToolRun other = collector.Tool({"dev-tls", collector.dir() + "/other-tls"});
  REQUIRE(other.exit_status == 0);
  const size_t pin_at = other.out.find("sha256//", other.out.find("server key pin:"));
  REQUIRE(pin_at != std::string::npos);
  const std::string other_pin = other.out.substr(pin_at, other.out.find('\n', pin_at) - pin_at);
  REQUIRE(other_pin != collector.server_pin());
  const std::string where = "GET " + collector.url() + "/api/v1/forms: ";

  SECTION("a CA that did not sign the collector's certificate") {
    sync::TlsOptions tls;
    tls.ca_file = collector.dir() + "/other-tls/ca.pem";
    OtherClient wrong = ClientWith(*device, collector.url(), tls);
    const sync::SyncReport report = wrong.client->Sync();
    CHECK(report.status.code() == StatusCode::kPermissionDenied);
    CHECK(report.status.message() == where + curl_easy_strerror(CURLE_PEER_FAILED_VERIFICATION) +
                                         ": SSL certificate problem: unable to get local issuer certificate");
    CHECK(report.retries == 0);  // a refused identity is not retried
    CHECK(report.sent == 0);
    CHECK(report.left == before.size());
  }
  SECTION("the right CA but a pin of another key") {
    sync::TlsOptions tls;
    tls.ca_file = collector.ca_file();
    tls.pinned_public_keys = {other_pin};
    OtherClient wrong = ClientWith(*device, collector.url(), tls);
    const sync::SyncReport report = wrong.client->Sync();
    CHECK(report.status.code() == StatusCode::kPermissionDenied);
    CHECK(report.status.message() == where + curl_easy_strerror(CURLE_SSL_PINNEDPUBKEYNOTMATCH) +
                                         ": SSL: public key does not match pinned public key");
    CHECK(report.retries == 0);
    CHECK(report.sent == 0);
    CHECK(report.left == before.size());
  }
  CHECK(OutboxBytes(*device->store) == before);

  // The control: the right pin (with a backup pin beside it) syncs everything.
  sync::TlsOptions tls;
  tls.ca_file = collector.ca_file();
  tls.pinned_public_keys = {other_pin, collector.server_pin()};
  OtherClient right = ClientWith(*device, collector.url(), tls);
  const sync::SyncReport report = right.client->Sync();
  INFO(report.status.ToString());
  CHECK(report.Complete());
  CHECK(report.sent == before.size());
  REQUIRE(collector.Stop(SIGTERM) == 0);
  RequireCollectorHolds(collector.data_dir(), before);
  // Refused before any HTTP request: the form list was asked for by the first sync and the
  // control only (the log is complete once the collector has stopped).
  CHECK(AccessLogCount(collector.access_log(), 200, "/api/v1/forms") == 2);
}

TEST_CASE("security: a revoked device gets 401, stops at once and stores nothing; a code is used once", "[security]") {
  CollectorProcess collector;
  collector.Publish({"coordinator_checklist"});
  const std::string code = collector.EnrolCode({"coordinator_checklist"});
  collector.Start();
  sync::SyncOptions options = NoWaits();
  options.batch_size = 2;  // 5 batches, were they allowed
  std::unique_ptr<Device> device;
  REQUIRE(MakeDevice("tablet-lost", collector.url(), collector.ca_file(), code, options, &device).ok());
  REQUIRE(device->client->Sync().Complete());
  REQUIRE(FillSubmissions(*device->store, "coordinator_checklist", 10).ok());
  const std::map<std::string, std::string> before = OutboxBytes(*device->store);

  // The code is spent: another tablet cannot enrol with it.
  {
    std::unique_ptr<Device> second;
    Status again = MakeDevice("tablet-copy", collector.url(), collector.ca_file(), code, options, &second);
    CHECK(again.code() == StatusCode::kPermissionDenied);
    CHECK_THAT(again.message(), Catch::Contains("this enrolment code was used already"));
  }

  // The tablet is lost: the bureau revokes it while the collector runs.
  ToolRun revoked = collector.Tool({"revoke", device->client->credentials().device_id});
  REQUIRE(revoked.exit_status == 0);

  const sync::SyncReport report = device->client->Sync();
  CHECK(report.status.code() == StatusCode::kUnauthenticated);
  CHECK_THAT(report.status.message(), Catch::Contains("HTTP 401: this device's token was revoked"));
  CHECK(report.retries == 0);
  CHECK(report.sent == 0);
  CHECK(report.left == before.size());
  // Pushing straight away: the first batch gets 401 and nothing more is sent.
  sync::SyncReport push;
  const Status pushed = device->client->PushOutbox(&push);
  CHECK(pushed.code() == StatusCode::kUnauthenticated);
  CHECK(push.retries == 0);
  CHECK(push.left == before.size());

  CHECK(OutboxBytes(*device->store) == before);

  // Without a token at all: 401 with WWW-Authenticate.
  sync::TransportOptions transport_options;
  transport_options.tls.ca_file = collector.ca_file();
  auto bare = sync::MakeCurlTransport(collector.url(), transport_options);
  REQUIRE(bare.ok());
  sync::HttpRequest request;
  request.path = std::string(protocol::kFormsPath);
  sync::HttpResponse response;
  REQUIRE((*bare)->Send(request, &response).ok());
  CHECK(response.status == 401);
  REQUIRE(response.Header("WWW-Authenticate") != nullptr);
  CHECK(*response.Header("WWW-Authenticate") == "Bearer");

  REQUIRE(collector.Stop(SIGTERM) == 0);
  RequireCollectorHolds(collector.data_dir(), {});
  // The sync's form list and the request without a token got 401; of the 5 batches, one push
  // was tried (401) and no other (the log is complete once the collector has stopped).
  const std::string log = collector.access_log();
  CHECK(AccessLogCount(log, 401, "/api/v1/forms") == 2);
  CHECK(AccessLogCount(log, 401, "/api/v1/submissions") == 1);
  CHECK(CountOf(log, R"("route":"/api/v1/submissions")") == 1);
}

TEST_CASE("security: a device pushing a form not assigned to it is rejected into the quarantine, naming the form",
          "[security]") {
  CollectorProcess collector;
  collector.Publish({"coordinator_checklist", "workshop_attendee_survey"});
  const std::string code = collector.EnrolCode({"coordinator_checklist"});  // not the workshop survey
  collector.Start();
  std::unique_ptr<Device> device;
  REQUIRE(MakeDevice("tablet-sly", collector.url(), collector.ca_file(), code, NoWaits(), &device).ok());
  const sync::SyncReport installed = device->client->Sync();
  REQUIRE(installed.Complete());
  REQUIRE(installed.forms_installed.size() == 1);  // only what is assigned is listed
  // The workshop survey installed on the tablet by other means (its file).
  REQUIRE(device->store->InstallFormFile(kSource + "/schemas/examples/workshop_attendee_survey.json").ok());
  REQUIRE(FillSubmissions(*device->store, "coordinator_checklist", 5).ok());
  REQUIRE(FillSubmissions(*device->store, "workshop_attendee_survey", 1).ok());
  std::map<std::string, std::string> assigned = OutboxBytes(*device->store);
  std::string stray_uuid;
  for (const OutboxItem& item : Must(device->store->Outbox())) {
    if (item.form_id == "workshop_attendee_survey") stray_uuid = item.uuid;
  }
  REQUIRE_FALSE(stray_uuid.empty());
  const std::string stray_bytes = assigned[stray_uuid];
  assigned.erase(stray_uuid);

  const sync::SyncReport report = device->client->Sync();
  const std::string reason = "form workshop_attendee_survey is not assigned to this device";
  CHECK(report.status.ok());
  CHECK(report.sent == assigned.size());
  REQUIRE(report.rejected.size() == 1);
  CHECK(report.rejected[0].uuid == stray_uuid);
  CHECK(report.rejected[0].reason == reason);
  CHECK(Must(device->store->Outbox()).empty());
  const std::vector<InstanceSummary> rejected = Must(device->store->ListInstances(InstanceState::kRejected));
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].uuid == stray_uuid);
  CHECK(rejected[0].reject_reason == reason);

  REQUIRE(collector.Stop(SIGTERM) == 0);
  auto storage = collector::OpenSqliteStorage(collector.data_dir());
  REQUIRE(storage.ok());
  CHECK((*storage)->SubmissionCount("workshop_attendee_survey") == 0);
  CHECK((*storage)->SubmissionCount("coordinator_checklist") == static_cast<int64_t>(assigned.size()));
  const std::vector<collector::QuarantinedItem> quarantined = Must((*storage)->ListQuarantine(true));
  REQUIRE(quarantined.size() == 1);
  CHECK(quarantined[0].uuid == stray_uuid);
  CHECK(quarantined[0].device_id == device->client->credentials().device_id);
  CHECK(quarantined[0].form_id == "workshop_attendee_survey");
  CHECK(quarantined[0].reason == reason);
  CHECK(quarantined[0].body == stray_bytes);
  for (const auto& [uuid, bytes] : assigned) {
    auto body = (*storage)->SubmissionBody(uuid);
    REQUIRE(body.ok());
    CHECK(*body == bytes);
  }
}

TEST_CASE("security: an analyst token is made, listed and revoked with the admin commands; revoked, it is refused",
          "[security]") {
  CollectorProcess collector;  // not serving: the admin commands act on its data directory
  ToolRun made = collector.Tool({"analyst-token", "kenko.analyst"});
  REQUIRE(made.exit_status == 0);
  const std::string token = made.out.substr(0, made.out.find('\n'));  // the token goes alone on stdout
  REQUIRE(token.size() > 40);
  ToolRun listed = collector.Tool({"analyst-tokens"});
  REQUIRE(listed.exit_status == 0);
  CHECK_THAT(listed.out, Catch::Contains("kenko.analyst") && Catch::Contains("active"));
  {
    auto storage = collector::OpenSqliteStorage(collector.data_dir());
    REQUIRE(storage.ok());
    auto analyst = (*storage)->Authenticate(token);
    INFO(analyst.status().ToString());
    REQUIRE(analyst.ok());
    CHECK(analyst->role == collector::Role::kAnalyst);
  }

  ToolRun revoked = collector.Tool({"revoke-analyst", "kenko.analyst"});
  REQUIRE(revoked.exit_status == 0);
  CHECK_THAT(revoked.out, Catch::Contains("Revoked the analyst token kenko.analyst"));
  listed = collector.Tool({"analyst-tokens"});
  CHECK_THAT(listed.out, Catch::Contains("revoked"));
  {
    auto storage = collector::OpenSqliteStorage(collector.data_dir());
    REQUIRE(storage.ok());
    auto refused = (*storage)->Authenticate(token);
    CHECK(refused.status().code() == StatusCode::kUnauthenticated);
    CHECK(refused.status().message() == "this analyst token was revoked");
    const std::vector<collector::AnalystToken> tokens = Must((*storage)->ListAnalystTokens());
    REQUIRE(tokens.size() == 1);
    CHECK(tokens[0].revoked);
  }
  // An unknown name: a clear error and exit status 1.
  ToolRun unknown = collector.Tool({"revoke-analyst", "nobody"});
  CHECK(unknown.exit_status == 1);
}

}  // namespace
}  // namespace chosa::e2e
