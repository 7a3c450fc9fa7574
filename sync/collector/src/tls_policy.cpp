#include "tls_policy.h"

#include <openssl/err.h>

namespace chosa::collector {

Status ApplyTlsPolicy(SSL_CTX* context, const std::string& cert_file, const std::string& key_file) {
  const bool policy = SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1 &&
                      SSL_CTX_set_max_proto_version(context, 0) == 1 &&  // up to the newest (1.3)
                      SSL_CTX_set_cipher_list(context, kTls12Suites) == 1;
  if (!policy) return Status::Internal("cannot set the TLS policy");
  SSL_CTX_set_options(context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                   SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1);
  const bool loaded = SSL_CTX_use_certificate_chain_file(context, cert_file.c_str()) == 1 &&
                      SSL_CTX_use_PrivateKey_file(context, key_file.c_str(), SSL_FILETYPE_PEM) == 1 &&
                      SSL_CTX_check_private_key(context) == 1;
  ERR_clear_error();
  if (!loaded) {
    return Status::InvalidArgument("cannot use the certificate " + cert_file + " and key " + key_file +
                                   " (missing, unreadable, or not a pair)");
  }
  return Status::Ok();
}

}  // namespace chosa::collector
