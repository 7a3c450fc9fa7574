// The wire format's strict readers and the batch framing (sync/protocol/include/chosa/protocol.h).
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "chosa/env.h"
#include "chosa/form.h"
#include "chosa/protocol.h"
#include "chosa/session.h"
#include "chosa/submission_check.h"
#include "chosa/uuid.h"

namespace chosa::protocol {
namespace {

const char* kSubmission =
    R"({"uuid":"0b0e6c1e-6f7a-4c1d-9e2f-3a4b5c6d7e8f","form_id":"coordinator_checklist","form_version":"1",)"
    R"("device_id":"tablet-1","language":"ja","started_at":"2024-11-03T10:30:30.000+09:00",)"
    R"("ended_at":"2024-11-03T10:40:30.000+09:00","answers":{"c01":"1"}})";

TEST_CASE("an enrolment request is read strictly, faults named by JSON Pointer") {
  auto ok = ParseEnrollRequest(R"({"code":"ABCD-1234","device_name":"tablet 3"})");
  REQUIRE(ok.ok());
  CHECK(ok->code == "ABCD-1234");
  CHECK(ok->device_name == "tablet 3");
  CHECK(ParseEnrollRequest(ToJson(*ok))->code == "ABCD-1234");

  auto unknown = ParseEnrollRequest(R"({"code":"A","devise_name":"x"})");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().pointer() == "/devise_name");
  CHECK(unknown.status().message() == "unknown field \"devise_name\"");

  auto wrong_type = ParseEnrollRequest(R"({"code":12})");
  REQUIRE_FALSE(wrong_type.ok());
  CHECK(wrong_type.status().pointer() == "/code");
  CHECK(wrong_type.status().message() == "\"code\" must be a string");

  auto missing = ParseEnrollRequest(R"({})");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() == "missing field \"code\"");

  CHECK_FALSE(ParseEnrollRequest(R"({"code":"A","code":"B"})").ok());  // duplicate keys
  CHECK_FALSE(ParseEnrollRequest("[").ok());
}

TEST_CASE("push responses round-trip and refuse an unknown status") {
  PushResponse response;
  response.results.push_back({"u1", PushStatus::kAccepted, ""});
  response.results.push_back({"u2", PushStatus::kDuplicate, ""});
  response.results.push_back({"u3", PushStatus::kRejected, "unknown form version coordinator_checklist 9"});
  const std::string json = ToJson(response);
  CHECK(json ==
        R"({"results":[{"uuid":"u1","status":"accepted"},{"uuid":"u2","status":"duplicate"},)"
        R"({"uuid":"u3","status":"rejected","reason":"unknown form version coordinator_checklist 9"}]})");
  auto back = ParsePushResponse(json);
  REQUIRE(back.ok());
  REQUIRE(back->results.size() == 3);
  CHECK(back->results[2].status == PushStatus::kRejected);
  CHECK(back->results[2].reason == "unknown form version coordinator_checklist 9");

  auto bad = ParsePushResponse(R"({"results":[{"uuid":"u1","status":"acepted"}]})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().pointer() == "/results/0/status");
}

TEST_CASE("forms listings round-trip; a form version's path escapes the version") {
  FormsResponse forms;
  forms.forms.push_back({"ward_activity", "2024.1", std::string(64, 'a')});
  auto back = ParseFormsResponse(ToJson(forms));
  REQUIRE(back.ok());
  REQUIRE(back->forms.size() == 1);
  CHECK(back->forms[0].version == "2024.1");
  CHECK(FormVersionPath("ward_activity", "2024 h1/2") == "/api/v1/forms/ward_activity/versions/2024%20h1%2F2");
}

TEST_CASE("a submission's envelope is read and hashed; a bad envelope is refused where it is wrong") {
  auto envelope = ReadEnvelope(kSubmission);
  REQUIRE(envelope.ok());
  CHECK(envelope->uuid == "0b0e6c1e-6f7a-4c1d-9e2f-3a4b5c6d7e8f");
  CHECK(envelope->form_id == "coordinator_checklist");
  CHECK(envelope->form_version == "1");
  CHECK(envelope->device_id == "tablet-1");
  CHECK(envelope->replaces.empty());
  CHECK(envelope->sha256 == Sha256Hex(kSubmission));
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  std::string upper = kSubmission;
  upper.replace(upper.find("0b0e6c1e"), 8, "0B0E6C1E");
  auto bad_uuid = ReadEnvelope(upper);
  REQUIRE_FALSE(bad_uuid.ok());
  CHECK(bad_uuid.status().pointer() == "/uuid");

  auto no_answers = ReadEnvelope(R"({"uuid":"0b0e6c1e-6f7a-4c1d-9e2f-3a4b5c6d7e8f","form_id":"f","form_version":"1","device_id":"d"})");
  REQUIRE_FALSE(no_answers.ok());
  CHECK(no_answers.status().pointer() == "/answers");

  Limits small;
  small.max_submission_bytes = 100;
  auto too_big = ReadEnvelope(kSubmission, small);
  REQUIRE_FALSE(too_big.ok());
  CHECK(too_big.status().message().find("the limit is 100") != std::string::npos);
}

TEST_CASE("a batch is one submission per line, each line its exact bytes") {
  const std::string body = JoinBatch({kSubmission, kSubmission});
  auto lines = SplitBatch(body);
  REQUIRE(lines.ok());
  REQUIRE(lines->size() == 2);
  CHECK((*lines)[1] == kSubmission);

  CHECK_FALSE(SplitBatch("").ok());
  CHECK_FALSE(SplitBatch(std::string(kSubmission)).ok());         // no final newline
  CHECK_FALSE(SplitBatch(std::string(kSubmission) + "\n\n").ok()); // an empty line
  Limits two;
  two.max_batch_items = 2;
  CHECK(SplitBatch(JoinBatch({"a", "b"}), two).ok());
  auto three = SplitBatch(JoinBatch({"a", "b", "c"}), two);
  REQUIRE_FALSE(three.ok());
  CHECK(three.status().message() == "a batch holds at most 2 submissions");
}

// A fixed clock for the sessions below.
class StillEnv : public Env {
 public:
  int64_t NowMillis() override { return 1730597430000; }
  int UtcOffsetMinutes(int64_t) override { return 540; }
  void RandomBytes(uint8_t* out, size_t size) override {
    for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(i * 37 + 11);
  }
  void Log(LogLevel, std::string_view) override {}
};

TEST_CASE("the form reader and the protocol agree on what a form id is") {
  // A form that loads is one whose submissions the collector takes: up to 128 bytes (the
  // protocol took 64 before, so a form with a longer id had every submission rejected).
  for (const size_t length : {size_t{1}, size_t{64}, size_t{65}, size_t{128}, size_t{129}}) {
    const std::string id = "f" + std::string(length - 1, 'x');
    INFO("id of " << length << " bytes");
    FormLoadResult loaded = Form::Load(R"({"format": 1, "id": ")" + id + R"(", "version": "1", "title": "T",)"
                                       R"( "languages": ["ja"], "items": [{"type": "integer", "name": "age", "label": "A"}]})");
    std::string body = kSubmission;
    body.replace(body.find("coordinator_checklist"), std::string("coordinator_checklist").size(), id);
    if (length <= 128) {
      REQUIRE(loaded.ok());
      StillEnv env;
      auto session = Session::Start(loaded.form, &env, SessionOptions{"ja", "tablet-1", ""});
      REQUIRE(session.ok());
      REQUIRE((*session)->SetAnswer("age", "41").ok());
      auto finalized = (*session)->Finalize();
      REQUIRE(finalized.ok());
      CHECK(ReadEnvelope(finalized->canonical_json).ok());
      CHECK(ReadEnvelope(body).ok());
    } else {
      REQUIRE_FALSE(loaded.ok());
      CHECK(loaded.faults.at(0).pointer() == "/id");
      CHECK(loaded.faults.at(0).message() ==
            "a form id is a lower-case letter, then lower-case letters, digits and '_'; at most 128 bytes");
      CHECK(ReadEnvelope(body).status().pointer() == "/form_id");
    }
  }
}

TEST_CASE("Session::Finalize, CheckSubmission and the protocol agree on what a submission's UUID is") {
  FormLoadResult loaded = Form::Load(
      R"({"format": 1, "id": "mini", "version": "1", "title": "Mini", "languages": ["ja"],)"
      R"( "items": [{"type": "integer", "name": "age", "label": "Age"}]})");
  REQUIRE(loaded.ok());
  const std::shared_ptr<const Form> form = loaded.form;
  StillEnv env;
  auto session = Session::Start(form, &env, SessionOptions{"ja", "tablet-1", ""});
  REQUIRE(session.ok());
  REQUIRE((*session)->SetAnswer("age", "41").ok());
  auto finalized = (*session)->Finalize();
  REQUIRE(finalized.ok());
  const std::string original = finalized->canonical_json;
  const std::string made_uuid = finalized->uuid;
  REQUIRE(CheckSubmission(form, original).ok());
  REQUIRE(ReadEnvelope(original).ok());
  // The submission with its uuid replaced, or with `replaces` (which follows ended_at) added.
  auto with_uuid = [&](const std::string& uuid) {
    std::string out = original;
    out.replace(out.find(made_uuid), made_uuid.size(), uuid);
    return out;
  };
  auto with_replaces = [&](const std::string& uuid) {
    const size_t ended = original.find("\"ended_at\":\"");
    REQUIRE(ended != std::string::npos);
    const size_t end = original.find('"', ended + 12) + 1;
    return original.substr(0, end) + ",\"replaces\":\"" + uuid + "\"" + original.substr(end);
  };

  struct Case {
    const char* uuid;
    bool valid;
  };
  const Case cases[] = {
      {"8c5bda81-a8af-402f-a8aa-2efbf9d12748", true},
      {"00000000-0000-4000-8000-000000000000", true},
      {"ffffffff-ffff-4fff-bfff-ffffffffffff", true},
      {"8c5bda81-a8af-402f-9aaa-2efbf9d12748", true},   // variant 9
      {"8C5BDA81-A8AF-402F-A8AA-2EFBF9D12748", false},  // upper case
      {"8c5bda81-a8af-402f-a8aa-2efbf9d1274A", false},  // one upper-case digit
      {"8c5bda81-a8af-102f-a8aa-2efbf9d12748", false},  // version 1
      {"8c5bda81-a8af-502f-a8aa-2efbf9d12748", false},  // version 5
      {"8c5bda81-a8af-402f-c8aa-2efbf9d12748", false},  // variant c (Microsoft's)
      {"8c5bda81-a8af-402f-78aa-2efbf9d12748", false},  // variant 7 (NCS)
      {"8c5bda81a8af-402f-a8aa-2efbf9d12748-", false},  // a dash misplaced
      {"8c5bda81-a8af-402f-a8aa-2efbf9d1274", false},   // too short
      {"8c5bda81-a8af-402f-a8aa-2efbf9d127480", false},  // too long
      {"{8c5bda81-a8af-402f-a8aa-2efbf9d12748}", false},
      {"8c5bda81-a8af-402f-a8aa-2efbf9d1274g", false},
      {"not-a-uuid", false},
  };
  for (const Case& c : cases) {
    INFO(c.uuid);
    CHECK(IsUuidV4(c.uuid) == c.valid);
    // As the new submission's uuid: CheckSubmission and the protocol's envelope reader.
    Status checked = CheckSubmission(form, with_uuid(c.uuid));
    CHECK(checked.ok() == c.valid);
    if (!c.valid) CHECK(checked.pointer() == "/uuid");
    auto envelope = ReadEnvelope(with_uuid(c.uuid));
    CHECK(envelope.ok() == c.valid);
    if (!c.valid) CHECK(envelope.status().pointer() == "/uuid");
    // As the uuid it replaces: the same two, and Session::Finalize.
    checked = CheckSubmission(form, with_replaces(c.uuid));
    CHECK(checked.ok() == c.valid);
    if (!c.valid) CHECK(checked.pointer() == "/replaces");
    envelope = ReadEnvelope(with_replaces(c.uuid));
    CHECK(envelope.ok() == c.valid);
    if (c.valid) CHECK(envelope->replaces == c.uuid);
    if (!c.valid) CHECK(envelope.status().pointer() == "/replaces");
    auto again = Session::Start(form, &env, SessionOptions{"ja", "tablet-1", ""});
    REQUIRE(again.ok());
    REQUIRE((*again)->SetAnswer("age", "41").ok());
    auto corrected = (*again)->Finalize(c.uuid);
    CHECK(corrected.ok() == c.valid);
    if (!c.valid) CHECK(corrected.status().message() == "「" + std::string(c.uuid) + "」は UUID ではありません。");
  }
}

}  // namespace
}  // namespace chosa::protocol

TEST_CASE("an export line is written and read in one format, the submission's bytes kept exactly") {
  const std::string submission = R"({"uuid":"x","answers":{"note":"改行\n と \"引用\""}})";
  const std::string line = chosa::protocol::ExportLineJson("2024-11-03T01:30:30.000+00:00", "tablet-1", submission);
  CHECK(line == "{\"received_at\":\"2024-11-03T01:30:30.000+00:00\",\"device_id\":\"tablet-1\",\"submission\":" +
                    submission + "}\n");
  auto read = chosa::protocol::ParseExportLine(std::string_view(line).substr(0, line.size() - 1));
  REQUIRE(read.ok());
  CHECK(read->received_at == "2024-11-03T01:30:30.000+00:00");
  CHECK(read->device_id == "tablet-1");
  CHECK(read->submission == submission);
  CHECK_FALSE(read->corrects.has_value());
  // A correction's line says what it corrects: a UUID, or null when it applies to nothing.
  for (const std::string corrects : {"4f1c0d6e-0000-4000-8000-000000000001", ""}) {
    const std::string with = chosa::protocol::ExportLineJson("2024-11-03T01:30:30.000+00:00", "tablet-1", submission,
                                                             std::string_view(corrects));
    CHECK(with == "{\"received_at\":\"2024-11-03T01:30:30.000+00:00\",\"device_id\":\"tablet-1\",\"corrects\":" +
                      (corrects.empty() ? std::string("null") : "\"" + corrects + "\"") + ",\"submission\":" +
                      submission + "}\n");
    auto back = chosa::protocol::ParseExportLine(std::string_view(with).substr(0, with.size() - 1));
    REQUIRE(back.ok());
    REQUIRE(back->corrects.has_value());
    CHECK(*back->corrects == corrects);
    CHECK(back->submission == submission);
  }
  // Not the writer's format: refused, whatever else it holds.
  for (const char* bad : {"", "not json", "[]", R"({"received_at":"t","device_id":"d"})",
                          R"({"device_id":"d","received_at":"t","submission":{}})",
                          R"({"received_at":"t","device_id":"d","submission":"text"})",
                          R"({"received_at": "t","device_id":"d","submission":{}})",
                          R"({"received_at":"t","device_id":"d","corrects":5,"submission":{}})",
                          R"({"received_at":"t","device_id":"d","corrects":"","submission":{}})",
                          R"({"received_at":"t","device_id":"d","submission":{},"corrects":null})"}) {
    INFO(bad);
    CHECK_FALSE(chosa::protocol::ParseExportLine(bad).ok());
  }
}
