// The wire format's strict readers and the batch framing (sync/include/chosa/protocol.h).
#include <catch2/catch.hpp>

#include "chosa/protocol.h"

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

}  // namespace
}  // namespace chosa::protocol
