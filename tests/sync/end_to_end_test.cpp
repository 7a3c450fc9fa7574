// End to end, as the bureau and the field staff would run it: a real `chosa-collector` process
// (certificates from its dev-tls, forms published and a code made with its admin commands)
// serving TLS on loopback, and a device store synced through the libcurl transport.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <string>

#include "chosa/collector_storage.h"
#include "chosa/protocol.h"
#include "chosa/store.h"
#include "chosa/sync_client.h"
#include "e2e_support.h"
#include "must.h"

namespace chosa {
namespace {

using chosa::testing::Must;

using e2e::CollectorProcess;
using e2e::FillScenarios;
using e2e::kForms;
using e2e::kSource;
using e2e::ReadFile;
using e2e::ToolRun;

TEST_CASE("end to end: enrol, pull the forms, fill the surveys, sync; exactly once, byte for byte") {
  CollectorProcess collector;
  for (const std::string& form : kForms) {
    ToolRun published = collector.Tool({"publish", kSource + "/schemas/examples/" + form + ".json"});
    INFO(published.out << ReadFile(collector.dir() + "/tool.log"));
    REQUIRE(published.exit_status == 0);
  }
  std::string forms_list;
  for (const std::string& form : kForms) forms_list += (forms_list.empty() ? "" : ",") + form;
  ToolRun code = collector.Tool({"enrol-code", "--forms", forms_list});
  REQUIRE(code.exit_status == 0);
  const std::string enrolment_code = code.out.substr(0, code.out.find('\n'));
  collector.Start();

  testing::TempDir device_temp("chosa-e2e-device");
  const std::string& device_dir = device_temp.path();
  StoreOptions store_options;
  store_options.device_id = "tablet-e2e";
  auto store = DeviceStore::Open(device_dir + "/store.sqlite", store_options);
  REQUIRE(store.ok());

  sync::SyncCredentials credentials;
  credentials.collector_url = collector.url();
  credentials.tls.ca_file = collector.ca_file();
  sync::TransportOptions transport_options;
  transport_options.tls = credentials.tls;
  auto transport = sync::MakeCurlTransport(credentials.collector_url, transport_options);
  REQUIRE(transport.ok());
  sync::SyncClient client(transport->get(), store->get(), credentials);
  auto enrolled = client.Enroll(enrolment_code, "e2e tablet");
  REQUIRE(enrolled.ok());

  // The first sync installs the five forms (nothing to push yet).
  sync::SyncReport first = client.Sync();
  INFO(first.status.ToString());
  REQUIRE(first.Complete());
  CHECK(first.forms_installed.size() == kForms.size());
  CHECK(Must((*store)->ListForms()).size() == kForms.size());

  int finalized = 0;
  for (const std::string& form : kForms) finalized += FillScenarios(**store, form);
  REQUIRE(finalized >= 6);                        // every example survey's finalizing scenarios
  std::map<std::string, std::string> sent_bytes;  // uuid -> canonical JSON, as the device holds it
  for (const OutboxItem& item : Must((*store)->Outbox())) sent_bytes[item.uuid] = item.canonical_json;
  REQUIRE(sent_bytes.size() == static_cast<size_t>(finalized));

  sync::SyncReport second = client.Sync();
  INFO(second.status.ToString());
  REQUIRE(second.Complete());
  CHECK(second.sent == sent_bytes.size());
  CHECK(second.duplicates == 0);
  CHECK(Must((*store)->Outbox()).empty());

  // A third sync sends nothing.
  sync::SyncReport third = client.Sync();
  REQUIRE(third.Complete());
  CHECK(third.sent == 0);
  CHECK(third.bytes_sent == 0);

  // The collector holds exactly those submissions, byte for byte.
  REQUIRE(collector.Stop(SIGTERM) == 0);
  {
    auto storage = collector::OpenSqliteStorage(collector.data_dir());
    REQUIRE(storage.ok());
    int64_t stored = 0;
    for (const std::string& form : kForms) stored += (*storage)->SubmissionCount(form);
    CHECK(stored == static_cast<int64_t>(sent_bytes.size()));
    for (const auto& [uuid, bytes] : sent_bytes) {
      auto body = (*storage)->SubmissionBody(uuid);
      REQUIRE(body.ok());
      CHECK(*body == bytes);
    }
    CHECK(Must((*storage)->ListQuarantine(true)).empty());
  }

  // Pushing the same bytes again (a device that lost the answers) gives duplicate, stores nothing.
  collector.Start();
  auto again = sync::MakeCurlTransport(collector.url(), transport_options);
  REQUIRE(again.ok());
  std::vector<std::string_view> lines;
  for (const auto& entry : sent_bytes) lines.push_back(entry.second);
  sync::HttpRequest push;
  push.method = "POST";
  push.path = std::string(protocol::kSubmissionsPath);
  push.headers = {{"Authorization", "Bearer " + client.credentials().token},
                  {"Content-Type", std::string(protocol::kBatchContentType)}};
  push.body = protocol::JoinBatch(lines);
  sync::HttpResponse response;
  REQUIRE((*again)->Send(push, &response).ok());
  REQUIRE(response.status == 200);
  auto results = protocol::ParsePushResponse(response.body);
  REQUIRE(results.ok());
  REQUIRE(results->results.size() == sent_bytes.size());
  for (const protocol::PushResult& r : results->results) CHECK(r.status == protocol::PushStatus::kDuplicate);
  REQUIRE(collector.Stop(SIGTERM) == 0);
  const std::string log = ReadFile(collector.dir() + "/access.log");
  CHECK(log.find(R"("route":"/api/v1/submissions","status":200)") != std::string::npos);
}

TEST_CASE("end to end: serve --access-log \"\" keeps no access log, neither in a file nor on standard error") {
  CollectorProcess collector;
  const std::string file_log = collector.dir() + "/access.log";
  collector.Start({"--access-log", ""});  // after the file CollectorProcess names: the last wins
  auto transport = sync::MakeCurlTransport(collector.url(), [&] {
    sync::TransportOptions options;
    options.tls.ca_file = collector.ca_file();
    return options;
  }());
  REQUIRE(transport.ok());
  sync::HttpRequest health;
  health.method = "GET";
  health.path = std::string(protocol::kHealthPath);
  sync::HttpResponse response;
  REQUIRE((*transport)->Send(health, &response).ok());
  CHECK(response.status == 200);
  REQUIRE(collector.Stop(SIGTERM) == 0);
  CHECK(ReadFile(file_log).empty());
  CHECK(collector.serve_log().find("\"route\"") == std::string::npos);

  // The same server with its default log (standard error) writes the line: the check can fail.
  collector.Start({"--access-log", "-"});
  REQUIRE((*transport)->Send(health, &response).ok());
  REQUIRE(collector.Stop(SIGTERM) == 0);
  CHECK(collector.serve_log().find(R"("route":"/healthz")") != std::string::npos);
}

}  // namespace
}  // namespace chosa
