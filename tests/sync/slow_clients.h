// Slow clients against a TLS server on loopback, as an attacker would hold them: connections
// from 127.0.0.2-127.0.0.254 that trickle a request head a byte at a time, that never finish
// the TLS handshake, or that trickle a body after a complete head. A connection the server
// closes is opened again at once, so that as many are held as the server lets be held. Used by
// the hostile-client tests (tests/sync/hostile_test.cpp) and the attack benchmark
// (bench/attack_bench.cpp). No Catch2 here: it runs on threads of its own.
#ifndef CHOSA_TESTS_SYNC_SLOW_CLIENTS_H_
#define CHOSA_TESTS_SYNC_SLOW_CLIENTS_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace chosa::attack {

struct SlowClientsOptions {
  int port = 0;
  int connections = 200;  // split evenly between the three kinds
  std::chrono::milliseconds byte_interval{500};  // between two trickled bytes
  // The first source address is 127.0.0.<first_address>, then the next ones, up to .254.
  int first_address = 2;
};

struct SlowClientsFigures {
  int opened = 0;            // connections opened (reopened ones included)
  int closed_by_server = 0;  // of them, closed by the server (a deadline or a limit)
  int held_at_end = 0;       // open when stopped
};

class SlowClients {
 public:
  explicit SlowClients(const SlowClientsOptions& options);
  ~SlowClients();  // stops
  SlowClients(const SlowClients&) = delete;
  SlowClients& operator=(const SlowClients&) = delete;

  void Start();
  SlowClientsFigures Stop();
  // Connections open now.
  int held() const { return held_.load(); }

  struct Connection;  // one slow client (slow_clients.cpp)

 private:
  void Loop();
  bool Open(Connection& c);
  void Close(Connection& c, bool by_server);

  SlowClientsOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<int> held_{0};
  SlowClientsFigures figures_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::thread thread_;
  void* tls_ = nullptr;  // the client's SSL_CTX
};

}  // namespace chosa::attack

#endif  // CHOSA_TESTS_SYNC_SLOW_CLIENTS_H_
