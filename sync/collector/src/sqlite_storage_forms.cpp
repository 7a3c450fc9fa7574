// SqliteStorage's forms (sqlite_storage_impl.h): publishing a form version, reading versions
// and the forms' states.
#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sqlite_storage_impl.h"
#include "chosa/base/hex_digest.h"

namespace chosa::collector {

namespace {

bool ParseState(const std::string& text, FormState* state) {
  for (FormState candidate : {FormState::kOpen, FormState::kClosed, FormState::kArchived}) {
    if (text == FormStateName(candidate)) {
      *state = candidate;
      return true;
    }
  }
  return false;
}

}  // namespace

Status SqliteStorage::PublishForm(const FormVersion& version) {
  if (version.form_id.empty() || version.version.empty() || version.json.empty()) {
    return Status::InvalidArgument("a form version needs a form id, a version and its JSON");
  }
  const std::string sha256 = Sha256Hex(version.json);
  if (!version.sha256.empty() && version.sha256 != sha256) {
    return Status::InvalidArgument("the SHA-256 given for form " + version.form_id + " version " + version.version +
                                   " is not that of its JSON");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  Status status = Begin();
  if (!status.ok()) return status;
  {
    Statement existing(db_.get(), "SELECT sha256 FROM form_versions WHERE form_id = ? AND version = ?");
    existing.Bind(1, version.form_id).Bind(2, version.version);
    const int code = existing.ok() ? existing.Step() : existing.prepare_code();
    if (code == SQLITE_ROW) {
      const bool same = existing.Text(0) == sha256;
      Rollback();
      if (same) return Status::Ok();
      return Status::AlreadyExists("form " + version.form_id + " version " + version.version +
                                   " is already published with other content; a published version never "
                                   "changes: publish the change as a new version");
    }
    if (code != SQLITE_DONE) return Fail(code, "reading the published forms");
  }
  Statement form(db_.get(),
                 "INSERT INTO forms (form_id, state, created_at) VALUES (?, 'open', ?) "
                 "ON CONFLICT (form_id) DO NOTHING");
  form.Bind(1, version.form_id).Bind(2, version.published_at);
  int code = form.ok() ? form.Step() : form.prepare_code();
  if (code != SQLITE_DONE) return Fail(code, "publishing form " + version.form_id);
  Statement insert(db_.get(),
                   "INSERT INTO form_versions (form_id, version, json, sha256, published_at, seq) VALUES "
                   "(?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM form_versions))");
  insert.Bind(1, version.form_id).Bind(2, version.version).Bind(3, version.json).Bind(4, sha256);
  insert.Bind(5, version.published_at);
  code = insert.ok() ? insert.Step() : insert.prepare_code();
  if (code != SQLITE_DONE) return Fail(code, "publishing form " + version.form_id + " version " + version.version);
  return Commit();
}

Result<FormVersion> SqliteStorage::GetFormVersion(std::string_view form_id, std::string_view version) {
  std::lock_guard<std::mutex> lock(reader_.mutex);
  Running query(reader_.get_form_version);
  query->Bind(1, form_id).Bind(2, version);
  const int code = query->Step();
  if (code == SQLITE_DONE) {
    return Status::NotFound("form " + std::string(form_id) + " has no published version " + std::string(version));
  }
  if (code != SQLITE_ROW) return StorageStatus(reader_.db.get(), code, "reading a form version");
  return FormVersion{std::string(form_id), std::string(version), query->Text(0), query->Text(1), query->Int(2)};
}

Result<std::vector<FormVersion>> SqliteStorage::FormVersions(std::string_view form_id) {
  std::vector<FormVersion> out;
  std::lock_guard<std::mutex> lock(mutex_);
  Statement rows(db_.get(),
                 "SELECT version, json, sha256, published_at FROM form_versions WHERE form_id = ? ORDER BY seq");
  rows.Bind(1, form_id);
  Status status = EachRow(rows, "reading the versions of form " + std::string(form_id), [&] {
    out.push_back({std::string(form_id), rows.Text(0), rows.Text(1), rows.Text(2), rows.Int(3)});
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<FormSummary>> SqliteStorage::ListForms() {
  std::vector<FormSummary> out;
  std::lock_guard<std::mutex> lock(mutex_);
  Statement forms(db_.get(),
                  "SELECT form_id, state, "
                  "(SELECT COUNT(*) FROM submissions s WHERE s.form_id = f.form_id), "
                  "(SELECT COUNT(*) FROM quarantine q WHERE q.form_id = f.form_id AND q.released_at IS NULL) "
                  "FROM forms f ORDER BY form_id");
  std::map<std::string, size_t> index;
  Status status = EachRow(forms, "listing the forms", [&] {
    FormSummary summary;
    summary.form_id = forms.Text(0);
    ParseState(forms.Text(1), &summary.state);
    summary.submissions = forms.Int(2);
    summary.quarantined = forms.Int(3);
    index[summary.form_id] = out.size();
    out.push_back(std::move(summary));
  });
  if (!status.ok()) return status;
  Statement versions(db_.get(), "SELECT form_id, version FROM form_versions ORDER BY seq");
  status = EachRow(versions, "listing the form versions", [&] {
    auto it = index.find(versions.Text(0));
    if (it != index.end()) out[it->second].versions.push_back(versions.Text(1));
  });
  if (!status.ok()) return status;
  return out;
}

Status SqliteStorage::SetFormState(std::string_view form_id, FormState state) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement update(db_.get(), "UPDATE forms SET state = ? WHERE form_id = ?");
  update.Bind(1, std::string_view(FormStateName(state))).Bind(2, form_id);
  const int code = update.ok() ? update.Step() : update.prepare_code();
  if (code != SQLITE_DONE) return StorageStatus(db_.get(), code, "changing the state of form " + std::string(form_id));
  if (sqlite3_changes(db_.get()) == 0) return UnknownForm(form_id);
  return Status::Ok();
}

Result<FormState> SqliteStorage::GetFormState(std::string_view form_id) {
  std::lock_guard<std::mutex> lock(reader_.mutex);
  Running query(reader_.get_form_state);
  query->Bind(1, form_id);
  const int code = query->Step();
  if (code == SQLITE_DONE) return UnknownForm(form_id);
  if (code != SQLITE_ROW) {
    return StorageStatus(reader_.db.get(), code, "reading the state of form " + std::string(form_id));
  }
  FormState state = FormState::kOpen;
  if (!ParseState(query->Text(0), &state)) {
    return Status::Corruption("form " + std::string(form_id) + " has an unknown state \"" + query->Text(0) + "\"");
  }
  return state;
}

Status SqliteStorage::UnknownForm(std::string_view form_id) {
  return Status::NotFound("no form " + std::string(form_id) + " is published");
}

const char* FormStateName(FormState state) {
  switch (state) {
    case FormState::kOpen:
      return "open";
    case FormState::kClosed:
      return "closed";
    case FormState::kArchived:
      return "archived";
  }
  return "open";
}

}  // namespace chosa::collector
