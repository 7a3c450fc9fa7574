// The action messages (chosa_actions_handle, schemas/action.schema.json) as a renderer in a web
// view sends them: every op, the view model in each reply, refusals with their error, and
// requests that are not what the schema says.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "chosa/chosa.h"
#include "c_api_support.h"
#include "temp_dir.h"

using nlohmann::json;

using chosa::testing::FindItem;
using chosa::testing::kVisitRecord;

namespace {

struct Channel {
  chosa::testing::TempDir dir{"chosa-actions"};
  chosa_store* store = nullptr;
  chosa_actions* actions = nullptr;
  Channel() {
    chosa_error error = CHOSA_ERROR_INIT;
    REQUIRE(chosa_store_open((dir.path() + "/store.sqlite").c_str(), nullptr, &store, &error) == CHOSA_OK);
    REQUIRE(chosa_store_install_form_file(store, kVisitRecord.c_str(), nullptr, &error) == CHOSA_OK);
    REQUIRE(chosa_actions_open(store, "staff-3", &actions, &error) == CHOSA_OK);
    chosa_error_clear(&error);
  }
  ~Channel() {
    chosa_actions_close(actions);
    chosa_store_close(store);
  }
  json Send(const std::string& request) {
    char* reply = nullptr;
    size_t size = 0;
    REQUIRE(chosa_actions_handle(actions, request.data(), request.size(), &reply, &size) == CHOSA_OK);
    std::string text(reply, size);
    chosa_free(reply);
    json parsed = json::parse(text);
    REQUIRE(parsed["v"] == 1);
    return parsed;
  }
  json Ok(const json& request) {
    json reply = Send(request.dump());
    INFO(request.dump() << " -> " << reply.dump());
    REQUIRE(reply["ok"] == true);
    REQUIRE_FALSE(reply.contains("error"));
    return reply;
  }
  json Refused(const json& request, const std::string& code) {
    json reply = Send(request.dump());
    INFO(request.dump() << " -> " << reply.dump());
    REQUIRE(reply["ok"] == false);
    REQUIRE(reply["error"]["code"] == code);
    REQUIRE_FALSE(reply["error"]["message"].get<std::string>().empty());
    return reply;
  }
};

json Op(const std::string& op, json fields = json::object()) {
  fields["v"] = 1;
  fields["op"] = op;
  return fields;
}


std::string ValueIn(const json& reply, const std::string& path) {
  const json* item = FindItem(reply["view"]["items"], path);
  INFO(reply.dump(2));
  REQUIRE(item != nullptr);
  return item->value("value", "");
}

}  // namespace

TEST_CASE("a renderer fills a survey through action messages alone") {
  Channel c;
  json forms = c.Ok(Op("forms", {{"language", "en"}}));
  REQUIRE(forms["forms"][0]["form_id"] == "visit_record");
  REQUIRE(forms["forms"][0]["title"] == "Visit record (sample)");
  REQUIRE_FALSE(forms.contains("view"));  // no draft open yet

  json started = c.Ok(Op("start", {{"form_id", "visit_record"}, {"language", "en"}, {"id", 7}}));
  REQUIRE(started["id"] == 7);  // echoed, for the renderer to match replies to requests
  REQUIRE(started["view"]["form_id"] == "visit_record");
  const int64_t draft_id = started["draft"]["id"];

  // An answer refused by the engine: the reply carries the message and the unchanged view.
  c.Ok(Op("answer", {{"path", "age"}, {"text", "82"}}));
  json refused = c.Refused(Op("answer", {{"path", "age"}, {"text", "eighty"}}), "invalid_argument");
  REQUIRE(refused["error"]["path"] == "age");
  REQUIRE(ValueIn(refused, "age") == "82");
  // A constraint that fails is not a refusal: the answer is kept and the view shows the error.
  json young = c.Ok(Op("answer", {{"path", "age"}, {"value", 40}}));
  REQUIRE(ValueIn(young, "age") == "40");
  REQUIRE(FindItem(young["view"]["items"], "age")->at("errors")[0]["kind"] == "constraint");
  c.Ok(Op("answer", {{"path", "age"}, {"value", 82}}));
  c.Refused(Op("answer", {{"path", "age"}, {"value", "82"}}), "invalid_argument");

  json added = c.Ok(Op("add_instance", {{"repeat", "visits"}}));
  REQUIRE(added["position"] == 2);
  c.Ok(Op("remove_instance", {{"repeat", "visits"}, {"position", 2}}));

  json blocked = c.Refused(Op("next"), "invalid_argument");
  REQUIRE(blocked["error"]["path"] == "adl_eat");
  REQUIRE(blocked["view"]["navigation"]["page"] == 0);
  c.Ok(Op("answer", {{"path", "adl_eat"}, {"text", "3"}}));
  c.Ok(Op("answer", {{"path", "adl_bath"}, {"text", "2"}}));
  c.Ok(Op("answer", {{"path", "visits[1]/visit_date"}, {"text", "2024-11-02"}}));
  c.Ok(Op("answer", {{"path", "visits[1]/services"}, {"value", {"rehab", "other"}}}));
  json next = c.Ok(Op("next"));
  REQUIRE(next["view"]["navigation"]["page"] == 1);
  json back = c.Ok(Op("back"));
  REQUIRE(back["view"]["navigation"]["page"] == 0);
  c.Ok(Op("go_to", {{"page", 1}}));
  json ja = c.Ok(Op("language", {{"language", "ja"}}));
  REQUIRE(ja["view"]["language"] == "ja");

  json review = c.Ok(Op("review"));
  REQUIRE(review["review"]["pages"].size() == 2);
  REQUIRE(review["review"]["can_finalize"] == false);
  REQUIRE_FALSE(review.contains("view"));

  json not_yet = c.Refused(Op("finalize"), "invalid_argument");
  REQUIRE(not_yet["error"]["path"] == "confirmed");
  c.Ok(Op("answer", {{"path", "confirmed"}, {"text", "OK"}}));
  json finalized = c.Ok(Op("finalize"));
  REQUIRE(finalized["submission"]["uuid"].get<std::string>().size() == 36);
  REQUIRE(finalized["submission"]["instance_name"] == "visit 82");
  REQUIRE_FALSE(finalized.contains("view"));  // the draft is in the outbox now
  c.Refused(Op("next"), "misuse");

  json outbox = c.Ok(Op("drafts", {{"state", "finalized"}}));
  REQUIRE(outbox["drafts"].size() == 1);
  REQUIRE(outbox["drafts"][0]["id"] == draft_id);
}

TEST_CASE("drafts are listed, resumed, closed and deleted by message") {
  Channel c;
  json started = c.Ok(Op("start", {{"form_id", "visit_record"}}));
  const int64_t id = started["draft"]["id"];
  c.Ok(Op("answer", {{"path", "age"}, {"text", "77"}}));
  json closed = c.Ok(Op("close"));
  REQUIRE_FALSE(closed.contains("view"));
  json drafts = c.Ok(Op("drafts"));
  REQUIRE(drafts["drafts"].size() == 1);
  REQUIRE(drafts["drafts"][0]["instance_name"] == "visit 77");
  json resumed = c.Ok(Op("resume", {{"draft_id", id}}));
  REQUIRE(ValueIn(resumed, "age") == "77");
  c.Ok(Op("view"));
  c.Ok(Op("delete", {{"draft_id", id}}));
  c.Refused(Op("view"), "misuse");  // the open draft was the one deleted
  REQUIRE(c.Ok(Op("drafts"))["drafts"].empty());
  c.Refused(Op("resume", {{"draft_id", id}}), "not_found");
}

TEST_CASE("a page reloaded resumes its channel's draft; another channel cannot open it at the same time") {
  Channel c;
  const int64_t id = c.Ok(Op("start", {{"form_id", "visit_record"}}))["draft"]["id"];
  c.Ok(Op("answer", {{"path", "age"}, {"text", "77"}}));
  // The same page reloaded sends "resume" for the draft its channel holds open.
  REQUIRE(ValueIn(c.Ok(Op("resume", {{"draft_id", id}})), "age") == "77");
  // A second channel on the store (another web view) is refused while the first holds it:
  // each would save its own answers and finalize without the other's.
  chosa_actions* other = nullptr;
  chosa_error error = CHOSA_ERROR_INIT;
  REQUIRE(chosa_actions_open(c.store, "staff-4", &other, &error) == CHOSA_OK);
  const std::string resume = Op("resume", {{"draft_id", id}}).dump();
  auto send_other = [&]() {
    char* reply = nullptr;
    size_t size = 0;
    REQUIRE(chosa_actions_handle(other, resume.data(), resume.size(), &reply, &size) == CHOSA_OK);
    json parsed = json::parse(std::string(reply, size));
    chosa_free(reply);
    return parsed;
  };
  json refused = send_other();
  CHECK(refused["ok"] == false);
  CHECK(refused["error"]["code"] == "invalid_argument");
  CHECK_THAT(refused["error"]["message"].get<std::string>(), Catch::Contains("is open already"));
  c.Ok(Op("close"));
  json taken = send_other();
  CHECK(taken["ok"] == true);
  CHECK(ValueIn(taken, "age") == "77");
  chosa_actions_close(other);
}

TEST_CASE("requests that are not what the schema says are refused with a pointer") {
  Channel c;
  json reply = c.Send("not json");
  REQUIRE(reply["ok"] == false);
  REQUIRE(reply["error"]["code"] == "invalid_argument");
  REQUIRE(c.Send("[1,2]")["ok"] == false);
  REQUIRE(c.Refused({{"op", "forms"}}, "unsupported")["error"]["pointer"] == "/v");
  REQUIRE(c.Refused({{"v", 2}, {"op", "forms"}}, "unsupported")["error"]["pointer"] == "/v");
  json unknown = c.Refused(Op("jump"), "invalid_argument");
  REQUIRE(unknown["error"]["pointer"] == "/op");
  REQUIRE(unknown["error"]["message"].get<std::string>().find("answer") != std::string::npos);
  REQUIRE(c.Refused(Op("forms", {{"langauge", "en"}}), "invalid_argument")["error"]["pointer"] == "/langauge");
  REQUIRE(c.Refused(Op("resume", {{"draft_id", "3"}}), "invalid_argument")["error"]["pointer"] == "/draft_id");
  REQUIRE(c.Refused(Op("start"), "invalid_argument")["error"]["pointer"] == "/form_id");
  c.Refused(Op("answer", {{"path", "age"}, {"text", "1"}}), "misuse");  // no draft open
  c.Ok(Op("start", {{"form_id", "visit_record"}}));
  REQUIRE(c.Refused(Op("answer", {{"path", "age"}}), "invalid_argument")["error"]["pointer"] == "/text");
  REQUIRE(c.Refused(Op("answer", {{"path", "age"}, {"text", "1"}, {"value", 1}}), "invalid_argument")["error"]
              ["pointer"] == "/value");
  REQUIRE(c.Refused(Op("go_to", {{"page", -1}}), "invalid_argument")["error"]["pointer"] == "/page");
  REQUIRE(c.Refused(Op("remove_instance", {{"repeat", "visits"}, {"position", 0}}), "invalid_argument")["error"]
              ["pointer"] == "/position");
  c.Refused(Op("start", {{"form_id", "nothing_here"}}), "not_found");
  // Through all of this the open draft stayed open.
  c.Ok(Op("view"));
}

TEST_CASE("a channel whose store closed answers every message with an error") {
  chosa::testing::TempDir dir{"chosa-actions"};
  chosa_error error = CHOSA_ERROR_INIT;
  chosa_store* store = nullptr;
  chosa_actions* actions = nullptr;
  REQUIRE(chosa_store_open((dir.path() + "/store.sqlite").c_str(), nullptr, &store, &error) == CHOSA_OK);
  REQUIRE(chosa_store_install_form_file(store, kVisitRecord.c_str(), nullptr, &error) == CHOSA_OK);
  REQUIRE(chosa_actions_open(store, nullptr, &actions, &error) == CHOSA_OK);
  const std::string start = R"({"v":1,"op":"start","form_id":"visit_record"})";
  char* reply = nullptr;
  REQUIRE(chosa_actions_handle(actions, start.data(), start.size(), &reply, nullptr) == CHOSA_OK);
  chosa_free(reply);
  chosa_store_close(store);
  REQUIRE(chosa_actions_handle(actions, start.data(), start.size(), &reply, nullptr) == CHOSA_OK);
  json closed = json::parse(reply);
  chosa_free(reply);
  REQUIRE(closed["ok"] == false);
  REQUIRE(closed["error"]["code"] == "misuse");
  chosa_actions_close(actions);
  REQUIRE(chosa_actions_handle(actions, start.data(), start.size(), &reply, nullptr) == CHOSA_MISUSE);
  REQUIRE(chosa_actions_handle(nullptr, start.data(), start.size(), &reply, nullptr) == CHOSA_MISUSE);
  chosa_error_clear(&error);
}
