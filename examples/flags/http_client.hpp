// The flags programs' HTTP/1.1 client on Boost.Beast: GET over one keep-alive connection, a
// deadline on every request, as a coroutine (AsyncHttpClient) or blocking (HttpClient).
#ifndef EXAMPLES_FLAGS_HTTP_CLIENT_HPP_
#define EXAMPLES_FLAGS_HTTP_CLIENT_HPP_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>: include it first.
// clang-format off
#include <utility>
// clang-format on
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace flags {

// Where the flags are: "http://HOST[:PORT][/PATH]". Plain HTTP only.
struct BaseUrl {
  std::string host;  // a name or an IPv4 address
  std::string port;  // "80" when the URL names none
  std::string path;  // "/flags"; no trailing slash, empty for the server's root

  std::string text() const;  // "http://HOST:PORT/PATH"
};

// Parses `text`. Throws std::invalid_argument with what was expected on anything else (https,
// a missing host, a port that is not 1 to 65535, a query or fragment).
BaseUrl parse_base_url(std::string_view text);

// A response, whatever its status.
struct Response {
  unsigned status = 0;
  std::string reason;  // "OK", "Not Found", "I'm a teapot"
  std::string body;
};

// A request that got no complete response: refused, reset, timed out, or not HTTP. what() is
// one line, e.g. "timed out after 3.1 s".
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// GETs paths under one BaseUrl from a coroutine. The connection is opened on the first
// request and kept while the server keeps it; a request on a kept connection that the server
// has closed meanwhile is retried once on a new one (GET is idempotent). Each attempt has
// `timeout` for connecting, sending and reading the whole response. One request at a time:
// a client is not thread-safe and is not shared by coroutines that run concurrently.
class AsyncHttpClient {
 public:
  AsyncHttpClient(boost::asio::any_io_executor executor, BaseUrl base,
                  std::chrono::milliseconds timeout);
  ~AsyncHttpClient();
  // Owns a connection that a pending request may be using.
  AsyncHttpClient(const AsyncHttpClient&) = delete;
  AsyncHttpClient& operator=(const AsyncHttpClient&) = delete;

  // GETs base.path + path (path starts with '/'). Throws TransportError.
  boost::asio::awaitable<Response> get(std::string path);

  // Opens the connection now (a check that the server is there). Throws TransportError.
  boost::asio::awaitable<void> connect();

  const BaseUrl& base() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// AsyncHttpClient driven to completion on an io_context of its own: get() blocks the calling
// thread until the response or the error. One thread at a time.
class HttpClient {
 public:
  HttpClient(BaseUrl base, std::chrono::milliseconds timeout);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // As AsyncHttpClient::get. Throws TransportError.
  Response get(std::string path);
  // As AsyncHttpClient::connect. Throws TransportError.
  void connect();

 private:
  boost::asio::io_context io_;
  AsyncHttpClient client_;
};

// Raises this process's soft limit on open files to its hard limit, so that a thousand
// concurrent connections do not run into the usual soft limit of 1,024. Returns the limit now
// in force.
long raise_open_files_limit() noexcept;

}  // namespace flags

#endif  // EXAMPLES_FLAGS_HTTP_CLIENT_HPP_
