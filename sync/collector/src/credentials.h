// The collector's secrets: bearer tokens, one-time enrolment codes and device ids, all drawn from
// OpenSSL's RAND_bytes, and how they are hashed and compared. The storage keeps only hashes, so
// a copy of the database (a backup, a stolen disk) lets nobody in.
#ifndef CHOSA_SYNC_COLLECTOR_CREDENTIALS_H_
#define CHOSA_SYNC_COLLECTOR_CREDENTIALS_H_

#include <optional>
#include <string>
#include <string_view>

#include "chosa/status.h"

namespace chosa::collector {

// A token is "<id>.<secret>": id is 16 lower-case hex digits (64 random bits) that find the
// token's row without touching the secret; secret is 256 random bits in base64url without
// padding (43 characters). Only SHA-256 of the whole token is stored.
inline constexpr size_t kTokenIdChars = 16;
inline constexpr size_t kTokenSecretChars = 43;
Result<std::string> NewToken();

struct TokenParts {
  std::string_view id;
  std::string_view secret;
};
// The parts of a well-formed token; nullopt for anything else (wrong lengths, alphabet, no dot).
std::optional<TokenParts> SplitToken(std::string_view token);

// A one-time enrolment code as a person types it on a tablet: 4 groups of 4 characters from
// Crockford's base32 alphabet (no I, L, O, U), 80 random bits: "7KQ2-XM9D-4RTB-H0WC".
Result<std::string> NewEnrolmentCode();
// What is hashed: upper case, separators (- and spaces) dropped, and the look-alikes a person may
// type mapped as Crockford does (O -> 0, I and L -> 1), so "7kq2 xm9d 4rtb hOwc" is the same code.
std::string NormalizeEnrolmentCode(std::string_view code);

// "dev-" + 16 hex digits (64 random bits).
Result<std::string> NewDeviceId();

// Lower-case hex SHA-256: of a whole token, and of a normalized enrolment code.
std::string HashToken(std::string_view token);
std::string HashEnrolmentCode(std::string_view code);

// Equality in time independent of where the inputs differ (CRYPTO_memcmp); lengths are not secret.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_CREDENTIALS_H_
