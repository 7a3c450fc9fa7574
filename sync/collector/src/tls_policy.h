// The collector's TLS policy (docs/operations.md, "TLS"): TLS 1.2 and 1.3 only; in TLS 1.2
// exactly the ECDHE suites with AES-GCM or ChaCha20-Poly1305 (forward secrecy, AEAD), for RSA
// and ECDSA certificates alike; TLS 1.3 with OpenSSL's default suites. No compression, no
// renegotiation; the server's order of suites wins.
#ifndef CHOSA_SYNC_COLLECTOR_TLS_POLICY_H_
#define CHOSA_SYNC_COLLECTOR_TLS_POLICY_H_

#include <openssl/ssl.h>

#include <string>

#include "chosa/status.h"

namespace chosa::collector {

// The TLS 1.2 suites, in OpenSSL's names, in the server's order of preference.
inline constexpr const char* kTls12Suites =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Applies the policy to a server context and loads its certificate chain and key (PEM).
Status ApplyTlsPolicy(SSL_CTX* context, const std::string& cert_file, const std::string& key_file);

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_TLS_POLICY_H_
