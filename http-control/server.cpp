// http-control/server.cpp: the endpoint's Boost.Beast server: a listener and a session per
// connection on one io thread, plus short-lived waiter threads for GET /NAME/wait.
//
// Shape (after Beast's http_server_async example): each asynchronous step is a do_x/on_x pair
// bound with bind_front_handler; expires_after before every read and write; a request_parser per
// message with explicit body and header limits. Handlers never block the io thread: route() only
// takes the runtime's locks briefly, and a wait runs on a waiter thread that posts its reply back.
//
// Shutdown: stop() closes everything and joins the io thread. At exit() an atexit handler does
// the same with a time limit, so that no endpoint thread uses the runtime while static objects
// are destroyed, and a stuck thread cannot hang exit.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "failpoint/control.hpp"
#include "failpoint/http.hpp"

#include "answers.hpp"
#include "endpoint.hpp"
#include "router.hpp"
#include "url.hpp"

namespace failpoint {
namespace http_internal {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = beast::error_code;

// Limits.
// Waits blocked at once (each holds a thread); more get 503.
constexpr int k_max_waiters = 16;
// Connections being turned away with a 503 at once; beyond this they are closed without one.
constexpr int k_max_rejecting = 64;
// After an error response, unread input is drained (for at most this long and this many bytes)
// before closing, so that the client reads the response instead of a connection reset.
constexpr std::chrono::milliseconds k_linger_time{1000};
constexpr std::size_t k_linger_bytes = 1024 * 1024;
// Read buffer of a connection: a whole request at its limits, plus room for the start of the next
// pipelined one.
constexpr std::size_t k_read_buffer = k_header_limit + k_body_limit + 16 * 1024;
// Programs built without keep_linked.cpp never report that their initializers ran; an endpoint
// started at load time begins accepting after this long anyway.
constexpr std::chrono::milliseconds k_ready_fallback{500};
// How long exit() waits for the endpoint's threads before leaving them behind.
constexpr std::chrono::milliseconds k_exit_grace{1000};
// Delay before accepting again after accept() failed (e.g. out of file descriptors).
constexpr std::chrono::milliseconds k_accept_retry{50};

std::string_view to_std(beast::string_view s) {
  return {s.data(), s.size()};
}

void set_cloexec(int fd) {
  const int flags = ::fcntl(fd, F_GETFD);
  if (flags >= 0)
    ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

// Answers to control requests in flight, in every endpoint this process runs. Leaked: a panic
// may happen while static objects are destroyed.
answer_count& answers() {
  static auto* count = new answer_count;
  return *count;
}

// Whether this thread is the endpoint's io thread, which writes the answers.
thread_local bool t_io_thread = false;

// Counts waiter threads; shared with them so that it outlives the server if it must.
struct waiter_count {
  std::mutex mutex;
  std::condition_variable cv;
  int running = 0;
};

class server {
 public:
  explicit server(const http::options& opts) : options(opts) {}
  ~server() {
    error_code ec;
    acceptor.close(ec);
  }

  void do_accept();
  void on_accept(error_code ec, tcp::socket socket);
  void run_io();
  // Publishes the address file and starts accepting (io thread; once).
  void begin_serving();

  // Declared before ioc: sessions destroyed with ioc still use them.
  const http::options options;
  std::string address;
  std::atomic<int> connections{0};
  std::atomic<int> rejecting{0};
  std::atomic<bool> stopping{false};
  std::shared_ptr<waiter_count> waiters = std::make_shared<waiter_count>();
  std::mutex done_mutex;
  std::condition_variable done_cv;
  bool io_done = false;
  std::thread thread;
  bool serving = false;     // io thread: accepting (begin_serving ran)
  std::string address_tmp;  // written address file waiting to be renamed into place

  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  net::steady_timer accept_retry{ioc};
  net::steady_timer ready_fallback{ioc};
};

// One connection. `reject`: the connection is over the limit; send 503 and close.
class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket&& socket, server& srv, bool reject)
      : stream_(std::move(socket)), server_(srv), reject_(reject) {
    (reject_ ? server_.rejecting : server_.connections).fetch_add(1);
  }
  ~session() { (reject_ ? server_.rejecting : server_.connections).fetch_sub(1); }

  void run() {
    if (reject_) {
      return send(failure_reply({503, "too many connections (limit " +
                                          std::to_string(server_.options.max_connections) + ")"}),
                  true);
    }
    do_read();
  }

 private:
  // A request is read in two steps: the header, then (after a `100 Continue` when the client
  // asks for one, as `curl -T` does) the body.
  void do_read() {
    parser_.emplace();
    parser_->body_limit(k_body_limit);
    parser_->header_limit(k_header_limit);
    stream_.expires_after(server_.options.timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&session::on_header, shared_from_this()));
  }

  void on_header(error_code ec, std::size_t) {
    if (server_.stopping || read_failed(ec))
      return;
    if (parser_->is_done())
      return on_read(ec, 0);
    const auto expect = parser_->get()[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      continue_ = {bhttp::status::continue_, parser_->get().version()};
      return bhttp::async_write(
          stream_, continue_, beast::bind_front_handler(&session::on_continue, shared_from_this()));
    }
    do_read_body();
  }

  void on_continue(error_code ec, std::size_t) {
    if (ec || server_.stopping)
      return do_shutdown();
    do_read_body();
  }

  void do_read_body() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  // Answers or closes for a failed read; false when `ec` is no error.
  bool read_failed(error_code ec) {
    if (!ec)
      return false;
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout) {
      do_shutdown();  // the client is done, or idle or too slow: just close
    } else if (ec == bhttp::error::body_limit) {
      send(body_too_large(), true);
    } else if (ec == bhttp::error::header_limit) {
      send(headers_too_large(), true);
    } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
      send(failure_reply({400, "malformed request: " + ec.message()}), true);
    } else {
      do_shutdown();  // reset, aborted...
    }
    return true;
  }

  void on_read(error_code ec, std::size_t) {
    if (server_.stopping || read_failed(ec))
      return;

    auto& req = parser_->get();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == bhttp::verb::head;
    control_request cr;
    cr.method = to_std(req.method_string());
    cr.target = to_std(req.target());
    cr.body = req.body();
    cr.authorization = to_std(req[bhttp::field::authorization]);
    cr.accept = to_std(req[bhttp::field::accept]);
    cr.origin = to_std(req[bhttp::field::origin]);
    cr.host = to_std(req[bhttp::field::host]);
    cr.fetch_site = to_std(req["Sec-Fetch-Site"]);
    // Counted before the change is applied: a thread may hit the failpoint at once and panic.
    if (may_change(cr.method))
      answer_ = pending_answer(answers());
    control_reply reply = route(cr, server_.options.token);
    if (reply.wait) {
      answer_.release();
      return start_wait(std::move(*reply.wait));
    }
    send(std::move(reply), false);
  }

  // GET /NAME/wait: block on a waiter thread, post the reply back to this session's executor.
  void start_wait(wait_job job) {
    std::shared_ptr<waiter_count> waiters = server_.waiters;
    {
      std::lock_guard<std::mutex> lock(waiters->mutex);
      if (waiters->running >= k_max_waiters) {
        return send(failure_reply({503, "too many waits at once (limit " +
                                            std::to_string(k_max_waiters) + ")"}),
                    false);
      }
      ++waiters->running;
    }
    stream_.expires_never();  // the wait may outlast the idle timeout
    auto gone = std::make_shared<std::atomic<bool>>(false);
    watch_client(gone);
    auto self = shared_from_this();
    try {
      std::thread([self, waiters, gone, job = std::move(job)]() mutable {
        pthread_setname_np(pthread_self(), "failpoint-wait");
        {
          control_reply r =
              run_wait(job, [&] { return self->server_.stopping.load() || gone->load(); });
          auto executor = self->stream_.get_executor();
          net::post(executor, [self, r = std::move(r)]() mutable {
            if (self->server_.stopping)
              return;
            error_code ec;
            self->stream_.socket().cancel(ec);  // ends watch_client's wait
            self->send(std::move(r), false);
          });
          self.reset();
        }
        std::lock_guard<std::mutex> lock(waiters->mutex);
        --waiters->running;
        waiters->cv.notify_all();
      }).detach();
    } catch (const std::exception&) {
      std::lock_guard<std::mutex> lock(waiters->mutex);
      --waiters->running;
      send(failure_reply({503, "cannot start a waiter thread"}), false);
    }
  }

  // While a wait runs nothing reads the socket: notice a client that closes its connection, so
  // that its wait (which may have no time limit) ends and frees its waiter thread. Pipelined
  // input ends the watch without cancelling anything.
  void watch_client(std::shared_ptr<std::atomic<bool>> gone) {
    stream_.socket().async_wait(
        tcp::socket::wait_read, [self = shared_from_this(), gone](error_code ec) {
          if (ec)
            return;
          char c;
          const ssize_t n =
              ::recv(self->stream_.socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
          if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            gone->store(true);
        });
  }

  void send(control_reply reply, bool close) {
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<bhttp::status>(reply.status));
    res_.set(bhttp::field::server, "failpoint");
    if (!reply.allow.empty())
      res_.set(bhttp::field::allow, reply.allow);
    if (reply.authenticate) {
      res_.set(bhttp::field::www_authenticate, "Bearer realm=\"failpoint\"");
      // A browser asks its user for credentials only on a Basic challenge.
      res_.insert(bhttp::field::www_authenticate, "Basic realm=\"failpoint\", charset=\"UTF-8\"");
    }
    for (const auto& [name, value] : reply.headers)
      res_.set(name, value);
    if (reply.status != 204) {
      res_.set(bhttp::field::content_type, reply.content_type);
      res_.body() = std::move(reply.body);
    }
    res_.keep_alive(keep_alive_ && !close);
    res_.prepare_payload();
    if (head_ && reply.status != 204) {
      // A response to HEAD has the headers of the full response and no body.
      res_.body().clear();
    }
    stream_.expires_after(server_.options.timeout);
    bhttp::async_write(stream_, res_,
                       beast::bind_front_handler(&session::on_write, shared_from_this(),
                                                 close || res_.need_eof()));
  }

  void on_write(bool close, error_code ec, std::size_t) {
    answer_.release();  // in the kernel, or the client is gone
    if (ec || server_.stopping)
      return do_shutdown();
    if (close)
      return do_linger();
    do_read();
  }

  // Closes after an error response: stop sending, read and discard what the client still
  // sends (bounded), then close; closing with unread input would reset the connection and the
  // client could lose the response.
  void do_linger() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(k_linger_time);
    do_drain();
  }

  void do_drain() {
    stream_.async_read_some(net::buffer(drain_),
                            beast::bind_front_handler(&session::on_drain, shared_from_this()));
  }

  void on_drain(error_code ec, std::size_t n) {
    drained_ += n;
    if (ec || drained_ > k_linger_bytes || server_.stopping)
      return do_shutdown();
    do_drain();
  }

  void do_shutdown() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{k_read_buffer};
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  bhttp::response<bhttp::empty_body> continue_;
  pending_answer answer_;  // the current request's answer, while it may be awaited by a panic
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;  // the current request is a HEAD
  server& server_;
  const bool reject_;
  std::array<char, 4096> drain_{};
  std::size_t drained_ = 0;
};

void server::do_accept() {
  acceptor.async_accept(ioc, beast::bind_front_handler(&server::on_accept, this));
}

void server::on_accept(error_code ec, tcp::socket socket) {
  if (stopping || ec == net::error::operation_aborted)
    return;
  if (ec) {
    // Out of descriptors or similar: try again a little later instead of spinning.
    accept_retry.expires_after(k_accept_retry);
    accept_retry.async_wait([this](error_code wait_ec) {
      if (!wait_ec && !stopping)
        do_accept();
    });
    return;
  }
  set_cloexec(socket.native_handle());
  if (connections.load() < options.max_connections) {
    std::make_shared<session>(std::move(socket), *this, false)->run();
  } else if (rejecting.load() < k_max_rejecting) {
    std::make_shared<session>(std::move(socket), *this, true)->run();
  }  // else: closed right here
  do_accept();
}

void server::run_io() {
  pthread_setname_np(pthread_self(), "failpoint-http");  // as ps -L and debuggers show it
  t_io_thread = true;
  try {
    ioc.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "failpoint: HTTP control endpoint stopped: %s\n", e.what());
  }
  std::lock_guard<std::mutex> lock(done_mutex);
  io_done = true;
  done_cv.notify_all();
}

// Renames the file write_address_tmp() wrote into place; nullopt on success.
std::optional<failure> publish_address_file(const std::string& tmp, const std::string& path) {
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return failure{500, "cannot rename the address file to \"" + path + "\""};
  }
  return std::nullopt;
}

void server::begin_serving() {
  if (serving || stopping)
    return;
  serving = true;
  ready_fallback.cancel();
  if (!address_tmp.empty()) {
    if (const auto error = publish_address_file(address_tmp, options.address_file)) {
      std::fprintf(stderr, "failpoint: HTTP control on %s: %s\n", address.c_str(),
                   error->message.c_str());
    }
    address_tmp.clear();
  }
  do_accept();
}

// The running endpoint. Leaked on purpose (never destroyed at exit).
std::mutex& global_mutex() {
  static auto* m = new std::mutex;
  return *m;
}
server* g_server = nullptr;         // guarded by global_mutex()
std::atomic<pid_t> g_owner_pid{0};  // the process that started g_server
std::atomic<bool> g_atexit_registered{false};
// Set once the program's static initializers (its failpoint sites) have run; see keep_linked.cpp.
std::atomic<bool> g_program_ready{false};

// Given to failpoint::set_before_process_end: a `panic` or `break` waits until the answers in
// flight are written. Not in a forked child (the endpoint's threads do not exist there) nor on
// the io thread itself (it could not write them while it waits).
void let_answers_out() {
  if (g_owner_pid.load() != ::getpid() || t_io_thread)
    return;
  answers().wait_idle(k_answer_grace);
}

// Stops `s` and deletes it. `limit`: at exit, give up waiting after it and leave the threads
// (and `s`) behind instead of hanging.
void shutdown_server(server* s, std::optional<std::chrono::milliseconds> limit) {
  s->stopping = true;
  s->ioc.stop();
  bool clean = true;
  if (s->thread.get_id() == std::this_thread::get_id()) {
    clean = false;  // called from the io thread: cannot join itself
  } else {
    std::unique_lock<std::mutex> lock(s->done_mutex);
    auto done = [s] { return s->io_done; };
    if (limit) {
      clean = s->done_cv.wait_for(lock, *limit, done);
    } else {
      s->done_cv.wait(lock, done);
    }
  }
  if (clean) {
    s->thread.join();
    // Waiters see `stopping` within one wait slice.
    std::unique_lock<std::mutex> lock(s->waiters->mutex);
    auto idle = [s] { return s->waiters->running == 0; };
    if (limit) {
      clean = s->waiters->cv.wait_for(lock, *limit, idle);
    } else {
      s->waiters->cv.wait(lock, idle);
    }
  } else {
    s->thread.detach();
  }
  if (clean)
    delete s;  // closes every connection
}

void stop_at_exit() {
  // In a forked child the endpoint's threads do not exist (and the mutex may be held forever).
  if (g_owner_pid.load() != ::getpid())
    return;
  server* s = nullptr;
  {
    std::lock_guard<std::mutex> lock(global_mutex());
    std::swap(s, g_server);
  }
  if (s != nullptr)
    shutdown_server(s, k_exit_grace);
}

// Writes "host:port\n" to a temporary file next to `path`; publish_address_file() renames it
// into place, so that a reader sees the whole address or nothing.
result<std::string> write_address_tmp(const std::string& path, const std::string& address) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  std::ofstream out(tmp, std::ios::trunc);
  out << address << "\n";
  out.close();
  if (!out)
    return failure{500, "cannot write the address file \"" + tmp + "\""};
  return tmp;
}

bool is_loopback(const net::ip::address& a) {
  if (a.is_loopback())
    return true;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6()).is_loopback();
  }
  return false;
}

}  // namespace

std::string start_endpoint(std::string_view address, const http::options& opts, bool at_load) {
  const auto fail = [&](const std::string& why) -> std::runtime_error {
    return std::runtime_error("cannot serve HTTP control on \"" + std::string(address) +
                              "\": " + why);
  };
  const auto split = split_host_port(address);
  if (!split.ok())
    throw std::runtime_error("bad address " + split.error().message);
  const host_port& hp = split.value();
  if (opts.max_connections < 1)
    throw fail("max_connections must be at least 1");
  if (opts.timeout.count() <= 0)
    throw fail("the timeout must be positive");

  std::lock_guard<std::mutex> lock(global_mutex());
  if (g_server != nullptr)
    throw fail("the endpoint already runs on " + g_server->address);

  auto srv = std::make_unique<server>(opts);
  error_code ec;
  tcp::endpoint endpoint;
  const auto ip = net::ip::make_address(hp.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(ip, static_cast<unsigned short>(std::stoul(hp.port)));
  } else {
    tcp::resolver resolver(srv->ioc);
    auto results = resolver.resolve(hp.host, hp.port, tcp::resolver::numeric_service, ec);
    if (ec || results.empty())
      throw fail("cannot resolve \"" + hp.host + "\": " + ec.message());
    endpoint = results.begin()->endpoint();
  }
  if (!opts.allow_remote && !is_loopback(endpoint.address())) {
    throw fail(endpoint.address().to_string() +
               " is not a loopback address; set FAILPOINTS_HTTP_ALLOW_REMOTE=1 (or "
               "options::allow_remote) to serve it");
  }
  auto& acceptor = srv->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    set_cloexec(acceptor.native_handle());
  if (!ec)
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(endpoint, ec);
  if (!ec)
    acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw fail(ec.message());
  const tcp::endpoint bound = acceptor.local_endpoint(ec);
  if (ec)
    throw fail(ec.message());
  srv->address = join_host_port(bound.address().to_string(), bound.port());
  // At load time the program's own static initializers, which register its failpoint sites, have
  // not run yet: a request now could find no site. Then the endpoint listens (connections wait in
  // the backlog) but accepts, and publishes its address file, only once keep_linked.cpp reports
  // that they ran (or after k_ready_fallback in programs built without it).
  const bool defer = at_load && !g_program_ready.load();
  if (!opts.address_file.empty()) {
    auto tmp = write_address_tmp(opts.address_file, srv->address);
    if (!tmp.ok())
      throw fail(tmp.error().message);
    srv->address_tmp = std::move(tmp.value());
    if (!defer) {
      if (const auto error = publish_address_file(srv->address_tmp, opts.address_file))
        throw fail(error->message);
      srv->address_tmp.clear();
    }
  }

  if (!g_atexit_registered.exchange(true)) {
    // The runtime's state is created first, so it is destroyed after this handler has run.
    (void)failpoint::list();
    std::atexit(stop_at_exit);
  }
  if (defer) {
    server* raw = srv.get();
    srv->ready_fallback.expires_after(k_ready_fallback);
    srv->ready_fallback.async_wait([raw](error_code wait_ec) {
      if (!wait_ec)
        raw->begin_serving();
    });
  } else {
    srv->begin_serving();
  }
  // The io thread blocks every signal so that the host's signals go to the host's threads;
  // waiter threads, started from it, inherit that.
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  try {
    server* raw = srv.get();
    srv->thread = std::thread([raw] { raw->run_io(); });
  } catch (...) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    throw fail("cannot start the endpoint's thread");
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  g_owner_pid = ::getpid();
  failpoint::set_before_process_end(let_answers_out);
  g_server = srv.release();
  return g_server->address;
}

}  // namespace http_internal

namespace http {

std::string start(std::string_view address, const options& opts) {
  return http_internal::start_endpoint(address, opts, false);
}

void stop() {
  using namespace failpoint::http_internal;
  server* s = nullptr;
  {
    std::lock_guard<std::mutex> lock(global_mutex());
    std::swap(s, g_server);
  }
  if (s != nullptr)
    shutdown_server(s, std::nullopt);
}

std::string address() {
  using namespace failpoint::http_internal;
  std::lock_guard<std::mutex> lock(global_mutex());
  return g_server != nullptr ? g_server->address : std::string();
}

}  // namespace http
}  // namespace failpoint

extern "C" FAILPOINT_EXPORT void failpoint_http_program_ready() noexcept {
  using namespace failpoint::http_internal;
  g_program_ready = true;
  std::lock_guard<std::mutex> lock(global_mutex());
  if (server* s = g_server) {
    net::post(s->ioc, [s] { s->begin_serving(); });
  }
}
