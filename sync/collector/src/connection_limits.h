// Connections that have not yet sent a complete request head (the TLS handshake included):
// the only ones an attacker can hold cheaply. At most `per_address` from one address and
// `total` in all; a connection past either is closed at once. Connections that have sent their
// head (a request being served, or an idle kept-alive one between requests) are not counted, so
// that a ward office behind one NAT address is not refused for its many tablets. Thread-safe.
#ifndef CHOSA_SYNC_COLLECTOR_CONNECTION_LIMITS_H_
#define CHOSA_SYNC_COLLECTOR_CONNECTION_LIMITS_H_

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace chosa::collector {

class UnfinishedConnections {
 public:
  UnfinishedConnections(size_t per_address, size_t total) : per_address_(per_address), total_limit_(total) {}

  // Counts one more unfinished connection from `address`; false (nothing counted) past a limit.
  // `exempt_address`: not held to the per-address limit (a trusted proxy).
  bool Admit(const std::string& address, bool exempt_address);
  // The connection has sent its head, or is gone.
  void Release(const std::string& address);
  size_t total() const;

 private:
  const size_t per_address_;
  const size_t total_limit_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, size_t> by_address_;
  size_t total_ = 0;
};

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_CONNECTION_LIMITS_H_
