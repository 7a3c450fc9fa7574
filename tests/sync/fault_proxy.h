// A small fault-injecting TCP proxy for the sync fault tests: it listens on a free loopback port
// and forwards every connection to 127.0.0.1:target_port, byte for byte (TLS passes through
// untouched: it is TCP), while it
//   - cuts a chosen fraction of the connections (evenly spread: with 0.5, every other one) once,
//     in one direction (alternately up and down), after a random number of bytes of that
//     direction (both sockets are shut down: each end sees the connection end);
//   - forwards in chunks of random size, each after a random delay (a slow, fragmenting link).
// The byte counts and delays are drawn from `seed`, per connection in accept order;
// what happened (connections, cuts and where, delays) is reported by stats().
#ifndef CHOSA_TESTS_SYNC_FAULT_PROXY_H_
#define CHOSA_TESTS_SYNC_FAULT_PROXY_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "chosa/status.h"

namespace chosa::e2e {

struct FaultProxyOptions {
  int target_port = 0;              // the collector, on 127.0.0.1
  double cut_fraction = 0;          // of the connections, each cut once (0: none, 1: all)
  uint64_t max_cut_upstream = 0;    // a client -> collector cut comes after [0, this] bytes
  uint64_t max_cut_downstream = 0;  // a collector -> client cut comes after [0, this] bytes
  int max_delay_ms = 0;             // each chunk is forwarded after [0, this] ms
  size_t max_chunk = 16384;         // chunks are [1, this] bytes
  uint64_t seed = 1;
};

struct ProxyCut {
  int connection = 0;    // in accept order, from 0
  bool upstream = true;  // client -> collector
  uint64_t offset = 0;   // bytes of that direction forwarded before the cut
};

struct ProxyStats {
  int connections = 0;
  int connect_failures = 0;  // the collector refused (the client's connection was closed)
  std::vector<ProxyCut> cuts;
  uint64_t bytes_upstream = 0;
  uint64_t bytes_downstream = 0;
  uint64_t chunks = 0;
  uint64_t delay_ms = 0;  // the sum of the delays slept before chunks
};

class FaultProxy {
 public:
  explicit FaultProxy(FaultProxyOptions options);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // Listens on 127.0.0.1, a free port, and starts accepting.
  Status Start();
  // Stops accepting, ends every connection and waits for its threads.
  void Stop();
  int port() const { return port_; }
  ProxyStats stats() const;

 private:
  struct Plan {
    int index = 0;
    bool cut = false;
    bool upstream = true;
    uint64_t offset = 0;
    uint64_t seed = 0;
  };
  struct Connection;
  void AcceptLoop();
  void Serve(std::shared_ptr<Connection> connection);
  void Forward(Connection& connection, bool upstream);

  FaultProxyOptions options_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;

  mutable std::mutex mutex_;  // guards what follows
  ProxyStats stats_;
  std::list<std::thread> threads_;
  std::set<std::shared_ptr<Connection>> live_;
};

}  // namespace chosa::e2e

#endif  // CHOSA_TESTS_SYNC_FAULT_PROXY_H_
