// The action messages (action_channel.h): reading a request strictly (unknown or mistyped
// fields are refused with their JSON Pointer), doing it through the Draft, and writing the reply
// with the view model's JSON spliced in as the engine wrote it (never parsed again).
#include "action_channel.h"

#include <map>
#include <set>

#include "c_boundary.h"
#include "chosa/chosa.h"
#include "platform_json.h"

namespace chosa::capi {

using nlohmann::json;

// A reply under construction: its fields in order, the view model's JSON kept as text.
class ActionChannel::Reply {
 public:
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  std::string view;    // the view model's JSON as the engine wrote it, "" when the reply has none
  std::string review;  // the review's JSON, likewise
  bool ok = true;
  json error;

  void Fail(std::string_view code, const std::string& message, std::string_view path = {},
            std::string_view pointer = {}, int column = 0) {
    ok = false;
    error = {{"code", code}, {"message", message}, {"path", path}, {"pointer", pointer}, {"column", column}};
  }
  void Fail(const Status& status) {
    Fail(chosa_code_name(CodeOf(status)), status.message(), {}, status.pointer(), status.column());
  }
  // A refused change of the answer (or repeat) at `path`; `pointer` is the request's field at
  // fault, if any (the engine's Status keeps the path where a pointer would be).
  void FailAt(const Status& status, std::string_view path, std::string_view pointer = {}) {
    Fail(chosa_code_name(CodeOf(status)), status.message(), path, pointer);
  }
  // A blocked next or finalize: the first of `errors` (the page's, or the filling's) and how many
  // more there are.
  void Blocked(const Status& status, const std::vector<AnswerError>& errors) {
    if (errors.empty()) return Fail(status);
    FirstError first = FirstOf(errors);
    Fail(chosa_code_name(CodeOf(status)), first.message, first.path);
  }
  std::string Text(const json& id) const {
    std::string out = "{\"v\":" + std::to_string(CHOSA_ACTION_VERSION);
    if (!id.is_null()) out += ",\"id\":" + id.dump();
    out += ok ? ",\"ok\":true" : ",\"ok\":false";
    if (!ok) out += ",\"error\":" + error.dump();
    for (auto& [key, value] : fields.items()) out += ",\"" + key + "\":" + value.dump();
    if (!review.empty()) out += ",\"review\":" + review;
    if (!view.empty()) out += ",\"view\":" + view;
    out += "}";
    return out;
  }
};

namespace {

// What each op may carry besides "v", "op" and "id", and of which JSON type.
enum class Kind { kString, kInteger, kAny };
const std::map<std::string, std::map<std::string, Kind>>& Ops() {
  static const auto* ops = new std::map<std::string, std::map<std::string, Kind>>{
      {"forms", {{"language", Kind::kString}}},
      {"drafts", {{"state", Kind::kString}}},
      {"start", {{"form_id", Kind::kString}, {"language", Kind::kString}}},
      {"resume", {{"draft_id", Kind::kInteger}}},
      {"delete", {{"draft_id", Kind::kInteger}}},
      {"close", {}},
      {"view", {}},
      {"answer", {{"path", Kind::kString}, {"text", Kind::kString}, {"value", Kind::kAny}}},
      {"add_instance", {{"repeat", Kind::kString}}},
      {"remove_instance", {{"repeat", Kind::kString}, {"position", Kind::kInteger}}},
      {"next", {}},
      {"back", {}},
      {"go_to", {{"page", Kind::kInteger}}},
      {"language", {{"language", Kind::kString}}},
      {"review", {}},
      {"finalize", {}},
  };
  return *ops;
}

// The ops that need an open draft.
bool NeedsDraft(const std::string& op) {
  static const std::set<std::string> ops{"view", "answer", "add_instance", "remove_instance", "next",
                                         "back", "go_to", "language",     "review",          "finalize"};
  return ops.count(op) == 1;
}

// The request's fields checked against its op: "" when they fit, else why (and *pointer where).
std::string CheckFields(const json& request, const std::string& op, std::string* pointer) {
  const auto& allowed = Ops().at(op);
  for (auto& [key, value] : request.items()) {
    if (key == "v" || key == "op" || key == "id") continue;
    *pointer = "/" + key;
    auto found = allowed.find(key);
    if (found == allowed.end()) return "\"" + op + "\" takes no field \"" + key + "\"";
    if (found->second == Kind::kString && !value.is_string()) return "\"" + key + "\" must be a string";
    if (found->second == Kind::kInteger && !value.is_number_integer()) return "\"" + key + "\" must be an integer";
  }
  pointer->clear();
  return "";
}

std::string Text(const json& request, const char* key) {
  auto found = request.find(key);
  return found == request.end() ? std::string() : found->get<std::string>();
}

}  // namespace

ActionChannel::ActionChannel(DeviceStore* store, std::string enumerator_id)
    : store_(store), enumerator_id_(std::move(enumerator_id)) {}

ActionChannel::~ActionChannel() = default;

void ActionChannel::Detach() {
  draft_.reset();
  store_ = nullptr;
}

std::string ErrorReply(std::string_view code, std::string_view message) {
  json error = {{"code", code}, {"message", message}, {"path", ""}, {"pointer", ""}, {"column", 0}};
  return "{\"v\":" + std::to_string(CHOSA_ACTION_VERSION) + ",\"ok\":false,\"error\":" + error.dump() + "}";
}

std::string ActionChannel::Handle(std::string_view text) {
  Reply reply;
  json request = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) {
    reply.Fail("invalid_argument", "the request is not a JSON object");
    return reply.Text(nullptr);
  }
  json id = request.contains("id") ? request["id"] : json();
  auto version = request.find("v");
  if (version == request.end() || !version->is_number_integer() || *version != CHOSA_ACTION_VERSION) {
    reply.Fail("unsupported", "this engine speaks version " + std::to_string(CHOSA_ACTION_VERSION) +
                                  " of the action messages (\"v\": " + std::to_string(CHOSA_ACTION_VERSION) + ")",
               {}, "/v");
    return reply.Text(id);
  }
  auto op = request.find("op");
  if (op == request.end() || !op->is_string() || Ops().count(op->get<std::string>()) == 0) {
    std::string known;
    for (const auto& entry : Ops()) known += (known.empty() ? "" : ", ") + entry.first;
    reply.Fail("invalid_argument", "\"op\" must be one of " + known, {}, "/op");
    return reply.Text(id);
  }
  const std::string name = op->get<std::string>();
  std::string pointer;
  std::string fault = CheckFields(request, name, &pointer);
  if (!fault.empty()) {
    reply.Fail("invalid_argument", fault, {}, pointer);
    return reply.Text(id);
  }
  if (store_ == nullptr) {
    reply.Fail("misuse", "the store of this channel was closed");
    return reply.Text(id);
  }
  if (NeedsDraft(name) && !draft_) {
    reply.Fail("misuse", "no draft is open on this channel: \"start\" or \"resume\" one first");
    return reply.Text(id);
  }
  Dispatch(name, request, reply);
  if (draft_) {
    reply.fields["draft"] = {{"id", draft_->id()},
                             {"form_id", draft_->session().form().id()},
                             {"form_version", draft_->session().form().version()}};
    if (name != "review") reply.view = draft_->session().ViewJson();
  }
  return reply.Text(id);
}

void ActionChannel::Dispatch(const std::string& op, const json& request, Reply& reply) {
  if (op == "forms") {
    Result<nlohmann::ordered_json> forms = InstalledForms(*store_, Text(request, "language"));
    if (!forms.ok()) return reply.Fail(forms.status());
    reply.fields["forms"] = std::move(*forms);
  } else if (op == "drafts") {
    std::string state = request.contains("state") ? Text(request, "state") : "draft";
    Result<nlohmann::ordered_json> listed = Instances(*store_, state);
    if (!listed.ok()) return reply.Fail(listed.status());
    reply.fields["drafts"] = std::move(*listed);
  } else if (op == "start" || op == "resume") {
    if (op == "start" && !request.contains("form_id")) {
      return reply.Fail("invalid_argument", "\"start\" needs \"form_id\"", {}, "/form_id");
    }
    if (op == "resume" && !request.contains("draft_id")) {
      return reply.Fail("invalid_argument", "\"resume\" needs \"draft_id\"", {}, "/draft_id");
    }
    // A page reloaded resumes the draft this channel holds: closed first (saved), then opened
    // again. Another channel's open draft is refused by the store.
    if (op == "resume" && draft_ && draft_->id() == request["draft_id"].get<int64_t>()) draft_.reset();
    Result<std::unique_ptr<Draft>> made = op == "start" ? store_->StartDraft(Text(request, "form_id"), enumerator_id_,
                                                                             Text(request, "language"))
                                                        : store_->Resume(request["draft_id"].get<int64_t>());
    if (!made.ok()) return reply.Fail(made.status());
    draft_ = std::move(*made);  // the draft open before (saved already) is let go
  } else if (op == "delete") {
    if (!request.contains("draft_id")) {
      return reply.Fail("invalid_argument", "\"delete\" needs \"draft_id\"", {}, "/draft_id");
    }
    const int64_t id = request["draft_id"].get<int64_t>();
    if (draft_ && draft_->id() == id) draft_.reset();
    Status deleted = store_->DeleteDraft(id);
    if (!deleted.ok()) return reply.Fail(deleted);
  } else if (op == "close") {
    draft_.reset();
  } else if (op == "view") {
    // The view is added to every reply with an open draft.
  } else if (op == "answer") {
    if (!request.contains("path")) return reply.Fail("invalid_argument", "\"answer\" needs \"path\"", {}, "/path");
    const std::string path = Text(request, "path");
    const bool has_text = request.contains("text"), has_value = request.contains("value");
    if (has_text == has_value) {
      return reply.Fail("invalid_argument", "\"answer\" takes either \"text\" or \"value\"", path,
                        has_text ? "/value" : "/text");
    }
    std::string answer;
    if (has_text) {
      answer = Text(request, "text");
    } else {
      Result<AnswerRef> where = draft_->session().Resolve(path);
      if (!where.ok()) return reply.FailAt(where.status(), path, "/path");
      Result<std::string> from_json = AnswerTextFromJson(draft_->session(), path, request["value"]);
      if (!from_json.ok()) return reply.FailAt(from_json.status(), path, "/value");
      answer = *from_json;
    }
    Status set = draft_->SetAnswer(path, answer);
    if (!set.ok()) return reply.FailAt(set, path);
  } else if (op == "add_instance") {
    Result<int32_t> position = draft_->AddRepeatInstance(Text(request, "repeat"));
    if (!position.ok()) return reply.FailAt(position.status(), Text(request, "repeat"), "/repeat");
    reply.fields["position"] = *position;
  } else if (op == "remove_instance") {
    if (!request.contains("position")) {
      return reply.Fail("invalid_argument", "\"remove_instance\" needs \"position\"", {}, "/position");
    }
    const int64_t position = request["position"].get<int64_t>();
    if (position < 1 || position > INT32_MAX) {
      return reply.Fail("invalid_argument", "\"position\" counts from 1", {}, "/position");
    }
    Status removed = draft_->RemoveRepeatInstance(Text(request, "repeat"), static_cast<int32_t>(position));
    if (!removed.ok()) return reply.FailAt(removed, Text(request, "repeat"));
  } else if (op == "next") {
    Status moved = draft_->Next();
    if (!moved.ok()) reply.Blocked(moved, draft_->session().PageErrors(draft_->session().page_index()));
  } else if (op == "back") {
    Status moved = draft_->Back();
    if (!moved.ok()) return reply.Fail(moved);
  } else if (op == "go_to") {
    const int64_t page = request.value("page", int64_t{-1});
    if (page < 0 || page > INT32_MAX) return reply.Fail("invalid_argument", "\"page\" counts from 0", {}, "/page");
    Status moved = draft_->GoToPage(static_cast<int32_t>(page));
    if (!moved.ok()) return reply.Fail(moved);
  } else if (op == "language") {
    Status changed = draft_->SetLanguage(Text(request, "language"));
    if (!changed.ok()) return reply.Fail(changed);
  } else if (op == "review") {
    reply.review = draft_->session().ReviewJson();
  } else if (op == "finalize") {
    Result<Submission> submission = draft_->Finalize();
    if (!submission.ok()) return reply.Blocked(submission.status(), draft_->session().AllErrors());
    reply.fields["submission"] = {{"uuid", submission->uuid}, {"instance_name", submission->instance_name}};
    draft_.reset();
  }
}

}  // namespace chosa::capi
