// The collector's administration (sync/collector/src/admin.cpp) over the SQLite storage: publishing
// with the engine, enrolment codes, analyst tokens and the restore of a backup.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chosa/collector_storage.h"
#include "chosa/form.h"
#include "chosa/store.h"
#include "chosa/collector/admin.h"
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
const std::string kSource = CHOSA_SOURCE_DIR;
const std::string kExamples = kSource + "/schemas/examples";

std::unique_ptr<CollectorStorage> MustOpen(const std::string& dir) {
  auto storage = OpenSqliteStorage(dir);
  INFO(storage.status().ToString());
  REQUIRE(storage.ok());
  return std::move(storage).value();
}

std::string Faults(const std::vector<Status>& faults) {
  std::string out;
  for (const Status& fault : faults) out += fault.ToString() + "\n";
  return out;
}

PublishOutcome MustPublish(CollectorStorage& storage, const std::string& path_or_json,
                           const std::vector<std::string>& search_paths = {}) {
  PublishOutcome outcome = PublishForm(storage, path_or_json, search_paths, kNow);
  INFO(outcome.status.ToString() + "\n" + Faults(outcome.faults));
  REQUIRE(outcome.ok());
  return outcome;
}

// A small form: `questions` is the items array's inside.
std::string MiniForm(const std::string& version, const std::string& questions) {
  return R"({"format": 1, "id": "mini", "version": ")" + version +
         R"(", "title": "Mini", "languages": ["ja"], "items": [)" + questions + "]}";
}

TEST_CASE("publishing resolves every $ref, so that the stored form loads alone with the same questions") {
  TempDir temp;
  auto storage = MustOpen(temp.path());
  for (const char* name : {"coordinator_checklist", "medical_facility_survey", "older_residents_survey",
                           "ward_activity_survey", "workshop_attendee_survey"}) {
    INFO(name);
    const std::string file = kExamples + "/" + name + ".json";
    PublishOutcome outcome = MustPublish(*storage, file);
    CHECK_FALSE(outcome.already_published);
    const FormVersion& version = outcome.version;
    CHECK(version.form_id == name);
    CHECK(version.sha256 == Sha256Hex(version.json));
    CHECK(version.json.find("$ref") == std::string::npos);

    FormLoadResult alone = Form::Load(version.json);  // no search path: nothing left to look up
    INFO(Faults(alone.faults));
    REQUIRE(alone.ok());
    FormLoadResult original = Form::LoadFile(file);
    REQUIRE(original.ok());
    REQUIRE(alone.form->items().size() == original.form->items().size());
    REQUIRE(alone.form->choice_lists().size() == original.form->choice_lists().size());
    for (size_t i = 0; i < original.form->choice_lists().size(); ++i) {
      CHECK(alone.form->choice_lists()[i].choices.size() == original.form->choice_lists()[i].choices.size());
    }

    Result<FormVersion> stored = storage->GetFormVersion(version.form_id, version.version);
    REQUIRE(stored.ok());
    CHECK(stored->json == version.json);
  }
  const FormVersion checklist = *storage->GetFormVersion("coordinator_checklist", "2024.1");
  nlohmann::json resolved = nlohmann::json::parse(checklist.json);
  REQUIRE(resolved["choice_lists"]["wards"].is_array());
  CHECK(resolved["choice_lists"]["wards"].size() == 24);
  CHECK(resolved["choice_lists"]["wards"][0]["value"] == "271276");
  CHECK(resolved["choice_lists"]["wards"][0]["attributes"]["block"] == "north");
  CHECK(Must(storage->ListForms()).size() == 5);
}

TEST_CASE("a device installs the served bytes of a published form with the same SHA-256") {
  TempDir temp;
  auto storage = MustOpen(temp / "collector");
  const FormVersion version = MustPublish(*storage, kExamples + "/workshop_attendee_survey.json").version;
  auto device = DeviceStore::Open(temp / "device.sqlite");
  REQUIRE(device.ok());
  Result<InstalledForm> installed = (*device)->InstallForm(version.json);
  INFO(installed.status().ToString());
  REQUIRE(installed.ok());
  CHECK(installed->sha256 == version.sha256);  // the ETag the device holds matches the collector's
}

TEST_CASE("a code list's labels are narrowed to the form's languages; JSON text finds $refs in search paths") {
  TempDir temp;
  auto storage = MustOpen(temp.path());
  const std::string form = MiniForm("1", R"({"type": "select_one", "name": "ward", "label": "区", "list": "wards"})");
  std::string with_ref = form;
  with_ref.insert(with_ref.find(R"("items")"), R"("choice_lists": {"wards": {"$ref": "codelists/wards.json"}}, )");

  PublishOutcome missing = PublishForm(*storage, with_ref, {}, kNow);
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(Faults(missing.faults),
             Catch::Contains("/choice_lists/wards/$ref: code list not found: codelists/wards.json"));

  PublishOutcome outcome = MustPublish(*storage, with_ref, {temp / "nowhere", kSource + "/schemas"});
  nlohmann::json resolved = nlohmann::json::parse(outcome.version.json);
  CHECK(resolved["choice_lists"]["wards"][0]["label"] == nlohmann::json{{"ja", "北区"}});
  FormLoadResult alone = Form::Load(outcome.version.json);
  INFO(Faults(alone.faults));
  CHECK(alone.ok());
}

TEST_CASE("a published version never changes; the same bytes again are accepted") {
  TempDir temp;
  auto storage = MustOpen(temp.path());
  const std::string v1 = MiniForm("1", R"({"type": "integer", "name": "age", "label": "年齢"})");
  const FormVersion first = MustPublish(*storage, v1).version;

  PublishOutcome again = MustPublish(*storage, v1);
  CHECK(again.already_published);
  CHECK(again.version.sha256 == first.sha256);

  const std::string v1_changed = MiniForm("1", R"({"type": "integer", "name": "age", "label": "満年齢"})");
  PublishOutcome changed = PublishForm(*storage, v1_changed, {}, kNow);
  REQUIRE_FALSE(changed.ok());
  CHECK(changed.status.code() == StatusCode::kAlreadyExists);
  CHECK_THAT(changed.status.message(), Catch::Contains("form mini version 1 is already published with other content") &&
                                           Catch::Contains("publish the change as a new version"));
  CHECK(storage->GetFormVersion("mini", "1")->json == first.json);
}

TEST_CASE("a new version may not give a question of an earlier version another type") {
  TempDir temp;
  auto storage = MustOpen(temp.path());
  MustPublish(*storage, MiniForm("1", R"({"type": "integer", "name": "age", "label": "年齢"},
                                         {"type": "text", "name": "note_text", "label": "メモ"},
                                         {"type": "date", "name": "visit", "label": "訪問日"})"));
  MustPublish(*storage, MiniForm("2", R"({"type": "integer", "name": "age", "label": "年齢"},
                                         {"type": "text", "name": "note_text", "label": "メモ"},
                                         {"type": "date", "name": "visit", "label": "訪問日"},
                                         {"type": "decimal", "name": "weight", "label": "体重"})"));

  PublishOutcome refused = PublishForm(*storage, MiniForm("3", R"({"type": "text", "name": "age", "label": "年齢"},
      {"type": "text", "name": "note_text", "label": "メモ"},
      {"type": "date", "name": "visit", "label": "訪問日"},
      {"type": "integer", "name": "weight", "label": "体重"})"),
                                       {}, kNow);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(refused.status.message(), Catch::Contains("changes the type of 2 questions"));
  REQUIRE(refused.faults.size() == 2);
  CHECK(refused.faults[0].message().rfind(
            "question \"age\" is an integer in version 2 but a text in version 3: a question keeps its type", 0) == 0);
  CHECK_THAT(refused.faults[1].message(), Catch::Contains("question \"weight\" is a decimal in version 2 but an "
                                                          "integer in version 3"));
  CHECK(Must(storage->FormVersions("mini")).size() == 2);

  // Dropping a question, adding one, or reusing a name that carried no data is fine.
  MustPublish(*storage, MiniForm("3", R"({"type": "integer", "name": "age", "label": "年齢"},
                                         {"type": "text", "name": "new_question", "label": "新"})"));
  CHECK(Must(storage->FormVersions("mini")).size() == 3);
}

TEST_CASE("a form with faults is refused with every fault as the engine reports it, and nothing is stored") {
  TempDir temp;
  auto storage = MustOpen(temp.path());
  PublishOutcome broken = PublishForm(*storage, kSource + "/tests/forms/broken/many_faults.json", {}, kNow);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.status.code() == StatusCode::kInvalidArgument);
  REQUIRE(broken.faults.size() > 1);
  CHECK_THAT(Faults(broken.faults), Catch::Contains("/items/0/constraint_mesage: unknown property"));
  CHECK_THAT(broken.status.message(), Catch::Contains("nothing was published"));
  CHECK(Must(storage->ListForms()).empty());

  PublishOutcome unreadable = PublishForm(*storage, temp / "missing.json", {}, kNow);
  REQUIRE_FALSE(unreadable.ok());
  CHECK_THAT(Faults(unreadable.faults), Catch::Contains("cannot read"));
}

TEST_CASE("an enrolment code is made for known, unarchived forms and enrols one device for them") {
  TempDir temp;
  auto storage = MustOpen(temp.path());
  MustPublish(*storage, kExamples + "/coordinator_checklist.json");
  MustPublish(*storage, MiniForm("1", R"({"type": "integer", "name": "age", "label": "年齢"})"));

  Result<EnrolmentCode> unknown = CreateEnrolmentCode(*storage, {"coordinator_checklist", "nope"}, 1000, kNow);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().code() == StatusCode::kNotFound);
  CHECK_THAT(unknown.status().message(), Catch::Contains("unknown form nope (published: coordinator_checklist, mini)"));
  CHECK(CreateEnrolmentCode(*storage, {}, 1000, kNow).status().code() == StatusCode::kInvalidArgument);
  CHECK(CreateEnrolmentCode(*storage, {"mini"}, 0, kNow).status().code() == StatusCode::kInvalidArgument);
  REQUIRE(storage->SetFormState("mini", FormState::kArchived).ok());
  CHECK(CreateEnrolmentCode(*storage, {"mini"}, 1000, kNow).status().code() == StatusCode::kInvalidArgument);
  REQUIRE(storage->SetFormState("mini", FormState::kClosed).ok());

  Result<EnrolmentCode> code =
      CreateEnrolmentCode(*storage, {"coordinator_checklist", "mini", "coordinator_checklist"}, 7 * 86400000LL, kNow);
  REQUIRE(code.ok());
  CHECK(code->forms == std::vector<std::string>{"coordinator_checklist", "mini"});
  CHECK(code->expires_at == kNow + 7 * 86400000LL);
  CHECK(code->code.size() == 19);

  const std::string token = *NewToken();
  Result<Device> device = storage->Enroll(code->code, "dev-1", "tablet", token, kNow + 1000);
  REQUIRE(device.ok());
  CHECK(device->forms == code->forms);
  CHECK(storage->Enroll(code->code, "dev-2", "", *NewToken(), kNow + 2000).status().code() ==
        StatusCode::kPermissionDenied);
  Result<Principal> principal = storage->Authenticate(token);
  REQUIRE(principal.ok());
  CHECK(principal->forms == code->forms);

  Result<EnrolmentCode> short_lived = CreateEnrolmentCode(*storage, {"mini"}, 1000, kNow);
  REQUIRE(short_lived.ok());
  CHECK(storage->Enroll(short_lived->code, "dev-3", "", *NewToken(), kNow + 1000).status().code() ==
        StatusCode::kPermissionDenied);

  // A code for one identity names one that has enrolled (a typo is caught here, not at the tablet).
  Result<EnrolmentCode> for_nobody = CreateEnrolmentCode(*storage, {"mini"}, 1000, kNow, "dev-9");
  REQUIRE_FALSE(for_nobody.ok());
  CHECK(for_nobody.status().code() == StatusCode::kNotFound);
  CHECK_THAT(for_nobody.status().message(), Catch::Contains("no device dev-9 has enrolled"));
  REQUIRE(storage->RevokeDevice("dev-1").ok());
  Result<EnrolmentCode> for_dev1 = CreateEnrolmentCode(*storage, {"mini"}, 1000, kNow, "dev-1");
  REQUIRE(for_dev1.ok());
  CHECK(for_dev1->for_device == "dev-1");
  CHECK(storage->Enroll(for_dev1->code, "dev-1", "tablet", *NewToken(), kNow + 10).ok());
}

TEST_CASE("an analyst token is shown once and authenticates as an analyst") {
  TempDir temp;
  auto storage = MustOpen(temp.path());
  Result<std::string> token = CreateAnalystToken(*storage, "kenko.analyst@city");
  REQUIRE(token.ok());
  Result<Principal> analyst = storage->Authenticate(*token);
  REQUIRE(analyst.ok());
  CHECK(analyst->role == Role::kAnalyst);
  CHECK(analyst->id == "kenko.analyst@city");
  CHECK(CreateAnalystToken(*storage, "kenko.analyst@city").status().code() == StatusCode::kAlreadyExists);
  CHECK(CreateAnalystToken(*storage, "").status().code() == StatusCode::kInvalidArgument);
  CHECK(CreateAnalystToken(*storage, "two words").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("a backup is restored with the collector stopped; the database it replaces is kept") {
  TempDir temp;
  const std::string data = temp / "data";
  const std::string backup = temp / "backup.sqlite";
  {
    auto storage = MustOpen(data);
    MustPublish(*storage, kExamples + "/coordinator_checklist.json");
    REQUIRE(storage->Backup(backup).ok());
    MustPublish(*storage, MiniForm("1", R"({"type": "integer", "name": "age", "label": "年齢"})"));

    Result<std::string> running = RestoreSqliteBackup(backup, data, kNow);
    REQUIRE_FALSE(running.ok());
    CHECK(running.status().code() == StatusCode::kUnavailable);
    CHECK(Must(storage->ListForms()).size() == 2);  // untouched
  }
  CHECK_FALSE(RestoreSqliteBackup(temp / "no-backup.sqlite", data, kNow).ok());
  {
    // A live database (with its WAL beside it) is not a backup: the WAL would be left behind.
    std::ofstream(backup + "-wal").put('x');
    Result<std::string> live = RestoreSqliteBackup(backup, data, kNow);
    REQUIRE_FALSE(live.ok());
    CHECK_THAT(live.status().message(), Catch::Contains("has a -wal file beside it"));
    fs::remove(backup + "-wal");
  }

  Result<std::string> aside = RestoreSqliteBackup(backup, data, kNow);
  INFO(aside.status().ToString());
  REQUIRE(aside.ok());
  CHECK(*aside == SqliteDatabasePath(data) + ".replaced-20241103-013030");
  CHECK_FALSE(fs::exists(SqliteDatabasePath(data) + "-wal"));
  {
    auto restored = MustOpen(data);
    std::vector<FormSummary> forms = Must(restored->ListForms());
    REQUIRE(forms.size() == 1);
    CHECK(forms[0].form_id == "coordinator_checklist");
  }
  {
    // The replaced database is whole: nothing is lost by restoring the wrong file.
    const std::string kept = temp / "kept";
    fs::create_directories(kept);
    fs::copy_file(*aside, SqliteDatabasePath(kept));
    CHECK(Must(MustOpen(kept)->ListForms()).size() == 2);
  }

  // Onto a new machine: the data directory is created.
  REQUIRE(RestoreSqliteBackup(backup, temp / "fresh", kNow).ok());
  CHECK(Must(MustOpen(temp / "fresh")->ListForms()).size() == 1);
  CHECK(std::string(kRestoreInstructions).find("chosa-collector restore BACKUP --data DIR") != std::string::npos);
}

}  // namespace
}  // namespace chosa::collector
