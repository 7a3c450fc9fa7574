#include "chosa/collector/dev_tls.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>

#include "chosa/base/private_file.h"

namespace chosa::collector {

namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(FILE* p) const { std::fclose(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using CertPtr = std::unique_ptr<X509, Free>;

std::string OpenSslError(const std::string& what) {
  const unsigned long code = ERR_get_error();
  char text[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  return what + ": " + text;
}

KeyPtr NewP256Key() { return KeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

// Adds an X.509v3 extension written in OpenSSL's configuration syntax.
bool AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// An unsigned certificate for `key` named `common_name`, issued by `issuer` (itself when null).
CertPtr NewCertificate(EVP_PKEY* key, const std::string& common_name, X509* issuer, int valid_days) {
  CertPtr cert(X509_new());
  if (!cert) return nullptr;
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return nullptr;
  serial[0] &= 0x7F;  // a positive serial number
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  const bool serial_ok = bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(bn);
  if (!serial_ok || X509_set_version(cert.get(), 2) != 1) return nullptr;
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60 * 60);  // tolerate a clock an hour behind
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(valid_days) * 24 * 60 * 60);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("chosa (development)"),
                             -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  if (X509_set_pubkey(cert.get(), key) != 1) return nullptr;
  return cert;
}

bool Sign(X509* cert, EVP_PKEY* issuer_key) { return X509_sign(cert, issuer_key, EVP_sha256()) > 0; }

Status WritePem(const std::string& path, bool secret, const std::function<int(FILE*)>& write) {
  std::remove(path.c_str());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, secret ? 0600 : 0644);
  if (fd < 0) return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
  std::unique_ptr<FILE, Free> file(::fdopen(fd, "w"));
  if (!file) {
    ::close(fd);
    return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
  }
  if (write(file.get()) != 1) return Status::Internal(OpenSslError("cannot write " + path));
  if (std::fflush(file.get()) != 0) return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

std::string Base64(const unsigned char* bytes, size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(size));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string PinOfKey(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  if (length <= 0) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  EVP_Digest(der, static_cast<size_t>(length), digest, &digest_length, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  return "sha256//" + Base64(digest, digest_length);
}

}  // namespace

Result<DevTlsFiles> MakeDevTls(const std::string& dir, const DevTlsOptions& options) {
  // It holds private keys: its owner's only (the certificates in it are copied out to devices).
  Status made = CreatePrivateDirectories(dir);
  if (!made.ok()) return made;
  KeyPtr ca_key = NewP256Key(), server_key = NewP256Key();
  if (!ca_key || !server_key) return Status::Internal(OpenSslError("cannot make a P-256 key"));

  CertPtr ca = NewCertificate(ca_key.get(), "chosa development CA", nullptr, 3650);
  if (!ca || !AddExtension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
      !AddExtension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !AddExtension(ca.get(), ca.get(), NID_subject_key_identifier, "hash") || !Sign(ca.get(), ca_key.get())) {
    return Status::Internal(OpenSslError("cannot make the CA certificate"));
  }

  std::string alt_names;
  for (const std::string& dns : options.dns_names) alt_names += (alt_names.empty() ? "" : ",") + ("DNS:" + dns);
  for (const std::string& ip : options.ip_addresses) alt_names += (alt_names.empty() ? "" : ",") + ("IP:" + ip);
  const std::string common_name = options.dns_names.empty() ? "localhost" : options.dns_names.front();
  CertPtr server = NewCertificate(server_key.get(), common_name, ca.get(), options.valid_days);
  if (!server || alt_names.empty() || !AddExtension(server.get(), ca.get(), NID_subject_alt_name, alt_names) ||
      !AddExtension(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !AddExtension(server.get(), ca.get(), NID_key_usage, "critical,digitalSignature") ||
      !AddExtension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth") ||
      !AddExtension(server.get(), ca.get(), NID_authority_key_identifier, "keyid") ||
      !Sign(server.get(), ca_key.get())) {
    return Status::Internal(OpenSslError("cannot make the server certificate"));
  }

  DevTlsFiles files{dir + "/ca.pem", dir + "/ca-key.pem", dir + "/server.pem", dir + "/server-key.pem",
                    PinOfKey(server_key.get())};
  const std::pair<std::string, std::function<int(FILE*)>> writes[] = {
      {files.ca_cert, [&](FILE* f) { return PEM_write_X509(f, ca.get()); }},
      {files.ca_key,
       [&](FILE* f) { return PEM_write_PrivateKey(f, ca_key.get(), nullptr, nullptr, 0, nullptr, nullptr); }},
      {files.server_cert, [&](FILE* f) { return PEM_write_X509(f, server.get()); }},
      {files.server_key,
       [&](FILE* f) { return PEM_write_PrivateKey(f, server_key.get(), nullptr, nullptr, 0, nullptr, nullptr); }},
  };
  for (const auto& [path, write] : writes) {
    const bool secret = path == files.ca_key || path == files.server_key;
    Status written = WritePem(path, secret, write);
    if (!written.ok()) return written;
  }
  return files;
}

Result<std::string> PublicKeyPinOfCertificate(const std::string& cert_path) {
  std::unique_ptr<BIO, Free> bio(BIO_new_file(cert_path.c_str(), "r"));
  if (!bio) return Status::IOError("cannot read " + cert_path);
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return Status::InvalidArgument(OpenSslError(cert_path + " is not a PEM certificate"));
  const std::string pin = PinOfKey(X509_get0_pubkey(cert.get()));
  if (pin.empty()) return Status::Internal(OpenSslError("cannot read the public key of " + cert_path));
  return pin;
}

}  // namespace chosa::collector
