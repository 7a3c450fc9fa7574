// The C API (chosa.h) through libchosa.so: a store, forms, a draft filled to its submission,
// errors with their path, pointer and column, handles misused, the platform's hooks.
#include <sqlite3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "chosa/chosa.h"
#include "c_api_support.h"
#include "temp_dir.h"

extern "C" int32_t chosa_test_c_struct_sizes(size_t* platform_size, size_t* options_size, size_t* error_size);

using nlohmann::json;

using chosa::testing::FindItem;
using chosa::testing::kVisitRecord;

namespace {

// The error record of one call, released at the end of the test.
struct Error {
  chosa_error e = CHOSA_ERROR_INIT;
  ~Error() { chosa_error_clear(&e); }
  chosa_error* operator&() { return &e; }
  std::string message() const { return e.message == nullptr ? "" : e.message; }
  std::string path() const { return e.path == nullptr ? "" : e.path; }
  std::string pointer() const { return e.pointer == nullptr ? "" : e.pointer; }
};

// Takes a buffer chosa returned, frees it, returns its text.
std::string Take(char* buffer) {
  REQUIRE(buffer != nullptr);
  std::string text(buffer);
  chosa_free(buffer);
  return text;
}

struct Store {
  chosa::testing::TempDir dir{"chosa-c-api"};
  chosa_store* store = nullptr;
  explicit Store(const chosa_store_options* options = nullptr) {
    Error error;
    REQUIRE(chosa_store_open((dir.path() + "/store.sqlite").c_str(), options, &store, &error) == CHOSA_OK);
    Error installed;
    REQUIRE(chosa_store_install_form_file(store, kVisitRecord.c_str(), nullptr, &installed) == CHOSA_OK);
  }
  ~Store() { chosa_store_close(store); }
};

json View(chosa_draft* draft) {
  char* out = nullptr;
  size_t size = 0;
  Error error;
  REQUIRE(chosa_draft_view_json(draft, &out, &size, &error) == CHOSA_OK);
  std::string text = Take(out);
  REQUIRE(text.size() == size);
  return json::parse(text);
}


std::string ValueAt(chosa_draft* draft, const std::string& path) {
  json view = View(draft);
  const json* item = FindItem(view["items"], path);
  INFO(view.dump(2));
  REQUIRE(item != nullptr);
  return item->value("value", "");
}

void MustSet(chosa_draft* draft, const char* path, const char* text) {
  Error error;
  INFO(path << " = " << text << ": " << error.message());
  REQUIRE(chosa_draft_set_answer(draft, path, text, &error) == CHOSA_OK);
}

// Answers visit_record's first page so that it may be left.
void FillFirstPage(chosa_draft* draft) {
  MustSet(draft, "age", "82");
  MustSet(draft, "adl_eat", "3");
  MustSet(draft, "adl_bath", "2");
  MustSet(draft, "visits[1]/visit_date", "2024-11-02");
}

}  // namespace

TEST_CASE("the C API reports its version and names its codes") {
  REQUIRE(std::string(chosa_version()) == CHOSA_VERSION_STRING);
  REQUIRE(chosa_version_number() == CHOSA_VERSION_NUMBER);
  REQUIRE(std::string(chosa_code_name(CHOSA_STORE_TOO_NEW)) == "store_too_new");
  REQUIRE(std::string(chosa_code_name(CHOSA_MISUSE)) == "misuse");
  REQUIRE(std::string(chosa_code_name(static_cast<chosa_code>(999))) == "unknown");
  size_t platform_size = 0, options_size = 0, error_size = 0;
  REQUIRE(chosa_test_c_struct_sizes(&platform_size, &options_size, &error_size) ==
          static_cast<int32_t>(std::string(CHOSA_VERSION_STRING).size()));
  REQUIRE(platform_size == sizeof(chosa_platform));  // C and C++ see the same layout
  REQUIRE(options_size == sizeof(chosa_store_options));
  REQUIRE(error_size == sizeof(chosa_error));
}

TEST_CASE("a broken form is refused with the JSON Pointer and column of its first fault") {
  const std::string broken = R"({"format": 1, "id": "f", "version": "1", "title": "t", "languages": ["en"],
    "items": [{"type": "integer", "name": "a", "label": "A"},
              {"type": "text", "name": "b", "label": "B", "relevant": "${a} > "}]})";
  chosa_form* form = nullptr;
  Error error;
  REQUIRE(chosa_form_parse(broken.data(), broken.size(), &form, &error) == CHOSA_INVALID_ARGUMENT);
  REQUIRE(form == nullptr);
  REQUIRE(error.pointer() == "/items/1/relevant");
  REQUIRE(error.e.column > 0);
  REQUIRE(error.message().find("/items/1/relevant") != std::string::npos);

  const std::string good = R"({"format": 1, "id": "f", "version": "1", "title": {"ja": "題", "en": "Title"},
    "languages": ["ja", "en"], "items": [{"type": "integer", "name": "a", "label": "A"}]})";
  REQUIRE(chosa_form_parse(good.data(), good.size(), &form, &error) == CHOSA_OK);
  char* info = nullptr;
  REQUIRE(chosa_form_info_json(form, "en", &info, &error) == CHOSA_OK);
  json described = json::parse(Take(info));
  REQUIRE(described["title"] == "Title");
  REQUIRE(described["languages"] == json::array({"ja", "en"}));
  REQUIRE(chosa_form_info_json(form, nullptr, &info, &error) == CHOSA_OK);
  REQUIRE(json::parse(Take(info))["title"] == "題");
  chosa_form_free(form);
  // Released: a second free is detected and ignored, a call says so.
  chosa_form_free(form);
  REQUIRE(chosa_form_info_json(form, "en", &info, &error) == CHOSA_MISUSE);
}

TEST_CASE("a store lists its forms with their titles and keeps its device identity") {
  chosa::testing::TempDir dir{"chosa-c-api"};
  const std::string path = dir.path() + "/store.sqlite";
  chosa_store_options options{};
  options.struct_size = sizeof options;
  options.device_id = "tablet-07";
  chosa_store* store = nullptr;
  Error error;
  REQUIRE(chosa_store_open(path.c_str(), &options, &store, &error) == CHOSA_OK);
  char* out = nullptr;
  REQUIRE(chosa_store_device_id(store, &out, &error) == CHOSA_OK);
  REQUIRE(Take(out) == "tablet-07");
  REQUIRE(chosa_store_install_form_file(store, kVisitRecord.c_str(), &out, &error) == CHOSA_OK);
  json installed = json::parse(Take(out));
  REQUIRE(installed["form_id"] == "visit_record");
  REQUIRE(installed["sha256"].get<std::string>().size() == 64);
  REQUIRE(chosa_store_list_forms(store, "en", &out, &error) == CHOSA_OK);
  json forms = json::parse(Take(out));
  REQUIRE(forms.size() == 1);
  REQUIRE(forms[0]["title"] == "Visit record (sample)");
  REQUIRE(chosa_store_list_forms(store, "ja", &out, &error) == CHOSA_OK);
  REQUIRE(json::parse(Take(out))[0]["title"] == "訪問記録（サンプル）");
  REQUIRE(chosa_store_list_instances(store, "archived", &out, &error) == CHOSA_INVALID_ARGUMENT);
  REQUIRE(error.message().find("draft, finalized, sent, rejected") != std::string::npos);
  chosa_store_close(store);

  // Another identity for the same store is refused; none opens it as the device it is.
  options.device_id = "tablet-99";
  REQUIRE(chosa_store_open(path.c_str(), &options, &store, &error) == CHOSA_INVALID_ARGUMENT);
  REQUIRE(error.message().find("tablet-07") != std::string::npos);
  REQUIRE(chosa_store_open(path.c_str(), nullptr, &store, &error) == CHOSA_OK);
  REQUIRE(chosa_store_device_id(store, &out, &error) == CHOSA_OK);
  REQUIRE(Take(out) == "tablet-07");
  chosa_store_close(store);
}

TEST_CASE("a store written by a newer chosa is refused with its own code") {
  chosa::testing::TempDir dir{"chosa-c-api"};
  const std::string path = dir.path() + "/store.sqlite";
  chosa_store* store = nullptr;
  Error error;
  REQUIRE(chosa_store_open(path.c_str(), nullptr, &store, &error) == CHOSA_OK);
  chosa_store_close(store);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 999", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  REQUIRE(chosa_store_open(path.c_str(), nullptr, &store, &error) == CHOSA_STORE_TOO_NEW);
  REQUIRE(store == nullptr);
  REQUIRE(error.message().find("newer version of chosa") != std::string::npos);
}

TEST_CASE("a draft is filled, reviewed and finalized through the C API") {
  Store s;
  chosa_draft* draft = nullptr;
  Error error;
  REQUIRE(chosa_draft_start(s.store, "visit_record", "staff-3", "en", &draft, &error) == CHOSA_OK);
  REQUIRE(chosa_draft_id(draft) > 0);
  json view = View(draft);
  REQUIRE(view["form_id"] == "visit_record");
  REQUIRE(view["language"] == "en");

  SECTION("a refused answer keeps the previous one and says why, at its path") {
    MustSet(draft, "age", "82");
    REQUIRE(chosa_draft_set_answer(draft, "age", "eighty", &error) == CHOSA_INVALID_ARGUMENT);
    REQUIRE(error.path() == "age");
    REQUIRE(!error.message().empty());
    REQUIRE(ValueAt(draft, "age") == "82");
    REQUIRE(chosa_draft_set_answer(draft, "no_such_question", "1", &error) == CHOSA_INVALID_ARGUMENT);
    REQUIRE(error.path() == "no_such_question");
  }

  SECTION("answers as JSON values: numbers, arrays of choices, null; anything else a type error") {
    REQUIRE(chosa_draft_set_answer_json(draft, "age", "70", &error) == CHOSA_OK);
    REQUIRE(ValueAt(draft, "age") == "70");
    REQUIRE(chosa_draft_set_answer_json(draft, "age", "\"71\"", &error) == CHOSA_INVALID_ARGUMENT);
    REQUIRE(error.path() == "age");
    REQUIRE(ValueAt(draft, "age") == "70");
    REQUIRE(chosa_draft_set_answer_json(draft, "visits[1]/services", "[\"nursing\", \"other\"]", &error) ==
            CHOSA_OK);
    REQUIRE(ValueAt(draft, "visits[1]/services") == "nursing other");
    REQUIRE(chosa_draft_set_answer_json(draft, "visits[1]/services", "\"nursing\"", &error) ==
            CHOSA_INVALID_ARGUMENT);
    REQUIRE(chosa_draft_set_answer_json(draft, "visits[1]/services", "[\"swimming\"]", &error) ==
            CHOSA_INVALID_ARGUMENT);
    REQUIRE(ValueAt(draft, "visits[1]/services") == "nursing other");
    REQUIRE(chosa_draft_set_answer_json(draft, "sex", "\"female\"", &error) == CHOSA_OK);
    REQUIRE(chosa_draft_set_answer_json(draft, "sex", "1", &error) == CHOSA_INVALID_ARGUMENT);
    REQUIRE(chosa_draft_set_answer_json(draft, "sex", "null", &error) == CHOSA_OK);
    REQUIRE(ValueAt(draft, "sex") == "");
    REQUIRE(chosa_draft_set_answer_json(draft, "age", "{not json", &error) == CHOSA_INVALID_ARGUMENT);
  }

  SECTION("repeat instances are added and removed") {
    int32_t position = 0;
    REQUIRE(chosa_draft_add_instance(draft, "visits", &position, &error) == CHOSA_OK);
    REQUIRE(position == 2);
    MustSet(draft, "visits[2]/visit_date", "2024-11-09");
    REQUIRE(chosa_draft_remove_instance(draft, "visits", 1, &error) == CHOSA_OK);
    REQUIRE(ValueAt(draft, "visits[1]/visit_date") == "2024-11-09");
    // min 1: the last one stays.
    REQUIRE(chosa_draft_remove_instance(draft, "visits", 1, &error) == CHOSA_INVALID_ARGUMENT);
    REQUIRE(chosa_draft_add_instance(draft, "no_repeat", nullptr, &error) != CHOSA_OK);
  }

  SECTION("next is blocked at the first error; back, go to page and language move") {
    REQUIRE(chosa_draft_next(draft, &error) == CHOSA_INVALID_ARGUMENT);
    REQUIRE(error.path() == "age");  // the first required question of the page
    FillFirstPage(draft);
    REQUIRE(chosa_draft_next(draft, &error) == CHOSA_OK);
    REQUIRE(View(draft)["navigation"]["page"] == 1);
    REQUIRE(chosa_draft_back(draft, &error) == CHOSA_OK);
    REQUIRE(View(draft)["navigation"]["page"] == 0);
    REQUIRE(chosa_draft_go_to_page(draft, 1, &error) == CHOSA_OK);
    REQUIRE(View(draft)["navigation"]["page"] == 1);
    REQUIRE(chosa_draft_go_to_page(draft, 7, &error) != CHOSA_OK);
    REQUIRE(chosa_draft_set_language(draft, "ja", &error) == CHOSA_OK);
    REQUIRE(View(draft)["language"] == "ja");
    REQUIRE(chosa_draft_set_language(draft, "fr", &error) == CHOSA_INVALID_ARGUMENT);
  }

  SECTION("the review lists every page; finalize gives the UUID of the bytes in the outbox") {
    char* out = nullptr;
    REQUIRE(chosa_draft_finalize(draft, &out, &error) == CHOSA_INVALID_ARGUMENT);
    REQUIRE(error.path() == "age");
    REQUIRE(out == nullptr);
    FillFirstPage(draft);
    MustSet(draft, "visits[1]/services", "nursing bathing");
    REQUIRE(chosa_draft_review_json(draft, &out, nullptr, &error) == CHOSA_OK);
    json review = json::parse(Take(out));
    REQUIRE(review["pages"].size() == 2);
    REQUIRE(review["can_finalize"] == false);  // "confirmed" is required
    MustSet(draft, "confirmed", "OK");
    REQUIRE(chosa_draft_review_json(draft, &out, nullptr, &error) == CHOSA_OK);
    REQUIRE(json::parse(Take(out))["can_finalize"] == true);

    REQUIRE(chosa_draft_finalize(draft, &out, &error) == CHOSA_OK);
    const std::string uuid = Take(out);
    REQUIRE(uuid.size() == 36);
    size_t size = 0;
    REQUIRE(chosa_store_read_submission(s.store, uuid.c_str(), &out, &size, &error) == CHOSA_OK);
    std::string bytes = Take(out);
    REQUIRE(bytes.size() == size);
    json submission = json::parse(bytes);
    REQUIRE(submission["uuid"] == uuid);
    REQUIRE(submission["answers"]["age"] == 82);
    REQUIRE(submission["answers"]["visits"][0]["services"] == json::array({"nursing", "bathing"}));
    REQUIRE(chosa_store_list_instances(s.store, "finalized", &out, &error) == CHOSA_OK);
    json outbox = json::parse(Take(out));
    REQUIRE(outbox.size() == 1);
    REQUIRE(outbox[0]["uuid"] == uuid);
    REQUIRE(outbox[0]["instance_name"] == "visit 82");
    // Finalized: the handle stays until closed, and says what happened to its draft.
    REQUIRE(chosa_draft_set_answer(draft, "age", "83", &error) == CHOSA_MISUSE);
    REQUIRE(error.message().find("finalized") != std::string::npos);
    REQUIRE(chosa_store_read_submission(s.store, "not-a-uuid", &out, &size, &error) == CHOSA_NOT_FOUND);
  }
  chosa_draft_close(draft);
}

TEST_CASE("a draft closed and resumed is exactly as it was left; a deleted one is gone") {
  Store s;
  chosa_draft* draft = nullptr;
  Error error;
  REQUIRE(chosa_draft_start(s.store, "visit_record", nullptr, "ja", &draft, &error) == CHOSA_OK);
  const int64_t id = chosa_draft_id(draft);
  FillFirstPage(draft);
  REQUIRE(chosa_draft_next(draft, &error) == CHOSA_OK);
  chosa_draft_close(draft);

  char* out = nullptr;
  REQUIRE(chosa_store_list_instances(s.store, "draft", &out, &error) == CHOSA_OK);
  json drafts = json::parse(Take(out));
  REQUIRE(drafts.size() == 1);
  REQUIRE(drafts[0]["id"] == id);
  REQUIRE(drafts[0]["instance_name"] == "visit 82");

  REQUIRE(chosa_draft_resume(s.store, id, &draft, &error) == CHOSA_OK);
  json view = View(draft);
  REQUIRE(view["navigation"]["page"] == 1);
  REQUIRE(view["language"] == "ja");
  REQUIRE(chosa_draft_go_to_page(draft, 0, &error) == CHOSA_OK);
  REQUIRE(ValueAt(draft, "age") == "82");
  chosa_draft_close(draft);

  REQUIRE(chosa_store_delete_draft(s.store, id, &error) == CHOSA_OK);
  REQUIRE(chosa_draft_resume(s.store, id, &draft, &error) == CHOSA_NOT_FOUND);
  REQUIRE(draft == nullptr);
}

TEST_CASE("misused handles and arguments get CHOSA_MISUSE or an argument error, never a crash") {
  Error error;
  char* out = nullptr;
  REQUIRE(chosa_store_open(nullptr, nullptr, nullptr, &error) == CHOSA_INVALID_ARGUMENT);
  chosa_store* none = nullptr;
  REQUIRE(chosa_store_open(nullptr, nullptr, &none, &error) == CHOSA_INVALID_ARGUMENT);
  REQUIRE(chosa_store_list_forms(nullptr, nullptr, &out, &error) == CHOSA_MISUSE);
  REQUIRE(chosa_draft_view_json(nullptr, &out, nullptr, &error) == CHOSA_MISUSE);
  REQUIRE(chosa_draft_id(nullptr) == 0);
  chosa_store_close(nullptr);
  chosa_draft_close(nullptr);
  chosa_error_clear(nullptr);
  chosa_free(nullptr);

  chosa_store_options bad{};  // struct_size not set
  REQUIRE(chosa_store_open("/tmp/never-made.sqlite", &bad, &none, &error) == CHOSA_INVALID_ARGUMENT);
  REQUIRE(error.message().find("struct_size") != std::string::npos);

  Store s;
  chosa_draft* draft = nullptr;
  REQUIRE(chosa_draft_start(s.store, "no_such_form", nullptr, nullptr, &draft, &error) == CHOSA_NOT_FOUND);
  REQUIRE(chosa_draft_start(s.store, "visit_record", nullptr, nullptr, &draft, &error) == CHOSA_OK);
  REQUIRE(chosa_draft_set_answer(draft, nullptr, "1", &error) == CHOSA_INVALID_ARGUMENT);
  REQUIRE(chosa_draft_view_json(draft, nullptr, nullptr, &error) == CHOSA_INVALID_ARGUMENT);
  // A handle of one kind passed as another is not taken for it.
  REQUIRE(chosa_draft_view_json(reinterpret_cast<chosa_draft*>(s.store), &out, nullptr, &error) == CHOSA_MISUSE);
  MustSet(draft, "age", "90");

  // The store closes under its open draft: the draft was saved, its calls now say why they fail.
  chosa_store_close(s.store);
  REQUIRE(chosa_draft_set_answer(draft, "age", "91", &error) == CHOSA_MISUSE);
  REQUIRE(error.message().find("store was closed") != std::string::npos);
  REQUIRE(chosa_store_list_forms(s.store, nullptr, &out, &error) == CHOSA_MISUSE);
  chosa_draft_close(draft);
  chosa_draft_close(draft);  // a second close is detected and ignored
  s.store = nullptr;
}

TEST_CASE("one error record serves call after call") {
  Store s;
  Error error;
  chosa_draft* draft = nullptr;
  REQUIRE(chosa_draft_start(s.store, "visit_record", nullptr, "en", &draft, &error) == CHOSA_OK);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(chosa_draft_set_answer(draft, "age", "x", &error) == CHOSA_INVALID_ARGUMENT);
    REQUIRE(error.e.code == CHOSA_INVALID_ARGUMENT);
    REQUIRE(chosa_draft_go_to_page(draft, 9, &error) != CHOSA_OK);
    REQUIRE(error.path().empty());
  }
  chosa_draft_close(draft);
}

namespace {

// An app's hooks: a fixed clock in Japan, counted random bytes, captured logs, no network.
struct AppPlatform {
  std::atomic<int> random_calls{0};
  std::atomic<int> http_calls{0};
  std::atomic<bool> freed{false};
};

chosa_platform MakePlatform(AppPlatform* app) {
  chosa_platform p{};
  p.struct_size = sizeof p;
  p.user_data = app;
  p.free_user_data = [](void* user_data) { static_cast<AppPlatform*>(user_data)->freed = true; };
  p.now_millis = [](void*) -> int64_t { return 1730597430000; };  // 2024-11-03 01:30:30 UTC
  p.utc_offset_minutes = [](void*, int64_t) -> int32_t { return 540; };
  p.random_bytes = [](void* user_data, uint8_t* out, size_t size) {
    static_cast<AppPlatform*>(user_data)->random_calls++;
    for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(i * 7 + 1);
  };
  p.network_available = [](void*) -> int32_t { return 0; };
  p.http_send = [](void* user_data, const chosa_http_request*, chosa_http_response*, char*, size_t) {
    static_cast<AppPlatform*>(user_data)->http_calls++;
    return CHOSA_UNAVAILABLE;
  };
  return p;
}

}  // namespace

TEST_CASE("the app's hooks give the clock, the zone and the random bytes; user data is freed last") {
  AppPlatform app;
  chosa_platform platform = MakePlatform(&app);
  chosa_store_options options{};
  options.struct_size = sizeof options;
  options.platform = &platform;
  {
    Store s(&options);
    Error error;
    chosa_draft* draft = nullptr;
    REQUIRE(chosa_draft_start(s.store, "visit_record", nullptr, "en", &draft, &error) == CHOSA_OK);
    FillFirstPage(draft);
    MustSet(draft, "confirmed", "OK");
    char* uuid = nullptr;
    REQUIRE(chosa_draft_finalize(draft, &uuid, &error) == CHOSA_OK);
    REQUIRE(app.random_calls > 0);
    char* bytes = nullptr;
    REQUIRE(chosa_store_read_submission(s.store, uuid, &bytes, nullptr, &error) == CHOSA_OK);
    json submission = json::parse(Take(bytes));
    chosa_free(uuid);
    // The app's clock and zone: 01:30:30 UTC is 10:30:30 in Japan.
    REQUIRE(submission["ended_at"] == "2024-11-03T10:30:30.000+09:00");

    // No network: the sync stops before any request.
    chosa_sync* sync = nullptr;
    REQUIRE(chosa_sync_open(s.store, &sync, &error) == CHOSA_OK);
    REQUIRE(chosa_sync_is_enrolled(sync) == 0);
    REQUIRE(chosa_sync_run(sync, nullptr, nullptr, nullptr, nullptr, &error) == CHOSA_UNAUTHENTICATED);
    REQUIRE(error.message().find("not enrolled") != std::string::npos);
    // Enrolled (the credentials as `chosa sync enroll` keeps them beside the store), but the
    // platform says there is no network: the sync stops before any request.
    char* device = nullptr;
    REQUIRE(chosa_store_device_id(s.store, &device, &error) == CHOSA_OK);
    {
      std::ofstream credentials(s.dir.path() + "/store.sqlite.sync.json");
      credentials << json{{"collector_url", "https://127.0.0.1:9"}, {"device_id", Take(device)}, {"token", "t"},
                          {"ca_file", ""}, {"pinned_public_keys", json::array()}}.dump();
    }
    REQUIRE(chosa_sync_is_enrolled(sync) == 1);
    char* report = nullptr;
    REQUIRE(chosa_sync_run(sync, nullptr, nullptr, nullptr, &report, &error) == CHOSA_UNAVAILABLE);
    REQUIRE(error.message().find("no network") != std::string::npos);
    json reported = json::parse(Take(report));
    REQUIRE(reported["left"] == 1);
    REQUIRE(reported["complete"] == false);
    chosa_sync_close(sync);
    chosa_draft_close(draft);
    REQUIRE_FALSE(app.freed);  // the store still uses the hooks
  }
  REQUIRE(app.freed);
  REQUIRE(app.http_calls == 0);
}

TEST_CASE("a platform struct from an older header is taken for what it has") {
  AppPlatform app;
  chosa_platform platform = MakePlatform(&app);
  platform.struct_size = offsetof(chosa_platform, utc_offset_minutes);  // knew only up to now_millis
  chosa_store_options options{};
  options.struct_size = sizeof options;
  options.platform = &platform;
  Store s(&options);
  Error error;
  chosa_draft* draft = nullptr;
  REQUIRE(chosa_draft_start(s.store, "visit_record", nullptr, "en", &draft, &error) == CHOSA_OK);
  REQUIRE(app.random_calls == 0);  // random_bytes lies beyond its struct_size: the default serves
  chosa_draft_close(draft);
}
