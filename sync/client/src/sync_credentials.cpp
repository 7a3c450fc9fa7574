#include "chosa/sync_credentials.h"

#include <nlohmann/json.hpp>

namespace chosa::sync {

std::string CredentialsPathFor(const std::string& store_path) { return store_path + ".sync.json"; }

std::string EncodeCredentials(const SyncCredentials& credentials) {
  nlohmann::ordered_json json;
  json["collector_url"] = credentials.collector_url;
  json["device_id"] = credentials.device_id;
  json["token"] = credentials.token;
  json["ca_file"] = credentials.tls.ca_file;
  json["pinned_public_keys"] = credentials.tls.pinned_public_keys;
  return json.dump(2) + "\n";
}

Status SaveCredentials(SecretStore& secrets, const std::string& name, const SyncCredentials& credentials) {
  return secrets.Write(name, EncodeCredentials(credentials));
}

Status SaveCredentials(const std::string& path, const SyncCredentials& credentials) {
  return SaveCredentials(*SecretStore::Default(), path, credentials);
}

Result<SyncCredentials> LoadCredentials(SecretStore& secrets, const std::string& name) {
  Result<std::string> bytes = secrets.Read(name);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("no sync credentials at " + name + " (the device is not enrolled)");
    }
    return bytes.status();
  }
  return DecodeCredentials(*bytes, name);
}

Result<SyncCredentials> LoadCredentials(const std::string& path) {
  return LoadCredentials(*SecretStore::Default(), path);
}

Result<SyncCredentials> DecodeCredentials(std::string_view text, const std::string& path) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return Status::InvalidArgument(path + " is not a JSON object (the sync credentials file)");
  }
  SyncCredentials credentials;
  for (auto& [key, value] : json.items()) {
    const std::string pointer = "/" + key;
    std::string* text_field = nullptr;
    if (key == "collector_url") text_field = &credentials.collector_url;
    if (key == "device_id") text_field = &credentials.device_id;
    if (key == "token") text_field = &credentials.token;
    if (key == "ca_file") text_field = &credentials.tls.ca_file;
    if (text_field != nullptr) {
      if (!value.is_string()) return Status::InvalidArgument(path + ": \"" + key + "\" must be a string", pointer);
      *text_field = value.get<std::string>();
    } else if (key == "pinned_public_keys") {
      if (!value.is_array()) return Status::InvalidArgument(path + ": \"" + key + "\" must be an array", pointer);
      for (size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_string()) {
          return Status::InvalidArgument(path + ": a pin must be a string", pointer + "/" + std::to_string(i));
        }
        credentials.tls.pinned_public_keys.push_back(value[i].get<std::string>());
      }
    } else {
      return Status::InvalidArgument(path + ": unknown field \"" + key + "\"", pointer);
    }
  }
  for (const char* required : {"collector_url", "device_id", "token"}) {
    if (!json.contains(required) || json[required].get<std::string>().empty()) {
      return Status::InvalidArgument(path + ": missing field \"" + std::string(required) + "\"");
    }
  }
  return credentials;
}

}  // namespace chosa::sync
