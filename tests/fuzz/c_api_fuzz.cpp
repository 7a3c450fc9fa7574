// Fuzzes the C API (chosa.h) with sequences of calls read from the input: drafts started,
// resumed, answered (paths, texts and JSON values from a dictionary or from the input itself),
// moved through, finalized, closed twice; listings, deletions, forms; action messages built
// from the input and then mutated, or taken raw; a sync that is not enrolled; the store closed
// in the middle, its children used after, the store closed again.
//
// Besides crashes and sanitizer reports, it aborts when a call breaks what chosa.h promises:
// CHOSA_INTERNAL ("a bug in chosa"); a failing call that leaves its error record without its
// code, message, path or pointer; a CHOSA_OK without its output, or output that is not the JSON
// it should be; a call on a draft of a closed store, or on a finalized draft, that is not
// CHOSA_MISUSE; an action reply that is not {"v":1,"ok":...} with an "error" when refused.
//
// The input, byte by byte (tests/fuzz/make_c_api_seeds.py writes seeds in it): an op byte (its
// value modulo the number of ops, in the order of `Op`), then the op's arguments. A string
// argument is one byte: below 0xF0 it picks from the dictionary for that argument (modulo its
// size); from 0xF0, the next byte is a length (modulo 64) and that many input bytes are the
// string. Input that runs out reads as zeros; at most kMaxOps ops run.
#include "c_api_fuzz.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chosa/chosa.h"

namespace chosa::fuzz {
namespace {

using nlohmann::json;

constexpr int kMaxOps = 256;
constexpr int kDraftSlots = 3;
constexpr int kChannelSlots = 2;

const char* const kFormFiles[] = {CHOSA_SOURCE_DIR "/tests/forms/fill/visit_record.json",
                                  CHOSA_SOURCE_DIR "/schemas/examples/coordinator_checklist.json"};

const char* const kFormIds[] = {"visit_record", "coordinator_checklist", "", "nope", "VISIT_RECORD"};
const char* const kVersions[] = {"", "2024.1", "2023.9", "x"};
const char* const kLanguages[] = {"en", "ja", "", "fr", "EN", "ja-JP"};
const char* const kStates[] = {"draft", "finalized", "sent", "rejected", "", "archived"};
const char* const kPaths[] = {"age",
                              "sex",
                              "adl",
                              "adl_eat",
                              "adl_bath",
                              "adl_total",
                              "adl_note",
                              "visits",
                              "visits[1]/visit_date",
                              "visits[2]/visit_date",
                              "visits[1]/services",
                              "visits[2]/services",
                              "visits[5]/visit_date",
                              "visits[6]/visit_date",
                              "visits[0]/visit_date",
                              "visits[-1]/services",
                              "visits[1]",
                              "visits/visit_date",
                              "visit_date",
                              "comments",
                              "confirmed",
                              "p_visit",
                              "g_person",
                              "ward",
                              "hire_month",
                              "year_in_post",
                              "milestone",
                              "briefing",
                              "checklist_mindset",
                              "checklist_c01",
                              "checklist_c02",
                              "checklist_total",
                              "lecture_attended",
                              "confident_after_lecture",
                              "progress_issues",
                              "",
                              "age/",
                              "/age",
                              "visits[1]/visit_date/x",
                              "visits[99999999999]/visit_date"};
const char* const kTexts[] = {"",         "82",       "65",         "121",        "-1",         "1e3",
                              "3",        "2",        "1",          "female",     "male",       "nursing other",
                              "rehab",    "swimming", "2024-11-02", "2099-01-01", "2024-02-30", "not a date",
                              "OK",       "yes",      "no",         "12",         "9",          "大阪市",
                              "\xff\xfe", " 70 ",     "0x10",       "nan",        "1.5",        "99999999999999999999",
                              "70",       "271276",   "2024-04-01", "2024-04"};
const char* const kJson[] = {"82",
                             "\"82\"",
                             "null",
                             "[\"nursing\",\"other\"]",
                             "[]",
                             "[1]",
                             "{}",
                             "\"female\"",
                             "true",
                             "1.5",
                             "-0",
                             "1e400",
                             "[\"swimming\"]",
                             "\"2024-11-02\"",
                             "{\"a\":",
                             "",
                             "\"OK\"",
                             "[\"rehab\",\"rehab\"]",
                             "70.0",
                             "[[]]"};
const char* const kRepeats[] = {"visits", "adl", "age", "", "nope", "visits[1]"};
const char* const kOps[] = {"forms", "drafts",   "start",        "resume",          "delete", "close",
                            "view",  "answer",   "add_instance", "remove_instance", "next",   "back",
                            "go_to", "language", "review",       "finalize",        "bogus",  ""};
const char* const kFields[] = {"form_id", "language", "state",    "draft_id", "path", "text",
                               "value",   "repeat",   "position", "page",     "id",   "bogus"};
const char* const kCodeNames[] = {
    "ok",          "invalid_argument", "not_found",      "corruption",      "io_error",
    "unsupported", "internal",         "already_exists", "unauthenticated", "permission_denied",
    "unavailable", "store_too_new",    "misuse",         "cancelled",       "no_memory"};

template <typename T, size_t N>
constexpr size_t Count(const T (&)[N]) {
  return N;
}

// The directory of the input running, removed by Broken too (the input itself is what to keep).
std::string& InputDirectory() {
  static std::string dir;
  return dir;
}

[[noreturn]] void Broken(const std::string& what) {
  std::fprintf(stderr, "c_api_fuzz: a promise of chosa.h is broken: %s\n", what.c_str());
  std::fflush(stderr);
  if (!InputDirectory().empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(InputDirectory(), ignored);
  }
  std::abort();
}

void Require(bool holds, const std::string& what) {
  if (!holds) Broken(what);
}

// The input, read as choices.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool done() const { return at_ >= size_; }
  uint8_t Byte() { return at_ < size_ ? data_[at_++] : 0; }
  size_t Below(size_t n) { return n == 0 ? 0 : Byte() % n; }
  int32_t Small() { return static_cast<int8_t>(Byte()); }
  // A string: from `dictionary`, or raw from the input.
  template <size_t N>
  std::string Text(const char* const (&dictionary)[N]) {
    const uint8_t pick = Byte();
    if (pick < 0xF0) return dictionary[pick % N];
    const size_t length = Byte() % 64;
    std::string raw;
    for (size_t i = 0; i < length && !done(); ++i) raw.push_back(static_cast<char>(Byte()));
    return raw;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

// The app's hooks: a fixed clock and zone, random bytes from a counter (so that a crash replays
// and every submission has its own UUID), no network, secrets in memory, no log.
struct Platform {
  uint64_t state = 0x9E3779B97F4A7C15ull;
  std::map<std::string, std::string> secrets;
};

chosa_platform MakePlatform(Platform* p) {
  chosa_platform platform{};
  platform.struct_size = sizeof platform;
  platform.user_data = p;
  platform.now_millis = [](void*) -> int64_t { return 1730597430000; };
  platform.utc_offset_minutes = [](void*, int64_t) -> int32_t { return 540; };
  platform.random_bytes = [](void* user_data, uint8_t* out, size_t size) {
    auto* hooks = static_cast<Platform*>(user_data);
    for (size_t i = 0; i < size; ++i) {
      uint64_t z = (hooks->state += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      out[i] = static_cast<uint8_t>(z ^ (z >> 31));
    }
  };
  platform.log = [](void*, int32_t, const char*) {};
  platform.network_available = [](void*) -> int32_t { return 0; };
  platform.http_send = [](void*, const chosa_http_request*, chosa_http_response*, char*, size_t) {
    return CHOSA_UNAVAILABLE;
  };
  platform.secret_read = [](void* user_data, const char* name, chosa_secret* secret) {
    auto& secrets = static_cast<Platform*>(user_data)->secrets;
    auto found = secrets.find(name);
    if (found == secrets.end()) return CHOSA_NOT_FOUND;
    return chosa_secret_set(secret, found->second.data(), found->second.size());
  };
  platform.secret_write = [](void* user_data, const char* name, const uint8_t* data, size_t size) {
    static_cast<Platform*>(user_data)->secrets[name].assign(reinterpret_cast<const char*>(data), size);
    return CHOSA_OK;
  };
  platform.secret_erase = [](void* user_data, const char* name) {
    static_cast<Platform*>(user_data)->secrets.erase(name);
    return CHOSA_OK;
  };
  return platform;
}

enum Op : uint8_t {
  kStart,
  kResume,
  kCloseDraft,
  kSetAnswer,
  kSetAnswerJson,
  kAddInstance,
  kRemoveInstance,
  kNext,
  kBack,
  kGoToPage,
  kSetLanguage,
  kView,
  kReview,
  kFinalize,
  kList,
  kDeleteDraft,
  kReadSubmission,
  kLoadForm,
  kParseForm,
  kChannelOpen,
  kChannelClose,
  kMessage,
  kRawMessage,
  kSync,
  kCloseStore,
  kInstall,
  kOpCount
};

chosa_store_options Options(const chosa_platform* platform) {
  chosa_store_options options{};
  options.struct_size = sizeof options;
  options.device_id = "tablet-fuzz";
  options.platform = platform;
  return options;
}

// A new directory, in memory where there is a tmpfs (the store's fsyncs would otherwise set the
// pace); "" when none can be made.
std::string NewDirectory() {
  std::string pattern = (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") + std::string("/chosa-c-api-fuzz-XXXXXX");
  return mkdtemp(pattern.data()) == nullptr ? std::string() : pattern;
}

std::string& TemplateDirectory() {
  static std::string dir;
  return dir;
}

// The store every input starts from, a copy of it: visit_record and coordinator_checklist
// installed. Made once per process (installing the forms for each input would cost most of the
// time), removed at its exit.
const std::string& TemplateStore() {
  static const std::string path = [] {
    std::string& dir = TemplateDirectory();
    dir = NewDirectory();
    Require(!dir.empty(), "no temporary directory for the template store");
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(TemplateDirectory(), ignored);
    });
    Platform hooks;
    chosa_platform platform = MakePlatform(&hooks);
    const chosa_store_options options = Options(&platform);
    chosa_store* store = nullptr;
    chosa_error error = CHOSA_ERROR_INIT;
    const std::string file = dir + "/template.sqlite";
    Require(chosa_store_open(file.c_str(), &options, &store, &error) == CHOSA_OK, "opening the template store");
    for (const char* form : kFormFiles) {
      Require(chosa_store_install_form_file(store, form, nullptr, &error) == CHOSA_OK,
              std::string("installing ") + form + ": " + (error.message != nullptr ? error.message : ""));
    }
    chosa_store_close(store);
    chosa_error_clear(&error);
    // Closed, its write-ahead log was folded into the file: copying the file copies the store.
    std::error_code ignored;
    Require(std::filesystem::file_size(file + "-wal", ignored) == static_cast<uintmax_t>(-1) ||
                std::filesystem::file_size(file + "-wal", ignored) == 0,
            "the template store's write-ahead log is left beside it");
    return file;
  }();
  return path;
}

class Session {
 public:
  explicit Session(Input& in) : in_(in) {}
  ~Session() { ReleaseAll(); }

  bool Open() {
    dir_ = InputDirectory() = NewDirectory();
    if (dir_.empty()) return false;
    std::error_code copied;
    std::filesystem::copy_file(TemplateStore(), dir_ + "/s.sqlite", copied);
    Require(!copied, "copying the template store: " + copied.message());
    platform_ = MakePlatform(&hooks_);
    const chosa_store_options options = Options(&platform_);
    Checked("chosa_store_open", chosa_store_open((dir_ + "/s.sqlite").c_str(), &options, &store_, &error_));
    return store_ != nullptr;
  }

  void Run() {
    for (int n = 0; n < kMaxOps && !in_.done(); ++n) Step(static_cast<Op>(in_.Byte() % kOpCount));
  }

 private:
  // Checks what every fallible call promises of its code and error record.
  chosa_code Checked(const char* call, chosa_code code) {
    Require(code != CHOSA_INTERNAL, std::string(call) + " returned CHOSA_INTERNAL: " +
                                        (error_.message != nullptr ? error_.message : "(no message)"));
    if (code != CHOSA_OK) {
      Require(error_.code == code, std::string(call) + " failed with " + chosa_code_name(code) +
                                       " but its error record says " + chosa_code_name(error_.code));
      Require(error_.message != nullptr && error_.path != nullptr && error_.pointer != nullptr,
              std::string(call) + " failed with a NULL message, path or pointer");
    }
    return code;
  }
  chosa_code Checked(const char* call, chosa_code code, const chosa_error&) { return Checked(call, code); }

  // A buffer given with CHOSA_OK: there, NUL-terminated at `size` (when known), and JSON when
  // `is_json`. Freed.
  void Output(const char* call, chosa_code code, char* out, size_t size, bool is_json, bool size_known = true) {
    if (code != CHOSA_OK) {
      chosa_free(out);
      return;
    }
    Require(out != nullptr, std::string(call) + " returned CHOSA_OK without its output");
    if (size_known) Require(std::strlen(out) == size, std::string(call) + ": the size given is not the text's");
    if (is_json) Require(json::accept(out), std::string(call) + " gave output that is not JSON: " + out);
    chosa_free(out);
  }

  // A draft's call: on a closed store, or on a finalized draft still held, it must be MISUSE.
  chosa_code DraftCall(const char* call, int slot, chosa_code code) {
    Checked(call, code);
    if (store_closed_ && drafts_[slot] != nullptr) {
      Require(code == CHOSA_MISUSE,
              std::string(call) + " on a draft of a closed store returned " + chosa_code_name(code));
    }
    if (finalized_[slot] && !released_[slot]) {
      Require(code == CHOSA_MISUSE, std::string(call) + " on a finalized draft returned " + chosa_code_name(code));
    }
    return code;
  }
  chosa_code StoreCall(const char* call, chosa_code code) {
    Checked(call, code);
    if (store_closed_)
      Require(code == CHOSA_MISUSE, std::string(call) + " on a closed store returned " + chosa_code_name(code));
    return code;
  }

  int64_t DraftId() {
    const uint8_t pick = in_.Byte();
    if (pick < 0xC0 && !draft_ids_.empty()) return draft_ids_[pick % draft_ids_.size()];
    return static_cast<int8_t>(pick);
  }

  std::string Uuid() {
    const uint8_t pick = in_.Byte();
    if (pick < 0xC0 && !uuids_.empty()) return uuids_[pick % uuids_.size()];
    static const char* const kUuids[] = {"", "not-a-uuid", "00000000-0000-4000-8000-000000000000"};
    return kUuids[pick % Count(kUuids)];
  }

  void Step(Op op) {
    switch (op) {
      case kStart:
      case kResume: {
        const int slot = static_cast<int>(in_.Below(kDraftSlots));
        ReleaseDraft(slot);
        chosa_draft* draft = nullptr;
        chosa_code code;
        if (op == kStart) {
          const std::string form = in_.Text(kFormIds);
          const std::string enumerator = in_.Text(kTexts);
          const std::string language = in_.Text(kLanguages);
          code = StoreCall("chosa_draft_start", chosa_draft_start(store_, form.c_str(), enumerator.c_str(),
                                                                  language.c_str(), &draft, &error_));
        } else {
          code = StoreCall("chosa_draft_resume", chosa_draft_resume(store_, DraftId(), &draft, &error_));
        }
        Require((code == CHOSA_OK) == (draft != nullptr), "a draft handle given with a failure, or none with CHOSA_OK");
        if (draft != nullptr) {
          const int64_t id = chosa_draft_id(draft);
          Require(id > 0, "chosa_draft_id of a new draft is not positive");
          draft_ids_.push_back(id);
          drafts_[slot] = draft;
          released_[slot] = false;
          finalized_[slot] = false;
        }
        break;
      }
      case kCloseDraft: {
        // Released, but the slot keeps the pointer: later calls use a released handle, and a
        // second close is ignored.
        const int slot = static_cast<int>(in_.Below(kDraftSlots));
        chosa_draft_close(drafts_[slot]);
        released_[slot] = true;
        break;
      }
      case kSetAnswer: {
        const int slot = static_cast<int>(in_.Below(kDraftSlots));
        const std::string path = in_.Text(kPaths), text = in_.Text(kTexts);
        DraftCall("chosa_draft_set_answer", slot,
                  chosa_draft_set_answer(drafts_[slot], path.c_str(), text.c_str(), &error_));
        break;
      }
      case kSetAnswerJson: {
        const int slot = static_cast<int>(in_.Below(kDraftSlots));
        const std::string path = in_.Text(kPaths), value = in_.Text(kJson);
        DraftCall("chosa_draft_set_answer_json", slot,
                  chosa_draft_set_answer_json(drafts_[slot], path.c_str(), value.c_str(), &error_));
        break;
      }
      case kAddInstance: {
        const int slot = static_cast<int>(in_.Below(kDraftSlots));
        const std::string repeat = in_.Text(kRepeats);
        int32_t position = -7;
        const chosa_code code = DraftCall("chosa_draft_add_instance", slot,
                                          chosa_draft_add_instance(drafts_[slot], repeat.c_str(), &position, &error_));
        if (code == CHOSA_OK) Require(position >= 1, "chosa_draft_add_instance gave a position below 1");
        break;
      }
      case kRemoveInstance: {
        const int slot = static_cast<int>(in_.Below(kDraftSlots));
        const std::string repeat = in_.Text(kRepeats);
        const int32_t position = in_.Small();
        DraftCall("chosa_draft_remove_instance", slot,
                  chosa_draft_remove_instance(drafts_[slot], repeat.c_str(), position, &error_));
        break;
      }
      case kNext:
      case kBack: {
        const int slot = static_cast<int>(in_.Below(kDraftSlots));
        if (op == kNext) {
          DraftCall("chosa_draft_next", slot, chosa_draft_next(drafts_[slot], &error_));
        } else {
          DraftCall("chosa_draft_back", slot, chosa_draft_back(drafts_[slot], &error_));
        }
        break;
      }
      case kGoToPage: {
        const int slot = static_cast<int>(in_.Below(kDraftSlots));
        const int32_t page = in_.Small();
        DraftCall("chosa_draft_go_to_page", slot, chosa_draft_go_to_page(drafts_[slot], page, &error_));
        break;
      }
      case kSetLanguage: {
        const int slot = static_cast<int>(in_.Below(kDraftSlots));
        const std::string language = in_.Text(kLanguages);
        DraftCall("chosa_draft_set_language", slot, chosa_draft_set_language(drafts_[slot], language.c_str(), &error_));
        break;
      }
      case kView:
      case kReview: {
        const int slot = static_cast<int>(in_.Below(kDraftSlots));
        char* out = nullptr;
        size_t size = 0;
        const char* call = op == kView ? "chosa_draft_view_json" : "chosa_draft_review_json";
        const chosa_code code = DraftCall(call, slot,
                                          op == kView ? chosa_draft_view_json(drafts_[slot], &out, &size, &error_)
                                                      : chosa_draft_review_json(drafts_[slot], &out, &size, &error_));
        Output(call, code, out, size, true);
        break;
      }
      case kFinalize: {
        const int slot = static_cast<int>(in_.Below(kDraftSlots));
        char* uuid = nullptr;
        const chosa_code code =
            DraftCall("chosa_draft_finalize", slot, chosa_draft_finalize(drafts_[slot], &uuid, &error_));
        if (code == CHOSA_OK) {
          Require(uuid != nullptr && std::strlen(uuid) == 36, "chosa_draft_finalize gave no UUID");
          uuids_.push_back(uuid);
          if (!released_[slot]) finalized_[slot] = true;
        }
        chosa_free(uuid);
        break;
      }
      case kList: {
        const std::string state = in_.Text(kStates), language = in_.Text(kLanguages);
        char* out = nullptr;
        chosa_code code =
            StoreCall("chosa_store_list_instances", chosa_store_list_instances(store_, state.c_str(), &out, &error_));
        Output("chosa_store_list_instances", code, out, 0, true, false);
        out = nullptr;
        code = StoreCall("chosa_store_list_forms", chosa_store_list_forms(store_, language.c_str(), &out, &error_));
        Output("chosa_store_list_forms", code, out, 0, true, false);
        out = nullptr;
        code = StoreCall("chosa_store_device_id", chosa_store_device_id(store_, &out, &error_));
        Output("chosa_store_device_id", code, out, 0, false, false);
        break;
      }
      case kDeleteDraft:
        StoreCall("chosa_store_delete_draft", chosa_store_delete_draft(store_, DraftId(), &error_));
        break;
      case kReadSubmission: {
        const std::string uuid = Uuid();
        char* out = nullptr;
        size_t size = 0;
        const chosa_code code = StoreCall("chosa_store_read_submission",
                                          chosa_store_read_submission(store_, uuid.c_str(), &out, &size, &error_));
        Output("chosa_store_read_submission", code, out, size, true);
        break;
      }
      case kLoadForm: {
        const std::string form_id = in_.Text(kFormIds), version = in_.Text(kVersions), language = in_.Text(kLanguages);
        chosa_form* form = nullptr;
        const chosa_code code = StoreCall(
            "chosa_store_load_form", chosa_store_load_form(store_, form_id.c_str(), version.c_str(), &form, &error_));
        Require((code == CHOSA_OK) == (form != nullptr), "a form handle given with a failure, or none with CHOSA_OK");
        if (form != nullptr) {
          char* out = nullptr;
          const chosa_code described =
              Checked("chosa_form_info_json", chosa_form_info_json(form, language.c_str(), &out, &error_));
          Require(described == CHOSA_OK, "chosa_form_info_json failed on a live form");
          Output("chosa_form_info_json", described, out, 0, true, false);
          chosa_form_free(form);
          chosa_form_free(form);  // a second free is ignored
        }
        break;
      }
      case kParseForm: {
        const std::string text = in_.Text(kJson);
        chosa_form* form = nullptr;
        Checked("chosa_form_parse", chosa_form_parse(text.data(), text.size(), &form, &error_));
        chosa_form_free(form);
        break;
      }
      case kChannelOpen: {
        const int slot = static_cast<int>(in_.Below(kChannelSlots));
        const std::string enumerator = in_.Text(kTexts);
        ReleaseChannel(slot);
        chosa_actions* channel = nullptr;
        StoreCall("chosa_actions_open", chosa_actions_open(store_, enumerator.c_str(), &channel, &error_));
        if (channel != nullptr) {
          channels_[slot] = channel;
          channel_released_[slot] = false;
        }
        break;
      }
      case kChannelClose: {
        const int slot = static_cast<int>(in_.Below(kChannelSlots));
        chosa_actions_close(channels_[slot]);
        channel_released_[slot] = true;
        break;
      }
      case kMessage:
      case kRawMessage: {
        const int slot = static_cast<int>(in_.Below(kChannelSlots));
        const std::string request = op == kMessage ? Message() : in_.Text(kJson);
        Handle(slot, request);
        break;
      }
      case kSync: {
        // Not enrolled, and no network: nothing leaves the process.
        chosa_sync* sync = nullptr;
        if (StoreCall("chosa_sync_open", chosa_sync_open(store_, &sync, &error_)) != CHOSA_OK) break;
        Require(chosa_sync_is_enrolled(sync) == 0, "a store never enrolled says it is");
        int frees = 0;
        const chosa_code code = Checked(
            "chosa_sync_run", chosa_sync_run(
                                  sync, nullptr, &frees, [](void* n) { ++*static_cast<int*>(n); }, nullptr, &error_));
        Require(code == CHOSA_UNAUTHENTICATED, std::string("a sync never enrolled returned ") + chosa_code_name(code));
        Require(frees == 1, "chosa_sync_run did not free its user data once");
        chosa_sync_cancel(sync);
        chosa_sync_close(sync);
        chosa_sync_close(sync);
        break;
      }
      case kCloseStore:
        // The store closes under whatever is open of it; a second close is ignored.
        chosa_store_close(store_);
        store_closed_ = true;
        break;
      case kInstall: {
        const std::string text = in_.Text(kJson);
        char* info = nullptr;
        const chosa_code code = StoreCall("chosa_store_install_form",
                                          chosa_store_install_form(store_, text.data(), text.size(), &info, &error_));
        Output("chosa_store_install_form", code, info, 0, true, false);
        break;
      }
      case kOpCount:
        break;
    }
  }

  // An action message from the input: {"v", "op", "id"?, fields...} with values of the field's
  // kind (or not), then perhaps mutated as text.
  std::string Message() {
    const uint8_t shape = in_.Byte();
    json message = json::object();
    static const json kVersionsSeen[] = {1, 2, "1", 0, nullptr};
    if (shape & 1) {
      message["v"] = kVersionsSeen[in_.Below(Count(kVersionsSeen))];
    } else {
      message["v"] = 1;
    }
    if (!(shape & 2)) message["op"] = kOps[in_.Below(Count(kOps))];
    if (shape & 4) message["id"] = in_.Small();
    const size_t fields = in_.Below(4);
    for (size_t i = 0; i < fields; ++i) {
      const std::string field = kFields[in_.Below(Count(kFields))];
      switch (in_.Below(6)) {
        case 0:
          message[field] = in_.Text(kFormIds);
          break;
        case 1:
          message[field] = in_.Text(kPaths);
          break;
        case 2:
          message[field] = in_.Text(kTexts);
          break;
        case 3:
          message[field] = DraftId();
          break;
        case 4:
          message[field] = in_.Small();
          break;
        default: {
          json value = json::parse(in_.Text(kJson), nullptr, /*allow_exceptions=*/false);
          message[field] = value.is_discarded() ? json(in_.Text(kLanguages)) : value;
          break;
        }
      }
    }
    std::string text = message.dump(-1, ' ', false, json::error_handler_t::replace);
    switch (in_.Below(8)) {
      case 0:
        text.resize(in_.Below(text.size() + 1));
        break;  // cut short
      case 1:
        if (!text.empty()) text[in_.Below(text.size())] ^= static_cast<char>(in_.Byte());
        break;  // a byte changed
      case 2:
        text.insert(in_.Below(text.size() + 1), in_.Text(kJson));
        break;  // something inserted
      case 3:
        text.push_back('\0');
        text += in_.Text(kTexts);
        break;  // a NUL inside
      default:
        break;
    }
    return text;
  }

  void Handle(int slot, const std::string& request) {
    chosa_actions* channel = channels_[slot];
    char* reply = nullptr;
    size_t size = 0;
    const chosa_code code = chosa_actions_handle(channel, request.data(), request.size(), &reply, &size);
    const bool live = channel != nullptr && !channel_released_[slot];
    if (!live) {
      // A released channel: its memory may now be another channel's; either way, no crash.
      Require(code == CHOSA_OK || code == CHOSA_MISUSE, "chosa_actions_handle on a released channel");
    } else {
      Require(code == CHOSA_OK,
              std::string("chosa_actions_handle returned ") + chosa_code_name(code) + " on a live channel");
    }
    if (code != CHOSA_OK) {
      Require(reply == nullptr, "chosa_actions_handle failed but gave a reply");
      return;
    }
    Require(reply != nullptr && std::strlen(reply) == size, "chosa_actions_handle's reply and its size");
    json parsed = json::parse(reply, nullptr, /*allow_exceptions=*/false);
    chosa_free(reply);
    Require(parsed.is_object() && parsed.value("v", 0) == CHOSA_ACTION_VERSION, "a reply without \"v\": 1");
    Require(parsed.contains("ok") && parsed["ok"].is_boolean(), "a reply without \"ok\"");
    if (parsed["ok"] == true) {
      Require(!parsed.contains("error"), "a reply with \"ok\": true and an error");
      Require(!store_closed_ || !live, "a channel of a closed store did something");
      return;
    }
    const json& error = parsed["error"];
    Require(error.is_object() && error.contains("code") && error["code"].is_string() && error.contains("message") &&
                error["message"].is_string() && !error["message"].get<std::string>().empty(),
            "a refused action without its error: " + parsed.dump());
    const std::string name = error["code"];
    bool known = false;
    for (const char* code_name : kCodeNames) known |= name == code_name;
    Require(known, "an action refused with an unknown code " + name);
    Require(name != "internal", "an action refused with \"internal\": " + parsed.dump());
    if (store_closed_ && live)
      Require(name == "misuse" || name == "invalid_argument" || name == "unsupported",
              "a channel of a closed store refused with " + name);
  }

  void ReleaseDraft(int slot) {
    if (drafts_[slot] != nullptr && !released_[slot]) chosa_draft_close(drafts_[slot]);
    drafts_[slot] = nullptr;
    released_[slot] = false;
    finalized_[slot] = false;
  }
  void ReleaseChannel(int slot) {
    if (channels_[slot] != nullptr && !channel_released_[slot]) chosa_actions_close(channels_[slot]);
    channels_[slot] = nullptr;
    channel_released_[slot] = false;
  }
  void ReleaseAll() {
    for (int slot = 0; slot < kDraftSlots; ++slot) ReleaseDraft(slot);
    for (int slot = 0; slot < kChannelSlots; ++slot) ReleaseChannel(slot);
    if (!store_closed_) chosa_store_close(store_);
    chosa_error_clear(&error_);
    if (!dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
      InputDirectory().clear();
    }
  }

  Input& in_;
  std::string dir_;
  Platform hooks_;
  chosa_platform platform_{};
  chosa_store* store_ = nullptr;
  bool store_closed_ = false;
  chosa_draft* drafts_[kDraftSlots] = {};
  bool released_[kDraftSlots] = {};
  bool finalized_[kDraftSlots] = {};
  chosa_actions* channels_[kChannelSlots] = {};
  bool channel_released_[kChannelSlots] = {};
  std::vector<int64_t> draft_ids_;
  std::vector<std::string> uuids_;
  chosa_error error_ = CHOSA_ERROR_INIT;
};

}  // namespace

void PrepareCApi() { TemplateStore(); }

int FuzzCApi(const uint8_t* data, size_t size) {
  Input in(data, size);
  Session session(in);
  if (session.Open()) session.Run();
  return 0;
}

}  // namespace chosa::fuzz

#ifdef CHOSA_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return chosa::fuzz::FuzzCApi(data, size); }
#endif
