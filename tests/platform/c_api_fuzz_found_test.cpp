// What the C API's fuzz target (tests/fuzz/c_api_fuzz.cpp) found, written out as plain calls.
// Each input that found it is in the corpus too (tests/fuzz/corpus/c_api/found_*).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "c_api_support.h"
#include "chosa/chosa.h"
#include "temp_dir.h"

using nlohmann::json;

TEST_CASE("an enumerator id that is not UTF-8 is refused: it cannot make the store's listings unreadable", "[fuzz]") {
  // found_enumerator_not_utf8: a draft started with the enumerator "\xff\xfe" was kept, and from
  // then on every listing of the drafts failed with CHOSA_INTERNAL (the JSON writer refused the
  // bytes), until that draft, whose id no listing could show, was deleted.
  chosa::testing::TempDir dir{"chosa-c-utf8"};
  chosa_store* store = nullptr;
  chosa_error error = CHOSA_ERROR_INIT;
  REQUIRE(chosa_store_open((dir.path() + "/store.sqlite").c_str(), nullptr, &store, &error) == CHOSA_OK);
  REQUIRE(chosa_store_install_form_file(store, chosa::testing::kVisitRecord.c_str(), nullptr, &error) == CHOSA_OK);

  chosa_draft* draft = nullptr;
  REQUIRE(chosa_draft_start(store, "visit_record", "\xff\xfe", "en", &draft, &error) == CHOSA_INVALID_ARGUMENT);
  REQUIRE(draft == nullptr);
  REQUIRE(std::string(error.message).find("UTF-8") != std::string::npos);
  // A channel would stamp it on every draft it starts: refused when opened.
  chosa_actions* actions = nullptr;
  REQUIRE(chosa_actions_open(store, "staff-\xc3", &actions, &error) == CHOSA_INVALID_ARGUMENT);
  REQUIRE(actions == nullptr);

  // Nothing was kept, and an enumerator id in any script is.
  char* out = nullptr;
  REQUIRE(chosa_store_list_instances(store, "draft", &out, &error) == CHOSA_OK);
  REQUIRE(json::parse(out).empty());
  chosa_free(out);
  REQUIRE(chosa_draft_start(store, "visit_record", "調査員-3", "en", &draft, &error) == CHOSA_OK);
  chosa_draft_close(draft);
  REQUIRE(chosa_actions_open(store, "調査員-4", &actions, &error) == CHOSA_OK);
  chosa_actions_close(actions);
  REQUIRE(chosa_store_list_instances(store, "draft", &out, &error) == CHOSA_OK);
  json drafts = json::parse(out);
  chosa_free(out);
  REQUIRE(drafts.size() == 1);
  REQUIRE(drafts[0]["enumerator_id"] == "調査員-3");
  chosa_error_clear(&error);
  chosa_store_close(store);
}
