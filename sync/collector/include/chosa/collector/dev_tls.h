// Certificates for trying the collector out and for tests: a local CA and a server certificate
// it signs (P-256 keys; subjectAltName DNS:localhost and IP:127.0.0.1 by default), written as
// PEM files. Production uses a certificate from the bureau's own CA or a public one.
#ifndef CHOSA_SYNC_COLLECTOR_DEV_TLS_H_
#define CHOSA_SYNC_COLLECTOR_DEV_TLS_H_

#include <string>
#include <vector>

#include "chosa/status.h"

namespace chosa::collector {

struct DevTlsFiles {
  std::string ca_cert;      // DIR/ca.pem: give it to the clients (chosa sync enroll --ca)
  std::string ca_key;       // DIR/ca-key.pem (mode 0600): signs more server certificates
  std::string server_cert;  // DIR/server.pem
  std::string server_key;   // DIR/server-key.pem (mode 0600)
  std::string server_pin;   // the server key's pin, "sha256//<base64>", for --pin
};

struct DevTlsOptions {
  std::vector<std::string> dns_names = {"localhost"};
  std::vector<std::string> ip_addresses = {"127.0.0.1"};
  int valid_days = 397;  // what browsers accept for a server certificate
};

// Creates DIR if needed and writes the four files (replacing older ones).
Result<DevTlsFiles> MakeDevTls(const std::string& dir, const DevTlsOptions& options = {});

// The pin of the public key in a PEM certificate: "sha256//" + base64(SHA-256 of its
// SubjectPublicKeyInfo), the form libcurl's CURLOPT_PINNEDPUBLICKEY takes.
Result<std::string> PublicKeyPinOfCertificate(const std::string& cert_path);

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_DEV_TLS_H_
