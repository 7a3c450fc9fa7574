// The collector's SQLite storage (sync/collector/src/sqlite_storage*.cpp) and its credentials
// (credentials.cpp), on real database files in a temporary directory.
#include "chosa/collector_storage.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "chosa/protocol.h"
#include "credentials.h"
#include "chosa/collector/sqlite_storage.h"
#include "chosa/base/hex_digest.h"
#include "must.h"
#include "temp_dir.h"

namespace chosa::collector {
namespace {

using chosa::testing::Must;
using chosa::testing::TempDir;

namespace fs = std::filesystem;

constexpr int64_t kNow = 1730597430000;  // 2024-11-03T01:30:30Z

std::unique_ptr<CollectorStorage> MustOpen(const std::string& dir) {
  auto storage = OpenSqliteStorage(dir);
  INFO(storage.status().ToString());
  REQUIRE(storage.ok());
  return std::move(storage).value();
}

// Runs SQL on a database file through a connection of the test's own.
void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  const int code = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  INFO((error != nullptr ? error : ""));
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE(code == SQLITE_OK);
}

int64_t QueryInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
  const int64_t value = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

std::string Uuid(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "%08x-0000-4000-8000-000000000000", n);
  return text;
}

std::string Submission(const std::string& uuid, const std::string& answer, const std::string& form = "survey") {
  return R"({"uuid":")" + uuid + R"(","form_id":")" + form +
         R"(","form_version":"1","device_id":"tablet-1","language":"ja","answers":{"q":")" + answer + R"("}})";
}

IngestItem Valid(const std::string& body) {
  Result<protocol::Envelope> envelope = protocol::ReadEnvelope(body);
  INFO(envelope.status().ToString());
  REQUIRE(envelope.ok());
  return IngestItem{*envelope, body, true, ""};
}

IngestItem Invalid(const std::string& body, const std::string& reason) {
  IngestItem item;
  Result<protocol::Envelope> envelope = protocol::ReadEnvelope(body);
  if (envelope.ok()) item.envelope = *envelope;
  item.readable = envelope.ok();  // as the ingest pipeline says
  item.body = body;
  item.reason = reason;
  return item;
}

FormVersion Version(const std::string& form_id, const std::string& version, const std::string& json) {
  return FormVersion{form_id, version, json, "", kNow};
}

// A device enrolled for `forms`, with its token.
struct Enrolled {
  Device device;
  std::string token;
};

Enrolled Enrol(CollectorStorage& storage, const std::vector<std::string>& forms, const std::string& name = "") {
  Result<std::string> code = NewEnrolmentCode();
  Result<std::string> token = NewToken();
  Result<std::string> device_id = NewDeviceId();
  REQUIRE((code.ok() && token.ok() && device_id.ok()));
  REQUIRE(storage.AddEnrolmentCode(*code, forms, kNow + 60000, "").ok());
  Result<Device> device = storage.Enroll(*code, *device_id, name, *token, kNow);
  INFO(device.status().ToString());
  REQUIRE(device.ok());
  return {*device, *token};
}

TEST_CASE("tokens, enrolment codes and device ids have their documented shapes") {
  Result<std::string> token = NewToken();
  REQUIRE(token.ok());
  CHECK(token->size() == 16 + 1 + 43);
  std::optional<TokenParts> parts = SplitToken(*token);
  REQUIRE(parts.has_value());
  CHECK(parts->id == token->substr(0, 16));
  CHECK(parts->secret == token->substr(17));
  CHECK(*NewToken() != *token);

  for (const char* malformed : {"", ".", "0123456789abcdef", "0123456789abcdef.", "0123456789ABCDEF.x",
                                "0123456789abcdef:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                "0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                                "0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
    INFO(malformed);
    CHECK_FALSE(SplitToken(malformed).has_value());
  }

  Result<std::string> code = NewEnrolmentCode();
  REQUIRE(code.ok());
  REQUIRE(code->size() == 19);
  for (size_t i = 0; i < code->size(); ++i) {
    INFO(*code);
    if (i % 5 == 4) {
      CHECK((*code)[i] == '-');
    } else {
      CHECK(std::string("0123456789ABCDEFGHJKMNPQRSTVWXYZ").find((*code)[i]) != std::string::npos);
    }
  }
  // A person may type it in lower case, without dashes, with O for 0 and I or L for 1.
  CHECK(NormalizeEnrolmentCode("7kq2 xm9d-4rtb-hOwL") == "7KQ2XM9D4RTBH0W1");
  CHECK(HashEnrolmentCode("7kq2 xm9d 4rtb h0w1") == HashEnrolmentCode("7KQ2-XM9D-4RTB-HOWI"));

  Result<std::string> device = NewDeviceId();
  REQUIRE(device.ok());
  CHECK(device->rfind("dev-", 0) == 0);
  CHECK(device->size() == 20);

  CHECK(ConstantTimeEquals("abc", "abc"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abd"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abcd"));
  CHECK(ConstantTimeEquals("", ""));
  CHECK(HashToken(*token) == Sha256Hex(*token));
}

TEST_CASE("a new data directory gets its database with the schema, in WAL mode, for its owner only") {
  TempDir temp;
  const std::string dir = temp / "data/nested";
  { MustOpen(dir); }
  const std::string path = SqliteDatabasePath(dir);
  REQUIRE(fs::exists(path));
  CHECK(QueryInt(path, "PRAGMA user_version") == SqliteSchemaVersion());
  CHECK(QueryInt(path, "PRAGMA application_id") == kSqliteApplicationId);
  CHECK(QueryInt(path,
                 "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('forms', 'form_versions', "
                 "'enrolment_codes', 'devices', 'analyst_tokens', 'submissions', 'quarantine')") == 7);
  struct stat info {};
  REQUIRE(stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  REQUIRE(stat(dir.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0700);
  CHECK_FALSE(fs::exists(path + ".creating-" + std::to_string(getpid())));

  auto storage = MustOpen(dir);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* mode = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &mode, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(mode) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(mode, 0))) == "wal");
  sqlite3_finalize(mode);
  sqlite3_close(db);
}

TEST_CASE("a database of a newer schema, of another program or no database at all is refused, unchanged") {
  TempDir temp;
  { MustOpen(temp.path()); }
  const std::string path = SqliteDatabasePath(temp.path());
  ExecSql(path, "PRAGMA user_version = 99");
  auto newer = OpenSqliteStorage(temp.path());
  REQUIRE_FALSE(newer.ok());
  CHECK(newer.status().code() == StatusCode::kUnsupported);
  CHECK_THAT(newer.status().message(), Catch::Contains("newer chosa-collector (schema 99"));
  CHECK(QueryInt(path, "PRAGMA user_version") == 99);
  CHECK(CheckSqliteDatabase(path).code() == StatusCode::kUnsupported);

  TempDir other;
  ExecSql(SqliteDatabasePath(other.path()), "CREATE TABLE t (x)");
  auto foreign = OpenSqliteStorage(other.path());
  REQUIRE_FALSE(foreign.ok());
  CHECK_THAT(foreign.status().message(), Catch::Contains("not a chosa collector's"));

  TempDir junk;
  {
    std::FILE* file = std::fopen(SqliteDatabasePath(junk.path()).c_str(), "wb");
    REQUIRE(file != nullptr);
    std::fputs("this is not a database, but it is long enough to have a header of one................", file);
    std::fclose(file);
  }
  auto broken = OpenSqliteStorage(junk.path());
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.status().code() == StatusCode::kCorruption);
}

TEST_CASE("a published form version is immutable; publishing the same bytes again is accepted") {
  TempDir temp;
  auto storage = MustOpen(temp.path());
  REQUIRE(storage->PublishForm(Version("survey", "1", R"({"v":1})")).ok());
  CHECK(storage->PublishForm(Version("survey", "1", R"({"v":1})")).ok());
  Status changed = storage->PublishForm(Version("survey", "1", R"({"v":2})"));
  CHECK(changed.code() == StatusCode::kAlreadyExists);
  CHECK_THAT(changed.message(), Catch::Contains("form survey version 1 is already published with other content"));
  REQUIRE(storage->PublishForm(Version("survey", "2", R"({"v":2})")).ok());
  REQUIRE(storage->PublishForm(Version("other", "2024.1", R"({"o":1})")).ok());

  FormVersion wrong_hash = Version("survey", "3", "{}");
  wrong_hash.sha256 = Sha256Hex("something else");
  CHECK(storage->PublishForm(wrong_hash).code() == StatusCode::kInvalidArgument);
  CHECK(storage->PublishForm(Version("", "1", "{}")).code() == StatusCode::kInvalidArgument);

  Result<FormVersion> one = storage->GetFormVersion("survey", "1");
  REQUIRE(one.ok());
  CHECK(one->json == R"({"v":1})");
  CHECK(one->sha256 == Sha256Hex(R"({"v":1})"));
  CHECK(one->published_at == kNow);
  CHECK(storage->GetFormVersion("survey", "9").status().code() == StatusCode::kNotFound);

  std::vector<FormVersion> versions = Must(storage->FormVersions("survey"));
  REQUIRE(versions.size() == 2);
  CHECK(versions[0].version == "1");
  CHECK(versions[1].version == "2");

  std::vector<FormSummary> forms = Must(storage->ListForms());
  REQUIRE(forms.size() == 2);
  CHECK(forms[0].form_id == "other");
  CHECK(forms[1].form_id == "survey");
  CHECK(forms[1].versions == std::vector<std::string>{"1", "2"});
  CHECK(forms[1].state == FormState::kOpen);

  REQUIRE(storage->SetFormState("survey", FormState::kClosed).ok());
  CHECK(*storage->GetFormState("survey") == FormState::kClosed);
  REQUIRE(storage->SetFormState("survey", FormState::kArchived).ok());
  CHECK(*storage->GetFormState("survey") == FormState::kArchived);
  CHECK(storage->SetFormState("nope", FormState::kClosed).code() == StatusCode::kNotFound);
  CHECK(storage->GetFormState("nope").status().code() == StatusCode::kNotFound);
  CHECK(std::string(FormStateName(FormState::kArchived)) == "archived");
}

TEST_CASE("an enrolment code enrols one device, once, before it expires") {
  TempDir temp;
  auto storage = MustOpen(temp.path());
  const std::string code = *NewEnrolmentCode();
  const std::string token = *NewToken();
  REQUIRE(storage->AddEnrolmentCode(code, {"survey", "other"}, kNow + 1000, "").ok());
  CHECK(QueryInt(SqliteDatabasePath(temp.path()),
                 "SELECT COUNT(*) FROM enrolment_codes WHERE code_hash = '" + HashEnrolmentCode(code) + "'") == 1);

  SECTION("used, as typed by a person, it creates the device with its forms; a second use is refused") {
    std::string typed = code;
    for (char& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    Result<Device> device = storage->Enroll(typed, "dev-1", "ward office tablet 3", token, kNow);
    REQUIRE(device.ok());
    CHECK(device->device_id == "dev-1");
    CHECK(device->forms == std::vector<std::string>{"survey", "other"});
    std::vector<Device> devices = Must(storage->ListDevices());
    REQUIRE(devices.size() == 1);
    CHECK(devices[0].name == "ward office tablet 3");
    CHECK(devices[0].enrolled_at == kNow);
    CHECK(devices[0].last_seen_at == 0);
    CHECK_FALSE(devices[0].revoked);

    Result<Device> again = storage->Enroll(code, "dev-2", "", *NewToken(), kNow + 1);
    REQUIRE_FALSE(again.ok());
    CHECK(again.status().code() == StatusCode::kPermissionDenied);
    CHECK_THAT(again.status().message(), Catch::Contains("used already"));
    CHECK(Must(storage->ListDevices()).size() == 1);
  }
  SECTION("expired, it is refused") {
    Result<Device> late = storage->Enroll(code, "dev-1", "", token, kNow + 1000);
    REQUIRE_FALSE(late.ok());
    CHECK(late.status().code() == StatusCode::kPermissionDenied);
    CHECK_THAT(late.status().message(), Catch::Contains("expired"));
    CHECK(Must(storage->ListDevices()).empty());
  }
  SECTION("an unknown code is refused, and so is a malformed token") {
    Result<Device> unknown = storage->Enroll("AAAA-BBBB-CCCC-DDDD", "dev-1", "", token, kNow);
    CHECK(unknown.status().code() == StatusCode::kPermissionDenied);
    CHECK(storage->Enroll(code, "dev-1", "", "not-a-token", kNow).status().code() == StatusCode::kInvalidArgument);
    CHECK(storage->Enroll(code, "dev-1", std::string(201, 'x'), token, kNow).status().code() ==
          StatusCode::kInvalidArgument);
    CHECK(Must(storage->ListDevices()).empty());
    CHECK(storage->Enroll(code, "dev-1", "", token, kNow).ok());  // the code was not used up
  }
}

TEST_CASE("the device list keeps every enrolment of an identity: how many, and the first") {
  TempDir dir;
  auto storage = MustOpen(dir.path());
  const Enrolled tablet = Enrol(*storage, {"f"}, "kita tablet");
  Device listed = Must(storage->ListDevices()).at(0);
  CHECK(listed.enrolments == 1);
  CHECK(listed.first_enrolled_at == kNow);
  CHECK(listed.enrolled_at == kNow);

  // Lost, revoked, found: enrolled again under its identity with a code made for it.
  REQUIRE(storage->RevokeDevice(tablet.device.device_id).ok());
  const std::string code = Must(NewEnrolmentCode());
  REQUIRE(storage->AddEnrolmentCode(code, {"f"}, kNow + 60000, tablet.device.device_id).ok());
  REQUIRE(storage->Enroll(code, tablet.device.device_id, "kita tablet", Must(NewToken()), kNow + 5000).ok());
  listed = Must(storage->ListDevices()).at(0);
  CHECK_FALSE(listed.revoked);
  CHECK(listed.enrolled_at == kNow + 5000);
  CHECK(listed.enrolments == 2);
  CHECK(listed.first_enrolled_at == kNow);
}

TEST_CASE("a token authenticates its device or analyst; a revoked, wrong or malformed one does not") {
  TempDir temp;
  auto storage = MustOpen(temp.path());
  Enrolled tablet = Enrol(*storage, {"survey"});
  const std::string analyst_token = *NewToken();
  REQUIRE(storage->AddAnalystToken("alice", analyst_token).ok());
  CHECK(storage->AddAnalystToken("alice", *NewToken()).code() == StatusCode::kAlreadyExists);
  CHECK(storage->AddAnalystToken("bob", "malformed").code() == StatusCode::kInvalidArgument);
  // Only hashes are stored.
  const std::string path = SqliteDatabasePath(temp.path());
  CHECK(QueryInt(path, "SELECT COUNT(*) FROM devices WHERE token_hash = '" + Sha256Hex(tablet.token) + "'") == 1);
  CHECK(QueryInt(path, "SELECT COUNT(*) FROM devices WHERE instr(token_hash, '" + tablet.token.substr(17) +
                           "') > 0 OR instr(token_id, '.') > 0") == 0);

  Result<Principal> device = storage->Authenticate(tablet.token);
  REQUIRE(device.ok());
  CHECK(device->role == Role::kDevice);
  CHECK(device->id == tablet.device.device_id);
  CHECK(device->forms == std::vector<std::string>{"survey"});

  Result<Principal> analyst = storage->Authenticate(analyst_token);
  REQUIRE(analyst.ok());
  CHECK(analyst->role == Role::kAnalyst);
  CHECK(analyst->id == "alice");

  std::string wrong_secret = tablet.token;
  wrong_secret.back() = wrong_secret.back() == 'A' ? 'B' : 'A';
  std::string unknown_id = tablet.token;
  unknown_id[0] = unknown_id[0] == '0' ? '1' : '0';
  for (const std::string& bad : {wrong_secret, unknown_id, std::string(), std::string("Bearer ") + tablet.token,
                                 tablet.token.substr(0, 30), tablet.token + "x"}) {
    INFO(bad);
    Result<Principal> refused = storage->Authenticate(bad);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == StatusCode::kUnauthenticated);
  }

  REQUIRE(storage->RevokeDevice(tablet.device.device_id).ok());
  REQUIRE(storage->RevokeDevice(tablet.device.device_id).ok());  // twice: still revoked
  Result<Principal> revoked = storage->Authenticate(tablet.token);
  REQUIRE_FALSE(revoked.ok());
  CHECK(revoked.status().code() == StatusCode::kUnauthenticated);
  CHECK_THAT(revoked.status().message(), Catch::Contains("revoked"));
  CHECK(Must(storage->ListDevices())[0].revoked);
  CHECK(storage->RevokeDevice("dev-none").code() == StatusCode::kNotFound);
  CHECK(storage->Authenticate(analyst_token).ok());
}

TEST_CASE("a batch answers each item in order: accepted, duplicate, or rejected into the quarantine") {
  TempDir temp;
  auto storage = MustOpen(temp.path());
  Enrolled tablet = Enrol(*storage, {"survey"});
  Principal device{Role::kDevice, tablet.device.device_id, {"survey"}};
  REQUIRE(storage->PublishForm(Version("survey", "1", R"({"v":1})")).ok());

  const std::string a = Submission(Uuid(1), "a"), b = Submission(Uuid(2), "b");
  const std::string a_changed = Submission(Uuid(1), "changed"), c = Submission(Uuid(3), "c");
  const std::string garbage = "{not json";
  std::vector<IngestItem> batch{Valid(a),         Valid(a),
                                Valid(b),         Invalid(c, "unknown form version survey 1"),
                                Valid(a_changed), Invalid(garbage, "/: not JSON")};
  auto results = storage->StoreBatch(device, batch, kNow);
  REQUIRE(results.ok());
  REQUIRE(results->size() == 6);
  using protocol::PushStatus;
  CHECK((*results)[0].uuid == Uuid(1));
  CHECK((*results)[0].status == PushStatus::kAccepted);
  CHECK((*results)[1].status == PushStatus::kDuplicate);  // the same UUID and bytes earlier in the batch
  CHECK((*results)[2].status == PushStatus::kAccepted);
  CHECK((*results)[3].status == PushStatus::kRejected);
  CHECK((*results)[3].reason == "unknown form version survey 1");
  CHECK((*results)[4].status == PushStatus::kRejected);
  CHECK((*results)[4].reason == "uuid already stored with different content");
  CHECK((*results)[5].status == PushStatus::kRejected);
  CHECK((*results)[5].uuid.empty());

  CHECK(storage->SubmissionCount("survey") == 2);
  CHECK(storage->SubmissionCount("") == 2);
  CHECK(*storage->SubmissionBody(Uuid(1)) == a);
  CHECK(*storage->SubmissionBody(Uuid(2)) == b);
  CHECK(storage->SubmissionBody(Uuid(3)).status().code() == StatusCode::kNotFound);
  // seq follows the order of storing: the export cursor.
  const std::string path = SqliteDatabasePath(temp.path());
  CHECK(QueryInt(path, "SELECT seq FROM submissions WHERE uuid = '" + Uuid(1) + "'") <
        QueryInt(path, "SELECT seq FROM submissions WHERE uuid = '" + Uuid(2) + "'"));
  CHECK(QueryInt(path, "SELECT COUNT(*) FROM submissions WHERE device_id = '" + device.id + "'") == 2);

  std::vector<QuarantinedItem> held = Must(storage->ListQuarantine(false));
  REQUIRE(held.size() == 3);
  CHECK(held[0].uuid == Uuid(3));
  CHECK(held[0].reason == "unknown form version survey 1");
  CHECK(held[0].body == c);
  CHECK(held[0].form_id == "survey");
  CHECK(held[0].device_id == device.id);
  CHECK(held[0].received_at == kNow);
  CHECK(held[1].body == a_changed);
  CHECK(held[1].reason == "uuid already stored with different content");
  CHECK(held[2].body == garbage);
  CHECK(held[2].uuid.empty());
  REQUIRE(Must(storage->ListForms()).size() == 1);
  CHECK(Must(storage->ListForms())[0].submissions == 2);
  CHECK(Must(storage->ListForms())[0].quarantined == 2);  // the unreadable line belongs to no form
  CHECK(Must(storage->ListDevices())[0].last_seen_at == kNow);

  SECTION("the client's retry of the same batch stores nothing twice") {
    auto retry = storage->StoreBatch(device, batch, kNow + 5000);
    REQUIRE(retry.ok());
    CHECK((*retry)[0].status == PushStatus::kDuplicate);
    CHECK((*retry)[2].status == PushStatus::kDuplicate);
    CHECK((*retry)[3].status == PushStatus::kRejected);
    CHECK((*retry)[4].reason == "uuid already stored with different content");
    CHECK(storage->SubmissionCount("survey") == 2);
    CHECK(Must(storage->ListQuarantine(true)).size() == 3);
    CHECK(Must(storage->ListDevices())[0].last_seen_at == kNow + 5000);
  }
  SECTION("an empty batch stores nothing") {
    auto empty = storage->StoreBatch(device, {}, kNow);
    REQUIRE(empty.ok());
    CHECK(empty->empty());
  }
}

TEST_CASE("a batch is stored all or nothing: a failure part-way leaves no trace and no open transaction") {
  TempDir temp;
  auto storage = MustOpen(temp.path());
  Enrolled tablet = Enrol(*storage, {"survey"});
  Principal device{Role::kDevice, tablet.device.device_id, {"survey"}};
  const std::string path = SqliteDatabasePath(temp.path());
  // The third item's insert fails inside the transaction, after two items went in.
  ExecSql(path, "CREATE TRIGGER fail_third BEFORE INSERT ON submissions WHEN NEW.uuid = '" + Uuid(3) +
                    "' BEGIN SELECT RAISE(ABORT, 'injected fault'); END;");

  const std::string a = Submission(Uuid(1), "a"), bad = Submission(Uuid(2), "b"), c = Submission(Uuid(3), "c");
  std::vector<IngestItem> batch{Valid(a), Invalid(bad, "fails re-validation"), Valid(c)};
  auto failed = storage->StoreBatch(device, batch, kNow);
  REQUIRE_FALSE(failed.ok());
  CHECK_THAT(failed.status().message(), Catch::Contains("injected fault"));
  CHECK(storage->SubmissionCount("") == 0);
  CHECK(Must(storage->ListQuarantine(true)).empty());
  CHECK(Must(storage->ListDevices())[0].last_seen_at == 0);

  ExecSql(path, "DROP TRIGGER fail_third");
  auto retried = storage->StoreBatch(device, batch, kNow);
  REQUIRE(retried.ok());
  CHECK((*retried)[0].status == protocol::PushStatus::kAccepted);
  CHECK((*retried)[2].status == protocol::PushStatus::kAccepted);
  CHECK(storage->SubmissionCount("") == 2);
  CHECK(Must(storage->ListQuarantine(false)).size() == 1);
}

TEST_CASE("a listing the database cannot give is an error, never an empty list") {
  TempDir temp;
  auto storage = MustOpen(temp.path());
  Enrol(*storage, {"survey"});
  REQUIRE(Must(storage->ListDevices()).size() == 1);
  const std::string path = SqliteDatabasePath(temp.path());
  // Tables gone from under the storage (another program, a damaged file): every listing says so.
  ExecSql(path,
          "ALTER TABLE devices RENAME TO devices_gone; ALTER TABLE quarantine RENAME TO quarantine_gone; "
          "ALTER TABLE form_versions RENAME TO form_versions_gone;");
  auto devices = storage->ListDevices();
  REQUIRE_FALSE(devices.ok());
  CHECK_THAT(devices.status().ToString(), Catch::Contains("listing the devices"));
  auto quarantine = storage->ListQuarantine(true);
  REQUIRE_FALSE(quarantine.ok());
  CHECK_THAT(quarantine.status().ToString(), Catch::Contains("reading the quarantine"));
  auto versions = storage->FormVersions("survey");
  REQUIRE_FALSE(versions.ok());
  CHECK_THAT(versions.status().ToString(), Catch::Contains("reading the versions of form survey"));
  auto forms = storage->ListForms();
  REQUIRE_FALSE(forms.ok());
  CHECK_THAT(forms.status().ToString(), Catch::Contains("listing the form"));
}

TEST_CASE("a quarantined submission can be released into the submissions, once") {
  TempDir temp;
  auto storage = MustOpen(temp.path());
  Enrolled tablet = Enrol(*storage, {"survey"});
  Principal device{Role::kDevice, tablet.device.device_id, {"survey"}};
  const std::string a = Submission(Uuid(1), "a"), a_changed = Submission(Uuid(1), "changed");
  const std::string late = Submission(Uuid(2), "late", "archived_form");
  auto results = storage->StoreBatch(
      device, {Valid(a), Valid(a_changed), Invalid(late, "form archived_form is archived"), Invalid("[]", "bad")},
      kNow);
  REQUIRE(results.ok());
  std::vector<QuarantinedItem> held = Must(storage->ListQuarantine(false));
  REQUIRE(held.size() == 3);
  Result<QuarantinedItem> shown = storage->GetQuarantined(held[1].id);
  REQUIRE(shown.ok());
  CHECK(shown->body == late);
  CHECK(storage->GetQuarantined(999).status().code() == StatusCode::kNotFound);

  REQUIRE(storage->ReleaseQuarantined(held[1].id, kNow + 10).ok());
  CHECK(*storage->SubmissionBody(Uuid(2)) == late);
  CHECK(storage->SubmissionCount("archived_form") == 1);
  CHECK(Must(storage->ListQuarantine(false)).size() == 2);
  std::vector<QuarantinedItem> all = Must(storage->ListQuarantine(true));
  REQUIRE(all.size() == 3);
  CHECK(all[1].released);
  CHECK(storage->ReleaseQuarantined(held[1].id, kNow + 20).code() == StatusCode::kAlreadyExists);

  // Its UUID is taken by the stored version: the bureau must choose by hand.
  Status taken = storage->ReleaseQuarantined(held[0].id, kNow);
  CHECK(taken.code() == StatusCode::kAlreadyExists);
  CHECK_THAT(taken.message(), Catch::Contains("with other content"));
  CHECK(*storage->SubmissionBody(Uuid(1)) == a);
  // Not a submission at all: it stays held.
  CHECK(storage->ReleaseQuarantined(held[2].id, kNow).code() == StatusCode::kInvalidArgument);
  CHECK(storage->ReleaseQuarantined(12345, kNow).code() == StatusCode::kNotFound);
  CHECK(Must(storage->ListQuarantine(false)).size() == 2);
}

// Bounded quarantine (issue 19): what is kept of a rejected line, and the quotas.
TEST_CASE("the quarantine keeps the head of a line that is no submission, a readable one whole, within its quotas") {
  TempDir temp;
  QuarantineLimits limits;
  limits.device_bytes = 16384;
  limits.form_bytes = 10000;
  auto opened = OpenSqliteStorage(temp.path(), limits);
  REQUIRE(opened.ok());
  CollectorStorage& storage = **opened;
  Enrolled tablet = Enrol(storage, {"survey"});
  Enrolled other = Enrol(storage, {"survey"});
  Principal device{Role::kDevice, tablet.device.device_id, {"survey"}};
  Principal second{Role::kDevice, other.device.device_id, {"survey"}};
  using protocol::PushStatus;

  const std::string garbage(10000, 'x'), garbage2(10000, 'y'), garbage3(10000, 'z'), small(100, 's');
  const std::string readable = Submission(Uuid(1), std::string(6000, 'a'));  // an unknown version, say
  auto results = storage.StoreBatch(device,
                                    {Invalid(garbage, "not a submission: /: not JSON"),
                                     Invalid(readable, "unknown form version survey 1"),
                                     Invalid(garbage2, "not a submission: /: not JSON")},
                                    kNow);
  REQUIRE(results.ok());
  for (const protocol::PushResult& result : *results) CHECK(result.status == PushStatus::kRejected);
  CHECK((*results)[0].reason == "not a submission: /: not JSON");
  std::vector<QuarantinedItem> held = Must(storage.ListQuarantine(false));
  REQUIRE(held.size() == 3);
  CHECK(held[0].body == garbage.substr(0, 4096));
  CHECK(held[0].size == 10000);
  CHECK(held[0].body_sha256 == Sha256Hex(garbage));
  CHECK(held[0].cut());
  CHECK(held[1].body == readable);  // the bureau may release it: whole
  CHECK(held[1].size == static_cast<int64_t>(readable.size()));
  CHECK(held[1].body_sha256 == Sha256Hex(readable));
  CHECK_FALSE(held[1].cut());

  // Two heads and the readable line (about 14300 bytes) are held for the device: one more head
  // passes its 16384.
  results = storage.StoreBatch(device,
                               {Invalid(garbage3, "not a submission: /: not JSON"),
                                Invalid(small, "not a submission: /: not JSON"),
                                Invalid(garbage, "not a submission: /: not JSON")},
                               kNow + 1);
  REQUIRE(results.ok());
  CHECK((*results)[0].status == PushStatus::kRejected);
  CHECK((*results)[0].reason == "quarantine_full: the collector's quarantine for this device or form is full, so this "
                                "line was not kept; it was rejected because not a submission: /: not JSON");
  CHECK((*results)[1].reason == "not a submission: /: not JSON");  // a small line still fits
  CHECK((*results)[2].reason == "not a submission: /: not JSON");  // kept already, by the first push
  CHECK(Must(storage.ListQuarantine(false)).size() == 4);

  // A cut line cannot be released; releasing the readable one frees its share of the quota.
  Status cut = storage.ReleaseQuarantined(held[0].id, kNow + 2);
  CHECK(cut.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(cut.message(), Catch::Contains("keeps only the first 4096 of its 10000 bytes"));
  REQUIRE(storage.ReleaseQuarantined(held[1].id, kNow + 2).ok());
  CHECK(*storage.SubmissionBody(Uuid(1)) == readable);
  results = storage.StoreBatch(device, {Invalid(garbage3, "not a submission: /: not JSON")}, kNow + 3);
  REQUIRE(results.ok());
  CHECK((*results)[0].reason == "not a submission: /: not JSON");

  // The form's quota counts every device's items of the form; a line of no form is not counted.
  const std::string first = Submission(Uuid(2), std::string(6000, 'b'));
  const std::string next = Submission(Uuid(3), std::string(6000, 'c'));
  results = storage.StoreBatch(second,
                               {Invalid(first, "unknown form version survey 1"),
                                Invalid(next, "unknown form version survey 1"), Invalid(garbage, "not JSON")},
                               kNow + 4);
  REQUIRE(results.ok());
  CHECK((*results)[0].reason == "unknown form version survey 1");
  CHECK_THAT((*results)[1].reason, Catch::StartsWith("quarantine_full: "));
  CHECK((*results)[2].reason == "not JSON");
  CHECK(Must(storage.ListQuarantine(false)).size() == 6);

  SECTION("no quota keeps nothing: every rejected line is refused as quarantine_full") {
    TempDir none;
    QuarantineLimits zero;
    zero.device_bytes = 0;
    auto closed = OpenSqliteStorage(none.path(), zero);
    REQUIRE(closed.ok());
    Enrolled lone = Enrol(**closed, {"survey"});
    auto refused = (*closed)->StoreBatch({Role::kDevice, lone.device.device_id, {"survey"}},
                                         {Invalid(small, "not JSON")}, kNow);
    REQUIRE(refused.ok());
    CHECK_THAT((*refused)[0].reason, Catch::StartsWith("quarantine_full: "));
    CHECK(Must((*closed)->ListQuarantine(true)).empty());
  }
}

TEST_CASE("items quarantined before the quarantine was bounded stay readable, whole, and count in its quotas") {
  TempDir temp;
  const std::string body(20000, 'q');  // kept whole by the older collector
  {
    auto storage = MustOpen(temp.path());
    Enrolled tablet = Enrol(*storage, {"survey"});
    IngestItem item = Invalid(Submission(Uuid(1), "a"), "unknown form version survey 1");
    item.body = body;
    item.readable = true;
    REQUIRE(storage->StoreBatch({Role::kDevice, tablet.device.device_id, {"survey"}}, {item}, kNow).ok());
  }
  // The database as schema 4 left it: no sizes, no quota indexes (nor codes for one device).
  const std::string path = SqliteDatabasePath(temp.path());
  ExecSql(path,
          "DROP INDEX quarantine_held_by_device; DROP INDEX quarantine_held_by_form; "
          "ALTER TABLE quarantine DROP COLUMN size_bytes; ALTER TABLE quarantine DROP COLUMN kept_bytes; "
          "ALTER TABLE enrolment_codes DROP COLUMN for_device; PRAGMA user_version = 4");
  QuarantineLimits limits;
  limits.device_bytes = 20000;
  auto reopened = OpenSqliteStorage(temp.path(), limits);
  INFO(reopened.status().ToString());
  REQUIRE(reopened.ok());
  CHECK(QueryInt(path, "PRAGMA user_version") == SqliteSchemaVersion());
  std::vector<QuarantinedItem> held = Must((*reopened)->ListQuarantine(false));
  REQUIRE(held.size() == 1);
  CHECK(held[0].body == body);
  CHECK(held[0].size == 20000);
  CHECK(held[0].body_sha256 == Sha256Hex(body));
  CHECK_FALSE(held[0].cut());
  const std::vector<Device> devices = Must((*reopened)->ListDevices());
  auto refused = (*reopened)->StoreBatch({Role::kDevice, devices.at(0).device_id, {"survey"}},
                                         {Invalid("x", "not JSON")}, kNow + 1);
  REQUIRE(refused.ok());
  CHECK_THAT((*refused)[0].reason, Catch::StartsWith("quarantine_full: "));  // 20000 held already
}

TEST_CASE("a backup is a new, checked file holding the same data, taken while the storage is in use") {
  TempDir temp;
  const std::string data = temp / "data";
  auto storage = MustOpen(data);
  REQUIRE(storage->PublishForm(Version("survey", "1", R"({"v":1})")).ok());
  Enrolled tablet = Enrol(*storage, {"survey"});
  Principal device{Role::kDevice, tablet.device.device_id, {"survey"}};
  const std::string a = Submission(Uuid(1), "a");
  REQUIRE(storage->StoreBatch(device, {Valid(a), Invalid("x", "bad")}, kNow).ok());

  const std::string backup = temp / "backup.sqlite";
  Status status = storage->Backup(backup);
  INFO(status.ToString());
  REQUIRE(status.ok());
  CHECK(CheckSqliteDatabase(backup).ok());
  struct stat info {};
  REQUIRE(stat(backup.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK_FALSE(fs::exists(backup + "-wal"));
  CHECK(storage->Backup(backup).code() == StatusCode::kAlreadyExists);
  CHECK_FALSE(storage->Backup(temp / "no-such-dir/backup.sqlite").ok());

  // Written after the backup: not in it.
  REQUIRE(storage->StoreBatch(device, {Valid(Submission(Uuid(2), "b"))}, kNow).ok());

  const std::string restored_dir = temp / "restored";
  fs::create_directories(restored_dir);
  fs::copy_file(backup, SqliteDatabasePath(restored_dir));
  auto restored = MustOpen(restored_dir);
  CHECK(restored->GetFormVersion("survey", "1")->json == R"({"v":1})");
  CHECK(*restored->SubmissionBody(Uuid(1)) == a);
  CHECK(restored->SubmissionCount("") == 1);
  CHECK(Must(restored->ListQuarantine(false)).size() == 1);
  CHECK(restored->Authenticate(tablet.token).ok());
}

TEST_CASE("an open database is seen as in use; a closed one is not") {
  TempDir temp;
  const std::string path = SqliteDatabasePath(temp.path());
  CHECK(CheckSqliteNotInUse(path).ok());  // no file yet
  {
    auto storage = MustOpen(temp.path());
    Status busy = CheckSqliteNotInUse(path);
    CHECK(busy.code() == StatusCode::kUnavailable);
    CHECK_THAT(busy.message(), Catch::Contains("in use"));
    CHECK(Must(storage->ListForms()).empty());  // the check took nothing away from the storage
  }
  CHECK(CheckSqliteNotInUse(path).ok());
}

TEST_CASE("several threads push, authenticate and read at once") {
  TempDir temp;
  auto storage = MustOpen(temp.path());
  Enrolled tablet = Enrol(*storage, {"survey"});
  Principal device{Role::kDevice, tablet.device.device_id, {"survey"}};
  constexpr int kThreads = 4, kBatches = 10, kItems = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<std::string> bodies;
        bodies.reserve(kItems);
        for (int i = 0; i < kItems; ++i) bodies.push_back(Submission(Uuid((t * kBatches + b) * kItems + i + 1), "x"));
        std::vector<IngestItem> items;
        for (const std::string& body : bodies) {
          Result<protocol::Envelope> envelope = protocol::ReadEnvelope(body);
          items.push_back(IngestItem{*envelope, body, true, ""});
        }
        auto results = storage->StoreBatch(device, items, kNow);
        if (!results.ok() || !storage->Authenticate(tablet.token).ok() || !storage->ListForms().ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(failures == 0);
  CHECK(storage->SubmissionCount("survey") == kThreads * kBatches * kItems);
}

}  // namespace
}  // namespace chosa::collector
