#include "http_client.hpp"

#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <cstdio>
#include <exception>
#include <optional>
#include <utility>

namespace flags {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string BaseUrl::text() const { return "http://" + host + ":" + port + path; }

BaseUrl parse_base_url(std::string_view text) {
  constexpr std::string_view kScheme = "http://";
  const auto bad = [&](std::string_view why) {
    return std::invalid_argument(std::string(why) + ": expected http://HOST[:PORT][/PATH]");
  };
  if (!text.starts_with(kScheme)) {
    throw bad(text.starts_with("https://") ? "https is not supported" : "not an http:// URL");
  }
  std::string_view rest = text.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) throw bad("a query or fragment");
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  while (path.ends_with('/')) path.remove_suffix(1);

  BaseUrl url;
  const std::size_t colon = authority.rfind(':');
  url.host = std::string(authority.substr(0, colon));
  url.port = "80";
  if (colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    int value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 1 ||
        value > 65535) {
      throw bad("the port is not a number from 1 to 65535");
    }
    url.port = std::string(port);
  }
  if (url.host.empty() || url.host.find_first_of("@[]") != std::string::npos) {
    throw bad("no host, or one this client does not take (user info, IPv6)");
  }
  url.path = std::string(path);
  return url;
}

namespace {

constexpr std::uint64_t kBodyLimit = 16 * 1024 * 1024;

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", std::chrono::duration<double>(d).count());
  return buf;
}

// A connection the server closed before this request's response began: worth one retry.
bool closed_by_peer(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

}  // namespace

struct AsyncHttpClient::Impl {
  Impl(asio::any_io_executor executor, BaseUrl base_url, std::chrono::milliseconds limit)
      : base(std::move(base_url)),
        timeout(limit),
        resolver(executor),
        stream(executor),
        host_field(base.port == "80" ? base.host : base.host + ":" + base.port) {}

  BaseUrl base;
  std::chrono::milliseconds timeout;
  tcp::resolver resolver;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::optional<tcp::resolver::results_type> endpoints;  // resolved once
  bool connected = false;
  std::string host_field;

  [[noreturn]] void fail(std::string_view what, const beast::error_code& ec) {
    close();
    if (ec == beast::error::timeout) {
      throw TransportError(std::string(what) + " " + base.host + ":" + base.port +
                           ": timed out after " + seconds_text(timeout));
    }
    throw TransportError(std::string(what) + " " + base.host + ":" + base.port + ": " +
                         ec.message());
  }

  void close() {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    buffer.clear();
    connected = false;
  }

  asio::awaitable<void> open() {
    beast::error_code ec;
    if (!endpoints) {
      auto results = co_await resolver.async_resolve(base.host, base.port,
                                                     asio::redirect_error(asio::use_awaitable, ec));
      if (ec) fail("cannot resolve", ec);
      endpoints = std::move(results);
    }
    stream.expires_after(timeout);
    co_await stream.async_connect(*endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) fail("cannot connect to", ec);
    connected = true;
  }

  asio::awaitable<Response> get(const std::string& target) {
    for (int attempt = 0;; ++attempt) {
      const bool reused = connected;
      if (!connected) co_await open();
      beast::error_code ec;
      http::request<http::empty_body> request{http::verb::get, target, 11};
      request.set(http::field::host, host_field);
      request.set(http::field::user_agent, "futures-bench-flags");
      stream.expires_after(timeout);
      co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
      http::response_parser<http::string_body> parser;
      parser.body_limit(kBodyLimit);
      if (!ec) {
        co_await http::async_read(stream, buffer, parser,
                                  asio::redirect_error(asio::use_awaitable, ec));
      }
      if (ec) {
        if (reused && attempt == 0 && closed_by_peer(ec) && !parser.got_some()) {
          close();
          continue;
        }
        fail("GET " + target + " from", ec);
      }
      stream.expires_never();
      http::response<http::string_body> message = parser.release();
      if (!message.keep_alive()) close();
      Response response;
      response.status = message.result_int();
      response.reason = std::string(message.reason());
      response.body = std::move(message.body());
      co_return response;
    }
  }
};

AsyncHttpClient::AsyncHttpClient(asio::any_io_executor executor, BaseUrl base,
                                 std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(base), timeout)) {}

AsyncHttpClient::~AsyncHttpClient() = default;

asio::awaitable<Response> AsyncHttpClient::get(std::string path) {
  co_return co_await impl_->get(impl_->base.path + path);
}

asio::awaitable<void> AsyncHttpClient::connect() {
  if (!impl_->connected) co_await impl_->open();
}

const BaseUrl& AsyncHttpClient::base() const noexcept { return impl_->base; }

HttpClient::HttpClient(BaseUrl base, std::chrono::milliseconds timeout)
    : client_(io_.get_executor(), std::move(base), timeout) {}

HttpClient::~HttpClient() = default;

namespace {

// Runs `op` on `io` until it completes; returns its value or rethrows its exception.
template <class T>
T run_to_completion(asio::io_context& io, asio::awaitable<T> op) {
  std::exception_ptr error;
  std::optional<T> value;
  asio::co_spawn(io, std::move(op), [&](std::exception_ptr e, T v) {
    error = e;
    if (!e) value = std::move(v);
  });
  io.restart();
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*value);
}

}  // namespace

Response HttpClient::get(std::string path) {
  return run_to_completion(io_, client_.get(std::move(path)));
}

void HttpClient::connect() {
  std::exception_ptr error;
  asio::co_spawn(io_, client_.connect(), [&](std::exception_ptr e) { error = e; });
  io_.restart();
  io_.run();
  if (error) std::rethrow_exception(error);
}

long raise_open_files_limit() noexcept {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) getrlimit(RLIMIT_NOFILE, &limit);
  }
  return static_cast<long>(limit.rlim_cur);
}

}  // namespace flags
