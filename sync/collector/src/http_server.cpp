#include "http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "chosa/protocol.h"
#include "connection_limits.h"
#include "http_request_reader.h"
#include "tls_policy.h"

namespace chosa::collector {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

std::string ErrorJson(const std::string& message) { return protocol::ToJson(protocol::ErrorBody{message, ""}); }

void Refuse(HttpResponse& response, const Refusal& refusal) {
  response.status = refusal.status;
  response.error = refusal.reason;
  response.content_type = std::string(protocol::kJsonContentType);
  response.body = ErrorJson(refusal.reason);
  response.close = true;
}

// The status line and fields of `response`, framed by Content-Length (or chunked when streamed).
std::string Head(const HttpResponse& response, uint64_t length, bool chunked, bool close) {
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " ";
  const auto reason = http::obsolete_reason(static_cast<http::status>(response.status));
  head.append(reason.data(), reason.size());
  head += "\r\n";
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  if (!response.content_type.empty()) head += "Content-Type: " + response.content_type + "\r\n";
  if (chunked) {
    head += "Transfer-Encoding: chunked\r\n";
  } else if (response.status != 304 && response.status != 204) {  // these have no body
    head += "Content-Length: " + std::to_string(length) + "\r\n";
  }
  head += close ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";
  return head;
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  class Session;

  Impl(const HttpServerOptions& o, HttpService* s)
      : options(o),
        service(s),
        tls(net::ssl::context::tls_server),
        acceptor(net::make_strand(io)),
        workers(static_cast<size_t>(std::max(1, o.worker_threads))),
        unfinished(o.max_unfinished_per_address, o.max_unfinished),
        retry_accept(io) {}

  bool Trusted(const std::string& address) const {
    return std::find(options.trusted_proxies.begin(), options.trusted_proxies.end(), address) !=
           options.trusted_proxies.end();
  }

  void Accept();
  void Register(Session* session, std::weak_ptr<Session> weak);
  void Unregister(Session* session);

  HttpServerOptions options;
  HttpService* service;
  net::io_context io;
  net::ssl::context tls;
  tcp::acceptor acceptor;
  net::thread_pool workers;
  UnfinishedConnections unfinished;
  net::steady_timer retry_accept;
  std::atomic<bool> stopping{false};
  int bound_port = 0;
  std::mutex sessions_mutex;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
};

// One connection, on its own strand: every member is touched on the strand only, except while a
// worker runs the route (then the session is waiting for it and touches nothing).
class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<Impl> server, tcp::socket socket, std::string address)
      : server_(std::move(server)), stream_(std::move(socket), server_->tls), address_(std::move(address)) {}

  ~Session() {
    LeaveUnfinished();
    server_->Unregister(this);
  }

  // The connection was counted as unfinished by the acceptor.
  void Start() {
    unfinished_ = true;
    server_->Register(this, weak_from_this());
    state_ = State::kHandshake;
    Lowest().expires_after(std::chrono::seconds(server_->options.handshake_seconds));
    stream_.async_handshake(net::ssl::stream_base::server,
                            beast::bind_front_handler(&Session::OnHandshake, shared_from_this()));
  }

  net::any_io_executor Executor() { return stream_.get_executor(); }

  // On the strand, when the server stops: a connection with no request in flight is closed.
  void StopIfIdle() {
    if (state_ == State::kHandshake || state_ == State::kHead || state_ == State::kIdle) Close();
  }

 private:
  enum class State { kHandshake, kHead, kIdle, kAdmit, kBody, kHandle, kWrite, kClosed };

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void LeaveUnfinished() {
    if (!unfinished_) return;
    unfinished_ = false;
    server_->unfinished.Release(address_);
  }

  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    LeaveUnfinished();
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close();
  }

  void OnHandshake(beast::error_code error) {
    if (error) return Close();
    ReadHead();
  }

  void ReadHead() {
    state_ = State::kHead;
    head_.emplace();
    head_->header_limit(kMaxHeadBytes);
    head_->body_limit(std::numeric_limits<uint64_t>::max());  // the route's limit: checked in OnHead
    request_ = HttpRequest();
    response_ = HttpResponse();
    figures_ = ExchangeFigures();
    Lowest().expires_after(std::chrono::seconds(server_->options.header_seconds));
    http::async_read_header(stream_, buffer_, *head_, beast::bind_front_handler(&Session::OnHead, shared_from_this()));
  }

  // Between two requests: the next one's first bytes may be a keep-alive timeout away; from
  // them on, its head is under the head deadline and the connection counts as unfinished.
  // A stop that came while the last response was being written found this connection busy;
  // it is closed here instead (the strand orders this check before any later StopIfIdle).
  void AwaitNext() {
    if (server_->stopping) return ShutdownThenClose();
    if (buffer_.size() > 0) return BeginNext();
    state_ = State::kIdle;
    Lowest().expires_after(std::chrono::seconds(server_->options.keep_alive_seconds));
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code error, size_t n) {
                              self->buffer_.commit(n);
                              if (error || self->state_ == State::kClosed) return self->Close();
                              self->BeginNext();
                            });
  }

  void BeginNext() {
    if (server_->stopping || !server_->unfinished.Admit(address_, server_->Trusted(address_))) return Close();
    unfinished_ = true;
    ReadHead();
  }

  void OnHead(beast::error_code error, size_t) {
    if (state_ == State::kClosed) return;
    if (error == beast::error::timeout && head_->got_some()) {
      // A request begun and not finished in time (a trickled head): logged for the operator as
      // the 408 it would have been; writing an answer to a client that slow could block.
      request_.remote = address_;
      server_->service->Answered(
          request_, Refused(408, "the request head was not complete within " +
                                     std::to_string(server_->options.header_seconds) + " s"),
          figures_);
      return Close();
    }
    if (error == beast::error::timeout || error == http::error::end_of_stream || error == net::error::eof ||
        error == net::ssl::error::stream_truncated || error == net::error::operation_aborted ||
        error == net::error::connection_reset) {
      return Close();  // the client went away or was too slow: no one to answer
    }
    LeaveUnfinished();
    head_complete_ = Clock::now();
    request_.remote = address_;
    if (error) return Answer(RefusalOfParseError(error));
    uint64_t length = 0;
    if (Refusal refused = CheckHead(head_->get(), &request_, &length)) return Answer(refused);
    RemoteBehindProxy();
    keep_alive_ = head_->get().keep_alive();
    if (server_->stopping) {
      response_.SetHeader("Retry-After", "5");
      return Answer({503, "the collector is shutting down"});
    }
    figures_.bytes_in = length;
    const uint64_t limit = server_->service->BodyLimit(request_);
    if (length > limit) {
      return Answer({413, "the body is " + std::to_string(length) + " bytes; this route accepts at most " +
                              std::to_string(limit)});
    }
    if (length == 0) return Dispatch();
    state_ = State::kAdmit;
    Lowest().expires_never();
    Work([self = shared_from_this()] {
      const bool admitted = self->server_->service->Admit(self->request_, self->response_);
      net::post(self->stream_.get_executor(), [self, admitted] { self->OnAdmitted(admitted); });
    });
  }

  // Behind a trusted proxy, the client is the last address its X-Forwarded-For names.
  void RemoteBehindProxy() {
    if (!server_->Trusted(address_)) return;
    std::string forwarded = request_.Header("X-Forwarded-For");
    const size_t comma = forwarded.rfind(',');
    if (comma != std::string::npos) forwarded = forwarded.substr(comma + 1);
    forwarded.erase(0, forwarded.find_first_not_of(" \t"));
    forwarded.erase(forwarded.find_last_not_of(" \t") + 1);
    beast::error_code error;
    const auto parsed = net::ip::make_address(forwarded, error);
    if (!error) request_.remote = parsed.to_string();
  }

  void OnAdmitted(bool admitted) {
    if (!admitted) {
      response_.close = true;  // its body is unread: the connection cannot carry another request
      return Write();
    }
    state_ = State::kBody;
    body_.emplace(std::move(*head_));
    body_->body_limit(figures_.bytes_in);
    body_started_ = Clock::now();
    body_received_ = 0;
    if (beast::iequals(request_.Header("Expect"), "100-continue")) {
      continue_ = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
      Lowest().expires_after(std::chrono::seconds(server_->options.write_timeout_seconds));
      return net::async_write(stream_, net::buffer(*continue_), [self = shared_from_this()](beast::error_code error, size_t) {
        if (error) return self->Close();
        self->ReadBody();
      });
    }
    ReadBody();
  }

  // The body must keep an average of body_min_bytes_per_second from its start, once the grace
  // period is over: the deadline of each read is when the bytes so far would fall below it.
  void ReadBody() {
    const auto& o = server_->options;
    const double rate = static_cast<double>(std::max<uint64_t>(1, o.body_min_bytes_per_second));
    const double due = std::max(static_cast<double>(o.body_grace_seconds), static_cast<double>(body_received_ + 1) / rate);
    Lowest().expires_at(body_started_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(due)));
    http::async_read_some(stream_, buffer_, *body_, beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code error, size_t n) {
    if (state_ == State::kClosed) return;
    body_received_ += n;
    if (error == beast::error::timeout) {
      response_.error = "the body came slower than the minimum rate";
      server_->service->Answered(request_, Refused(408, response_.error), figures_);
      return Close();  // writing to a client that slow could block: it gets no answer
    }
    if (error) return Close();
    if (!body_->is_done()) return ReadBody();
    request_.body = std::move(body_->get().body());
    Dispatch();
  }

  HttpResponse Refused(int status, const std::string& reason) {
    HttpResponse response;
    Refuse(response, {status, reason});
    return response;
  }

  void Dispatch() {
    state_ = State::kHandle;
    Lowest().expires_never();
    Work([self = shared_from_this()] {
      try {
        self->server_->service->Handle(self->request_, self->response_);
      } catch (const std::exception& e) {
        self->response_ = self->Refused(500, std::string("internal error: ") + e.what());
      }
      if (self->response_.stream || self->response_.file_fd >= 0) return self->SendStreamed();
      net::post(self->stream_.get_executor(), [self] { self->Write(); });
    });
  }

  // Runs `work` on a worker; the I/O threads keep running meanwhile (the guard).
  template <typename Fn>
  void Work(Fn work) {
    net::post(server_->workers, [guard = net::make_work_guard(server_->io), work = std::move(work)]() mutable {
      work();
    });
  }

  void Answer(const Refusal& refusal) {
    const auto retry = response_.headers;
    Refuse(response_, refusal);
    response_.headers = retry;
    Write();
  }

  bool CloseAfter() const {
    return response_.close || !keep_alive_ || server_->stopping ||
           requests_ + 1 >= server_->options.keep_alive_max_requests;
  }

  // A whole response, written from the strand.
  void Write() {
    state_ = State::kWrite;
    const bool close = CloseAfter();
    // Head and body in one buffer, written at once (a body sent whole is small: exports stream).
    out_ = Head(response_, response_.body.size(), false, close);
    out_ += response_.body;
    figures_.bytes_out = response_.body.size();
    Lowest().expires_after(std::chrono::seconds(server_->options.write_timeout_seconds));
    net::async_write(stream_, net::buffer(out_), [self = shared_from_this(), close](beast::error_code error, size_t) {
      self->Written(!error, close);
    });
  }

  void Written(bool ok, bool close) {
    figures_.ms = std::chrono::duration<double, std::milli>(Clock::now() - head_complete_).count();
    server_->service->Answered(request_, response_, figures_);
    ++requests_;
    if (!ok || close) return ShutdownThenClose();
    head_.reset();
    body_.reset();
    AwaitNext();
  }

  // TLS close_notify, bounded in time, then the socket: what the client sent and we did not
  // read is not answered with a reset that could destroy the response in flight.
  void ShutdownThenClose() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    LeaveUnfinished();
    Lowest().expires_after(std::chrono::seconds(2));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->Lowest().close(); });
  }

  // On the worker: a streamed or file body, a piece at a time, each written before the next
  // is made (the worker waits for the client: the routes that stream are for analysts).
  void SendStreamed() {
    const bool close = CloseAfter();
    const bool chunked = static_cast<bool>(response_.stream);
    bool ok = WriteFromWorker(Head(response_, response_.file_size, chunked, close));
    uint64_t sent = 0;
    if (chunked) {
      for (HttpResponse::Piece piece = HttpResponse::Piece::kMore; ok && piece == HttpResponse::Piece::kMore;) {
        std::string out;
        piece = response_.stream(&out);
        if (piece == HttpResponse::Piece::kFailed) {
          ok = false;  // no final chunk: the client sees the body cut short
          response_.error = response_.error.empty() ? "the stream failed part-way" : response_.error;
          break;
        }
        sent += out.size();
        std::string framed;
        if (!out.empty()) {
          char size[32];
          std::snprintf(size, sizeof size, "%zx\r\n", out.size());
          framed = size + out + "\r\n";
        }
        if (piece == HttpResponse::Piece::kDone) framed += "0\r\n\r\n";
        if (!framed.empty()) ok = WriteFromWorker(std::move(framed));
      }
    } else {
      std::string buffer(64 * 1024, '\0');
      while (ok && sent < response_.file_size) {
        const ssize_t n = ::pread(response_.file_fd, buffer.data(), buffer.size(), static_cast<off_t>(sent));
        if (n <= 0) {
          ok = false;
          break;
        }
        sent += static_cast<uint64_t>(n);
        ok = WriteFromWorker(buffer.substr(0, static_cast<size_t>(n)));
      }
    }
    if (response_.file_fd >= 0) ::close(response_.file_fd);
    response_.file_fd = -1;
    response_.stream = nullptr;  // what it holds (a storage read) is let go on the worker
    figures_.bytes_out = sent;
    net::post(stream_.get_executor(), [self = shared_from_this(), ok, close] {
      self->state_ = State::kWrite;
      self->Written(ok, close);
    });
  }

  // From a worker: writes `bytes` on the strand and waits for it.
  bool WriteFromWorker(std::string bytes) {
    std::promise<bool> written;
    std::future<bool> done = written.get_future();
    net::post(stream_.get_executor(), [this, &bytes, &written] {
      Lowest().expires_after(std::chrono::seconds(server_->options.write_timeout_seconds));
      net::async_write(stream_, net::buffer(bytes),
                       [&written](beast::error_code error, size_t) { written.set_value(!error); });
    });
    return done.get();
  }

  std::shared_ptr<Impl> server_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  const std::string address_;
  beast::flat_buffer buffer_;
  State state_ = State::kHandshake;
  bool unfinished_ = false;
  bool keep_alive_ = true;
  size_t requests_ = 0;
  std::optional<http::request_parser<http::empty_body>> head_;
  std::optional<http::request_parser<http::string_body>> body_;
  HttpRequest request_;
  HttpResponse response_;
  ExchangeFigures figures_;
  Clock::time_point head_complete_, body_started_;
  uint64_t body_received_ = 0;
  std::string out_;  // a whole response being written
  std::shared_ptr<std::string> continue_;
};

void HttpServer::Impl::Register(Session* session, std::weak_ptr<Session> weak) {
  std::lock_guard<std::mutex> lock(sessions_mutex);
  sessions.emplace(session, std::move(weak));
}

void HttpServer::Impl::Unregister(Session* session) {
  std::lock_guard<std::mutex> lock(sessions_mutex);
  sessions.erase(session);
}

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(io), [self = shared_from_this()](beast::error_code error, tcp::socket socket) {
    if (self->stopping) return;
    if (error) {
      // Out of file descriptors (or a connection reset before it was taken): try again shortly
      // rather than spin.
      self->retry_accept.expires_after(std::chrono::milliseconds(50));
      self->retry_accept.async_wait([self](beast::error_code) {
        if (!self->stopping) self->Accept();
      });
      return;
    }
    beast::error_code ignored;
    const std::string address = socket.remote_endpoint(ignored).address().to_string();
    socket.set_option(tcp::no_delay(true), ignored);  // a response's head and body are separate writes
    if (self->unfinished.Admit(address, self->Trusted(address))) {
      std::make_shared<Session>(self, std::move(socket), address)->Start();
    } else {
      socket.close(ignored);  // over a limit of unfinished connections: closed before TLS
    }
    self->Accept();
  });
}

Result<std::unique_ptr<HttpServer>> HttpServer::Create(const HttpServerOptions& options, HttpService* service) {
  auto impl = std::make_unique<Impl>(options, service);
  Status tls = ApplyTlsPolicy(impl->tls.native_handle(), options.cert_file, options.key_file);
  if (!tls.ok()) return tls;
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  Stop();
  impl_->workers.join();
}

Status HttpServer::Bind() {
  Impl& s = *impl_;
  beast::error_code error;
  tcp::resolver resolver(s.io);
  const auto found = resolver.resolve(s.options.host, std::to_string(s.options.port), tcp::resolver::passive, error);
  const auto fail = [&](const beast::error_code& e) {
    std::string why = e.message();
    if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    return Status::IOError("cannot listen on " + s.options.host + ":" + std::to_string(s.options.port) + ": " + why);
  };
  if (error) return fail(error);
  if (found.empty()) return fail(net::error::host_not_found);
  const tcp::endpoint endpoint = found.begin()->endpoint();
  s.acceptor.open(endpoint.protocol(), error);
  // SO_REUSEADDR only: a restarted collector binds at once despite connections in TIME_WAIT.
  // Not SO_REUSEPORT, with which a second collector could bind the same port.
  if (!error) s.acceptor.set_option(net::socket_base::reuse_address(true), error);
  if (!error) s.acceptor.bind(endpoint, error);
  if (!error) s.acceptor.listen(std::max(1, s.options.listen_backlog), error);
  if (error) {
    s.acceptor.close();
    return fail(error);
  }
  s.bound_port = s.acceptor.local_endpoint().port();
  return Status::Ok();
}

int HttpServer::port() const { return impl_->bound_port; }

Status HttpServer::Run() {
  Impl& s = *impl_;
  if (!s.acceptor.is_open()) return Status::Internal("the server is not bound");
  // The posts of Run and Stop hold the Impl by pointer: a pending one must not keep alive the
  // io_context it is queued in. The HttpServer outlives Run.
  net::post(s.acceptor.get_executor(), [impl = impl_.get()] {
    if (!impl->stopping) impl->Accept();
  });
  std::vector<std::thread> others;
  for (int i = 1; i < std::max(1, s.options.io_threads); ++i) others.emplace_back([&s] { s.io.run(); });
  s.io.run();
  for (std::thread& t : others) t.join();
  return Status::Ok();
}

void HttpServer::Stop() {
  Impl* impl = impl_.get();
  if (impl->stopping.exchange(true)) return;
  net::post(impl->acceptor.get_executor(), [impl] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->retry_accept.cancel();
  });
  // Taken under the lock, let go outside it: the last reference to a session may be one of
  // these, and its destructor takes the lock.
  std::vector<std::shared_ptr<Impl::Session>> live;
  {
    std::lock_guard<std::mutex> lock(impl->sessions_mutex);
    for (const auto& entry : impl->sessions) {
      if (std::shared_ptr<Impl::Session> session = entry.second.lock()) live.push_back(std::move(session));
    }
  }
  for (const auto& session : live) {
    // Each session's state is its strand's: it decides there whether it is idle.
    net::post(session->Executor(), [session] { session->StopIfIdle(); });
  }
}

}  // namespace chosa::collector
