// A renderer's whole exchange with the engine through action messages: tests/forms/fill/
// visit_record.json filled from the form list to the outbox, with every op, the refusals a
// person meets on the way (a word for a number, a blocked next, a refused finalize), a second
// draft left, resumed and deleted; and the hand-written bad requests of
// action_bad_requests.jsonl, each refused. Linked with action_recorder.cpp, so that
// check_action_schema.py holds every request and reply against schemas/action.schema.json.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "chosa/chosa.h"
#include "temp_dir.h"

using nlohmann::json;

namespace {

const std::string kSource = CHOSA_SOURCE_DIR;

class Renderer {
 public:
  Renderer() {
    chosa_error error = CHOSA_ERROR_INIT;
    REQUIRE(chosa_store_open((dir_.path() + "/store.sqlite").c_str(), nullptr, &store_, &error) == CHOSA_OK);
    REQUIRE(chosa_store_install_form_file(store_, (kSource + "/tests/forms/fill/visit_record.json").c_str(), nullptr,
                                          &error) == CHOSA_OK);
    REQUIRE(chosa_actions_open(store_, "staff-3", &actions_, &error) == CHOSA_OK);
    chosa_error_clear(&error);
  }
  ~Renderer() {
    chosa_actions_close(actions_);
    chosa_store_close(store_);
  }

  json Send(const std::string& request) {
    char* reply = nullptr;
    size_t size = 0;
    REQUIRE(chosa_actions_handle(actions_, request.data(), request.size(), &reply, &size) == CHOSA_OK);
    json parsed = json::parse(std::string(reply, size));
    chosa_free(reply);
    return parsed;
  }
  json Ok(json request) {
    request["v"] = 1;
    json reply = Send(request.dump());
    INFO(request.dump() << " -> " << reply.dump());
    REQUIRE(reply["ok"] == true);
    return reply;
  }
  json Refused(json request, const std::string& code) {
    request["v"] = 1;
    json reply = Send(request.dump());
    INFO(request.dump() << " -> " << reply.dump());
    REQUIRE(reply["ok"] == false);
    REQUIRE(reply["error"]["code"] == code);
    return reply;
  }

 private:
  chosa::testing::TempDir dir_{"chosa-action-exchange"};
  chosa_store* store_ = nullptr;
  chosa_actions* actions_ = nullptr;
};

int PageOf(const json& reply) { return reply["view"]["navigation"]["page"]; }

}  // namespace

TEST_CASE("a survey is filled from the form list to the outbox through action messages") {
  Renderer r;
  REQUIRE(r.Ok({{"op", "forms"}, {"language", "ja"}})["forms"].size() == 1);
  REQUIRE(r.Ok({{"op", "forms"}, {"language", "fr"}})["forms"][0]["language"] == "ja");  // the default
  REQUIRE(r.Ok({{"op", "drafts"}})["drafts"].empty());
  r.Refused({{"op", "view"}}, "misuse");  // nothing open yet
  r.Refused({{"op", "start"}, {"form_id", "no_such_form"}}, "not_found");

  json started = r.Ok({{"op", "start"}, {"form_id", "visit_record"}, {"language", "ja"}, {"id", "r-1"}});
  REQUIRE(started["id"] == "r-1");
  const int64_t first = started["draft"]["id"];
  REQUIRE(r.Ok({{"op", "view"}, {"id", 2}})["id"] == 2);
  REQUIRE_FALSE(r.Ok({{"op", "view"}, {"id", nullptr}}).contains("id"));  // null is no id
  REQUIRE(r.Ok({{"op", "view"}, {"id", {{"seq", 3}}}})["id"]["seq"] == 3);

  // Page 1: the person types, mistypes and corrects.
  r.Ok({{"op", "answer"}, {"path", "age"}, {"text", "８２"}});
  REQUIRE(r.Refused({{"op", "answer"}, {"path", "age"}, {"text", "八十二"}}, "invalid_argument")["error"]["path"] ==
          "age");
  r.Ok({{"op", "answer"}, {"path", "age"}, {"value", 50}});  // kept, with a constraint error in the view
  r.Ok({{"op", "answer"}, {"path", "age"}, {"value", 82}});
  r.Refused({{"op", "answer"}, {"path", "age"}, {"value", "82"}}, "invalid_argument");
  r.Refused({{"op", "answer"}, {"path", "agee"}, {"text", "82"}}, "invalid_argument");
  r.Ok({{"op", "answer"}, {"path", "sex"}, {"value", "female"}});
  r.Refused({{"op", "answer"}, {"path", "sex"}, {"text", "other"}}, "invalid_argument");
  r.Refused({{"op", "answer"}, {"path", "sex"}, {"value", 1}}, "invalid_argument");
  r.Ok({{"op", "answer"}, {"path", "sex"}, {"value", nullptr}});
  json blocked = r.Refused({{"op", "next"}}, "invalid_argument");
  REQUIRE(blocked["error"]["path"] == "adl_eat");
  REQUIRE(PageOf(blocked) == 0);
  r.Ok({{"op", "answer"}, {"path", "adl_eat"}, {"value", "3"}});
  r.Ok({{"op", "answer"}, {"path", "adl_bath"}, {"text", "2"}});
  REQUIRE(r.Ok({{"op", "add_instance"}, {"repeat", "visits"}})["position"] == 2);
  r.Ok({{"op", "answer"}, {"path", "visits[2]/visit_date"}, {"text", "2024-11-09"}});
  r.Ok({{"op", "remove_instance"}, {"repeat", "visits"}, {"position", 1}});
  r.Refused({{"op", "remove_instance"}, {"repeat", "visits"}, {"position", 1}}, "invalid_argument");  // min 1
  r.Refused({{"op", "remove_instance"}, {"repeat", "visits"}, {"position", 9}}, "invalid_argument");
  r.Refused({{"op", "add_instance"}, {"repeat", "no_such_repeat"}}, "invalid_argument");
  r.Ok({{"op", "answer"}, {"path", "visits[1]/visit_date"}, {"text", "2999-01-01"}});  // a constraint error
  r.Ok({{"op", "answer"}, {"path", "visits[1]/visit_date"}, {"text", "2024-11-02"}});
  r.Ok({{"op", "answer"}, {"path", "visits[1]/services"}, {"value", json::array({"nursing", "bathing"})}});
  r.Refused({{"op", "answer"}, {"path", "visits[1]/services"}, {"value", "nursing"}}, "invalid_argument");
  r.Refused({{"op", "answer"}, {"path", "visits[1]/services"}, {"value", json::array({"swimming"})}}, "invalid_argument");
  REQUIRE(r.Ok({{"op", "language"}, {"language", "en"}})["view"]["language"] == "en");
  r.Refused({{"op", "language"}, {"language", "fr"}}, "invalid_argument");
  r.Refused({{"op", "back"}}, "invalid_argument");  // the first page

  // Page 2, back and forth, the review, a refused finalize.
  REQUIRE(PageOf(r.Ok({{"op", "next"}})) == 1);
  r.Refused({{"op", "next"}}, "invalid_argument");  // the last page
  REQUIRE(PageOf(r.Ok({{"op", "back"}})) == 0);
  REQUIRE(PageOf(r.Ok({{"op", "go_to"}, {"page", 1}})) == 1);
  r.Refused({{"op", "go_to"}, {"page", 5}}, "invalid_argument");
  json review = r.Ok({{"op", "review"}});
  REQUIRE(review["review"]["can_finalize"] == false);
  json refused = r.Refused({{"op", "finalize"}}, "invalid_argument");
  REQUIRE(refused["error"]["path"] == "confirmed");
  REQUIRE(refused.contains("view"));

  // Left for a while: closed, listed, another draft started and deleted, the first resumed.
  REQUIRE_FALSE(r.Ok({{"op", "close"}}).contains("draft"));
  REQUIRE(r.Ok({{"op", "drafts"}, {"state", "draft"}})["drafts"][0]["instance_name"] == "visit 82");
  const int64_t second = r.Ok({{"op", "start"}, {"form_id", "visit_record"}})["draft"]["id"];
  r.Ok({{"op", "answer"}, {"path", "age"}, {"text", "90"}});
  json resumed = r.Ok({{"op", "resume"}, {"draft_id", first}});  // lets the second go, saved
  REQUIRE(PageOf(resumed) == 1);
  REQUIRE(resumed["draft"]["id"] == first);
  REQUIRE(r.Ok({{"op", "delete"}, {"draft_id", second}})["draft"]["id"] == first);
  r.Refused({{"op", "resume"}, {"draft_id", second}}, "not_found");
  r.Refused({{"op", "delete"}, {"draft_id", second}}, "not_found");

  r.Ok({{"op", "answer"}, {"path", "comments"}, {"text", "家族同席"}});
  r.Ok({{"op", "answer"}, {"path", "comments"}, {"value", nullptr}});
  r.Ok({{"op", "answer"}, {"path", "confirmed"}, {"value", "OK"}});
  REQUIRE(r.Ok({{"op", "review"}})["review"]["can_finalize"] == true);
  json finalized = r.Ok({{"op", "finalize"}, {"id", "fin"}});
  REQUIRE(finalized["submission"]["instance_name"] == "visit 82");
  REQUIRE_FALSE(finalized.contains("draft"));
  r.Refused({{"op", "view"}}, "misuse");
  r.Refused({{"op", "finalize"}}, "misuse");
  r.Refused({{"op", "resume"}, {"draft_id", first}}, "invalid_argument");  // in the outbox now
  r.Refused({{"op", "delete"}, {"draft_id", first}}, "not_found");  // no draft any more
  json outbox = r.Ok({{"op", "drafts"}, {"state", "finalized"}});
  REQUIRE(outbox["drafts"].size() == 1);
  REQUIRE(outbox["drafts"][0]["uuid"] == finalized["submission"]["uuid"]);
  REQUIRE(r.Ok({{"op", "drafts"}, {"state", "sent"}})["drafts"].empty());
  REQUIRE(r.Ok({{"op", "drafts"}, {"state", "rejected"}})["drafts"].empty());
  r.Ok({{"op", "close"}});
}

TEST_CASE("the hand-written bad requests are refused, and the open draft stays open") {
  Renderer r;
  r.Ok({{"op", "start"}, {"form_id", "visit_record"}, {"language", "en"}});
  std::ifstream lines(kSource + "/tests/platform/action_bad_requests.jsonl");
  REQUIRE(lines);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const json bad = json::parse(line);
    json reply = r.Send(bad["request"].get<std::string>());
    INFO(bad["why"].get<std::string>() << ": " << bad["request"].get<std::string>() << " -> " << reply.dump());
    REQUIRE(reply["ok"] == false);
    const std::string code = reply["error"]["code"];
    REQUIRE((code == "invalid_argument" || code == "unsupported"));
    ++count;
  }
  REQUIRE(count >= 30);
  r.Ok({{"op", "view"}});
}
