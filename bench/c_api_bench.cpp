// The C API's cost over the C++ API (issue 16, "Benchmark"; BENCHMARKS.md "C API"): one answer
// and the new view model as JSON, on a draft of the device store (the answer is saved before
// the call returns, on both sides), three ways in one process, on one store file:
//
//   C++      Draft::SetAnswer + Session::ViewJson (what the C API is built on)
//   C calls  chosa_draft_set_answer + chosa_draft_view_json (libchosa.so)
//   message  chosa_actions_handle({"v":1,"op":"answer","path":...,"text":...}): the reply holds
//            the new view model (what a renderer in a web view sends and receives)
//
//   chosa_c_api_bench --checklist schemas/examples/coordinator_checklist.json
//                     --form2000 form_2000.chosa.json --dir DIR [--rounds 15] [--sets 200]
//                     [--json OUT]
//
// Two pages: the checklist's 25-row matrix page (c01 set to 3, then 4, ...) and page 1 of the
// generated 2,000-question form (`leaf`, an integer, 41 then 40; bench/generate_forms.py). The
// arms take turns within each round, the order rotating round by round; each figure is the
// median over every set of an arm. Each arm has its own draft.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chosa/chosa.h"
#include "chosa/store.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

[[noreturn]] void Die(const std::string& why) {
  std::cerr << "c_api bench: " << why << "\n";
  std::exit(1);
}

void Check(const chosa::Status& status, const std::string& what) {
  if (!status.ok()) Die(what + ": " + status.ToString());
}

void CheckC(chosa_code code, const chosa_error& error, const std::string& what) {
  if (code != CHOSA_OK) Die(what + ": " + (error.message != nullptr ? error.message : chosa_code_name(code)));
}

struct Page {
  std::string name;      // "checklist", "form2000 page 1"
  std::string form_file;
  std::string form_id;
  int32_t page = 0;
  std::string path;      // the answer set back and forth
  std::string texts[2];
};

struct Arm {
  std::vector<double> us;
  double Median() {
    std::sort(us.begin(), us.end());
    return us[us.size() / 2];
  }
};

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  std::string checklist, form2000, dir, json_out;
  int rounds = 15, sets = 200;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value for " + k);
      return argv[++i];
    };
    if (k == "--checklist") checklist = next();
    else if (k == "--form2000") form2000 = next();
    else if (k == "--dir") dir = next();
    else if (k == "--rounds") rounds = std::stoi(next());
    else if (k == "--sets") sets = std::stoi(next());
    else if (k == "--json") json_out = next();
    else Die("unknown option " + k);
  }
  if (checklist.empty() || form2000.empty() || dir.empty()) {
    Die("usage: chosa_c_api_bench --checklist FILE --form2000 FILE --dir DIR [--rounds R] [--sets S] [--json OUT]");
  }
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = dir + "/store.sqlite";

  std::vector<Page> pages = {{"checklist page (25-row matrix)", checklist, "coordinator_checklist", 1, "c01", {"3", "4"}},
                             {"2,000-question form, page 1 (42 items)", form2000, "", 0, "leaf", {"41", "40"}}};

  // The C API's store (both C arms) and the C++ store beside it: two files of the same kind on the
  // same disk, each answer saved alike.
  chosa_error error = CHOSA_ERROR_INIT;
  chosa_store* c_store = nullptr;
  CheckC(chosa_store_open(path.c_str(), nullptr, &c_store, &error), error, "chosa_store_open");
  for (Page& page : pages) {
    char* info = nullptr;
    CheckC(chosa_store_install_form_file(c_store, page.form_file.c_str(), &info, &error), error, "install");
    page.form_id = nlohmann::json::parse(info)["form_id"];
    chosa_free(info);
  }
  auto cpp_store = chosa::DeviceStore::Open(dir + "/store-cpp.sqlite");
  Check(cpp_store.status(), "DeviceStore::Open");
  for (const Page& page : pages) Check((*cpp_store)->InstallFormFile(page.form_file).status(), "InstallFormFile");

  nlohmann::json out;
  out["rounds"] = rounds;
  out["sets_per_round"] = sets;
  for (const Page& page : pages) {
    // The C++ arm.
    auto draft = (*cpp_store)->StartDraft(page.form_id, "bench", "ja");
    Check(draft.status(), "StartDraft");
    Check((*draft)->GoToPage(page.page), "GoToPage");
    // The C calls' arm.
    chosa_draft* c_draft = nullptr;
    CheckC(chosa_draft_start(c_store, page.form_id.c_str(), "bench", "ja", &c_draft, &error), error, "start");
    CheckC(chosa_draft_go_to_page(c_draft, page.page, &error), error, "go_to_page");
    // The message arm.
    chosa_actions* actions = nullptr;
    CheckC(chosa_actions_open(c_store, "bench", &actions, &error), error, "actions_open");
    auto send = [&](const std::string& request) {
      char* reply = nullptr;
      size_t size = 0;
      if (chosa_actions_handle(actions, request.data(), request.size(), &reply, &size) != CHOSA_OK) Die("handle");
      std::string text(reply, size);
      chosa_free(reply);
      return text;
    };
    std::string started = send(R"({"v":1,"op":"start","form_id":")" + page.form_id + R"(","language":"ja"})");
    if (started.find("\"ok\":true") == std::string::npos) Die("start: " + started);
    send(R"({"v":1,"op":"go_to","page":)" + std::to_string(page.page) + "}");
    const std::string requests[2] = {
        R"({"v":1,"op":"answer","path":")" + page.path + R"(","text":")" + page.texts[0] + "\"}",
        R"({"v":1,"op":"answer","path":")" + page.path + R"(","text":")" + page.texts[1] + "\"}"};

    Arm cpp, c_calls, message;
    size_t view_bytes = 0, reply_bytes = 0;
    for (int round = 0; round < rounds; ++round) {
      for (int k = 0; k < 3; ++k) {
        const int arm = (round + k) % 3;
        for (int i = 0; i < sets; ++i) {
          const int which = i % 2;
          auto t0 = Clock::now();
          if (arm == 0) {
            Check((*draft)->SetAnswer(page.path, page.texts[which]), "SetAnswer");
            std::string view = (*draft)->session().ViewJson();
            cpp.us.push_back(Micros(Clock::now() - t0));
            view_bytes = view.size();
          } else if (arm == 1) {
            CheckC(chosa_draft_set_answer(c_draft, page.path.c_str(), page.texts[which].c_str(), &error), error,
                   "chosa_draft_set_answer");
            char* view = nullptr;
            CheckC(chosa_draft_view_json(c_draft, &view, nullptr, &error), error, "view_json");
            chosa_free(view);
            c_calls.us.push_back(Micros(Clock::now() - t0));
          } else {
            std::string reply = send(requests[which]);
            message.us.push_back(Micros(Clock::now() - t0));
            reply_bytes = reply.size();
            if (i == 0 && reply.find("\"ok\":true") == std::string::npos) Die("answer: " + reply.substr(0, 300));
          }
        }
      }
    }
    const double base = cpp.Median();
    nlohmann::json figures = {{"cpp_us", base},
                              {"c_calls_us", c_calls.Median()},
                              {"message_us", message.Median()},
                              {"c_calls_over_cpp", c_calls.Median() / base},
                              {"message_over_cpp", message.Median() / base},
                              {"view_bytes", view_bytes},
                              {"reply_bytes", reply_bytes}};
    out[page.name] = figures;
    std::printf("%-42s C++ %8.1f us   C calls %8.1f us (%.3fx)   message %8.1f us (%.3fx)   view %zu B\n",
                page.name.c_str(), base, c_calls.Median(), c_calls.Median() / base, message.Median(),
                message.Median() / base, view_bytes);
    chosa_actions_close(actions);
    chosa_draft_close(c_draft);
  }
  chosa_store_close(c_store);
  chosa_error_clear(&error);
  if (!json_out.empty()) std::ofstream(json_out) << out.dump(2) << "\n";
  return 0;
}
