#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>

namespace chosa::e2e {

struct FaultProxy::Connection {
  Plan plan;
  int client_fd = -1;
  int server_fd = -1;
  std::atomic<bool> cut{false};

  // Both ends see the connection end; the descriptors stay valid until both directions are done.
  void ShutDown() {
    shutdown(client_fd, SHUT_RDWR);
    shutdown(server_fd, SHUT_RDWR);
  }
  ~Connection() {
    if (client_fd >= 0) close(client_fd);
    if (server_fd >= 0) close(server_fd);
  }
};

namespace {

// splitmix64: independent seeds for each connection and direction from one seed.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

void NoDelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

FaultProxy::FaultProxy(FaultProxyOptions options) : options_(options) {}

FaultProxy::~FaultProxy() { Stop(); }

Status FaultProxy::Start() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Status::IOError(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listen_fd_, 128) != 0) {
    return Status::IOError(std::string("bind/listen: ") + std::strerror(errno));
  }
  socklen_t length = sizeof address;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return Status::Ok();
}

void FaultProxy::Stop() {
  if (stopping_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
  listen_fd_ = -1;
  std::list<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& connection : live_) connection->ShutDown();
    threads.swap(threads_);
  }
  for (std::thread& thread : threads) thread.join();
}

ProxyStats FaultProxy::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void FaultProxy::AcceptLoop() {
  std::mt19937_64 plans(options_.seed);
  int index = 0;
  int cuts_planned = 0;
  while (!stopping_) {
    pollfd waiting{listen_fd_, POLLIN, 0};
    if (poll(&waiting, 1, 50) <= 0) continue;  // wakes now and then to see whether to stop
    const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    auto connection = std::make_shared<Connection>();
    connection->client_fd = client;
    // The plan of connection `index` depends on the seed and the index only.
    Plan& plan = connection->plan;
    plan.index = index++;
    // Evenly spread: connection i is cut when floor((i + 1) f) > floor(i f), so that a short run
    // still sees its fraction; the cut ones alternate between the two directions.
    plan.cut = std::floor((plan.index + 1) * options_.cut_fraction) > std::floor(plan.index * options_.cut_fraction);
    if (plan.cut) plan.upstream = cuts_planned++ % 2 == 0;
    const uint64_t max_offset = plan.upstream ? options_.max_cut_upstream : options_.max_cut_downstream;
    plan.offset = plans() % (max_offset + 1);
    plan.seed = plans();

    const int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(options_.target_port));
    connection->server_fd = server;
    const bool connected = server >= 0 && connect(server, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.connections;
    if (!connected) {
      ++stats_.connect_failures;  // the collector is down: so is this connection (closed on release)
      continue;
    }
    NoDelay(client);
    NoDelay(server);
    live_.insert(connection);
    threads_.emplace_back([this, connection] { Serve(connection); });
  }
}

void FaultProxy::Serve(std::shared_ptr<Connection> connection) {
  std::thread upstream([this, &connection] { Forward(*connection, true); });
  Forward(*connection, false);
  upstream.join();
  std::lock_guard<std::mutex> lock(mutex_);
  live_.erase(connection);  // the descriptors close with the last reference
}

void FaultProxy::Forward(Connection& connection, bool upstream) {
  const int from = upstream ? connection.client_fd : connection.server_fd;
  const int to = upstream ? connection.server_fd : connection.client_fd;
  const Plan& plan = connection.plan;
  const bool cuts_here = plan.cut && plan.upstream == upstream;
  std::mt19937_64 random(Mix(plan.seed ^ (upstream ? 1 : 2)));
  std::vector<char> buffer(std::max<size_t>(options_.max_chunk, 1));
  uint64_t forwarded = 0;
  for (;;) {
    const size_t want = 1 + random() % buffer.size();
    const ssize_t n = recv(from, buffer.data(), want, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size_t size = static_cast<size_t>(n);
    bool cut_now = false;
    if (cuts_here && forwarded + size > plan.offset) {
      size = static_cast<size_t>(plan.offset - forwarded);
      cut_now = true;
    }
    if (options_.max_delay_ms > 0) {
      const int delay = static_cast<int>(random() % (static_cast<uint64_t>(options_.max_delay_ms) + 1));
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      std::lock_guard<std::mutex> lock(mutex_);
      stats_.delay_ms += static_cast<uint64_t>(delay);
    }
    const bool written = size == 0 || WriteAll(to, buffer.data(), size);
    forwarded += size;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++stats_.chunks;
      (upstream ? stats_.bytes_upstream : stats_.bytes_downstream) += size;
      if (cut_now && written && !connection.cut.exchange(true)) {
        stats_.cuts.push_back({plan.index, upstream, forwarded});
      }
    }
    if (cut_now || !written) {
      connection.ShutDown();
      return;
    }
  }
  // The sender is done (or gone): pass the end on, so that the other side sees it too.
  shutdown(to, SHUT_WR);
  if (connection.cut) shutdown(from, SHUT_RDWR);
}

}  // namespace chosa::e2e
