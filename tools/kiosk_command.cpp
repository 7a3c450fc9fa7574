// chosa kiosk FORM... [--store PATH] [--listen 127.0.0.1:PORT] [--loop] [--idle-seconds N]:
// serves the tablet renderer (platform/web/, built in) and the action messages for a device
// store, on loopback, until SIGTERM or SIGINT. The page talks to the engine only through the
// C API's action messages (chosa.h), the ones an app's web view carries, so it runs unchanged in
// both.
//
// Loopback is not private: other programs of the device, and web pages the browser shows, can
// reach it. So each start makes a random token that the page it serves carries and every message
// must present (X-Chosa-Token), and every request's Host header must be this kiosk's own address
// (a page of another site that re-binds its DNS name to 127.0.0.1 sends its own name).
//
// Exit status: 0 stopped by a signal, 1 cannot serve (store, forms, address), 2 usage.
#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <charconv>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "chosa/base/hex_digest.h"
#include "chosa/chosa.h"
#include "chosa/env.h"
#include "chosa/web_assets.h"
#include "cli_args.h"
#include "commands.h"
#include "store_cli.h"
#include "ui_words.h"

namespace chosa {
namespace tools {

namespace {

constexpr size_t kMaxMessageBytes = 1u << 20;  // an answer is text typed on a tablet

const cli::CommandSpec& KioskSpec() {
  static const cli::CommandSpec spec{
      "chosa", "kiosk", "FORM... [--store PATH] [--listen 127.0.0.1:PORT] [--loop] [--idle-seconds N]\n"
                        "                   [--enumerator ID] [--port-file PATH]",
      Format("  Serves the questionnaires FORM... on this device's loopback for a browser or a tablet's\n"
             "  web view: every answer is saved in the device store as it is given; finalized\n"
             "  submissions go to its outbox (`chosa sync` sends them). Runs until SIGTERM or SIGINT.\n"
             "  --store PATH        the device store (default: %s)\n"
             "  --listen HOST:PORT  a loopback address (default 127.0.0.1:8765; port 0: any free port)\n"
             "  --loop              for events: after each submission a thank-you screen, then a fresh\n"
             "                      form for the next person; no drafts list, nothing of the previous one\n"
             "  --idle-seconds N    --loop: back to the start after N seconds without input (default 120);\n"
             "                      the abandoned draft stays in the store for staff (`chosa drafts`)\n"
             "  --enumerator ID     who the drafts are stamped with (default \"kiosk\")\n"
             "  --port-file PATH    write the port listened on to PATH once listening\n"
             "  Exit: 0 stopped by a signal, 1 cannot serve, 2 usage.\n",
             DeviceStore::DefaultPath().c_str()),
      {{"--store", true},
       {"--listen", true},
       {"--loop", false},
       {"--idle-seconds", true},
       {"--enumerator", true},
       {"--port-file", true}}};
  return spec;
}

// A number of 0 to `max` written in decimal digits alone; -1 otherwise.
int64_t Number(const std::string& text, int64_t max) {
  int64_t value = -1;
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  return text.empty() || error != std::errc() || stop != end || value < 0 || value > max ? -1 : value;
}

bool IsLoopback(const std::string& host) { return host == "127.0.0.1" || host == "::1" || host == "localhost"; }

std::string ErrorBody(const std::string& code, const std::string& message) {
  return nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump();
}

bool SameSecret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char differ = 0;
  for (size_t i = 0; i < a.size(); ++i) differ |= static_cast<unsigned char>(a[i] ^ b[i]);
  return differ == 0;
}

void Replace(std::string* text, const std::string& from, const std::string& to) {
  for (size_t at = text->find(from); at != std::string::npos; at = text->find(from, at + to.size())) {
    text->replace(at, from.size(), to);
  }
}

// The kiosk's state: the store, one action channel (one screen), and the rules it serves by.
class Kiosk {
 public:
  Kiosk(chosa_store* store, chosa_actions* actions, std::vector<std::string> form_ids, bool loop, int idle_seconds)
      : store_(store), actions_(actions), form_ids_(std::move(form_ids)), loop_(loop), idle_seconds_(idle_seconds) {
    unsigned char random[16];
    Env::Default()->RandomBytes(random, sizeof random);
    token_ = Hex(random, sizeof random);
  }

  void Route(httplib::Server& server, const std::string& host, int* port) {
    port_ = port;
    host_ = host;
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (HostIsOurs(req.get_header_value("Host"))) return httplib::Server::HandlerResponse::Unhandled;
      res.status = 421;
      res.set_content(ErrorBody("misdirected", "this kiosk answers only at its own address"), "application/json");
      return httplib::Server::HandlerResponse::Handled;
    });
    server.Get(R"(/([A-Za-z0-9._-]*))", [this](const httplib::Request& req, httplib::Response& res) {
      std::string name = req.matches[1];
      if (name.empty()) name = "index.html";
      const web::Asset* asset = web::FindAsset(name);
      if (asset == nullptr) {
        res.status = 404;
        res.set_content(ErrorBody("not_found", "no such page"), "application/json");
        return;
      }
      auto body = std::make_shared<std::string>(asset->bytes);
      if (name == "index.html") *body = Page(*body);
      Secure(res);
      // Served with its length through a content provider, which httplib sends as it is: with
      // set_content it would compress every text/* and script with Brotli at its slowest level
      // (about 90 ms for the widgets' script) for a page that is read over loopback.
      res.set_content_provider(body->size(), std::string(asset->content_type).c_str(),
                               [body](size_t offset, size_t length, httplib::DataSink& sink) {
                                 return sink.write(body->data() + offset, length);
                               });
    });
    server.Post("/api/action", [this](const httplib::Request& req, httplib::Response& res) { Action(req, res); });
  }

 private:
  bool HostIsOurs(const std::string& header) const {
    const std::string port = std::to_string(*port_);
    if (header == host_ + ":" + port || header == "localhost:" + port) return true;
    return host_ == "::1" && header == "[::1]:" + port;
  }

  // index.html with this start's token and the kiosk's settings.
  std::string Page(std::string html) const {
    std::string forms;
    for (const std::string& id : form_ids_) forms += (forms.empty() ? "" : ",") + id;
    Replace(&html, "{{CHOSA_TOKEN}}", token_);
    Replace(&html, "{{CHOSA_MODE}}", loop_ ? "kiosk-loop" : "kiosk");
    Replace(&html, "{{CHOSA_IDLE_SECONDS}}", std::to_string(idle_seconds_));
    Replace(&html, "{{CHOSA_FORMS}}", forms);
    return html;
  }

  static void Secure(httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                   "connect-src 'self'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
  }

  void Refuse(httplib::Response& res, int status, const std::string& code, const std::string& message) {
    res.status = status;
    Secure(res);
    res.set_content(ErrorBody(code, message), "application/json");
  }

  void Action(const httplib::Request& req, httplib::Response& res) {
    if (!SameSecret(req.get_header_value("X-Chosa-Token"), token_)) {
      return Refuse(res, 403, "forbidden", "the X-Chosa-Token header is missing or not this kiosk's");
    }
    if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
      return Refuse(res, 415, "unsupported_media_type", "send the message as application/json");
    }
    if (req.body.size() > kMaxMessageBytes) {
      return Refuse(res, 413, "too_large", "a message is at most " + std::to_string(kMaxMessageBytes) + " bytes");
    }
    nlohmann::json message = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (message.is_discarded() || !message.is_object()) {
      return Refuse(res, 400, "invalid_argument", "the body is not a JSON object (an action message)");
    }
    const std::string op = message.contains("op") && message["op"].is_string() ? message["op"].get<std::string>() : "";
    if (loop_ && (op == "drafts" || op == "resume" || op == "delete")) {
      return Refuse(res, 403, "forbidden", "an event kiosk (--loop) neither lists nor resumes drafts");
    }
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (loop_ && now - last_message_ > std::chrono::seconds(idle_seconds_)) {
      // The previous person walked away: their draft stays in the store, out of this screen.
      Send(R"({"v":1,"op":"close"})");
    }
    last_message_ = now;
    std::optional<std::string> reply = Send(req.body);
    if (!reply) return Refuse(res, 500, "internal", "the engine gave no reply");
    Secure(res);
    // With its charset, which it is, the reply goes out uncompressed: cpp-httplib compresses an
    // exact "application/json" with Brotli at its slowest, 10-30 ms a tap, for nothing on loopback
    // (BENCHMARKS.md, "Renderer").
    res.set_content(*reply, "application/json; charset=utf-8");
  }

  std::optional<std::string> Send(const std::string& request) {
    char* reply = nullptr;
    size_t size = 0;
    if (chosa_actions_handle(actions_, request.data(), request.size(), &reply, &size) != CHOSA_OK) return {};
    std::string text(reply, size);
    chosa_free(reply);
    return text;
  }

  chosa_store* store_;
  chosa_actions* actions_;
  std::vector<std::string> form_ids_;
  bool loop_;
  int idle_seconds_;
  std::string token_;
  std::string host_;
  const int* port_ = nullptr;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_message_ = std::chrono::steady_clock::now();
};

}  // namespace

int RunKiosk(int argc, char** argv) {
  cli::ParsedArgs options;
  if (std::optional<int> exit = cli::Parse(KioskSpec(), argc, argv, &options)) return *exit;
  if (options.positionals.empty()) return cli::UsageError(KioskSpec(), "name at least one form (FORM.json)");
  const std::string listen = options.Get("--listen", "127.0.0.1:8765");
  const size_t colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? "" : listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const int64_t port = colon == std::string::npos ? -1 : Number(listen.substr(colon + 1), 65535);
  if (port < 0) return cli::UsageError(KioskSpec(), "--listen takes HOST:PORT, not \"" + listen + "\"");
  if (!IsLoopback(host)) {
    return cli::UsageError(KioskSpec(), "--listen " + listen +
                                            ": the kiosk serves this device's loopback only (127.0.0.1, ::1)");
  }
  int idle_seconds = 120;
  if (options.Has("--idle-seconds")) {
    const int64_t given = Number(options.Get("--idle-seconds"), 86400);
    if (given < 1) return cli::UsageError(KioskSpec(), "--idle-seconds takes 1 to 86400");
    idle_seconds = static_cast<int>(given);
  }
  if (options.Has("--idle-seconds") && !options.Has("--loop")) {
    return cli::UsageError(KioskSpec(), "--idle-seconds goes with --loop");
  }

  // Block the stop signals in every thread; one thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const std::string path = StorePathOption(options);
  chosa_error error = CHOSA_ERROR_INIT;
  chosa_store* store = nullptr;
  auto fail = [&](const std::string& what) {
    std::fprintf(stderr, "chosa kiosk: %s: %s\n", what.c_str(), error.message != nullptr ? error.message : "failed");
    chosa_error_clear(&error);
    return kExitFault;
  };
  if (chosa_store_open(path.c_str(), nullptr, &store, &error) != CHOSA_OK) return fail("cannot open " + path);
  std::vector<std::string> form_ids;
  for (const std::string& form : options.positionals) {
    char* info = nullptr;
    if (chosa_store_install_form_file(store, form.c_str(), &info, &error) != CHOSA_OK) {
      std::string where = error.pointer != nullptr && *error.pointer != '\0' ? std::string(": ") + error.pointer : "";
      chosa_store_close(store);
      return fail(form + where);
    }
    form_ids.push_back(nlohmann::json::parse(info)["form_id"].get<std::string>());
    chosa_free(info);
  }
  chosa_actions* actions = nullptr;
  if (chosa_actions_open(store, options.Get("--enumerator", "kiosk").c_str(), &actions, &error) != CHOSA_OK) {
    chosa_store_close(store);
    return fail("cannot serve " + path);
  }

  httplib::Server server;
  // Not the library's default SO_REUSEPORT, with which a second kiosk would share the port.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_payload_max_length(kMaxMessageBytes);
  server.set_read_timeout(10, 0);
  int bound_port = static_cast<int>(port);
  Kiosk kiosk(store, actions, form_ids, options.Has("--loop"), idle_seconds);
  kiosk.Route(server, host, &bound_port);
  if (port == 0) {
    bound_port = server.bind_to_any_port(host);
  } else if (!server.bind_to_port(host, bound_port)) {
    bound_port = -1;
  }
  int status = kExitOk;
  if (bound_port <= 0) {
    std::fprintf(stderr, "chosa kiosk: cannot listen on %s: %s\n", listen.c_str(), std::strerror(errno));
    status = kExitFault;
  } else {
    if (options.Has("--port-file")) {
      const std::string port_file = options.Get("--port-file");
      std::ofstream(port_file + ".tmp") << bound_port << "\n";
      std::rename((port_file + ".tmp").c_str(), port_file.c_str());  // readers never see half a number
    }
    const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    std::printf("chosa kiosk: http://%s:%d/ serves %zu form%s%s (store %s); stop with Ctrl-C\n", shown_host.c_str(),
                bound_port, form_ids.size(), form_ids.size() == 1 ? "" : "s",
                options.Has("--loop") ? " in a loop for events" : "", path.c_str());
    std::fflush(stdout);
    std::atomic<bool> ended{false};
    std::thread stopper([&] {
      int signal_number = 0;
      sigwait(&stop_signals, &signal_number);
      if (!ended) server.stop();
    });
    if (!server.listen_after_bind()) status = kExitFault;
    ended = true;
    pthread_kill(stopper.native_handle(), SIGTERM);  // wake the waiting thread if no signal came
    stopper.join();
  }
  chosa_actions_close(actions);
  chosa_store_close(store);
  return status;
}

}  // namespace tools
}  // namespace chosa
