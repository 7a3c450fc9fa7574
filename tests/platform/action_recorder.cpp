// Records every action message a test program exchanges through chosa_actions_handle: the
// program is linked with -Wl,--wrap=chosa_actions_handle, so that its calls come here, go on to
// libchosa.so's function and are appended, request and reply, as one JSON line to the file
// named by CHOSA_ACTION_LOG (nothing is written when it is not set). check_action_schema.py
// then holds every line against schemas/action.schema.json.
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "chosa/chosa.h"

extern "C" chosa_code __real_chosa_actions_handle(chosa_actions* actions, const char* request, size_t size,
                                                 char** out_reply, size_t* out_size);

extern "C" chosa_code __wrap_chosa_actions_handle(chosa_actions* actions, const char* request, size_t size,
                                                 char** out_reply, size_t* out_size) {
  size_t reply_size = 0;
  const chosa_code code = __real_chosa_actions_handle(actions, request, size, out_reply, &reply_size);
  if (out_size != nullptr) *out_size = reply_size;
  const char* log = std::getenv("CHOSA_ACTION_LOG");
  if (log == nullptr || *log == '\0' || request == nullptr) return code;
  nlohmann::json line;
  // The request as sent, which may be no JSON at all; the reply as received (null: none).
  line["request"] = std::string(request, size);
  line["code"] = chosa_code_name(code);
  line["reply"] = code == CHOSA_OK && out_reply != nullptr && *out_reply != nullptr
                      ? nlohmann::json(std::string(*out_reply, reply_size))
                      : nlohmann::json();
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  if (FILE* f = std::fopen(log, "a")) {
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  return code;
}
