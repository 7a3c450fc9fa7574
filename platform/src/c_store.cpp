// chosa_store_* and chosa_form_*: the device store and forms through the C API.
#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "c_boundary.h"
#include "c_handles.h"
#include "platform_json.h"

using namespace chosa;
using namespace chosa::capi;

namespace {

constexpr const char kNotAForm[] = "not a form handle (NULL, or freed already)";

chosa_code GiveJson(const nlohmann::ordered_json& json, char** out, chosa_error* error) {
  return Give(json.dump(), out, nullptr, error);
}

chosa_code GiveForm(std::shared_ptr<const Form> form, chosa_form** out) {
  auto handle = std::make_unique<chosa_form>();
  handle->form = std::move(form);
  Register(handle.get(), HandleKind::kForm);
  *out = handle.release();
  return CHOSA_OK;
}

}  // namespace

extern "C" {

chosa_code chosa_store_open(const char* path, const chosa_store_options* options, chosa_store** out,
                            chosa_error* error) {
  if (out == nullptr) return Fail(error, CHOSA_INVALID_ARGUMENT, "chosa_store_open: `out` is NULL");
  *out = nullptr;
  if (path == nullptr || *path == '\0') return Fail(error, CHOSA_INVALID_ARGUMENT, "chosa_store_open: no path");
  return Guard(error, [&]() -> chosa_code {
    chosa_store_options given{};
    if (options != nullptr) {
      if (options->struct_size < sizeof(uint32_t)) {
        return Fail(error, CHOSA_INVALID_ARGUMENT,
                    "chosa_store_options.struct_size is not set: set it to sizeof(chosa_store_options)");
      }
      std::memcpy(&given, options, std::min<size_t>(options->struct_size, sizeof given));
    }
    Result<std::unique_ptr<Hooks>> hooks = Hooks::Make(given.platform);
    if (!hooks.ok()) return Fail(error, hooks.status());
    auto core = std::make_shared<StoreCore>();
    core->hooks = std::move(*hooks);
    core->path = path;
    StoreOptions store_options;
    store_options.env = core->hooks.get();
    store_options.device_id = std::string(Arg(given.device_id));
    Result<std::unique_ptr<DeviceStore>> opened = DeviceStore::Open(path, store_options);
    if (!opened.ok()) {
      if (opened.status().code() == StatusCode::kUnsupported) {
        return Fail(error, CHOSA_STORE_TOO_NEW, opened.status().message());
      }
      return Fail(error, opened.status());
    }
    core->store = std::move(*opened);
    auto handle = std::make_unique<chosa_store>();
    handle->core = std::move(core);
    Register(handle.get(), HandleKind::kStore);
    *out = handle.release();
    return CHOSA_OK;
  });
}

void chosa_store_close(chosa_store* store) {
  if (store == nullptr || !Unregister(store)) return;
  std::shared_ptr<StoreCore> core = std::move(store->core);
  delete store;
  try {
    {
      std::lock_guard<std::mutex> lock(core->children_mutex);
      for (StoreChild* child : core->children) child->Cancel();
    }
    std::unique_lock<std::shared_mutex> closing(core->lifetime);
    core->closed = true;
    {
      std::lock_guard<std::mutex> lock(core->children_mutex);
      for (StoreChild* child : core->children) child->Detach();
      core->children.clear();
    }
    core->store.reset();
  } catch (...) {
    // Nothing to report to: a close cannot fail. The store's destructor released what it held.
  }
}

chosa_code chosa_store_device_id(chosa_store* store, char** out, chosa_error* error) {
  return WithStore(store, error, [&](const std::shared_ptr<StoreCore>& core) { return Give(core->store->device_id(), out, nullptr, error); });
}

chosa_code chosa_store_install_form(chosa_store* store, const char* json, size_t size, char** out_info,
                                    chosa_error* error) {
  if (json == nullptr) return Fail(error, CHOSA_INVALID_ARGUMENT, "chosa_store_install_form: `json` is NULL");
  return WithStore(store, error, [&](const std::shared_ptr<StoreCore>& core) -> chosa_code {
    Result<InstalledForm> installed = core->store->InstallForm(std::string_view(json, size));
    if (!installed.ok()) return Fail(error, installed.status());
    return out_info == nullptr ? CHOSA_OK : GiveJson(InstalledInfo(*installed), out_info, error);
  });
}

chosa_code chosa_store_install_form_file(chosa_store* store, const char* path, char** out_info, chosa_error* error) {
  if (path == nullptr) return Fail(error, CHOSA_INVALID_ARGUMENT, "chosa_store_install_form_file: `path` is NULL");
  return WithStore(store, error, [&](const std::shared_ptr<StoreCore>& core) -> chosa_code {
    Result<InstalledForm> installed = core->store->InstallFormFile(path);
    if (!installed.ok()) return Fail(error, installed.status());
    return out_info == nullptr ? CHOSA_OK : GiveJson(InstalledInfo(*installed), out_info, error);
  });
}

chosa_code chosa_store_load_form(chosa_store* store, const char* form_id, const char* version, chosa_form** out,
                                 chosa_error* error) {
  if (out == nullptr) return Fail(error, CHOSA_INVALID_ARGUMENT, "chosa_store_load_form: `out` is NULL");
  *out = nullptr;
  return WithStore(store, error, [&](const std::shared_ptr<StoreCore>& core) -> chosa_code {
    Result<std::shared_ptr<const Form>> form = core->store->LoadForm(Arg(form_id), Arg(version));
    if (!form.ok()) return Fail(error, form.status());
    return GiveForm(std::move(*form), out);
  });
}

chosa_code chosa_store_list_forms(chosa_store* store, const char* language, char** out, chosa_error* error) {
  return WithStore(store, error, [&](const std::shared_ptr<StoreCore>& core) -> chosa_code {
    Result<nlohmann::ordered_json> forms = InstalledForms(*core->store, Arg(language));
    if (!forms.ok()) return Fail(error, forms.status());
    return GiveJson(*forms, out, error);
  });
}

chosa_code chosa_store_list_instances(chosa_store* store, const char* state, char** out, chosa_error* error) {
  return WithStore(store, error, [&](const std::shared_ptr<StoreCore>& core) -> chosa_code {
    Result<nlohmann::ordered_json> listed = Instances(*core->store, Arg(state));
    if (!listed.ok()) return Fail(error, listed.status());
    return GiveJson(*listed, out, error);
  });
}

chosa_code chosa_store_delete_draft(chosa_store* store, int64_t draft_id, chosa_error* error) {
  return WithStore(store, error,
                   [&](const std::shared_ptr<StoreCore>& core) { return Report(error, core->store->DeleteDraft(draft_id)); });
}

chosa_code chosa_store_read_submission(chosa_store* store, const char* uuid, char** out, size_t* out_size,
                                       chosa_error* error) {
  return WithStore(store, error, [&](const std::shared_ptr<StoreCore>& core) -> chosa_code {
    Result<OutboxItem> item = core->store->ReadSubmission(Arg(uuid));
    if (!item.ok()) return Fail(error, item.status());
    return Give(item->canonical_json, out, out_size, error);
  });
}

chosa_code chosa_form_parse(const char* json, size_t size, chosa_form** out, chosa_error* error) {
  if (out == nullptr) return Fail(error, CHOSA_INVALID_ARGUMENT, "chosa_form_parse: `out` is NULL");
  *out = nullptr;
  if (json == nullptr) return Fail(error, CHOSA_INVALID_ARGUMENT, "chosa_form_parse: `json` is NULL");
  return Guard(error, [&]() -> chosa_code {
    FormLoadResult loaded = Form::Load(std::string_view(json, size));
    if (!loaded.ok()) {
      std::string all;
      for (const Status& fault : loaded.faults) all += (all.empty() ? "" : "\n") + fault.ToString();
      if (loaded.faults.empty()) return Fail(error, CHOSA_INVALID_ARGUMENT, "the form could not be read");
      const Status& first = loaded.faults.front();
      return Fail(error, CHOSA_INVALID_ARGUMENT, all, {}, first.pointer(), first.column());
    }
    return GiveForm(std::move(loaded.form), out);
  });
}

chosa_code chosa_form_info_json(const chosa_form* form, const char* language, char** out, chosa_error* error) {
  if (!IsLive(form, HandleKind::kForm)) return Fail(error, CHOSA_MISUSE, kNotAForm);
  return Guard(error, [&] { return GiveJson(FormInfo(*form->form, Arg(language)), out, error); });
}

void chosa_form_free(chosa_form* form) {
  if (form == nullptr || !Unregister(form)) return;
  delete form;
}

}  // extern "C"
