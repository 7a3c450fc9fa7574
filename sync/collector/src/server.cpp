#include "chosa/collector/server.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "access_log.h"
#include "credentials.h"
#include "chosa/csv_writer.h"
#include "chosa/collector/export.h"
#include "rate_limiter.h"

namespace chosa::collector {

namespace {

using Clock = std::chrono::steady_clock;

// What the access log needs to know about the request a worker thread is handling; httplib
// hands its logger only the request and the response.
struct RequestContext {
  Clock::time_point start;
  int64_t time_ms = 0;
  std::string device;
  uint64_t bytes_in = 0;
  std::string error;
};
thread_local RequestContext current;

int HttpStatusOf(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

void SendError(httplib::Response& res, int http_status, const std::string& message, const std::string& pointer = "") {
  res.status = http_status;
  current.error = message;
  res.set_content(protocol::ToJson(protocol::ErrorBody{message, pointer}), std::string(protocol::kJsonContentType));
}

void SendError(httplib::Response& res, const Status& status) {
  SendError(res, HttpStatusOf(status), status.message(), status.pointer());
  if (status.code() == StatusCode::kUnauthenticated) res.set_header("WWW-Authenticate", "Bearer");
  if (status.code() == StatusCode::kUnavailable) res.set_header("Retry-After", "5");
}

void SendJson(httplib::Response& res, const std::string& json) {
  res.status = 200;
  res.set_content(json, std::string(protocol::kJsonContentType));
}

// The connections being served, by worker thread. httplib 0.11's worker waits out the keep-alive
// timeout of an idle connection before it looks at stop() again, so a graceful stop would wait
// keep_alive_seconds (30) for every tablet that keeps its connection open. Stop() shuts the idle
// ones down at once; a request that begins after it is answered 503.
class Connections {
 public:
  // On the worker, when the TLS handshake of its new connection is done (the socket is known).
  void Opened(int fd) {
    std::lock_guard<std::mutex> lock(mutex_);
    Served& served = served_[std::this_thread::get_id()];
    if (served.fd != fd) served = Served{fd, false};  // TLS 1.3 may report "done" again mid-request
  }
  // On the worker, once its connection is closed.
  void Closed() {
    std::lock_guard<std::mutex> lock(mutex_);
    served_.erase(std::this_thread::get_id());
  }
  // A request begins on this worker's connection; false once stopping.
  bool Begin() { return Mark(true); }
  void End() { Mark(false); }
  void StopIdle() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    std::set<int> busy;
    for (const auto& entry : served_) {
      if (entry.second.busy) busy.insert(entry.second.fd);
    }
    for (const auto& entry : served_) {
      // The worker sees the end of its connection and closes it; its client connects again later.
      if (!entry.second.busy && busy.count(entry.second.fd) == 0) ::shutdown(entry.second.fd, SHUT_RDWR);
    }
  }

 private:
  struct Served {
    int fd = -1;
    bool busy = false;
  };
  bool Mark(bool busy) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (busy && stopping_) return false;
    auto it = served_.find(std::this_thread::get_id());
    if (it != served_.end()) it->second.busy = busy;
    return true;
  }
  std::mutex mutex_;
  std::map<std::thread::id, Served> served_;
  bool stopping_ = false;
};

void OnTlsInfo(const SSL* ssl, int where, int) {
  if ((where & SSL_CB_HANDSHAKE_DONE) == 0) return;
  auto* connections = static_cast<Connections*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  if (connections != nullptr) connections->Opened(SSL_get_fd(ssl));
}

// httplib's pool, telling `connections` when a worker is done with its connection.
class ConnectionPool : public httplib::TaskQueue {
 public:
  ConnectionPool(size_t threads, Connections* connections) : pool_(threads), connections_(connections) {}
  void enqueue(std::function<void()> serve) override {
    pool_.enqueue([this, serve = std::move(serve)] {
      serve();
      connections_->Closed();
    });
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  httplib::ThreadPool pool_;
  Connections* connections_;
};

}  // namespace

struct CollectorServer::Impl {
  Impl(const ServerOptions& o, CollectorStorage& s, SubmissionValidator v, Env* e)
      : options(o),
        storage(s),
        env(e),
        ingest(s, o.limits, std::move(v)),
        limiter(o.device_requests_per_second, o.device_request_burst),
        server(o.cert_file.c_str(), o.key_file.c_str()) {}

  // The free SendError functions, and damage logged: a damaged database or submission is the
  // bureau's to act on, not only the client's to read.
  void SendError(httplib::Response& res, int http_status, const std::string& message, const std::string& pointer = "") {
    collector::SendError(res, http_status, message, pointer);
  }
  void SendError(httplib::Response& res, const Status& status) {
    if (status.code() == StatusCode::kCorruption) env->Log(LogLevel::kError, status.message());
    collector::SendError(res, status);
  }

  // The principal of the request's bearer token, or the status to answer with.
  Result<Principal> Authenticate(const httplib::Request& req, std::optional<Role> role) {
    const std::string header = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (header.compare(0, kBearer.size(), kBearer) != 0) {
      return Status::Unauthenticated("missing \"Authorization: Bearer <token>\"");
    }
    Result<Principal> principal = storage.Authenticate(std::string_view(header).substr(kBearer.size()));
    if (!principal.ok()) return principal.status();
    current.device = principal->id;
    if (role && principal->role != *role) {
      return Status::PermissionDenied(*role == Role::kDevice ? "this route is for devices" : "this route is for analysts");
    }
    return principal;
  }

  // 0, or the seconds a device must wait (answered with 429).
  bool RateLimited(const Principal& device, httplib::Response& res) {
    const int wait = limiter.Acquire(device.id, Clock::now());
    if (wait == 0) return false;
    res.set_header("Retry-After", std::to_string(wait));
    SendError(res, 429, "too many requests from this device; retry after " + std::to_string(wait) + " s");
    return true;
  }

  void Enroll(const httplib::Request& req, httplib::Response& res) {
    current.bytes_in = req.body.size();
    Result<protocol::EnrollRequest> request = protocol::ParseEnrollRequest(req.body);
    if (!request.ok()) return SendError(res, request.status());
    // The device's own identity (its store's), or one made up for a client that sends none.
    Result<std::string> device_id = request->device_id.empty() ? NewDeviceId() : Result<std::string>(request->device_id);
    Result<std::string> token = NewToken();
    if (!device_id.ok() || !token.ok()) return SendError(res, Status::Unavailable("no random bytes for a token"));
    Result<Device> device = storage.Enroll(request->code, *device_id, request->device_name, *token, env->NowMillis());
    if (!device.ok()) return SendError(res, device.status());
    current.device = device->device_id;
    SendJson(res, protocol::ToJson(protocol::EnrollResponse{device->device_id, *token}));
  }

  void ListForms(const httplib::Request& req, httplib::Response& res) {
    Result<Principal> device = Authenticate(req, Role::kDevice);
    if (!device.ok()) return SendError(res, device.status());
    if (RateLimited(*device, res)) return;
    protocol::FormsResponse listing;
    for (const std::string& form_id : device->forms) {
      Result<FormState> state = storage.GetFormState(form_id);
      if (!state.ok() && state.status().code() != StatusCode::kNotFound) return SendError(res, state.status());
      if (!state.ok() || *state != FormState::kOpen) continue;  // closed forms get no new fillings
      Result<std::vector<FormVersion>> versions = storage.FormVersions(form_id);
      if (!versions.ok()) return SendError(res, versions.status());
      for (const FormVersion& version : *versions) {
        listing.forms.push_back({version.form_id, version.version, version.sha256});
      }
    }
    SendJson(res, protocol::ToJson(listing));
  }

  // A form version's definition: for a device, of a form assigned to it; for an analyst, of any
  // form (a dataset is built from its definitions).
  void GetFormVersion(const httplib::Request& req, httplib::Response& res) {
    Result<Principal> principal = Authenticate(req, std::nullopt);
    if (!principal.ok()) return SendError(res, principal.status());
    const std::string form_id = req.matches[1];
    const std::string version = req.matches[2];
    if (principal->role == Role::kDevice) {
      if (RateLimited(*principal, res)) return;
      if (std::find(principal->forms.begin(), principal->forms.end(), form_id) == principal->forms.end()) {
        return SendError(res, 403, "form " + form_id + " is not assigned to this device");
      }
    }
    Result<FormVersion> form = storage.GetFormVersion(form_id, version);
    if (!form.ok()) return SendError(res, 404, "no version " + version + " of form " + form_id);
    const std::string etag = "\"" + form->sha256 + "\"";
    res.set_header("ETag", etag);
    if (req.get_header_value("If-None-Match") == etag) {
      res.status = 304;
      return;
    }
    SendJson(res, form->json);
  }

  // The published versions of a form, oldest first, for an analyst building its dataset.
  void ListFormVersions(const httplib::Request& req, httplib::Response& res) {
    Result<Principal> analyst = Authenticate(req, Role::kAnalyst);
    if (!analyst.ok()) return SendError(res, analyst.status());
    const std::string form_id = req.matches[1];
    Result<std::vector<FormVersion>> versions = storage.FormVersions(form_id);
    if (!versions.ok()) return SendError(res, versions.status());
    if (versions->empty()) return SendError(res, 404, "no form " + form_id);
    protocol::FormsResponse listing;
    for (const FormVersion& version : *versions) listing.forms.push_back({version.form_id, version.version, version.sha256});
    SendJson(res, protocol::ToJson(listing));
  }

  // An analyst's export of a form (docs/protocol.md, "Export"), streamed a page at a time up to
  // the cursor in the X-Chosa-Cursor header (fixed when it begins; give it back as ?since= to get
  // only what arrives later): JSON Lines, or CSV of one of the dataset's tables.
  void ExportSubmissions(const httplib::Request& req, httplib::Response& res) {
    Result<Principal> analyst = Authenticate(req, Role::kAnalyst);
    if (!analyst.ok()) return SendError(res, analyst.status());
    Result<ExportRequest> request = ReadExportRequest(req);
    if (!request.ok()) return SendError(res, request.status());
    const std::string form_id = req.matches[1];
    if (request->format == "jsonl") {
      Result<SubmissionExport> dataset = SubmissionExport::Begin(storage, form_id, request->options);
      if (!dataset.ok()) return SendError(res, dataset.status());
      res.set_header(std::string(protocol::kCursorHeader), protocol::EncodeCursor(dataset->end()));
      auto shared = std::make_shared<SubmissionExport>(std::move(dataset).value());
      return Stream(res, std::string(protocol::kBatchContentType), "the export of form " + form_id,
                    [shared](std::string& out, Status* cause) {
                      bool more = shared->NextPage([&out](const StoredSubmission& stored) {
                        out += ExportLine(stored);
                        return true;
                      });
                      *cause = shared->status();
                      return more ? Page::kMore : cause->ok() ? Page::kDone : Page::kFailed;
                    });
    }
    Result<std::unique_ptr<TablesExport>> tables = TablesExport::Begin(storage, form_id, request->options, request->labels);
    if (!tables.ok()) return SendError(res, tables.status());
    const analysis::DatasetLayout& layout = (*tables)->layout();
    if (request->format == "xlsx") return SendWorkbook(form_id, **tables, res);
    const int32_t table = request->table.empty() ? 0 : layout.RepeatTable(request->table);
    if (table == kNone) return SendError(res, 400, "form " + form_id + " has no repeat " + request->table);
    res.set_header(std::string(protocol::kCursorHeader), protocol::EncodeCursor((*tables)->end()));
    res.set_header("Content-Disposition", "attachment; filename=\"" + form_id +
                                              (table == 0 ? "" : "-" + request->table) + ".csv\"");
    struct CsvStream {
      std::unique_ptr<TablesExport> tables;
      std::string* out = nullptr;  // the page being made
      analysis::CsvWriter csv{[this](std::string_view bytes) {
        out->append(bytes);
        return true;
      }};
    };
    auto shared = std::make_shared<CsvStream>();
    shared->tables = std::move(tables).value();
    std::string header;
    shared->out = &header;
    shared->csv.WriteHeader(shared->tables->layout().tables()[static_cast<size_t>(table)]);
    shared->csv.Flush();
    return Stream(res, "text/csv; charset=utf-8", "the CSV export of form " + form_id,
                  [shared, table, header = std::move(header)](std::string& out, Status* cause) mutable {
                    out = std::move(header);
                    header.clear();
                    shared->out = &out;
                    const bool more = shared->tables->NextPage([&](const analysis::SubmissionRows& rows) {
                      if (table == 0) return shared->csv.WriteRow(rows.main);
                      const auto& repeat = rows.repeats[static_cast<size_t>(table)];
                      for (size_t i = 0; i < repeat.count; ++i) shared->csv.WriteRow(repeat.rows[i]);
                      return true;
                    });
                    shared->csv.Flush();
                    *cause = shared->tables->status();
                    return more ? Page::kMore : cause->ok() ? Page::kDone : Page::kFailed;
                  });
  }

  // A workbook cannot stream (its sheets are zipped at the end): it is built in a temporary
  // file, unlinked at once so that nothing is left behind whatever happens, and sent with its
  // length from the open file.
  void SendWorkbook(const std::string& form_id, TablesExport& tables, httplib::Response& res) {
    std::string path = (options.scratch_dir.empty() ? std::filesystem::temp_directory_path().string()
                                                    : options.scratch_dir) +
                       "/chosa-export-XXXXXX.xlsx";
    const int placeholder = mkstemps(path.data(), 5);
    if (placeholder < 0) return SendError(res, Status::Unavailable("no room for a workbook: " + path));
    close(placeholder);
    Status written = WriteWorkbook(tables, path);
    const int fd = written.ok() ? open(path.c_str(), O_RDONLY | O_CLOEXEC) : -1;
    unlink(path.c_str());
    if (!written.ok()) return SendError(res, written);
    struct stat info;
    if (fd < 0 || fstat(fd, &info) != 0) {
      if (fd >= 0) close(fd);
      return SendError(res, Status::IOError("the workbook could not be read back"));
    }
    res.set_header(std::string(protocol::kCursorHeader), protocol::EncodeCursor(tables.end()));
    res.set_header("Content-Disposition", "attachment; filename=\"" + form_id + ".xlsx\"");
    res.set_content_provider(
        static_cast<size_t>(info.st_size), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [fd](size_t offset, size_t length, httplib::DataSink& sink) {
          char buffer[64 * 1024];
          const ssize_t n = pread(fd, buffer, std::min(length, sizeof buffer), static_cast<off_t>(offset));
          return n > 0 && sink.write(buffer, static_cast<size_t>(n));
        },
        [fd](bool) { close(fd); });
  }

  struct ExportRequest {
    ExportOptions options;
    std::string format = "jsonl";
    std::string table;   // CSV: a repeat's table instead of the main one
    std::string labels;  // CSV: choices as their labels in this language
  };

  static Result<ExportRequest> ReadExportRequest(const httplib::Request& req) {
    ExportRequest out;
    for (const auto& [name, value] : req.params) {
      if (name == "since") {
        Result<int64_t> position = protocol::DecodeCursor(value);
        if (!position.ok()) return position.status();
        out.options.after = *position;
      } else if (name == "limit") {
        char* end = nullptr;
        const long long limit = std::strtoll(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0' || limit <= 0) {
          return Status::InvalidArgument("limit must be a positive number of submissions, not \"" + value + "\"");
        }
        out.options.limit = static_cast<size_t>(limit);
      } else if (name == "all_versions") {
        if (value != "true" && value != "false") return Status::InvalidArgument("all_versions is true or false");
        out.options.all_versions = value == "true";
      } else if (name == "format") {
        if (value != "jsonl" && value != "csv" && value != "xlsx") {
          return Status::InvalidArgument("format is jsonl, csv or xlsx, not \"" + value + "\"");
        }
        out.format = value;
      } else if (name == "table") {
        out.table = value;
      } else if (name == "labels") {
        out.labels = value;
      } else {
        return Status::InvalidArgument("unknown parameter \"" + name +
                                       "\" (since, limit, all_versions, format, table, labels)");
      }
    }
    if (out.format == "jsonl" && (!out.table.empty() || !out.labels.empty())) {
      return Status::InvalidArgument("table and labels are for format=csv or xlsx");
    }
    if (out.format == "xlsx" && !out.table.empty()) {
      return Status::InvalidArgument("a workbook holds every table: table is for format=csv");
    }
    return out;
  }

  enum class Page { kMore, kDone, kFailed };
  // Streams a body made a page at a time by `page` (which appends the page's bytes to its string
  // and says why it failed). The first page is made before the answer begins, so that a failure
  // there (a damaged submission, a damaged file) is a 5xx with its reason. Past it the status is
  // sent: a failure ends the body short (no final chunk, which a client sees as cut off) and is
  // logged with its cause, and the access log's line carries it.
  void Stream(httplib::Response& res, const std::string& content_type, std::string what,
              std::function<Page(std::string&, Status*)> page) {
    struct State {
      std::string pending;
      Page last = Page::kMore;
      uint64_t sent = 0;
    };
    auto state = std::make_shared<State>();
    Status cause;
    state->last = page(state->pending, &cause);
    if (state->last == Page::kFailed) return SendError(res, cause);
    res.set_chunked_content_provider(
        content_type, [this, state, what = std::move(what), page = std::move(page)](size_t, httplib::DataSink& sink) {
          if (!state->pending.empty()) {
            if (!sink.write(state->pending.data(), state->pending.size())) {
              CutShort(LogLevel::kWarning, what, state->sent, "the client stopped reading");
              return false;
            }
            state->sent += state->pending.size();
            state->pending.clear();
          }
          if (state->last == Page::kDone) {
            sink.done();
            return true;
          }
          Status failed;
          state->last = page(state->pending, &failed);
          if (state->last == Page::kFailed) {
            CutShort(LogLevel::kError, what, state->sent, failed.message());
            return false;
          }
          return true;
        });
  }

  void CutShort(LogLevel level, const std::string& what, uint64_t sent, const std::string& cause) {
    current.error = what + " was cut short after " + std::to_string(sent) + " bytes: " + cause;
    env->Log(level, current.error);
  }

  // The push route: the body is read here, as a stream, so that its size is bounded before it
  // is held: Content-Length is required (411) and checked (413) before reading; what gzip
  // inflates it to is counted while reading (413 at the limit, the connection then closed).
  void Push(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    // Until the body is read, an answer closes the connection: its unread bytes would be taken
    // for the next request (a 401 or 429 would otherwise break the client's next request).
    res.set_header("Connection", "close");
    Result<Principal> device = Authenticate(req, Role::kDevice);
    if (!device.ok()) return SendError(res, device.status());
    if (RateLimited(*device, res)) return;
    const protocol::Limits& limits = options.limits;
    std::string type = req.get_header_value("Content-Type");
    type = type.substr(0, type.find(';'));
    if (type != protocol::kBatchContentType) {
      return SendError(res, 415, "a batch is sent as " + std::string(protocol::kBatchContentType));
    }
    const std::string encoding = req.get_header_value("Content-Encoding");
    if (!encoding.empty() && encoding != "gzip" && encoding != "identity") {
      return SendError(res, 415, "Content-Encoding " + encoding + " is not accepted; use gzip");
    }
    if (!req.has_header("Content-Length") || req.has_header("Transfer-Encoding")) {
      return SendError(res, 411, "a batch needs a Content-Length");
    }
    const uint64_t length = req.get_header_value<uint64_t>("Content-Length");
    current.bytes_in = length;
    if (length > limits.max_body_bytes) {
      return SendError(res, 413, "the body is " + std::to_string(length) + " bytes; the limit is " +
                                     std::to_string(limits.max_body_bytes));
    }
    std::string body;
    bool too_large = false;
    const bool read = reader([&](const char* data, size_t size) {
      if (body.size() + size > limits.max_decompressed_bytes) {
        too_large = true;
        return false;  // stop reading: memory stays bounded whatever gzip inflates to
      }
      body.append(data, size);
      return true;
    });
    if (too_large) {
      return SendError(res, 413, "the batch inflates past " + std::to_string(limits.max_decompressed_bytes) + " bytes");
    }
    if (!read) {
      return SendError(res, 400, "the body could not be read (cut short, or not valid gzip)");
    }
    res.headers.erase("Connection");  // read whole: the connection may serve the next request
    Result<std::vector<std::string_view>> lines = protocol::SplitBatch(body, limits);
    if (!lines.ok()) {
      const bool too_many = lines.status().message().find("at most") != std::string::npos;
      return SendError(res, too_many ? 413 : 400, lines.status().message());
    }
    Result<std::vector<protocol::PushResult>> results = ingest.Push(*device, *lines, env->NowMillis());
    if (!results.ok()) {
      const Status& failed = results.status();
      env->Log(LogLevel::kError, "storing a batch failed: " + failed.ToString());
      if (failed.code() == StatusCode::kCorruption) return collector::SendError(res, 500, failed.message());
      const bool stored = failed.message().rfind(kNotAcknowledged, 0) == 0;
      return SendError(res, Status::Unavailable(stored ? kNotAcknowledged
                                                       : "the batch could not be stored; nothing of it was kept"));
    }
    SendJson(res, protocol::ToJson(protocol::PushResponse{std::move(*results)}));
  }

  void Install() {
    // TLS 1.2 or newer (the library's context allows 1.1); the rest of OpenSSL's defaults stand.
    SSL_CTX_set_min_proto_version(server.ssl_context(), TLS1_2_VERSION);
    SSL_CTX_set_app_data(server.ssl_context(), &connections);
    SSL_CTX_set_info_callback(server.ssl_context(), OnTlsInfo);
    const int threads = std::max(1, options.worker_threads);
    server.new_task_queue = [this, threads] { return new ConnectionPool(static_cast<size_t>(threads), &connections); };
    server.set_keep_alive_max_count(std::max<size_t>(1, options.keep_alive_max_requests));
    server.set_keep_alive_timeout(options.keep_alive_timeout_seconds);
    server.set_read_timeout(options.read_timeout_seconds, 0);
    server.set_write_timeout(options.write_timeout_seconds, 0);
    server.set_payload_max_length(options.limits.max_body_bytes);
    // A response is written in pieces (head, body): without this, Nagle holds the last piece
    // until the client's delayed ACK, some 40 ms per request on a kept-alive connection.
    server.set_tcp_nodelay(true);
    // SO_REUSEADDR only: a restarted collector binds at once despite connections in TIME_WAIT.
    // Not the library's default SO_REUSEPORT, with which a second collector binds the same port
    // and the kernel splits the devices' connections between two databases.
    server.set_socket_options([](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });

    server.set_pre_routing_handler([this](const httplib::Request&, httplib::Response& res) {
      current = RequestContext();
      current.start = Clock::now();
      current.time_ms = env->NowMillis();
      if (connections.Begin()) return httplib::Server::HandlerResponse::Unhandled;
      res.set_header("Connection", "close");
      res.set_header("Retry-After", "5");
      SendError(res, 503, "the collector is shutting down");
      return httplib::Server::HandlerResponse::Handled;
    });
    server.Get(std::string(protocol::kHealthPath), [](const httplib::Request&, httplib::Response& res) {
      SendJson(res, R"({"status":"ok"})");
    });
    server.Post(std::string(protocol::kEnrollPath),
                [this](const httplib::Request& req, httplib::Response& res) { Enroll(req, res); });
    server.Get(std::string(protocol::kFormsPath),
               [this](const httplib::Request& req, httplib::Response& res) { ListForms(req, res); });
    server.Get(R"(/api/v1/forms/([a-z][a-z0-9_]*)/versions)",
               [this](const httplib::Request& req, httplib::Response& res) { ListFormVersions(req, res); });
    server.Get(R"(/api/v1/forms/([a-z][a-z0-9_]*)/versions/([^/]+))",
               [this](const httplib::Request& req, httplib::Response& res) { GetFormVersion(req, res); });
    server.Get(R"(/api/v1/forms/([a-z][a-z0-9_]*)/submissions)",
               [this](const httplib::Request& req, httplib::Response& res) { ExportSubmissions(req, res); });
    server.Post(std::string(protocol::kSubmissionsPath),
                [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
                  Push(req, res, reader);
                });
    server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      if (res.status == 404) return collector::SendError(res, 404, "no route " + req.method + " " + req.path);
      if (res.status == 413) return collector::SendError(res, 413, "the body is larger than the collector accepts");
      collector::SendError(res, res.status, "HTTP " + std::to_string(res.status));
    });
    server.set_exception_handler([this](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
      std::string what = "unknown";
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      env->Log(LogLevel::kError, "request failed: " + what);
      SendError(res, 500, "internal error");
    });
    server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      connections.End();  // the response is written
      if (!log) return;
      AccessRecord record;
      record.time_ms = current.time_ms;
      record.device = current.device;
      record.remote = req.remote_addr;
      record.method = req.method;
      record.route = req.path;
      record.status = res.status;
      record.bytes_in = current.bytes_in != 0 ? current.bytes_in : req.body.size();
      record.bytes_out = res.body.size();
      record.ms = std::chrono::duration<double, std::milli>(Clock::now() - current.start).count();
      record.error = current.error;
      log->Write(record);
    });
  }

  ServerOptions options;
  Connections connections;  // before the server: its workers use it until they are joined
  CollectorStorage& storage;
  Env* env;
  Ingest ingest;
  RateLimiter limiter;
  std::unique_ptr<AccessLog> log;
  httplib::SSLServer server;
  int bound_port = 0;
};

Result<std::unique_ptr<CollectorServer>> CollectorServer::Create(const ServerOptions& options,
                                                                 CollectorStorage& storage,
                                                                 SubmissionValidator validator, Env* env) {
  if (env == nullptr) env = Env::Default();
  auto impl = std::make_unique<Impl>(options, storage, std::move(validator), env);
  if (!impl->server.is_valid()) {
    return Status::InvalidArgument("cannot use the certificate " + options.cert_file + " and key " +
                                   options.key_file + " (missing, unreadable, or not a pair)");
  }
  Result<std::unique_ptr<AccessLog>> log = AccessLog::Open(options.access_log);
  if (!log.ok()) return log.status();
  impl->log = std::move(*log);
  impl->Install();
  return std::unique_ptr<CollectorServer>(new CollectorServer(std::move(impl)));
}

CollectorServer::CollectorServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CollectorServer::~CollectorServer() = default;

namespace {

// Why binding host:port fails, as the system says it ("address already in use"): the library
// reports only that it failed, so the bind is tried again, as it does it, to read errno.
std::string WhyCannotBind(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int code = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); code != 0) {
    return ::gai_strerror(code);
  }
  std::string why = "unknown reason";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int sock = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (sock < 0) {
      why = std::strerror(errno);
      continue;
    }
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    const bool bound = ::bind(sock, a->ai_addr, a->ai_addrlen) == 0;
    why = bound ? "the address was taken meanwhile" : std::strerror(errno);
    ::close(sock);
    if (!bound) break;
  }
  ::freeaddrinfo(found);
  if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
  return why;
}

}  // namespace

Status CollectorServer::Bind() {
  if (impl_->options.port == 0) {
    impl_->bound_port = impl_->server.bind_to_any_port(impl_->options.host);
  } else if (impl_->server.bind_to_port(impl_->options.host, impl_->options.port)) {
    impl_->bound_port = impl_->options.port;
  } else {
    impl_->bound_port = -1;
  }
  if (impl_->bound_port <= 0) {
    return Status::IOError("cannot listen on " + impl_->options.host + ":" + std::to_string(impl_->options.port) +
                           ": " + WhyCannotBind(impl_->options.host, impl_->options.port));
  }
  return Status::Ok();
}

int CollectorServer::port() const { return impl_->bound_port; }

Status CollectorServer::Run() {
  if (!impl_->server.listen_after_bind()) return Status::IOError("the server stopped with an error");
  return Status::Ok();
}

void CollectorServer::Stop() {
  impl_->server.stop();
  impl_->connections.StopIdle();
}

}  // namespace chosa::collector
