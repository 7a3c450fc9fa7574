// ReadEnvelope into a document the caller keeps: the collector reads a line's envelope and then
// re-validates the same parse (CheckParsedSubmission) instead of parsing the line twice.
#ifndef CHOSA_SYNC_PROTOCOL_ENVELOPE_READER_H_
#define CHOSA_SYNC_PROTOCOL_ENVELOPE_READER_H_

#include <cstddef>
#include <string_view>

#include "chosa/protocol.h"
#include "chosa/base/json_reader.h"

namespace chosa::protocol {

// ReadEnvelope(canonical_json, limits), parsing into `document` with `max_depth` (at most
// limits.max_json_depth) instead of the limits' depth. On success `document` holds the parse.
Result<Envelope> ReadEnvelopeInto(std::string_view canonical_json, const Limits& limits, size_t max_depth,
                                  JsonDocument& document);

}  // namespace chosa::protocol

#endif  // CHOSA_SYNC_PROTOCOL_ENVELOPE_READER_H_
