// JSON of forms, listings and sync reports, and answers from JSON values (platform_json.h).
#include "platform_json.h"

#include <cmath>
#include <map>

namespace chosa::capi {
namespace {

size_t LanguageIndex(const Form& form, std::string_view language) {
  for (size_t i = 0; i < form.languages().size(); ++i) {
    if (form.languages()[i] == language) return i;
  }
  return form.default_language();
}

bool Japanese(const Session& session) { return session.language().rfind("ja", 0) == 0; }

}  // namespace

nlohmann::ordered_json FormInfo(const Form& form, std::string_view language) {
  const size_t index = LanguageIndex(form, language);
  nlohmann::ordered_json info;
  info["form_id"] = form.id();
  info["version"] = form.version();
  info["title"] = std::string(form.title().Get(index));
  info["language"] = form.languages().empty() ? std::string() : form.languages()[index];
  info["languages"] = form.languages();
  info["pages"] = form.pages().empty() ? size_t{1} : form.pages().size();
  return info;
}

Result<nlohmann::ordered_json> InstalledForms(const DeviceStore& store, std::string_view language) {
  Result<std::vector<InstalledForm>> installed = store.ListForms();
  if (!installed.ok()) return installed.status();
  std::map<std::string, bool> seen;  // by form id, in order
  for (const InstalledForm& f : *installed) seen[f.form_id] = true;
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& entry : seen) {
    Result<std::shared_ptr<const Form>> form = store.LoadForm(entry.first);
    if (!form.ok()) return form.status();
    out.push_back(FormInfo(**form, language));
  }
  return out;
}

nlohmann::ordered_json InstalledInfo(const InstalledForm& installed) {
  return {{"form_id", installed.form_id},
          {"version", installed.version},
          {"sha256", installed.sha256},
          {"installed_at", installed.installed_at}};
}

nlohmann::ordered_json InstanceInfo(const InstanceSummary& s) {
  nlohmann::ordered_json info;
  info["id"] = s.id;
  info["form_id"] = s.form_id;
  info["form_version"] = s.form_version;
  info["state"] = InstanceStateName(s.state);
  info["instance_name"] = s.instance_name;
  info["enumerator_id"] = s.enumerator_id;
  info["started_at"] = s.started_at;
  info["updated_at"] = s.updated_at;
  info["progress_percent"] = s.progress_percent;
  info["answer_count"] = s.answer_count;
  info["uuid"] = s.uuid;
  info["replaces"] = s.replaces;
  info["reject_reason"] = s.reject_reason;
  info["sent_at"] = s.sent_at;
  return info;
}

Result<nlohmann::ordered_json> Instances(const DeviceStore& store, std::string_view state) {
  InstanceState wanted;
  if (state == "draft") {
    wanted = InstanceState::kDraft;
  } else if (state == "finalized") {
    wanted = InstanceState::kFinalized;
  } else if (state == "sent") {
    wanted = InstanceState::kSent;
  } else if (state == "rejected") {
    wanted = InstanceState::kRejected;
  } else {
    return Status::InvalidArgument("unknown state \"" + std::string(state) +
                                   "\": one of draft, finalized, sent, rejected");
  }
  Result<std::vector<InstanceSummary>> listed = store.ListInstances(wanted);
  if (!listed.ok()) return listed.status();
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const InstanceSummary& s : *listed) out.push_back(InstanceInfo(s));
  return out;
}

nlohmann::ordered_json SyncReportInfo(const sync::SyncReport& report) {
  nlohmann::ordered_json out;
  out["complete"] = report.Complete();
  out["sent"] = report.sent;
  out["duplicates"] = report.duplicates;
  out["rejected"] = nlohmann::ordered_json::array();
  for (const sync::RejectedSubmission& r : report.rejected) {
    out["rejected"].push_back({{"uuid", r.uuid}, {"reason", r.reason}});
  }
  out["left"] = report.left;
  out["forms_installed"] = nlohmann::ordered_json::array();
  for (const protocol::FormListing& f : report.forms_installed) {
    out["forms_installed"].push_back({{"form_id", f.form_id}, {"version", f.version}});
  }
  out["problems"] = report.problems;
  out["bytes_sent"] = report.bytes_sent;
  out["retries"] = report.retries;
  out["status"] = report.status.ok() ? std::string() : report.status.message();
  return out;
}

Result<std::string> AnswerTextFromJson(const Session& session, std::string_view path, const nlohmann::json& value) {
  Result<AnswerRef> ref = session.Resolve(path);
  if (!ref.ok()) return ref.status();
  const ItemType type = session.form().item(ref->item).type;
  const bool ja = Japanese(session);
  auto refuse = [&](const char* ja_text, const char* en_text) {
    return Status::InvalidArgument(ja ? ja_text : en_text);
  };
  if (value.is_null()) return std::string();
  switch (type) {
    case ItemType::kInteger:
    case ItemType::kDecimal:
      if (value.is_number_integer()) return value.dump();
      if (value.is_number_float()) {
        const double d = value.get<double>();
        if (!std::isfinite(d)) return refuse("数値を入力してください", "a number is expected");
        return value.dump();  // shortest round-trip form
      }
      return refuse("数値を入力してください（JSON の数値）", "a number is expected (a JSON number)");
    case ItemType::kSelectMultiple:
    case ItemType::kRank: {
      if (!value.is_array()) {
        return refuse("選択肢の値の配列を指定してください", "an array of choice values is expected");
      }
      std::string text;
      for (const nlohmann::json& choice : value) {
        if (!choice.is_string() || choice.get<std::string>().empty() ||
            choice.get<std::string>().find(' ') != std::string::npos) {
          return refuse("選択肢の値は空白のない文字列です", "each choice value must be a string without spaces");
        }
        if (!text.empty()) text += ' ';
        text += choice.get<std::string>();
      }
      return text;
    }
    default:
      if (value.is_string()) return value.get<std::string>();
      return refuse("文字列を指定してください", "a string is expected for this question");
  }
}

}  // namespace chosa::capi
