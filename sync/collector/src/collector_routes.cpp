#include "collector_routes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <vector>

#include "chosa/form_id.h"
#include "chosa/collector/export.h"
#include "chosa/csv_writer.h"
#include "credentials.h"
#include "gzip_inflate.h"

namespace chosa::collector {

namespace {

using Clock = std::chrono::steady_clock;

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

void SendError(HttpResponse& res, int http_status, const std::string& message, const std::string& pointer = "") {
  res.status = http_status;
  res.error = message;
  res.content_type = std::string(protocol::kJsonContentType);
  res.body = protocol::ToJson(protocol::ErrorBody{message, pointer});
}

void SendError(HttpResponse& res, const Status& status) {
  SendError(res, HttpStatusOf(status), status.message(), status.pointer());
  if (status.code() == StatusCode::kUnauthenticated) res.SetHeader("WWW-Authenticate", "Bearer");
  if (status.code() == StatusCode::kUnavailable) res.SetHeader("Retry-After", "5");
}

void SendJson(HttpResponse& res, std::string json) {
  res.status = 200;
  res.content_type = std::string(protocol::kJsonContentType);
  res.body = std::move(json);
}

// The path's segments: "/api/v1/forms/x" is {"api", "v1", "forms", "x"}.
std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t at = 1;
  while (at <= path.size()) {
    const size_t slash = std::min(path.find('/', at), path.size());
    out.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return out;
}

// The routes under /api/v1/forms/ID/: which one, and its parts.
struct FormRoute {
  enum Kind { kNone, kVersions, kVersion, kSubmissions } kind = kNone;
  std::string form_id, version;
};
FormRoute MatchFormRoute(const std::string& path) {
  const std::vector<std::string> s = Segments(path);
  FormRoute route;
  if (s.size() < 5 || s[0] != "api" || s[1] != "v1" || s[2] != "forms" || !IsValidFormId(s[3])) return route;
  route.form_id = s[3];
  if (s.size() == 5 && s[4] == "versions") route.kind = FormRoute::kVersions;
  if (s.size() == 5 && s[4] == "submissions") route.kind = FormRoute::kSubmissions;
  if (s.size() == 6 && s[4] == "versions" && !s[5].empty()) {
    route.kind = FormRoute::kVersion;
    route.version = s[5];
  }
  return route;
}

}  // namespace

CollectorRoutes::CollectorRoutes(const ServerOptions& options, CollectorStorage& storage, SubmissionValidator validator,
                                 Env* env, std::unique_ptr<AccessLog> log)
    : options_(options),
      storage_(storage),
      env_(env),
      ingest_(storage, options.limits, std::move(validator)),
      device_limiter_(options.device_requests_per_second, options.device_request_burst),
      enrol_limiter_(options.enrol_requests_per_second, options.enrol_burst),
      log_(std::move(log)) {}

uint64_t CollectorRoutes::BodyLimit(const HttpRequest& head) {
  if (head.method == "POST" && head.path == protocol::kSubmissionsPath) return options_.limits.max_body_bytes;
  if (head.method == "POST" && head.path == protocol::kEnrollPath) return options_.max_enrol_body_bytes;
  return 0;  // the other routes take no body
}

bool CollectorRoutes::Admit(HttpRequest& head, HttpResponse& response) {
  if (head.method == "POST" && head.path == protocol::kSubmissionsPath) return AdmitPush(head, response);
  if (head.method == "POST" && head.path == protocol::kEnrollPath) return AdmitEnrol(head, response);
  return true;
}

void CollectorRoutes::Handle(HttpRequest& req, HttpResponse& res) {
  Route(req, res);
  // A 500 is the bureau's to act on (a damaged database or submission among them), not only the
  // client's to read: said on the collector's log too.
  if (res.status == 500) env_->Log(LogLevel::kError, req.method + " " + req.path + " answered 500: " + res.error);
}

void CollectorRoutes::Route(HttpRequest& req, HttpResponse& res) {
  if (req.method == "GET" && req.path == protocol::kHealthPath) return SendJson(res, R"({"status":"ok"})");
  if (req.method == "POST" && req.path == protocol::kEnrollPath) return Enrol(req, res);
  if (req.method == "POST" && req.path == protocol::kSubmissionsPath) return Push(req, res);
  if (req.method == "GET" && req.path == protocol::kFormsPath) return ListForms(req, res);
  const FormRoute route = MatchFormRoute(req.path);
  if (req.method == "GET" && route.kind == FormRoute::kVersions) return ListFormVersions(req, res, route.form_id);
  if (req.method == "GET" && route.kind == FormRoute::kVersion) return GetFormVersion(req, res, route.form_id, route.version);
  if (req.method == "GET" && route.kind == FormRoute::kSubmissions) return ExportSubmissions(req, res, route.form_id);
  SendError(res, 404, "no route " + req.method + " " + req.path);
}

void CollectorRoutes::Answered(const HttpRequest& req, const HttpResponse& res, const ExchangeFigures& figures) {
  if (!log_) return;
  AccessRecord record;
  record.time_ms = env_->NowMillis() - static_cast<int64_t>(figures.ms);
  record.device = res.device;
  record.remote = req.remote;
  record.method = req.method;
  record.route = req.path;
  record.status = res.status;
  record.bytes_in = figures.bytes_in;
  record.bytes_out = figures.bytes_out;
  record.ms = figures.ms;
  record.error = res.error;
  log_->Write(record);
}

// The principal of the request's bearer token (the scheme's name in any case, RFC 9110 §11.1),
// or the status to answer with.
Result<Principal> CollectorRoutes::Authenticate(const HttpRequest& req, HttpResponse& res, std::optional<Role> role) {
  const std::string header = req.Header("Authorization");
  constexpr std::string_view kBearer = "bearer";
  const bool bearer = header.size() > kBearer.size() && HeaderNameEquals(std::string_view(header).substr(0, kBearer.size()), kBearer) &&
                      header[kBearer.size()] == ' ';
  if (!bearer) return Status::Unauthenticated("missing \"Authorization: Bearer <token>\"");
  const size_t token = header.find_first_not_of(' ', kBearer.size());
  Result<Principal> principal = storage_.Authenticate(token == std::string::npos ? "" : std::string_view(header).substr(token));
  if (!principal.ok()) return principal.status();
  res.device = principal->id;
  if (role && principal->role != *role) {
    return Status::PermissionDenied(*role == Role::kDevice ? "this route is for devices" : "this route is for analysts");
  }
  return principal;
}

// Whether the device is over its rate (then answered with 429 and Retry-After).
bool CollectorRoutes::RateLimited(const Principal& device, HttpResponse& res) {
  const int wait = device_limiter_.Acquire(device.id, Clock::now());
  if (wait == 0) return false;
  res.SetHeader("Retry-After", std::to_string(wait));
  SendError(res, 429, "too many requests from this device; retry after " + std::to_string(wait) + " s");
  return true;
}

// Enrolment needs no token, so it is limited per client address: codes cannot be guessed at speed.
bool CollectorRoutes::AdmitEnrol(HttpRequest& req, HttpResponse& res) {
  const int wait = enrol_limiter_.Acquire(req.remote, Clock::now());
  req.admitted = true;
  if (wait == 0) return true;
  res.SetHeader("Retry-After", std::to_string(wait));
  SendError(res, 429, "too many enrolments from this address; retry after " + std::to_string(wait) + " s");
  return false;
}

void CollectorRoutes::Enrol(HttpRequest& req, HttpResponse& res) {
  if (!req.admitted.has_value() && !AdmitEnrol(req, res)) return;
  Result<protocol::EnrollRequest> request = protocol::ParseEnrollRequest(req.body);
  if (!request.ok()) return SendError(res, request.status());
  // The device's own identity (its store's), or one made up for a client that sends none.
  Result<std::string> device_id = request->device_id.empty() ? NewDeviceId() : Result<std::string>(request->device_id);
  Result<std::string> token = NewToken();
  if (!device_id.ok() || !token.ok()) return SendError(res, Status::Unavailable("no random bytes for a token"));
  Result<Device> device = storage_.Enroll(request->code, *device_id, request->device_name, *token, env_->NowMillis());
  if (!device.ok()) return SendError(res, device.status());
  res.device = device->device_id;
  SendJson(res, protocol::ToJson(protocol::EnrollResponse{device->device_id, *token}));
}

void CollectorRoutes::ListForms(const HttpRequest& req, HttpResponse& res) {
  Result<Principal> device = Authenticate(req, res, Role::kDevice);
  if (!device.ok()) return SendError(res, device.status());
  if (RateLimited(*device, res)) return;
  protocol::FormsResponse listing;
  for (const std::string& form_id : device->forms) {
    Result<FormState> state = storage_.GetFormState(form_id);
    if (!state.ok() && state.status().code() != StatusCode::kNotFound) return SendError(res, state.status());
    if (!state.ok() || *state != FormState::kOpen) continue;  // closed forms get no new fillings
    Result<std::vector<FormVersion>> versions = storage_.FormVersions(form_id);
    if (!versions.ok()) return SendError(res, versions.status());
    for (const FormVersion& version : *versions) listing.forms.push_back({version.form_id, version.version, version.sha256});
  }
  SendJson(res, protocol::ToJson(listing));
}

// A form version's definition: for a device, of a form assigned to it; for an analyst, of any
// form (a dataset is built from its definitions).
void CollectorRoutes::GetFormVersion(const HttpRequest& req, HttpResponse& res, const std::string& form_id,
                                     const std::string& version) {
  Result<Principal> principal = Authenticate(req, res, std::nullopt);
  if (!principal.ok()) return SendError(res, principal.status());
  if (principal->role == Role::kDevice) {
    if (RateLimited(*principal, res)) return;
    if (std::find(principal->forms.begin(), principal->forms.end(), form_id) == principal->forms.end()) {
      return SendError(res, 403, "form " + form_id + " is not assigned to this device");
    }
  }
  Result<FormVersion> form = storage_.GetFormVersion(form_id, version);
  if (!form.ok()) return SendError(res, 404, "no version " + version + " of form " + form_id);
  const std::string etag = "\"" + form->sha256 + "\"";
  res.SetHeader("ETag", etag);
  if (req.Header("If-None-Match") == etag) {
    res.status = 304;
    return;
  }
  SendJson(res, form->json);
}

// The published versions of a form, oldest first, for an analyst building its dataset.
void CollectorRoutes::ListFormVersions(const HttpRequest& req, HttpResponse& res, const std::string& form_id) {
  Result<Principal> analyst = Authenticate(req, res, Role::kAnalyst);
  if (!analyst.ok()) return SendError(res, analyst.status());
  Result<std::vector<FormVersion>> versions = storage_.FormVersions(form_id);
  if (!versions.ok()) return SendError(res, versions.status());
  if (versions->empty()) return SendError(res, 404, "no form " + form_id);
  protocol::FormsResponse listing;
  for (const FormVersion& version : *versions) listing.forms.push_back({version.form_id, version.version, version.sha256});
  SendJson(res, protocol::ToJson(listing));
}

namespace {

struct ExportRequest {
  ExportOptions options;
  std::string format = "jsonl";
  std::string table;   // CSV: a repeat's table instead of the main one
  std::string labels;  // CSV: choices as their labels in this language
};

Result<ExportRequest> ReadExportRequest(const HttpRequest& req);

}  // namespace

// An analyst's export of a form (docs/protocol.md, "Export"), streamed a page at a time up to
// the cursor in the X-Chosa-Cursor header (fixed when it begins; give it back as ?since= to get
// only what arrives later): JSON Lines, or CSV of one of the dataset's tables. Its parameters
// are read before authentication: a malformed request is 400 whoever sends it.
void CollectorRoutes::ExportSubmissions(const HttpRequest& req, HttpResponse& res, const std::string& form_id) {
  Result<ExportRequest> request = ReadExportRequest(req);
  if (!request.ok()) return SendError(res, request.status());
  Result<Principal> analyst = Authenticate(req, res, Role::kAnalyst);
  if (!analyst.ok()) return SendError(res, analyst.status());
  using Piece = HttpResponse::Piece;
  if (request->format == "jsonl") {
    Result<SubmissionExport> dataset = SubmissionExport::Begin(storage_, form_id, request->options);
    if (!dataset.ok()) return SendError(res, dataset.status());
    res.SetHeader(std::string(protocol::kCursorHeader), protocol::EncodeCursor(dataset->end()));
    res.content_type = std::string(protocol::kBatchContentType);
    auto shared = std::make_shared<SubmissionExport>(std::move(dataset).value());
    return StreamPages(res, "the export of form " + form_id, [shared](std::string* out, Status* cause) {
      const bool more = shared->NextPage([out, lines = shared.get()](const StoredSubmission& stored) {
        out->append(lines->Line(stored));
        return true;
      });
      *cause = shared->status();
      return more ? Piece::kMore : cause->ok() ? Piece::kDone : Piece::kFailed;
    });
  }
  Result<std::unique_ptr<TablesExport>> tables = TablesExport::Begin(storage_, form_id, request->options, request->labels);
  if (!tables.ok()) return SendError(res, tables.status());
  const analysis::DatasetLayout& layout = (*tables)->layout();
  if (request->format == "xlsx") return SendWorkbook(form_id, **tables, res);
  const int32_t table = request->table.empty() ? 0 : layout.RepeatTable(request->table);
  if (table == kNone) return SendError(res, 400, "form " + form_id + " has no repeat " + request->table);
  res.SetHeader(std::string(protocol::kCursorHeader), protocol::EncodeCursor((*tables)->end()));
  res.SetHeader("Content-Disposition",
                "attachment; filename=\"" + form_id + (table == 0 ? "" : "-" + request->table) + ".csv\"");
  struct CsvStream {
    std::unique_ptr<TablesExport> tables;
    std::string pending;
    analysis::CsvWriter csv{[this](std::string_view bytes) {
      pending.append(bytes);
      return true;
    }};
  };
  auto shared = std::make_shared<CsvStream>();
  shared->tables = std::move(tables).value();
  shared->csv.WriteHeader(shared->tables->layout().tables()[static_cast<size_t>(table)]);
  res.content_type = "text/csv; charset=utf-8";
  StreamPages(res, "the CSV export of form " + form_id, [shared, table](std::string* out, Status* cause) {
    const bool more = shared->tables->NextPage([&](const analysis::SubmissionRows& rows) {
      if (table == 0) return shared->csv.WriteRow(rows.main);
      const auto& repeat = rows.repeats[static_cast<size_t>(table)];
      for (size_t i = 0; i < repeat.count; ++i) shared->csv.WriteRow(repeat.rows[i]);
      return true;
    });
    shared->csv.Flush();
    out->append(shared->pending);
    shared->pending.clear();
    *cause = shared->tables->status();
    return more ? Piece::kMore : cause->ok() ? Piece::kDone : Piece::kFailed;
  });
}

// A body made a page at a time by `page` (appending the page's bytes, saying why it failed). The
// first page is made before the answer begins, so that a failure there (a damaged submission, a
// damaged file) is a 5xx with its reason. Past it the status is sent: a failure ends the body
// short (no final chunk, which a client sees as cut off) and is logged with its cause, which the
// access log's line carries too. The server calls the stream on the response the route filled,
// which outlives it: `res` is safe to keep.
void CollectorRoutes::StreamPages(HttpResponse& res, std::string what,
                                  std::function<HttpResponse::Piece(std::string*, Status*)> page) {
  using Piece = HttpResponse::Piece;
  struct State {
    std::string first;
    Piece last = Piece::kMore;
    bool first_sent = false;
    uint64_t sent = 0;
  };
  auto state = std::make_shared<State>();
  Status cause;
  state->last = page(&state->first, &cause);
  if (state->last == Piece::kFailed) {
    res.headers.clear();  // not the export's cursor: a client that kept it would skip what failed
    return SendError(res, cause);
  }
  res.stream = [this, &res, state, what = std::move(what), page = std::move(page)](std::string* out) {
    if (!state->first_sent) {
      state->first_sent = true;
      *out = std::move(state->first);
      state->sent += out->size();
      return state->last;
    }
    Status failed;
    const Piece piece = page(out, &failed);
    if (piece == Piece::kFailed) {
      res.error = what + " was cut short after " + std::to_string(state->sent) + " bytes: " + failed.message();
      env_->Log(LogLevel::kError, res.error);
    }
    state->sent += out->size();
    return piece;
  };
}

// A workbook cannot stream (its sheets are zipped at the end): it is built in a temporary
// file, unlinked at once so that nothing is left behind whatever happens, and sent with its
// length from the open file.
void CollectorRoutes::SendWorkbook(const std::string& form_id, TablesExport& tables, HttpResponse& res) {
  std::string path = (options_.scratch_dir.empty() ? std::filesystem::temp_directory_path().string()
                                                   : options_.scratch_dir) +
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
  res.SetHeader(std::string(protocol::kCursorHeader), protocol::EncodeCursor(tables.end()));
  res.SetHeader("Content-Disposition", "attachment; filename=\"" + form_id + ".xlsx\"");
  res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  res.file_fd = fd;
  res.file_size = static_cast<uint64_t>(info.st_size);
}

namespace {

// A positive whole number of at most 18 digits (no sign, no spaces, no overflow).
bool ParsePositive(const std::string& text, int64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size() && *out > 0;
}

Result<ExportRequest> ReadExportRequest(const HttpRequest& req) {
  ExportRequest out;
  for (const auto& [name, value] : req.query) {  // each name once: the reader refuses repeats
    if (name == "since") {
      Result<int64_t> position = protocol::DecodeCursor(value);
      if (!position.ok()) return position.status();
      out.options.after = *position;
    } else if (name == "limit") {
      int64_t limit = 0;
      if (!ParsePositive(value, &limit)) {
        return Status::InvalidArgument("limit must be a positive number of submissions (at most 18 digits), not \"" +
                                       value + "\"");
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

}  // namespace

// The push route's head: who sends it and what it is, before its body is read, so that an
// unknown client cannot make the collector hold a body.
bool CollectorRoutes::AdmitPush(HttpRequest& req, HttpResponse& res) {
  Result<Principal> device = Authenticate(req, res, Role::kDevice);
  if (!device.ok()) {
    SendError(res, device.status());
    return false;
  }
  if (RateLimited(*device, res)) return false;
  std::string type = req.Header("Content-Type");
  type = type.substr(0, type.find(';'));
  if (type != protocol::kBatchContentType) {
    SendError(res, 415, "a batch is sent as " + std::string(protocol::kBatchContentType));
    return false;
  }
  const std::string encoding = req.Header("Content-Encoding");
  if (!encoding.empty() && encoding != "gzip" && encoding != "identity") {
    SendError(res, 415, "Content-Encoding " + encoding + " is not accepted; use gzip");
    return false;
  }
  req.admitted = std::move(device).value();
  return true;
}

// The push route: Content-Length is required (411) and within the limit (413, by the server
// before reading); what gzip inflates it to is bounded (413 at the limit).
void CollectorRoutes::Push(HttpRequest& req, HttpResponse& res) {
  if (!req.has_content_length) {
    // What the client sent as its batch has no length: it cannot be told from a next request.
    res.close = true;
    if (!AdmitPush(req, res)) return;
    return SendError(res, 411, "a batch needs a Content-Length");
  }
  if (!req.admitted.has_value() && !AdmitPush(req, res)) return;
  const protocol::Limits& limits = options_.limits;
  std::string inflated;
  const std::string* body = &req.body;
  if (req.Header("Content-Encoding") == "gzip") {
    const Inflated result = InflateGzip(req.body, limits.max_decompressed_bytes, &inflated);
    if (result == Inflated::kTooLarge) {
      return SendError(res, 413, "the batch inflates past " + std::to_string(limits.max_decompressed_bytes) + " bytes");
    }
    if (result == Inflated::kMalformed) return SendError(res, 400, "the body is not valid gzip");
    body = &inflated;
  }
  const Principal& device = std::any_cast<const Principal&>(req.admitted);
  Result<std::vector<std::string_view>> lines = protocol::SplitBatch(*body, limits);
  if (!lines.ok()) {
    const bool too_many = lines.status().message().find("at most") != std::string::npos;
    return SendError(res, too_many ? 413 : 400, lines.status().message());
  }
  Result<std::vector<protocol::PushResult>> results = ingest_.Push(device, *lines, env_->NowMillis());
  if (!results.ok()) {
    const Status& failed = results.status();
    env_->Log(LogLevel::kError, "storing a batch failed: " + failed.ToString());
    if (failed.code() == StatusCode::kCorruption) return SendError(res, 500, failed.message());
    // Stored but its acknowledgement not recorded on disk: the retry will answer duplicate.
    const bool stored = failed.message().rfind(kNotAcknowledged, 0) == 0;
    return SendError(res, Status::Unavailable(stored ? kNotAcknowledged
                                                     : "the batch could not be stored; nothing of it was kept"));
  }
  SendJson(res, protocol::ToJson(protocol::PushResponse{std::move(*results)}));
}

}  // namespace chosa::collector
