#include "chosa/sync_client.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "chosa/base/utf8.h"
#include "backoff.h"
#include "chosa/env.h"
#include "chosa/store.h"
#include "gzip.h"
#include "http_messages.h"

namespace chosa::sync {

namespace {

constexpr std::string_view kCancelled = "the sync was cancelled";

bool Retryable(const HttpResponse& response) { return response.status == 429 || response.status >= 500; }

// The form a downloaded JSON names, to compare with its listing before installing it.
bool NamesForm(const std::string& json, const protocol::FormListing& listing) {
  nlohmann::json form = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (form.is_discarded() || !form.is_object()) return false;
  auto id = form.find("id");
  auto version = form.find("version");
  return id != form.end() && version != form.end() && id->is_string() && version->is_string() &&
         *id == listing.form_id && *version == listing.version;
}

}  // namespace

SyncClient::SyncClient(HttpTransport* transport, DeviceStore* store, SyncCredentials credentials, SyncOptions options)
    : transport_(transport),
      store_(store),
      credentials_(std::move(credentials)),
      options_(std::move(options)),
      env_(options_.env != nullptr ? options_.env : Env::Default()) {
  options_.limits.max_batch_items = std::max<size_t>(options_.limits.max_batch_items, 1);
  options_.batch_size = std::clamp<size_t>(options_.batch_size, 1, options_.limits.max_batch_items);
  options_.max_batch_bytes =
      std::min({options_.max_batch_bytes, options_.limits.max_decompressed_bytes, options_.limits.max_body_bytes});
  options_.retry.max_attempts = std::max(options_.retry.max_attempts, 1);
}

void SyncClient::Cancel() {
  {
    std::lock_guard<std::mutex> lock(wait_mutex_);
    cancelled_.store(true, std::memory_order_release);
  }
  wake_.notify_all();
}

void SyncClient::Report(const SyncProgress& progress) const {
  if (options_.progress) options_.progress(progress);
}

void SyncClient::Wait(int64_t millis) {
  if (options_.sleep) {
    options_.sleep(millis);
    return;
  }
  std::unique_lock<std::mutex> lock(wait_mutex_);
  wake_.wait_for(lock, std::chrono::milliseconds(millis), [this] { return cancelled(); });
}

HttpRequest SyncClient::Authorized(std::string method, std::string path) const {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.headers.push_back({"Authorization", "Bearer " + credentials_.token});
  return request;
}

Status SyncClient::Exchange(const HttpRequest& request, HttpResponse* response, SyncReport* report) {
  std::string_view base = credentials_.collector_url;
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  const std::string where = request.method + " " + std::string(base) + request.path;
  for (int attempt = 1;; ++attempt) {
    if (cancelled()) return Status::Unavailable(std::string(kCancelled));
    Status sent = transport_->Send(request, response);
    std::string why;
    int64_t retry_after_ms = -1;
    if (sent.ok()) {
      report->bytes_sent += request.body.size();
      if (!Retryable(*response)) return Status::Ok();
      why = "the collector answered " + DescribeResponse(*response);
      if (const std::string* value = response->Header("Retry-After")) {
        retry_after_ms = ParseRetryAfterMillis(*value, env_->NowMillis());
      }
    } else if (sent.code() == StatusCode::kUnavailable) {
      why = sent.message();
    } else {
      // A refused certificate or pin, a bad URL: trying again cannot help.
      return Status(sent.code(), where + ": " + sent.message());
    }
    if (attempt >= options_.retry.max_attempts) {
      return Status::Unavailable(where + ": " + why + " (gave up after " + std::to_string(attempt) +
                                 (attempt == 1 ? " attempt)" : " attempts)"));
    }
    int64_t delay = RetryDelayMillis(options_.retry, attempt, retry_after_ms, env_);
    ++report->retries;
    SyncProgress waiting;
    waiting.phase = SyncProgress::Phase::kWaiting;
    waiting.bytes_sent = report->bytes_sent;
    waiting.wait_ms = delay;
    waiting.why = why;
    Report(waiting);
    Wait(delay);
  }
}

Result<SyncCredentials> SyncClient::Enroll(std::string_view code, std::string_view device_name) {
  // Said here rather than sent with the bytes replaced: the code would be refused as unknown, the
  // name kept garbled by the collector.
  if (!IsValidUtf8(code)) return Status::InvalidArgument("the enrolment code is not UTF-8");
  if (!IsValidUtf8(device_name)) return Status::InvalidArgument("the device name is not UTF-8");
  // The device enrols as the identity its store keeps, so that the collector's records, the
  // submissions and the store name it alike.
  const std::string identity = store_ != nullptr ? store_->device_id() : std::string();
  protocol::EnrollRequest enroll{std::string(code), std::string(device_name), identity};
  HttpRequest request;
  request.method = "POST";
  request.path = std::string(protocol::kEnrollPath);
  request.headers.push_back({"Content-Type", std::string(protocol::kJsonContentType)});
  request.body = protocol::ToJson(enroll);
  HttpResponse response;
  SyncReport ignored;
  Status status = Exchange(request, &response, &ignored);
  if (!status.ok()) return status;
  if (response.status != 200) return ResponseFailure(response, "enrolment refused");
  auto enrolled = protocol::ParseEnrollResponse(response.body);
  if (!enrolled.ok())
    return Status::Internal("the collector's enrolment answer cannot be read: " + enrolled.status().ToString());
  if (!identity.empty() && enrolled->device_id != identity) {
    return Status::Internal("the collector enrolled this device as " + enrolled->device_id + ", not as its identity " +
                            identity);
  }
  credentials_.device_id = enrolled->device_id;
  credentials_.token = enrolled->token;
  return credentials_;
}

Status SyncClient::PullForms(SyncReport* report) {
  if (store_ == nullptr) return Status::InvalidArgument("no device store to install forms into");
  if (credentials_.token.empty()) return Status::Unauthenticated("the device is not enrolled (no token)");
  HttpResponse response;
  Status status = Exchange(Authorized("GET", std::string(protocol::kFormsPath)), &response, report);
  if (!status.ok()) return status;
  if (response.status != 200) return ResponseFailure(response, "listing the forms");
  auto listing = protocol::ParseFormsResponse(response.body);
  if (!listing.ok())
    return Status::Internal("the collector's form list cannot be read: " + listing.status().ToString());

  // The newest listed version of each form (the listing is in publishing order), in the order
  // the forms first appear.
  std::vector<std::string> order;
  std::map<std::string, const protocol::FormListing*> newest;
  for (const protocol::FormListing& form : listing->forms) {
    if (newest.count(form.form_id) == 0) order.push_back(form.form_id);
    newest[form.form_id] = &form;
  }
  Result<std::vector<InstalledForm>> installed_forms = store_->ListForms();
  if (!installed_forms.ok()) return installed_forms.status();
  std::set<std::pair<std::string, std::string>> installed;
  for (const InstalledForm& form : *installed_forms) installed.emplace(form.form_id, form.version);
  std::vector<const protocol::FormListing*> wanted;
  for (const std::string& form_id : order) {
    const protocol::FormListing* form = newest[form_id];
    if (installed.count({form->form_id, form->version}) == 0) wanted.push_back(form);
  }

  SyncProgress progress;
  progress.phase = SyncProgress::Phase::kForms;
  progress.total = wanted.size();
  progress.bytes_sent = report->bytes_sent;
  Report(progress);
  for (const protocol::FormListing* form : wanted) {
    const std::string name = "form " + form->form_id + " version " + form->version;
    status = Exchange(Authorized("GET", protocol::FormVersionPath(form->form_id, form->version)), &response, report);
    if (!status.ok()) return status;
    if (response.status == 401) return ResponseFailure(response, "downloading " + name);
    if (response.status != 200) {
      report->problems.push_back(name + " was not downloaded: the collector answered " + DescribeResponse(response));
    } else if (std::string sha256 = protocol::Sha256Hex(response.body); sha256 != form->sha256) {
      // A proxy or a broken server changed the bytes: installing them would put an unknown form
      // in the hands of the interviewers.
      report->problems.push_back(name + " was not installed: the downloaded bytes have SHA-256 " + sha256 +
                                 ", the listing says " + form->sha256);
    } else if (!NamesForm(response.body, *form)) {
      report->problems.push_back(name + " was not installed: the downloaded form does not carry that id and version");
    } else if (auto result = store_->InstallForm(response.body); !result.ok()) {
      report->problems.push_back(name + " cannot be installed: " + result.status().message());
    } else {
      report->forms_installed.push_back(*form);
    }
    ++progress.done;
    progress.bytes_sent = report->bytes_sent;
    Report(progress);
  }
  return Status::Ok();
}

Status SyncClient::PushOutbox(SyncReport* report) {
  if (store_ == nullptr) return Status::InvalidArgument("no device store to push from");
  if (credentials_.token.empty()) return Status::Unauthenticated("the device is not enrolled (no token)");
  Result<std::vector<OutboxItem>> read = store_->Outbox();
  if (!read.ok()) return read.status();  // an unreadable outbox is not an empty one
  const std::vector<OutboxItem>& outbox = *read;
  auto answered = [report] { return report->sent + report->duplicates + report->rejected.size(); };
  const size_t answered_before = answered();
  size_t next = 0;
  size_t batch_size = options_.batch_size;
  SyncProgress progress;
  progress.phase = SyncProgress::Phase::kPush;
  progress.total = outbox.size();
  auto report_progress = [&] {
    progress.done = next;
    progress.bytes_sent = report->bytes_sent;
    Report(progress);
  };
  report_progress();

  Status status;
  while (next < outbox.size()) {
    if (cancelled()) {
      status = Status::Unavailable(std::string(kCancelled));
      break;
    }
    // The next batch: up to batch_size submissions, within max_batch_bytes (at least one).
    size_t end = next;
    size_t body_bytes = 0;
    while (end < outbox.size() && end - next < batch_size &&
           (end == next || body_bytes + outbox[end].canonical_json.size() + 1 <= options_.max_batch_bytes)) {
      body_bytes += outbox[end].canonical_json.size() + 1;
      ++end;
    }
    BatchOutcome outcome = PushBatch(outbox, next, end, report);
    if (!outcome.status.ok()) {
      status = outcome.status;
      break;
    }
    if (outcome.too_large) {
      if (end - next > 1) {
        batch_size = std::max<size_t>((end - next) / 2, 1);  // for the rest of this sync
        continue;
      }
      report->problems.push_back("submission " + outbox[next].uuid +
                                 " is too large for the collector and stays in the outbox: " + outcome.detail);
    }
    next = end;
    report_progress();
  }
  // Whatever the collector did not answer (and a store could not record) is still in the outbox.
  report->left = outbox.size() - (answered() - answered_before);
  return status;
}

SyncClient::BatchOutcome SyncClient::PushBatch(const std::vector<OutboxItem>& outbox, size_t begin, size_t end,
                                               SyncReport* report) {
  BatchOutcome outcome;
  std::vector<std::string_view> lines;
  for (size_t i = begin; i < end; ++i) lines.push_back(outbox[i].canonical_json);
  HttpRequest request = Authorized("POST", std::string(protocol::kSubmissionsPath));
  request.headers.push_back({"Content-Type", std::string(protocol::kBatchContentType)});
  request.body = protocol::JoinBatch(lines);
  if (options_.gzip) {
    Result<std::string> compressed = GzipCompress(request.body);
    if (!compressed.ok()) {
      outcome.status = compressed.status();
      return outcome;
    }
    request.body = std::move(compressed).value();
    request.headers.push_back({"Content-Encoding", "gzip"});
  }
  HttpResponse response;
  outcome.status = Exchange(request, &response, report);
  if (!outcome.status.ok()) return outcome;
  if (response.status == 413) {
    outcome.too_large = true;
    outcome.detail = DescribeResponse(response);
    return outcome;
  }
  if (response.status != 200) {
    outcome.status = ResponseFailure(response, "pushing submissions");
    return outcome;
  }
  auto answer = protocol::ParsePushResponse(response.body);
  if (!answer.ok()) {
    outcome.status = Status::Internal("the collector's answer to a push cannot be read (" + answer.status().ToString() +
                                      "); nothing was marked: the next sync sends these submissions again");
    return outcome;
  }
  // Only an answer that lines up with the batch, item by item, may mark anything.
  const std::vector<protocol::PushResult>& results = answer->results;
  bool matches = results.size() == end - begin;
  for (size_t i = 0; matches && i < results.size(); ++i) matches = results[i].uuid == outbox[begin + i].uuid;
  if (!matches) {
    outcome.status =
        Status::Internal("the collector's answer does not match the batch (" + std::to_string(results.size()) +
                         " results for " + std::to_string(end - begin) +
                         " submissions, or other UUIDs); nothing was marked: the next sync sends them again");
    return outcome;
  }
  for (const protocol::PushResult& result : results) {
    Status marked = result.status == protocol::PushStatus::kRejected ? store_->MarkRejected(result.uuid, result.reason)
                                                                     : store_->MarkSent(result.uuid);
    // NotFound: no longer finalized (another sync or the app got there first): nothing to do.
    if (!marked.ok() && marked.code() != StatusCode::kNotFound) {
      outcome.status =
          Status(marked.code(), "the collector answered for " + result.uuid + " but the store could not record it (" +
                                    marked.message() + "); the next sync will find it already stored");
      return outcome;
    }
    switch (result.status) {
      case protocol::PushStatus::kAccepted:
        ++report->sent;
        break;
      case protocol::PushStatus::kDuplicate:
        ++report->duplicates;
        break;
      case protocol::PushStatus::kRejected:
        report->rejected.push_back({result.uuid, result.reason});
        break;
    }
  }
  return outcome;
}

// A sync that stops before the push counts what it leaves; an outbox that cannot be read is a
// problem of its own (the status already says why the sync stopped).
void SyncClient::CountLeft(SyncReport* report) const {
  Result<std::vector<OutboxItem>> outbox = store_->Outbox();
  if (outbox.ok()) {
    report->left = outbox->size();
  } else {
    report->problems.push_back("the outbox cannot be read: " + outbox.status().message());
  }
}

SyncReport SyncClient::Sync() {
  SyncReport report;
  if (store_ != nullptr && !credentials_.device_id.empty() && credentials_.device_id != store_->device_id()) {
    // Enrolled by a chosa that did not send the store's identity: the collector knows the device
    // by another name than its submissions carry.
    report.status = Status::Unauthenticated("this store is device " + store_->device_id() +
                                            " but is enrolled as device " + credentials_.device_id +
                                            ": enrol it again with a new code from the bureau");
    CountLeft(&report);
    return report;
  }
  if (!env_->NetworkAvailable()) {
    // The platform says no network: no request, no retries, nothing to wait for.
    report.status = Status::Unavailable("no network: the sync will run when a network is available");
    if (store_ != nullptr) CountLeft(&report);
    return report;
  }
  Status pulled = PullForms(&report);
  report.status = pulled;
  bool push =
      pulled.ok() || (pulled.code() != StatusCode::kUnauthenticated && pulled.code() != StatusCode::kPermissionDenied &&
                      pulled.code() != StatusCode::kUnavailable);
  if (!push) {
    if (store_ != nullptr) CountLeft(&report);
    return report;
  }
  Status pushed = PushOutbox(&report);
  if (report.status.ok()) report.status = pushed;
  return report;
}

}  // namespace chosa::sync
