// Ownership of corrections (issue 19): a submission's `replaces` may only name a submission the
// same enrolled device sent (the collector's record of the pushing device, not the device_id a
// submission declares), or one a former enrolment sent that the bureau linked to it
// (chosa-collector devices link OLD NEW). On the real SQLite storage, then through a real
// chosa-collector over HTTPS on loopback and its admin commands.
#include <signal.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <httplib.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chosa/collector_storage.h"
#include "chosa/env.h"
#include "chosa/form.h"
#include "chosa/protocol.h"
#include "chosa/session.h"
#include "chosa/collector/export.h"
#include "chosa/collector/ingest.h"
#include "chosa/collector/sqlite_storage.h"
#include "credentials.h"
#include "e2e_support.h"
#include "must.h"
#include "temp_dir.h"

namespace chosa::collector {
namespace {

using chosa::testing::Must;
using chosa::testing::TempDir;

constexpr int64_t kNow = 1730597430000;  // 2024-11-03T01:30:30Z
constexpr char kFormId[] = "mini";
// One text question, version "1": what Body() fills, and what the e2e tests publish.
constexpr char kForm[] = R"({"format": 1, "id": "mini", "version": "1", "title": "Mini", "languages": ["ja"],)"
                         R"( "items": [{"type": "text", "name": "q", "label": "Q"}]})";

std::string Uuid(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "%08x-0000-4000-8000-000000000000", n);
  return text;
}

// Submission `n` (optionally correcting submission `replaces`), declaring `declared` as its
// device: the collector must not believe it.
std::string Body(int n, int replaces = 0, const std::string& declared = "tablet-a") {
  return R"({"uuid":")" + Uuid(n) + R"(","form_id":"mini","form_version":"1","device_id":")" + declared +
         R"(","language":"ja")" + (replaces == 0 ? std::string() : R"(,"replaces":")" + Uuid(replaces) + "\"") +
         R"(,"answers":{"q":"answer )" + std::to_string(n) + R"("}})";
}

// Pushes `bodies` as `device` straight into the storage (each already checked), at `at`.
std::vector<protocol::PushResult> Push(CollectorStorage& storage, const std::string& device,
                                       const std::vector<std::string>& bodies, int64_t at = kNow) {
  std::vector<IngestItem> items;
  for (const std::string& body : bodies) {
    Result<protocol::Envelope> envelope = protocol::ReadEnvelope(body);
    REQUIRE(envelope.ok());
    items.push_back(IngestItem{*envelope, body, true, ""});
  }
  auto results = storage.StoreBatch(Principal{Role::kDevice, device, {kFormId}}, items, at);
  INFO(results.status().ToString());
  REQUIRE(results.ok());
  REQUIRE(results->size() == bodies.size());
  return *results;
}

protocol::PushStatus PushOne(CollectorStorage& storage, const std::string& device, const std::string& body,
                             std::string* reason = nullptr) {
  protocol::PushResult result = Push(storage, device, {body}).front();
  if (reason != nullptr) *reason = result.reason;
  return result.status;
}

// The UUIDs the form's export lists, in order.
std::vector<std::string> Exported(CollectorStorage& storage, bool all_versions = false) {
  ExportOptions options;
  options.all_versions = all_versions;
  SubmissionExport dataset = Must(SubmissionExport::Begin(storage, kFormId, options));
  std::vector<std::string> uuids;
  while (dataset.NextPage([&](const StoredSubmission& stored) {
    uuids.push_back(stored.uuid);
    return true;
  })) {
  }
  REQUIRE(dataset.status().ok());
  return uuids;
}

std::vector<std::string> UuidsOf(const std::vector<StoredSubmission>& stored) {
  std::vector<std::string> out;
  for (const StoredSubmission& one : stored) out.push_back(one.uuid);
  return out;
}

// A storage with the form published and `devices` enrolled under those ids.
std::unique_ptr<CollectorStorage> OpenWithDevices(const std::string& dir, const std::vector<std::string>& devices) {
  auto storage = Must(OpenSqliteStorage(dir));
  REQUIRE(storage->PublishForm(FormVersion{kFormId, "1", kForm, protocol::Sha256Hex(kForm), kNow}).ok());
  for (const std::string& id : devices) {
    const std::string code = Must(NewEnrolmentCode());
    REQUIRE(storage->AddEnrolmentCode(code, {kFormId}, kNow + 60000, "").ok());
    REQUIRE(storage->Enroll(code, id, "", Must(NewToken()), kNow).ok());
  }
  return storage;
}

TEST_CASE("ownership: a correction of another device's submission is refused into the quarantine; the victim stays "
          "exported",
          "[ownership]") {
  TempDir temp;
  auto storage = OpenWithDevices(temp.path(), {"tablet-a", "tablet-b"});
  REQUIRE(PushOne(*storage, "tablet-a", Body(1)) == protocol::PushStatus::kAccepted);
  // Declaring tablet-a's identity inside the submission changes nothing: the token says tablet-b.
  std::string reason;
  CHECK(PushOne(*storage, "tablet-b", Body(2, 1, "tablet-a"), &reason) == protocol::PushStatus::kRejected);
  CHECK(reason.rfind("replaces_not_yours: submission " + Uuid(1) + " was sent by another device", 0) == 0);
  CHECK(reason.find("tablet-a") == std::string::npos);  // who sent it is not told to the other device
  CHECK(storage->SubmissionCount(kFormId) == 1);
  const auto quarantined = Must(storage->ListQuarantine(false));
  REQUIRE(quarantined.size() == 1);
  CHECK(quarantined[0].uuid == Uuid(2));
  CHECK(quarantined[0].device_id == "tablet-b");
  CHECK(quarantined[0].reason == reason);
  CHECK(quarantined[0].body == Body(2, 1, "tablet-a"));
  CHECK(Must(storage->AppliedCorrections(kFormId)).empty());
  CHECK(Exported(*storage) == std::vector<std::string>{Uuid(1)});
  // The same line again is answered the same and kept once.
  CHECK(PushOne(*storage, "tablet-b", Body(2, 1, "tablet-a")) == protocol::PushStatus::kRejected);
  CHECK(Must(storage->ListQuarantine(false)).size() == 1);
  // Without a link the bureau cannot release it either: it would hide tablet-a's submission.
  Status released = storage->ReleaseQuarantined(quarantined[0].id, kNow + 1);
  CHECK(released.code() == StatusCode::kPermissionDenied);
  CHECK_THAT(released.message(), Catch::Contains("corrects submission " + Uuid(1) + ", which device tablet-a sent") &&
                                     Catch::Contains("chosa-collector devices link tablet-a tablet-b"));
  CHECK(storage->SubmissionCount(kFormId) == 1);
  CHECK(Exported(*storage) == std::vector<std::string>{Uuid(1)});
}

TEST_CASE("ownership: a device corrects its own submissions, in a batch or later, before or after the original",
          "[ownership]") {
  TempDir temp;
  auto storage = OpenWithDevices(temp.path(), {"tablet-a"});
  // 1 corrected by 2 in a later push; 3 corrected by 4 in the same push; 6 corrects 5, which
  // arrives after it (another push, out of order).
  REQUIRE(PushOne(*storage, "tablet-a", Body(1)) == protocol::PushStatus::kAccepted);
  for (const auto& result : Push(*storage, "tablet-a", {Body(2, 1), Body(3), Body(4, 3), Body(6, 5)})) {
    CHECK(result.status == protocol::PushStatus::kAccepted);
  }
  CHECK(Exported(*storage) == std::vector<std::string>{Uuid(2), Uuid(4), Uuid(6)});
  REQUIRE(PushOne(*storage, "tablet-a", Body(5)) == protocol::PushStatus::kAccepted);
  CHECK(Must(storage->AppliedCorrections(kFormId)) ==
        std::vector<AppliedCorrection>{{Uuid(2), Uuid(1)}, {Uuid(4), Uuid(3)}, {Uuid(6), Uuid(5)}});
  CHECK(Exported(*storage) == std::vector<std::string>{Uuid(2), Uuid(4), Uuid(6)});
  CHECK(Exported(*storage, true).size() == 6);
  CHECK(Must(storage->UnappliedCorrections()).empty());
  // A retried push of the corrections: duplicates.
  for (const auto& result : Push(*storage, "tablet-a", {Body(2, 1), Body(6, 5)})) {
    CHECK(result.status == protocol::PushStatus::kDuplicate);
  }
}

TEST_CASE("ownership: a correction that arrives before another device's original does not hide it", "[ownership]") {
  TempDir temp;
  auto storage = OpenWithDevices(temp.path(), {"tablet-a", "tablet-b"});
  // tablet-b names a UUID not received yet: accepted provisionally.
  REQUIRE(PushOne(*storage, "tablet-b", Body(2, 1)) == protocol::PushStatus::kAccepted);
  CHECK(Exported(*storage) == std::vector<std::string>{Uuid(2)});
  // The original arrives from tablet-a: accepted and exported; the correction corrects nothing.
  REQUIRE(PushOne(*storage, "tablet-a", Body(1)) == protocol::PushStatus::kAccepted);
  CHECK(Must(storage->AppliedCorrections(kFormId)).empty());
  CHECK(Exported(*storage) == std::vector<std::string>{Uuid(2), Uuid(1)});
  const auto unapplied = Must(storage->UnappliedCorrections());
  REQUIRE(unapplied.size() == 1);
  CHECK(unapplied[0].uuid == Uuid(2));
  CHECK(unapplied[0].device_id == "tablet-b");
  CHECK(unapplied[0].replaces == Uuid(1));
  CHECK(unapplied[0].form_id == kFormId);
  // The correction was acknowledged: its retry is a duplicate, not a rejection now.
  CHECK(PushOne(*storage, "tablet-b", Body(2, 1)) == protocol::PushStatus::kDuplicate);
  // A later correction by tablet-b of that original is refused as any other.
  CHECK(PushOne(*storage, "tablet-b", Body(3, 1)) == protocol::PushStatus::kRejected);
  // Were tablet-b tablet-a enrolled again, a link lets the waiting correction apply.
  REQUIRE(storage->RevokeDevice("tablet-a").ok());
  REQUIRE(storage->LinkDevices("tablet-a", "tablet-b", "admin", kNow).ok());
  CHECK(Exported(*storage) == std::vector<std::string>{Uuid(2)});
  CHECK(Must(storage->UnappliedCorrections()).empty());
}

TEST_CASE("ownership: a revoked identity enrols again only with a code made for it, and then corrects its own",
          "[ownership]") {
  TempDir temp;
  auto storage = OpenWithDevices(temp.path(), {"tablet-a"});
  REQUIRE(PushOne(*storage, "tablet-a", Body(1)) == protocol::PushStatus::kAccepted);
  REQUIRE(storage->RevokeDevice("tablet-a").ok());
  auto code = [&](const std::string& for_device) {
    const std::string made = Must(NewEnrolmentCode());
    REQUIRE(storage->AddEnrolmentCode(made, {kFormId}, kNow + 60000, for_device).ok());
    return made;
  };
  // Whoever holds an ordinary code cannot take the revoked identity (and with it the right to
  // correct what tablet-a sent); nor can a code made for another identity. Each refusal leaves
  // the code unused.
  const std::string ordinary = code("");
  Result<Device> taken = storage->Enroll(ordinary, "tablet-a", "", Must(NewToken()), kNow);
  REQUIRE_FALSE(taken.ok());
  CHECK(taken.status().code() == StatusCode::kPermissionDenied);
  CHECK(taken.status().message() == "device tablet-a was revoked; it enrols again only with a code made for it "
                                    "(chosa-collector enrol-code --forms ... --device tablet-a)");
  const std::string for_b = code("tablet-b");
  taken = storage->Enroll(for_b, "tablet-a", "", Must(NewToken()), kNow);
  REQUIRE_FALSE(taken.ok());
  CHECK(taken.status().message() == "this enrolment code was made for device tablet-b only");
  CHECK(Must(storage->ListDevices()).at(0).revoked);
  // The ordinary code still enrols a new identity; the code for tablet-a enrols tablet-a, once.
  CHECK(storage->Enroll(ordinary, "tablet-n", "", Must(NewToken()), kNow).ok());
  const std::string for_a = code("tablet-a");
  const std::string token = Must(NewToken());
  REQUIRE(storage->Enroll(for_a, "tablet-a", "", token, kNow).ok());
  CHECK(storage->Authenticate(token).ok());
  CHECK(PushOne(*storage, "tablet-a", Body(2, 1)) == protocol::PushStatus::kAccepted);
  CHECK(Exported(*storage) == std::vector<std::string>{Uuid(2)});
  // An identity that is enrolled is refused to any code, its own included.
  const std::string again = code("tablet-a");
  CHECK(storage->Enroll(again, "tablet-a", "", Must(NewToken()), kNow).status().code() == StatusCode::kAlreadyExists);
}

TEST_CASE("ownership: a submission naming itself is refused by the ingest pipeline", "[ownership]") {
  TempDir temp;
  auto storage = OpenWithDevices(temp.path(), {"tablet-a"});
  Ingest ingest(*storage, protocol::Limits{}, [](auto, auto, const auto&) { return Status::Ok(); }, 1);
  auto results = Must(ingest.Push(Principal{Role::kDevice, "tablet-a", {kFormId}}, {Body(1, 1)}, kNow));
  REQUIRE(results.size() == 1);
  CHECK(results[0].status == protocol::PushStatus::kRejected);
  CHECK(results[0].reason == "replaces names the submission itself");
  CHECK(storage->SubmissionCount(kFormId) == 0);
}

TEST_CASE("ownership: links let a re-enrolled tablet correct its former enrolments, along a chain, one way",
          "[ownership]") {
  TempDir temp;
  {
    auto storage = OpenWithDevices(temp.path(), {"tablet-a", "tablet-b", "tablet-c", "tablet-x"});
    REQUIRE(PushOne(*storage, "tablet-a", Body(1)) == protocol::PushStatus::kAccepted);
    REQUIRE(PushOne(*storage, "tablet-b", Body(2)) == protocol::PushStatus::kAccepted);
    REQUIRE(PushOne(*storage, "tablet-c", Body(3)) == protocol::PushStatus::kAccepted);
    std::string rejected_reason;
    REQUIRE(PushOne(*storage, "tablet-b", Body(11, 1), &rejected_reason) == protocol::PushStatus::kRejected);

    // Refusals, each changing nothing.
    Status status = storage->LinkDevices("tablet-z", "tablet-b", "admin", kNow);
    CHECK(status.code() == StatusCode::kNotFound);
    CHECK(status.message() == "no device tablet-z: `chosa-collector devices` lists the enrolled devices' ids");
    CHECK(storage->LinkDevices("tablet-a", "tablet-z", "admin", kNow).code() == StatusCode::kNotFound);
    status = storage->LinkDevices("tablet-a", "tablet-a", "admin", kNow);
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(status.message(), Catch::Contains("cannot be linked to itself"));
    status = storage->LinkDevices("tablet-a", "tablet-b", "admin", kNow);
    CHECK(status.code() == StatusCode::kPermissionDenied);
    CHECK_THAT(status.message(), Catch::Contains("device tablet-a is still active: revoke it first "
                                                 "(chosa-collector revoke tablet-a)"));
    CHECK(Must(storage->ListDeviceLinks()).empty());

    // A -> B -> C, made by the bureau once each former enrolment is revoked.
    REQUIRE(storage->RevokeDevice("tablet-a").ok());
    REQUIRE(storage->LinkDevices("tablet-a", "tablet-b", "root (sudo by kato)", kNow + 10).ok());
    REQUIRE(storage->RevokeDevice("tablet-b").ok());
    REQUIRE(storage->LinkDevices("tablet-b", "tablet-c", "sato", kNow + 20).ok());
    REQUIRE(storage->RevokeDevice("tablet-x").ok());
    status = storage->LinkDevices("tablet-a", "tablet-b", "admin", kNow);
    CHECK(status.code() == StatusCode::kAlreadyExists);
    CHECK(status.message() == "device tablet-a is linked to tablet-b already");
    status = storage->LinkDevices("tablet-a", "tablet-x", "admin", kNow);  // a second successor
    CHECK(status.code() == StatusCode::kAlreadyExists);
    CHECK_THAT(status.message(), Catch::Contains("a former enrolment has one successor"));
    status = storage->LinkDevices("tablet-x", "tablet-c", "admin", kNow);  // a second predecessor
    CHECK(status.code() == StatusCode::kAlreadyExists);
    CHECK_THAT(status.message(), Catch::Contains("device tablet-c continues tablet-b already"));
    REQUIRE(storage->RevokeDevice("tablet-c").ok());
    status = storage->LinkDevices("tablet-c", "tablet-a", "admin", kNow);  // a loop
    CHECK(status.code() == StatusCode::kAlreadyExists);
    CHECK_THAT(status.message(), Catch::Contains("would make a loop"));
  }
  // Reopened (a restart): the links are still there, with who made them and when.
  auto storage = Must(OpenSqliteStorage(temp.path()));
  const auto links = Must(storage->ListDeviceLinks());
  REQUIRE(links.size() == 2);
  CHECK(links[0].old_device_id == "tablet-a");
  CHECK(links[0].new_device_id == "tablet-b");
  CHECK(links[0].linked_at == kNow + 10);
  CHECK(links[0].linked_by == "root (sudo by kato)");
  CHECK(links[1].old_device_id == "tablet-b");
  CHECK(links[1].new_device_id == "tablet-c");
  CHECK(links[1].linked_by == "sato");

  // C corrects A's (two links back) and B's; B (were it still pushing) corrects A's, never C's.
  CHECK(PushOne(*storage, "tablet-c", Body(21, 1)) == protocol::PushStatus::kAccepted);
  CHECK(PushOne(*storage, "tablet-c", Body(22, 2)) == protocol::PushStatus::kAccepted);
  CHECK(PushOne(*storage, "tablet-b", Body(23, 3)) == protocol::PushStatus::kRejected);
  CHECK(PushOne(*storage, "tablet-x", Body(24, 3)) == protocol::PushStatus::kRejected);
  CHECK(Exported(*storage) == std::vector<std::string>{Uuid(3), Uuid(21), Uuid(22)});
  // B's correction of A's, refused before the link, can now be released, and applies.
  const auto held = Must(storage->ListQuarantine(false));
  REQUIRE_FALSE(held.empty());
  CHECK(held[0].uuid == Uuid(11));
  REQUIRE(storage->ReleaseQuarantined(held[0].id, kNow + 30).ok());
  CHECK(Exported(*storage) == std::vector<std::string>{Uuid(3), Uuid(21), Uuid(22), Uuid(11)});
  CHECK(Must(storage->UnappliedCorrections()).empty());

  // B -> C was a mistake: undone, C's corrections of A's and B's stop applying (listed as not
  // applied); B's of A's still applies. The link stays listed, undone, with when and by whom.
  REQUIRE(storage->UnlinkDevices("tablet-b", "tablet-c", "kato", kNow + 40).ok());
  Status again = storage->UnlinkDevices("tablet-b", "tablet-c", "kato", kNow + 41);
  CHECK(again.code() == StatusCode::kNotFound);
  CHECK(again.message() == "device tablet-b is not linked to tablet-c: `chosa-collector devices` lists the links");
  CHECK(Exported(*storage) == std::vector<std::string>{Uuid(2), Uuid(3), Uuid(21), Uuid(22), Uuid(11)});
  CHECK(UuidsOf(Must(storage->UnappliedCorrections())) == std::vector<std::string>{Uuid(21), Uuid(22)});
  CHECK(PushOne(*storage, "tablet-c", Body(25, 2)) == protocol::PushStatus::kRejected);
  const auto after = Must(storage->ListDeviceLinks());
  REQUIRE(after.size() == 2);
  CHECK(after[0].unlinked_at == 0);
  CHECK(after[1].unlinked_at == kNow + 40);
  CHECK(after[1].unlinked_by == "kato");
  // B's successor is free again: the right tablet is linked; B has one successor still.
  REQUIRE(storage->LinkDevices("tablet-b", "tablet-x", "kato", kNow + 50).ok());
  CHECK(storage->LinkDevices("tablet-b", "tablet-c", "kato", kNow + 60).code() == StatusCode::kAlreadyExists);
  CHECK(PushOne(*storage, "tablet-x", Body(26, 2)) == protocol::PushStatus::kAccepted);
  CHECK(Must(storage->ListDeviceLinks()).size() == 3);
}

// Runs SQL on a database file through a connection of the test's own.
void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  const int code = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  INFO((error != nullptr ? error : ""));
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE(code == SQLITE_OK);
}

TEST_CASE("ownership: links made before they could be undone (schema 6) migrate and still apply", "[ownership]") {
  TempDir temp;
  {
    auto storage = OpenWithDevices(temp.path(), {"tablet-a", "tablet-b"});
    REQUIRE(PushOne(*storage, "tablet-a", Body(1)) == protocol::PushStatus::kAccepted);
  }
  // The links table as schema 4 to 6 had it, with one link.
  ExecSql(SqliteDatabasePath(temp.path()),
          "DROP TABLE device_links; CREATE TABLE device_links (old_device_id TEXT PRIMARY KEY, new_device_id TEXT "
          "NOT NULL UNIQUE, linked_at INTEGER NOT NULL, linked_by TEXT NOT NULL, CHECK (old_device_id <> "
          "new_device_id)); INSERT INTO device_links VALUES ('tablet-a', 'tablet-b', 5, 'sato'); "
          "PRAGMA user_version = 6;");
  auto storage = Must(OpenSqliteStorage(temp.path()));
  const auto links = Must(storage->ListDeviceLinks());
  REQUIRE(links.size() == 1);
  CHECK(links[0].old_device_id == "tablet-a");
  CHECK(links[0].new_device_id == "tablet-b");
  CHECK(links[0].linked_at == 5);
  CHECK(links[0].linked_by == "sato");
  CHECK(links[0].unlinked_at == 0);
  CHECK(PushOne(*storage, "tablet-b", Body(2, 1)) == protocol::PushStatus::kAccepted);
  CHECK(Exported(*storage) == std::vector<std::string>{Uuid(2)});
}

TEST_CASE("ownership: a database of schema 3 migrates; its corrections of other devices' submissions stop hiding them",
          "[ownership]") {
  TempDir temp;
  const std::string path = SqliteDatabasePath(temp.path());
  {
    auto storage = OpenWithDevices(temp.path(), {"tablet-a", "tablet-b"});
    Push(*storage, "tablet-a", {Body(1), Body(3)});
    REQUIRE(PushOne(*storage, "tablet-a", Body(4, 3)) == protocol::PushStatus::kAccepted);
  }
  // As an older collector left it: no links table nor quarantine sizes (versions 4 and 5), and
  // tablet-b's correction of tablet-a's submission stored (the sending device was recorded then
  // as now).
  ExecSql(path, "DROP TABLE device_links; DROP INDEX quarantine_held_by_device; DROP INDEX quarantine_held_by_form; "
                "ALTER TABLE quarantine DROP COLUMN size_bytes; ALTER TABLE quarantine DROP COLUMN kept_bytes; "
                "ALTER TABLE enrolment_codes DROP COLUMN for_device; "
                "PRAGMA user_version = 3;"
                "INSERT INTO submissions (uuid, form_id, form_version, device_id, replaces, sha256, received_at, body) "
                "VALUES ('" + Uuid(2) + "', 'mini', '1', 'tablet-b', '" + Uuid(1) + "', '" +
                protocol::Sha256Hex(Body(2, 1)) + "', " + std::to_string(kNow) + ", '" + Body(2, 1) + "')");
  auto storage = Must(OpenSqliteStorage(temp.path()));
  CHECK(Must(storage->ListDeviceLinks()).empty());
  CHECK(Must(storage->AppliedCorrections(kFormId)) == std::vector<AppliedCorrection>{{Uuid(4), Uuid(3)}});
  CHECK(Exported(*storage) == std::vector<std::string>{Uuid(1), Uuid(4), Uuid(2)});
  CHECK(UuidsOf(Must(storage->UnappliedCorrections())) == std::vector<std::string>{Uuid(2)});
}

// --- through a real chosa-collector over HTTPS ------------------------------------------------

// A device enrolled over HTTPS under `device_id`: its token, and the engine to fill submissions.
struct HttpDevice {
  std::string device_id;
  std::string token;
};

std::unique_ptr<httplib::SSLClient> Client(const e2e::CollectorProcess& collector) {
  auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", collector.port());
  client->set_ca_cert_path(collector.ca_file().c_str());
  client->enable_server_certificate_verification(true);
  return client;
}

HttpDevice EnrolOverHttps(e2e::CollectorProcess& collector, const std::string& device_id) {
  const std::string code = collector.EnrolCode({kFormId});
  auto res = Client(collector)->Post(std::string(protocol::kEnrollPath),
                                     protocol::ToJson(protocol::EnrollRequest{code, "tablet", device_id}),
                                     "application/json");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  return {device_id, Must(protocol::ParseEnrollResponse(res->body)).token};
}

// A submission finalized by the engine on `device_id`'s behalf, correcting `replaces` if given.
std::string Filled(const std::string& device_id, const std::string& answer, const std::string& replaces = "") {
  static const std::shared_ptr<const Form> form = Form::Load(kForm).form;
  REQUIRE(form != nullptr);
  auto session = Must(Session::Start(form, Env::Default(), {"", device_id, "staff-1"}));
  REQUIRE(session->SetAnswer("q", answer).ok());
  return Must(session->Finalize(replaces)).canonical_json;
}

std::string UuidOf(const std::string& body) { return Must(protocol::ReadEnvelope(body)).uuid; }

std::vector<protocol::PushResult> PushOverHttps(e2e::CollectorProcess& collector, const HttpDevice& device,
                                                const std::vector<std::string>& bodies) {
  const std::vector<std::string_view> lines(bodies.begin(), bodies.end());
  auto res = Client(collector)->Post(std::string(protocol::kSubmissionsPath),
                                     {{"Authorization", "Bearer " + device.token}}, protocol::JoinBatch(lines),
                                     "application/x-ndjson");
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 200);
  auto results = Must(protocol::ParsePushResponse(res->body)).results;
  REQUIRE(results.size() == bodies.size());
  return results;
}

// The (uuid, device_id) of each line `chosa-collector export mini` writes, in order.
std::vector<std::pair<std::string, std::string>> ExportedOverCli(e2e::CollectorProcess& collector) {
  e2e::ToolRun run = collector.Tool({"export", kFormId});
  REQUIRE(run.exit_status == 0);
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream lines(run.out);
  std::string line;
  while (std::getline(lines, line)) {
    const nlohmann::json parsed = nlohmann::json::parse(line);
    out.emplace_back(parsed["submission"]["uuid"], parsed["device_id"]);
  }
  return out;
}

// What the lines of the CLI's export say of their corrections: (uuid, the UUID it corrects or
// "null"), for the lines that have "corrects".
std::vector<std::pair<std::string, std::string>> CorrectsOverCli(e2e::CollectorProcess& collector) {
  e2e::ToolRun run = collector.Tool({"export", kFormId});
  REQUIRE(run.exit_status == 0);
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json parsed = nlohmann::json::parse(line);
    if (!parsed.contains("corrects")) continue;
    out.emplace_back(parsed["submission"]["uuid"], parsed["corrects"].is_null() ? "null" : parsed["corrects"]);
  }
  return out;
}

// The UUIDs in an analysis dataset made by `chosa pull`, in the order it added them.
std::vector<std::string> DatasetUuids(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT \"_uuid\" FROM submissions ORDER BY _seq", -1, &statement, nullptr) ==
          SQLITE_OK);
  std::vector<std::string> out;
  while (sqlite3_step(statement) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return out;
}

// An admin command: its exit status and what it wrote on standard error (tool.log gets it).
struct AdminRun {
  int exit_status;
  std::string out, err;
};
AdminRun Admin(e2e::CollectorProcess& collector, const std::vector<std::string>& args) {
  const std::string log = collector.dir() + "/tool.log";
  const size_t before = e2e::ReadFile(log).size();
  e2e::ToolRun run = collector.Tool(args);
  return {run.exit_status, run.out, e2e::ReadFile(log).substr(before)};
}

void PublishMini(e2e::CollectorProcess& collector) {
  const std::string file = collector.dir() + "/mini.json";
  std::FILE* out = std::fopen(file.c_str(), "wb");
  REQUIRE(out != nullptr);
  std::fputs(kForm, out);
  std::fclose(out);
  REQUIRE(collector.Tool({"publish", file}).exit_status == 0);
}

using Listed = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("ownership over HTTPS: no device hides another's submission; its own corrections apply, even before the "
          "original",
          "[ownership][e2e]") {
  e2e::CollectorProcess collector;
  PublishMini(collector);
  collector.Start();
  const HttpDevice a = EnrolOverHttps(collector, "tablet-a");
  const HttpDevice b = EnrolOverHttps(collector, "tablet-b");

  const std::string o1 = Filled("tablet-a", "one"), o2 = Filled("tablet-a", "two");
  REQUIRE(PushOverHttps(collector, a, {o1, o2})[1].status == protocol::PushStatus::kAccepted);
  // tablet-b, even declaring tablet-a's identity, cannot correct tablet-a's submission.
  const auto refused = PushOverHttps(collector, b, {Filled("tablet-a", "hidden", UuidOf(o1))});
  CHECK(refused[0].status == protocol::PushStatus::kRejected);
  CHECK(refused[0].reason.rfind("replaces_not_yours: submission " + UuidOf(o1) + " was sent by another device", 0) == 0);
  CHECK(ExportedOverCli(collector) == Listed{{UuidOf(o1), "tablet-a"}, {UuidOf(o2), "tablet-a"}});
  // tablet-a corrects its own.
  const std::string c2 = Filled("tablet-a", "two, corrected", UuidOf(o2));
  CHECK(PushOverHttps(collector, a, {c2})[0].status == protocol::PushStatus::kAccepted);
  CHECK(ExportedOverCli(collector) == Listed{{UuidOf(o1), "tablet-a"}, {UuidOf(c2), "tablet-a"}});
  // Corrections ahead of their originals (out-of-order syncs): tablet-a's own applies once the
  // original arrives; tablet-b's hides nothing when the original turns out to be tablet-a's.
  const std::string o3 = Filled("tablet-a", "three"), c3 = Filled("tablet-a", "three, corrected", UuidOf(o3));
  const std::string o4 = Filled("tablet-a", "four"), c4 = Filled("tablet-b", "four?", UuidOf(o4));
  CHECK(PushOverHttps(collector, a, {c3})[0].status == protocol::PushStatus::kAccepted);
  CHECK(PushOverHttps(collector, b, {c4})[0].status == protocol::PushStatus::kAccepted);
  // The bureau's analysis dataset, pulled now and after the originals arrive: it must agree with
  // the collector's export, so tablet-b's correction, which reached it first, hides nothing.
  const std::string token = e2e::AnalystToken(collector);
  TempDir analyst;
  const std::string datasets = analyst.path() + "/datasets";
  REQUIRE(e2e::Pull(collector, token, kFormId, datasets).exit_status == 0);
  for (const auto& result : PushOverHttps(collector, a, {o3, o4})) CHECK(result.status == protocol::PushStatus::kAccepted);
  CHECK(ExportedOverCli(collector) == Listed{{UuidOf(o1), "tablet-a"},
                                             {UuidOf(c2), "tablet-a"},
                                             {UuidOf(c3), "tablet-a"},
                                             {UuidOf(c4), "tablet-b"},
                                             {UuidOf(o4), "tablet-a"}});
  CHECK(CorrectsOverCli(collector) == Listed{{UuidOf(c2), UuidOf(o2)}, {UuidOf(c3), UuidOf(o3)}, {UuidOf(c4), "null"}});
  INFO(e2e::ReadFile(datasets + ".log"));
  REQUIRE(e2e::Pull(collector, token, kFormId, datasets).exit_status == 0);
  CHECK(DatasetUuids(datasets + "/" + kFormId + ".sqlite") ==
        std::vector<std::string>{UuidOf(o1), UuidOf(c2), UuidOf(c3), UuidOf(c4), UuidOf(o4)});
  CHECK(PushOverHttps(collector, b, {c4})[0].status == protocol::PushStatus::kDuplicate);
  // `check` names the correction that corrects nothing.
  const AdminRun check = Admin(collector, {"check"});
  CHECK(check.exit_status == 1);
  CHECK_THAT(check.out, Catch::Contains(UuidOf(c4)) && Catch::Contains("tablet-b") && Catch::Contains(UuidOf(o4)) &&
                            Catch::Contains("1 stored correction is not applied"));
  REQUIRE(collector.Stop(SIGTERM) == 0);
}

TEST_CASE("ownership over HTTPS: devices link lets a re-enrolled tablet correct its former enrolment; refusals are "
          "clear; links survive a restart",
          "[ownership][e2e]") {
  e2e::CollectorProcess collector;
  PublishMini(collector);
  collector.Start();
  const HttpDevice old_enrolment = EnrolOverHttps(collector, "tablet-a");
  const HttpDevice anew = EnrolOverHttps(collector, "tablet-a2");  // the same tablet, its store made again
  const std::string o1 = Filled("tablet-a", "one");
  REQUIRE(PushOverHttps(collector, old_enrolment, {o1})[0].status == protocol::PushStatus::kAccepted);
  CHECK(PushOverHttps(collector, anew, {Filled("tablet-a2", "one, corrected", UuidOf(o1))})[0].status ==
        protocol::PushStatus::kRejected);

  // Refusals: exit status 1 with what is wrong, 2 for a usage error; nothing is linked.
  AdminRun run = Admin(collector, {"devices", "link", "tablet-a", "tablet-a2"});
  CHECK(run.exit_status == 1);
  CHECK_THAT(run.err, Catch::Contains("chosa-collector devices: device tablet-a is still active: revoke it first"));
  run = Admin(collector, {"devices", "link", "tablet-q", "tablet-a2"});
  CHECK(run.exit_status == 1);
  CHECK_THAT(run.err, Catch::Contains("no device tablet-q: `chosa-collector devices` lists the enrolled devices' ids"));
  run = Admin(collector, {"devices", "link", "tablet-a2", "tablet-a2"});
  CHECK(run.exit_status == 1);
  CHECK_THAT(run.err, Catch::Contains("cannot be linked to itself"));
  CHECK(Admin(collector, {"devices", "link", "tablet-a"}).exit_status == 2);
  CHECK(Admin(collector, {"devices", "relink", "tablet-a", "tablet-a2"}).exit_status == 2);
  run = Admin(collector, {"devices", "unlink", "tablet-a", "tablet-a2"});
  CHECK(run.exit_status == 1);
  CHECK_THAT(run.err, Catch::Contains("device tablet-a is not linked to tablet-a2"));
  CHECK(Admin(collector, {"devices"}).out.find("Linked enrolments") == std::string::npos);

  REQUIRE(Admin(collector, {"revoke", "tablet-a"}).exit_status == 0);
  run = Admin(collector, {"devices", "link", "tablet-a", "tablet-a2"});
  CHECK(run.exit_status == 0);
  CHECK(run.out == "Linked tablet-a to tablet-a2: tablet-a2 may now correct the submissions tablet-a sent.\n");
  run = Admin(collector, {"devices", "link", "tablet-a", "tablet-a2"});
  CHECK(run.exit_status == 1);
  CHECK_THAT(run.err, Catch::Contains("device tablet-a is linked to tablet-a2 already"));

  // Restarted, the collector lets tablet-a2 correct tablet-a's submission.
  REQUIRE(collector.Stop(SIGTERM) == 0);
  collector.Restart();
  const std::string c1 = Filled("tablet-a2", "one, corrected again", UuidOf(o1));
  CHECK(PushOverHttps(collector, anew, {c1})[0].status == protocol::PushStatus::kAccepted);
  CHECK(ExportedOverCli(collector) == Listed{{UuidOf(c1), "tablet-a2"}});
  // `devices` lists the link with when and by whom.
  const AdminRun listed = Admin(collector, {"devices"});
  REQUIRE(listed.exit_status == 0);
  CHECK_THAT(listed.out, Catch::Contains("Linked enrolments (NEW may correct what FORMER sent):\nFORMER  "));
  auto storage = Must(OpenSqliteStorage(collector.data_dir()));
  const auto links = Must(storage->ListDeviceLinks());
  REQUIRE(links.size() == 1);
  CHECK_FALSE(links[0].linked_by.empty());
  CHECK(links[0].linked_at > 0);
  CHECK_THAT(listed.out, Catch::Contains("tablet-a ") && Catch::Contains(" tablet-a2 ") &&
                             Catch::Contains(links[0].linked_by));

  // Undone (say the link was a mistake): tablet-a2's correction stops applying, o1 is listed
  // again, `check` names the correction, `devices` shows the link undone.
  run = Admin(collector, {"devices", "unlink", "tablet-a", "tablet-a2"});
  CHECK(run.exit_status == 0);
  CHECK_THAT(run.out, Catch::StartsWith("Unlinked tablet-a from tablet-a2: tablet-a2 no longer corrects"));
  CHECK(ExportedOverCli(collector) == Listed{{UuidOf(o1), "tablet-a"}, {UuidOf(c1), "tablet-a2"}});
  const AdminRun checked = Admin(collector, {"check"});
  CHECK(checked.exit_status == 1);
  CHECK_THAT(checked.out, Catch::Contains(UuidOf(c1)) && Catch::Contains("1 stored correction is not applied"));
  CHECK_THAT(Admin(collector, {"devices"}).out, Catch::Contains("UNDONE") && Catch::Contains(" by "));

  // The revoked identity tablet-a is not taken by whoever holds an ordinary code (it would
  // correct tablet-a's submissions); a code the bureau made for it enrols it again.
  auto enrol = [&](const std::string& code) {
    return Client(collector)->Post(std::string(protocol::kEnrollPath),
                                   protocol::ToJson(protocol::EnrollRequest{code, "tablet", "tablet-a"}),
                                   "application/json");
  };
  auto refused = enrol(collector.EnrolCode({kFormId}));
  REQUIRE(refused);
  CHECK(refused->status == 403);
  CHECK_THAT(refused->body, Catch::Contains("device tablet-a was revoked; it enrols again only with a code made for it"));
  e2e::ToolRun made = collector.Tool({"enrol-code", "--forms", kFormId, "--device", "tablet-a"});
  REQUIRE(made.exit_status == 0);
  auto enrolled = enrol(made.out.substr(0, made.out.find('\n')));
  REQUIRE(enrolled);
  CHECK(enrolled->status == 200);
  REQUIRE(collector.Stop(SIGTERM) == 0);
}

}  // namespace
}  // namespace chosa::collector
