// The sync protocol's wire format, shared by the collector and the sync client (docs/protocol.md):
// the routes, the limits, the JSON body of every request and response, and their strict readers.
// A reader refuses unknown fields, missing fields and wrong types with the JSON Pointer of the
// fault (Status::InvalidArgument, pointer set), so that both ends speak exactly one dialect.
//
// Thread safety: pure functions over values, safe from any number of threads.
// Ownership: every result owns its strings, except SplitBatch's, which are views into `body` and
// valid only as long as it is.
#ifndef CHOSA_PROTOCOL_H_
#define CHOSA_PROTOCOL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/status.h"

namespace chosa::protocol {

// Routes. Every request but /healthz and enroll carries "Authorization: Bearer <token>".
inline constexpr std::string_view kHealthPath = "/healthz";
inline constexpr std::string_view kEnrollPath = "/api/v1/enroll";            // POST
inline constexpr std::string_view kFormsPath = "/api/v1/forms";              // GET: assigned forms
inline constexpr std::string_view kSubmissionsPath = "/api/v1/submissions";  // POST: a batch
// GET: one form version's JSON, with an ETag (its SHA-256 in quotes); If-None-Match gives 304.
std::string FormVersionPath(std::string_view form_id, std::string_view version);

// Export cursors: opaque to clients ("e1." and a position in commit order); a client hands back
// the one it was given to receive only what committed after it. A cursor that is not one of
// these is InvalidArgument.
std::string EncodeCursor(int64_t position);
Result<int64_t> DecodeCursor(std::string_view cursor);

// A push body is a batch of submissions, one per line: each line is exactly a submission's
// canonical JSON (the bytes it is hashed by; canonical JSON holds no raw newline), ended by "\n".
// It may be gzip-compressed ("Content-Encoding: gzip").
inline constexpr std::string_view kBatchContentType = "application/x-ndjson";
// On an export: the cursor that exports only what arrives after it (`?since=`).
inline constexpr std::string_view kCursorHeader = "X-Chosa-Cursor";
inline constexpr std::string_view kJsonContentType = "application/json";

// What the collector accepts; a request past a limit gets 413 (sizes, batch) or 400 (depth).
struct Limits {
  size_t max_body_bytes = 32u << 20;          // a request body as sent (compressed or not)
  size_t max_decompressed_bytes = 64u << 20;  // a push body after gzip
  size_t max_batch_items = 500;               // submissions in one push
  size_t max_submission_bytes = 1u << 20;     // one submission's canonical JSON
  size_t max_json_depth = 64;                 // any JSON body (see json_reader.h's convention)
};

// The body of every error response (4xx, 5xx): what is wrong, and where when it is in the body.
struct ErrorBody {
  std::string error;
  std::string pointer;  // JSON Pointer into the request body; "" when not about a place in it
};

struct EnrollRequest {
  std::string code;         // the one-time enrolment code
  std::string device_name;  // optional, for the bureau's device list ("ward office tablet 3")
  // Optional: the device store's identity (IsValidDeviceId), which the collector then knows the
  // device by; without it (an older client) the collector makes one up.
  std::string device_id;
};

struct EnrollResponse {
  std::string device_id;
  std::string token;  // the device's bearer token: shown once, stored by the server as a hash
};

struct FormListing {
  std::string form_id;
  std::string version;
  std::string sha256;  // hex of the served JSON's bytes; also its ETag
};

struct FormsResponse {
  std::vector<FormListing> forms;  // every published, not archived version assigned to the device
};

enum class PushStatus : uint8_t {
  kAccepted,   // stored now
  kDuplicate,  // the same UUID with the same SHA-256 was stored before: success for the client
  kRejected,   // not stored as a submission (kept in quarantine); `reason` says why
};
const char* PushStatusName(PushStatus status);  // "accepted", "duplicate", "rejected"

struct PushResult {
  std::string uuid;  // as read from the line; "" when the line is not a submission at all
  PushStatus status = PushStatus::kRejected;
  std::string reason;  // rejected: why, in English, with the JSON Pointer of the fault if any
};

struct PushResponse {
  std::vector<PushResult> results;  // one per line of the batch, in order
};

// What the collector reads from a submission before trusting it (the clear envelope).
struct Envelope {
  std::string uuid;
  std::string form_id;
  std::string form_version;
  std::string device_id;
  std::string replaces;  // "" when none
  std::string sha256;    // hex SHA-256 of the canonical bytes
};

// Writers: compact JSON, keys in the order declared above.
std::string ToJson(const ErrorBody& body);
std::string ToJson(const EnrollRequest& request);
std::string ToJson(const EnrollResponse& response);
std::string ToJson(const FormsResponse& response);
std::string ToJson(const PushResponse& response);

// Strict readers (see the top of this file).
Result<ErrorBody> ParseErrorBody(std::string_view json);
Result<EnrollRequest> ParseEnrollRequest(std::string_view json);
Result<EnrollResponse> ParseEnrollResponse(std::string_view json);
Result<FormsResponse> ParseFormsResponse(std::string_view json);
Result<PushResponse> ParsePushResponse(std::string_view json);

// The envelope of one submission line: it must be a JSON object with the submission's required
// fields of the right types (schemas/submission.schema.json: uuid v4, form_id, form_version,
// device_id, optional replaces), no longer than limits.max_submission_bytes.
Result<Envelope> ReadEnvelope(std::string_view canonical_json, const Limits& limits = {});

// The lines of a batch body in order, without their "\n". A body that does not end with "\n",
// or holds an empty line, is refused; so is one with more than limits.max_batch_items lines.
Result<std::vector<std::string_view>> SplitBatch(std::string_view body, const Limits& limits = {});
std::string JoinBatch(const std::vector<std::string_view>& submissions);

// One line of an export (GET /api/v1/forms/{id}/submissions, JSON Lines, docs/protocol.md):
//   {"received_at":"2024-11-03T01:30:30.000+00:00","device_id":"…","submission":{…}}
// with the submission byte for byte as the device sent it; a submission that declares `replaces`
// has "corrects" before it: the UUID the collector applies the correction to, or null when it
// applies it to nothing (another device's submission, or one not received yet). The collector
// writes it, `chosa pull` reads it: one format, here.
struct ExportLine {
  std::string received_at;  // RFC 3339 with its offset, as the collector wrote it
  std::string device_id;    // the enrolled device that pushed it
  // Absent: the line has no "corrects" (its submission corrects nothing, or an older collector
  // wrote it); empty: null.
  std::optional<std::string> corrects;
  std::string submission;  // the stored bytes
};
// The line with its final "\n". Takes views: the collector writes a million of them in an export.
// `corrects` as ExportLine's (an engaged empty view writes null).
std::string ExportLineJson(std::string_view received_at, std::string_view device_id, std::string_view submission,
                           std::optional<std::string_view> corrects = std::nullopt);
// One line without its "\n": exactly the writer's format, else InvalidArgument saying what is wrong.
Result<ExportLine> ParseExportLine(std::string_view line);

// Hex SHA-256 of `bytes` (lower case).
std::string Sha256Hex(std::string_view bytes);

}  // namespace chosa::protocol

#endif  // CHOSA_PROTOCOL_H_
