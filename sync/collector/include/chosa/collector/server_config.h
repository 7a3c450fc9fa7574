// The collector's configuration file (docs/operations.md): a JSON object whose keys mirror the
// flags of `chosa-collector serve`. Flags given on the command line override the file.
#ifndef CHOSA_SYNC_COLLECTOR_SERVER_CONFIG_H_
#define CHOSA_SYNC_COLLECTOR_SERVER_CONFIG_H_

#include <string>
#include <string_view>

#include "chosa/status.h"
#include "chosa/collector/server.h"

namespace chosa::collector {

struct CollectorConfig {
  ServerOptions server;
  std::string data_dir = "collector-data";
  QuarantineLimits quarantine;  // the storage's: what rejected lines may take of the disk
};

// Applies the settings of a configuration file's text to `config`. Unknown keys and wrong types
// are refused with the JSON Pointer of the fault.
Status ApplyConfigJson(std::string_view json, CollectorConfig* config);
// Applies one setting by its key ("listen", "threads", ...), as a flag gives it (text).
Status ApplySetting(std::string_view key, std::string_view value, CollectorConfig* config);

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_SERVER_CONFIG_H_
