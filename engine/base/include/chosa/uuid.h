// A submission's uuid, and the uuid its `replaces` names, as schemas/submission.schema.json has
// them (uuid_v4): the one check Session::Finalize, CheckSubmission and the sync protocol share.
//
// Thread safety: a pure function, safe from any thread. Ownership: nothing is kept.
#ifndef CHOSA_UUID_H_
#define CHOSA_UUID_H_

#include <string_view>

namespace chosa {

// 8-4-4-4-12 lower-case hexadecimal digits, version 4, the RFC 4122 variant ("[89ab]" after the
// third dash). Thread-safe.
bool IsUuidV4(std::string_view text);

}  // namespace chosa

#endif  // CHOSA_UUID_H_
