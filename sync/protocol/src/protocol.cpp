#include "chosa/protocol.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "chosa/form_id.h"
#include "chosa/device_id.h"
#include "chosa/base/hex_digest.h"
#include "chosa/base/json_reader.h"
#include "chosa/protocol/envelope_reader.h"
#include "chosa/uuid.h"

namespace chosa::protocol {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Reads one JSON object strictly: every field must be one of `fields` (each at most once: the
// JSON layer refuses duplicate keys), of its type; required fields must be there.
class ObjectReader {
 public:
  struct Field {
    std::string_view name;
    element_type type;
    bool required;
    element value;
    bool present = false;
  };

  ObjectReader(element value, std::string pointer, std::initializer_list<Field> fields)
      : pointer_(std::move(pointer)), fields_(fields) {
    simdjson::dom::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS) {
      status_ = Status::InvalidArgument("expected a JSON object", pointer_);
      return;
    }
    for (auto member : object) {
      Field* field = nullptr;
      for (Field& f : fields_) {
        if (f.name == member.key) field = &f;
      }
      const std::string at = PointerAppend(pointer_, member.key);
      if (field == nullptr) {
        Fail(Status::InvalidArgument("unknown field \"" + std::string(member.key) + "\"", at));
        continue;
      }
      if (!HasType(member.value, field->type)) {
        Fail(Status::InvalidArgument("\"" + std::string(member.key) + "\" must be " + TypeName(field->type), at));
        continue;
      }
      field->value = member.value;
      field->present = true;
    }
    for (const Field& f : fields_) {
      if (f.required && !f.present) Fail(Status::InvalidArgument("missing field \"" + std::string(f.name) + "\"", pointer_));
    }
  }

  const Status& status() const { return status_; }
  bool Has(std::string_view name) const { return Find(name).present; }
  element Get(std::string_view name) const { return Find(name).value; }
  std::string String(std::string_view name) const {
    const Field& f = Find(name);
    std::string_view text;
    if (!f.present || f.value.get_string().get(text) != simdjson::SUCCESS) return {};
    return std::string(text);
  }
  std::string PointerOf(std::string_view name) const { return PointerAppend(pointer_, name); }

 private:
  static bool HasType(element value, element_type type) {
    const element_type actual = value.type();
    if (type == element_type::INT64) {  // "a whole number": any integer representation
      return actual == element_type::INT64 || actual == element_type::UINT64;
    }
    return actual == type;
  }
  static std::string TypeName(element_type type) {
    switch (type) {
      case element_type::ARRAY: return "an array";
      case element_type::OBJECT: return "an object";
      case element_type::STRING: return "a string";
      case element_type::INT64:
      case element_type::UINT64: return "a whole number";
      case element_type::DOUBLE: return "a number";
      case element_type::BOOL: return "true or false";
      case element_type::NULL_VALUE: return "null";
    }
    return "of another type";
  }
  const Field& Find(std::string_view name) const {
    for (const Field& f : fields_) {
      if (f.name == name) return f;
    }
    static const Field kAbsent{};
    return kAbsent;
  }
  void Fail(Status status) {
    if (status_.ok()) status_ = std::move(status);  // the first fault in document order
  }

  std::string pointer_;
  std::vector<Field> fields_;
  Status status_;
};

ObjectReader::Field Required(std::string_view name, element_type type) { return {name, type, true, {}}; }
ObjectReader::Field Optional(std::string_view name, element_type type) { return {name, type, false, {}}; }

// Parses `json` with the JSON layer's limits; the document outlives the returned root.
Status ParseDocument(std::string_view json, JsonDocument& document, size_t max_depth = 64) {
  JsonLimits limits;
  limits.max_depth = max_depth;
  return document.Parse(json, limits);
}

}  // namespace

namespace {
constexpr std::string_view kCursorPrefix = "e1.";
}  // namespace

std::string EncodeCursor(int64_t position) { return std::string(kCursorPrefix) + std::to_string(position); }

Result<int64_t> DecodeCursor(std::string_view cursor) {
  auto refuse = [&] {
    return Status::InvalidArgument("\"" + std::string(cursor.substr(0, 40)) +
                                   "\" is not an export cursor: give back the one the last export printed");
  };
  if (cursor.substr(0, kCursorPrefix.size()) != kCursorPrefix) return refuse();
  std::string_view digits = cursor.substr(kCursorPrefix.size());
  if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return refuse();
  }
  return static_cast<int64_t>(std::stoll(std::string(digits)));
}

std::string FormVersionPath(std::string_view form_id, std::string_view version) {
  // Form ids are [a-z0-9_]; versions are free text: escape what a path segment cannot hold.
  std::string out = std::string(kFormsPath) + "/" + std::string(form_id) + "/versions/";
  static const char* kHex = "0123456789ABCDEF";
  for (unsigned char c : version) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

const char* PushStatusName(PushStatus status) {
  switch (status) {
    case PushStatus::kAccepted: return "accepted";
    case PushStatus::kDuplicate: return "duplicate";
    case PushStatus::kRejected: return "rejected";
  }
  return "rejected";
}

std::string ToJson(const ErrorBody& body) {
  nlohmann::ordered_json j;
  j["error"] = body.error;
  if (!body.pointer.empty()) j["pointer"] = body.pointer;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ToJson(const EnrollRequest& request) {
  nlohmann::ordered_json j;
  j["code"] = request.code;
  if (!request.device_name.empty()) j["device_name"] = request.device_name;
  if (!request.device_id.empty()) j["device_id"] = request.device_id;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ToJson(const EnrollResponse& response) {
  nlohmann::ordered_json j;
  j["device_id"] = response.device_id;
  j["token"] = response.token;
  return j.dump();
}

std::string ToJson(const FormsResponse& response) {
  nlohmann::ordered_json forms = nlohmann::ordered_json::array();
  for (const FormListing& f : response.forms) {
    nlohmann::ordered_json item;
    item["form_id"] = f.form_id;
    item["version"] = f.version;
    item["sha256"] = f.sha256;
    forms.push_back(std::move(item));
  }
  nlohmann::ordered_json j;
  j["forms"] = std::move(forms);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ToJson(const PushResponse& response) {
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const PushResult& r : response.results) {
    nlohmann::ordered_json item;
    item["uuid"] = r.uuid;
    item["status"] = PushStatusName(r.status);
    if (!r.reason.empty()) item["reason"] = r.reason;
    results.push_back(std::move(item));
  }
  nlohmann::ordered_json j;
  j["results"] = std::move(results);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ExportLineJson(std::string_view received_at, std::string_view device_id, std::string_view submission,
                           std::optional<std::string_view> corrects) {
  std::string line = "{\"received_at\":" + nlohmann::json(received_at).dump() +
                     ",\"device_id\":" + nlohmann::json(device_id).dump();
  if (corrects) line += ",\"corrects\":" + (corrects->empty() ? std::string("null") : nlohmann::json(*corrects).dump());
  return line + ",\"submission\":" + std::string(submission) + "}\n";
}

Result<ExportLine> ParseExportLine(std::string_view line) {
  nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Status::InvalidArgument("an export line is not JSON");
  if (!parsed.is_object() || !parsed["received_at"].is_string() || !parsed["device_id"].is_string() ||
      !parsed["submission"].is_object()) {
    return Status::InvalidArgument("an export line lacks received_at, device_id or submission");
  }
  ExportLine out{parsed["received_at"].get<std::string>(), parsed["device_id"].get<std::string>(), std::nullopt, ""};
  if (parsed.contains("corrects")) {
    const nlohmann::json& corrects = parsed["corrects"];
    if (corrects.is_string() && !corrects.get<std::string>().empty()) {
      out.corrects = corrects.get<std::string>();
    } else if (corrects.is_null()) {
      out.corrects = std::string();
    } else {
      return Status::InvalidArgument("an export line's corrects is neither a UUID nor null");
    }
  }
  // The submission's exact bytes: what the writer put between its prefix and the final brace.
  const std::string prefix = ExportLineJson(out.received_at, out.device_id, "",
                                            out.corrects ? std::optional<std::string_view>(*out.corrects) : std::nullopt);
  const std::string_view head = std::string_view(prefix).substr(0, prefix.size() - 2);  // without "}\n"
  if (line.substr(0, head.size()) != head || line.size() < head.size() + 1 || line.back() != '}') {
    return Status::InvalidArgument("an export line is not in the export's format");
  }
  out.submission = std::string(line.substr(head.size(), line.size() - head.size() - 1));
  return out;
}

Result<ErrorBody> ParseErrorBody(std::string_view json) {
  JsonDocument document;
  Status parsed = ParseDocument(json, document);
  if (!parsed.ok()) return parsed;
  ObjectReader r(document.root(), "", {Required("error", element_type::STRING), Optional("pointer", element_type::STRING)});
  if (!r.status().ok()) return r.status();
  return ErrorBody{r.String("error"), r.String("pointer")};
}

Result<EnrollRequest> ParseEnrollRequest(std::string_view json) {
  JsonDocument document;
  Status parsed = ParseDocument(json, document);
  if (!parsed.ok()) return parsed;
  ObjectReader r(document.root(), "",
                 {Required("code", element_type::STRING), Optional("device_name", element_type::STRING),
                  Optional("device_id", element_type::STRING)});
  if (!r.status().ok()) return r.status();
  EnrollRequest request{r.String("code"), r.String("device_name"), r.String("device_id")};
  if (r.Has("device_id") && !IsValidDeviceId(request.device_id)) {
    return Status::InvalidArgument(std::string("device_id must be ") + kDeviceIdRule, "/device_id");
  }
  if (request.code.empty() || request.code.size() > 128) {
    return Status::InvalidArgument("code must be 1 to 128 characters", "/code");
  }
  if (request.device_name.size() > 200) {
    return Status::InvalidArgument("device_name is longer than 200 bytes", "/device_name");
  }
  return request;
}

Result<EnrollResponse> ParseEnrollResponse(std::string_view json) {
  JsonDocument document;
  Status parsed = ParseDocument(json, document);
  if (!parsed.ok()) return parsed;
  ObjectReader r(document.root(), "",
                 {Required("device_id", element_type::STRING), Required("token", element_type::STRING)});
  if (!r.status().ok()) return r.status();
  return EnrollResponse{r.String("device_id"), r.String("token")};
}

Result<FormsResponse> ParseFormsResponse(std::string_view json) {
  JsonDocument document;
  Status parsed = ParseDocument(json, document);
  if (!parsed.ok()) return parsed;
  ObjectReader top(document.root(), "", {Required("forms", element_type::ARRAY)});
  if (!top.status().ok()) return top.status();
  FormsResponse response;
  size_t index = 0;
  for (element item : top.Get("forms").get_array()) {
    ObjectReader r(item, PointerAppend("/forms", index++),
                   {Required("form_id", element_type::STRING), Required("version", element_type::STRING),
                    Required("sha256", element_type::STRING)});
    if (!r.status().ok()) return r.status();
    response.forms.push_back({r.String("form_id"), r.String("version"), r.String("sha256")});
  }
  return response;
}

Result<PushResponse> ParsePushResponse(std::string_view json) {
  JsonDocument document;
  Status parsed = ParseDocument(json, document);
  if (!parsed.ok()) return parsed;
  ObjectReader top(document.root(), "", {Required("results", element_type::ARRAY)});
  if (!top.status().ok()) return top.status();
  PushResponse response;
  size_t index = 0;
  for (element item : top.Get("results").get_array()) {
    const std::string at = PointerAppend("/results", index++);
    ObjectReader r(item, at,
                   {Required("uuid", element_type::STRING), Required("status", element_type::STRING),
                    Optional("reason", element_type::STRING)});
    if (!r.status().ok()) return r.status();
    PushResult result;
    result.uuid = r.String("uuid");
    const std::string status = r.String("status");
    if (status == "accepted") {
      result.status = PushStatus::kAccepted;
    } else if (status == "duplicate") {
      result.status = PushStatus::kDuplicate;
    } else if (status == "rejected") {
      result.status = PushStatus::kRejected;
    } else {
      return Status::InvalidArgument("status must be accepted, duplicate or rejected", at + "/status");
    }
    result.reason = r.String("reason");
    response.results.push_back(std::move(result));
  }
  return response;
}

Result<Envelope> ReadEnvelope(std::string_view canonical_json, const Limits& limits) {
  JsonDocument own;
  JsonDocument& document = ThreadDocumentFor(ThreadDocumentSlot::kEnvelope, canonical_json.size(), own);
  return ReadEnvelopeInto(canonical_json, limits, limits.max_json_depth, document);
}

Result<Envelope> ReadEnvelopeInto(std::string_view canonical_json, const Limits& limits, size_t max_depth,
                                  JsonDocument& document) {
  if (canonical_json.size() > limits.max_submission_bytes) {
    return Status::InvalidArgument("submission is " + std::to_string(canonical_json.size()) +
                                   " bytes; the limit is " + std::to_string(limits.max_submission_bytes));
  }
  Status parsed = ParseDocument(canonical_json, document, std::min(max_depth, limits.max_json_depth));
  if (!parsed.ok()) return parsed;
  simdjson::dom::object object;
  if (document.root().get_object().get(object) != simdjson::SUCCESS) {
    return Status::InvalidArgument("a submission must be a JSON object");
  }
  Envelope envelope;
  auto string_field = [&object](std::string_view key, bool required, std::string* out) -> Status {
    element value;
    if (object.at_key(key).get(value) != simdjson::SUCCESS) {
      return required ? Status::InvalidArgument("missing field \"" + std::string(key) + "\"") : Status::Ok();
    }
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) {
      return Status::InvalidArgument("\"" + std::string(key) + "\" must be a string", PointerAppend("", key));
    }
    *out = std::string(text);
    return Status::Ok();
  };
  for (auto [key, required, out] : {std::tuple<std::string_view, bool, std::string*>{"uuid", true, &envelope.uuid},
                                    {"form_id", true, &envelope.form_id},
                                    {"form_version", true, &envelope.form_version},
                                    {"device_id", true, &envelope.device_id},
                                    {"replaces", false, &envelope.replaces}}) {
    Status s = string_field(key, required, out);
    if (!s.ok()) return s;
  }
  if (!IsUuidV4(envelope.uuid)) return Status::InvalidArgument("uuid is not a lower-case version 4 UUID", "/uuid");
  if (!IsValidFormId(envelope.form_id)) return Status::InvalidArgument("form_id is not a form id", "/form_id");
  if (envelope.form_version.empty() || envelope.form_version.size() > 64) {
    return Status::InvalidArgument("form_version must be 1 to 64 characters", "/form_version");
  }
  if (envelope.device_id.empty() || envelope.device_id.size() > 128) {
    return Status::InvalidArgument("device_id must be 1 to 128 characters", "/device_id");
  }
  if (!envelope.replaces.empty() && !IsUuidV4(envelope.replaces)) {
    return Status::InvalidArgument("replaces is not a lower-case version 4 UUID", "/replaces");
  }
  element answers;
  if (object.at_key("answers").get(answers) != simdjson::SUCCESS || answers.type() != element_type::OBJECT) {
    return Status::InvalidArgument("a submission needs an \"answers\" object", "/answers");
  }
  envelope.sha256 = Sha256Hex(canonical_json);
  return envelope;
}

Result<std::vector<std::string_view>> SplitBatch(std::string_view body, const Limits& limits) {
  std::vector<std::string_view> lines;
  if (body.empty()) return Status::InvalidArgument("an empty batch: send at least one submission");
  if (body.back() != '\n') return Status::InvalidArgument("a batch ends with a newline after its last submission");
  size_t start = 0;
  while (start < body.size()) {
    const size_t end = body.find('\n', start);
    if (end == start) {
      return Status::InvalidArgument("empty line " + std::to_string(lines.size() + 1) + " in the batch");
    }
    if (lines.size() == limits.max_batch_items) {
      return Status::InvalidArgument("a batch holds at most " + std::to_string(limits.max_batch_items) +
                                     " submissions");
    }
    lines.push_back(body.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string JoinBatch(const std::vector<std::string_view>& submissions) {
  size_t size = 0;
  for (std::string_view s : submissions) size += s.size() + 1;
  std::string out;
  out.reserve(size);
  for (std::string_view s : submissions) {
    out.append(s);
    out += '\n';
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) { return chosa::Sha256Hex(bytes); }

}  // namespace chosa::protocol
