// The check every backend makes before a submission's bytes leave the storage
// (chosa/collector_storage.h, "Damage and loss"): they must still hash to the SHA-256 they were
// received with, so that a changed byte on disk is named, never served or exported.
#include <string>
#include <string_view>

#include "chosa/base/hex_digest.h"
#include "chosa/collector_storage.h"

namespace chosa::collector {

Status DamagedSubmission(std::string_view uuid) {
  return Status::Corruption("submission " + std::string(uuid) +
                            " is damaged: its stored bytes no longer match the SHA-256 they were received with; " +
                            kDamagedDatabase + " (chosa-collector check lists every damaged submission)");
}

Status VerifySubmissionBytes(std::string_view uuid, std::string_view body, std::string_view sha256) {
  if (Sha256Hex(body) != sha256) return DamagedSubmission(uuid);
  return Status::Ok();
}

}  // namespace chosa::collector
