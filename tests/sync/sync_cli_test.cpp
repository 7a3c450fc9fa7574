// `chosa sync enroll` and `chosa sync` (tools/sync_command.cpp) as a person runs them: the real
// chosa binary against a real chosa-collector process over TLS on loopback.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "chosa/collector_storage.h"
#include "chosa/store.h"
#include "chosa/collector/sqlite_storage.h"
#include "e2e_support.h"
#include "run_command.h"

namespace chosa {
namespace {

const std::string kSource = CHOSA_SOURCE_DIR;
const std::string kChosa = std::string(CHOSA_BINARY_DIR) + "/tools/chosa";

using CliRun = testing::CommandRun;

// `chosa ARGS`; its standard error is appended to `err_file`.
CliRun RunChosa(const std::string& args, const std::string& err_file) {
  return testing::RunCommand(kChosa + " " + args + " 2>>'" + err_file + "'");
}

TEST_CASE("chosa sync: enrol once, send the outbox, nothing twice", "[sync][cli]") {
  e2e::CollectorProcess collector;
  REQUIRE(collector.Tool({"publish", kSource + "/schemas/examples/coordinator_checklist.json"}).exit_status == 0);
  e2e::ToolRun code = collector.Tool({"enrol-code", "--forms", "coordinator_checklist"});
  REQUIRE(code.exit_status == 0);
  const std::string enrolment_code = code.out.substr(0, code.out.find('\n'));
  collector.Start();

  testing::TempDir temp("chosa-cli");
  const std::string& dir = temp.path();
  const std::string store_path = dir + "/store.sqlite";
  const std::string err = dir + "/stderr.log";
  {
    StoreOptions options;
    options.device_id = "tablet-cli";
    auto store = DeviceStore::Open(store_path, options);
    REQUIRE(store.ok());
    REQUIRE((*store)->InstallFormFile(kSource + "/schemas/examples/coordinator_checklist.json").ok());
    REQUIRE(e2e::FillSubmissions(**store, "coordinator_checklist", 5).ok());
  }
  const std::string store_arg = " --store '" + store_path + "'";

  // Syncing before enrolling says what to do.
  CliRun early = RunChosa("sync" + store_arg, err);
  CHECK(early.exit_status != 0);
  CHECK(e2e::ReadFile(err).find("chosa sync enroll") != std::string::npos);

  CliRun enrolled = RunChosa("sync enroll" + store_arg + " --collector " + collector.url() + " --ca '" +
                                 collector.ca_file() + "' --code " + enrolment_code + " --name 'cli tablet'",
                             err);
  INFO(e2e::ReadFile(err));
  REQUIRE(enrolled.exit_status == 0);
  CHECK(enrolled.out.find("Enrolled as device tablet-cli with ") == 0);  // the store's own identity

  CliRun first = RunChosa("sync" + store_arg, err);
  REQUIRE(first.exit_status == 0);
  CHECK(first.out.find("Sent: 5.  Rejected: 0.  Left for later: 0.") != std::string::npos);
  CliRun second = RunChosa("sync" + store_arg, err);
  REQUIRE(second.exit_status == 0);
  CHECK(second.out.find("Sent: 0.  Rejected: 0.  Left for later: 0.") != std::string::npos);

  // The code was used: enrolling again with it is refused, and the kept credentials stay.
  CliRun again = RunChosa("sync enroll" + store_arg + " --replace --collector " + collector.url() + " --ca '" +
                              collector.ca_file() + "' --code " + enrolment_code,
                          err);
  CHECK(again.exit_status != 0);
  CHECK(e2e::ReadFile(err).find("chosa sync: cannot enrol: ") != std::string::npos);

  // A second tablet whose store claims the same identity is refused, with a fresh code too.
  e2e::ToolRun second_code = collector.Tool({"enrol-code", "--forms", "coordinator_checklist"});
  REQUIRE(second_code.exit_status == 0);
  const std::string other_store = dir + "/other.sqlite";
  {
    StoreOptions options;
    options.device_id = "tablet-cli";
    REQUIRE(DeviceStore::Open(other_store, options).ok());
  }
  CliRun impostor = RunChosa("sync enroll --store '" + other_store + "' --collector " + collector.url() + " --ca '" +
                                 collector.ca_file() + "' --code " + second_code.out.substr(0, second_code.out.find('\n')),
                             err);
  CHECK(impostor.exit_status != 0);
  CHECK(e2e::ReadFile(err).find("device tablet-cli is enrolled already") != std::string::npos);

  collector.Stop(SIGTERM);
  auto storage = collector::OpenSqliteStorage(collector.data_dir());
  REQUIRE(storage.ok());
  CHECK((*storage)->SubmissionCount("coordinator_checklist") == 5);
  // The collector's records and the submissions name the device alike: the store's identity.
  auto devices = (*storage)->ListDevices();
  REQUIRE(devices.ok());
  REQUIRE(devices->size() == 1);
  CHECK(devices->at(0).device_id == "tablet-cli");
  auto stored = (*storage)->ReadSubmissions("coordinator_checklist", 0, 100);
  REQUIRE(stored.ok());
  REQUIRE(stored->size() == 5);
  for (const collector::StoredSubmission& submission : *stored) {
    CHECK(submission.device_id == "tablet-cli");
    CHECK(submission.body.find("\"device_id\":\"tablet-cli\"") != std::string::npos);
  }
}

}  // namespace
}  // namespace chosa
