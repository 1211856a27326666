// flags_server: the book's local test servers in one program. Serves a directory of flag images
// over HTTP/1.1 as /flags/<cc>/<cc>.png, plainly (LOCAL), after a delay (DELAY) or answering
// some requests 418 (ERROR). One thread, Boost.Beast coroutines, keep-alive.

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>: include it first.
// clang-format off
#include <utility>
// clang-format on
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cli/cli.hpp"
#include "http_client.hpp"
#include "server_options.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using flags::ServerOptions;

// RFC 2324's status, which the book's ERROR server answers and Beast 1.74 does not name.
constexpr http::status kTeapot = static_cast<http::status>(418);

// An idle keep-alive connection is closed after this long; a response must be written in it.
constexpr std::chrono::seconds kIdleTimeout{30};

// The flag images, read once: code ("cn") -> PNG bytes.
std::map<std::string, std::string> load_flags(const std::filesystem::path& dir) {
  std::map<std::string, std::string> images;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
    if (name.size() != 6 || !name.ends_with(".png") || !lower(name[0]) || !lower(name[1])) {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    images.emplace(name.substr(0, 2), std::string(std::istreambuf_iterator<char>(in), {}));
  }
  if (ec || images.empty()) {
    throw cli::UsageError(cli::invalid("--dir", dir.string()) +
                          "expected a directory of cc.png flag images (Debian's "
                          "iso-flags-png-320x240 installs them in " +
                          std::string(flags::kDefaultFlagsDir) + ")");
  }
  return images;
}

// FNV-1a: a hash that is the same in every build, so that a seed means the same run anywhere.
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// SplitMix64's finaliser: a well-mixed 64-bit value from any 64-bit input.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Server {
 public:
  Server(asio::io_context& io, ServerOptions options)
      : io_(io),
        options_(std::move(options)),
        images_(load_flags(options_.dir)),
        acceptor_(io),
        delay_rng_(options_.seed) {}

  // Binds and listens; prints the line that says where (tests read the port from it).
  void listen() {
    const tcp::endpoint endpoint(asio::ip::make_address(options_.host),
                                 static_cast<unsigned short>(options_.port));
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    const auto bound = acceptor_.local_endpoint();
    std::printf("flags_server: %s mode, %zu flags from %s at http://%s:%u/flags (%s)\n",
                options_.mode.c_str(), images_.size(), options_.dir.c_str(),
                bound.address().to_string().c_str(), bound.port(), options_.describe().c_str());
    std::fflush(stdout);
    asio::co_spawn(io_, accept_loop(), asio::detached);
  }

  // Stops accepting and ends the run: io_context::run() returns.
  void stop() {
    beast::error_code ignored;
    acceptor_.close(ignored);
    io_.stop();
  }

  // "flags_server: served N requests: a × 200, b × 418", by status.
  std::string summary() const {
    std::string text = "flags_server: served " + std::to_string(requests_) + " requests";
    const char* sep = ": ";
    for (const auto& [status, count] : by_status_) {
      text += sep + std::to_string(count) + " × " + std::to_string(status);
      sep = ", ";
    }
    return text;
  }

 private:
  struct Reply {
    http::status status = http::status::ok;
    const std::string* body = nullptr;  // an image, or null for a text body
    std::string text;
  };

  asio::awaitable<void> accept_loop() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket =
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
      if (ec) continue;  // e.g. out of file descriptors for a moment: keep serving the others
      asio::co_spawn(io_, session(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  asio::awaitable<void> session(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    const std::string peer = peer_of(stream);
    for (;;) {
      stream.expires_after(kIdleTimeout);
      http::request<http::empty_body> request;
      co_await http::async_read(stream, buffer, request,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      const auto started = std::chrono::steady_clock::now();
      Reply reply = answer(request);
      const auto delay = next_delay();
      if (delay.count() > 0) {
        asio::steady_timer timer(stream.get_executor(), delay);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      http::response<http::string_body> response{reply.status, request.version()};
      response.set(http::field::server, "flags_server");
      if (reply.body != nullptr) {
        response.set(http::field::content_type, "image/png");
        response.body() = *reply.body;
      } else {
        response.set(http::field::content_type, "text/plain; charset=utf-8");
        response.body() = std::move(reply.text);
      }
      if (reply.status == kTeapot) response.reason("I'm a teapot");
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      stream.expires_after(kIdleTimeout);
      co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
      count(request, response.result_int(), peer, started);
      if (options_.max_requests > 0 && requests_ >= options_.max_requests) {
        stop();
        break;
      }
      if (ec || !response.keep_alive()) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  static std::string peer_of(const beast::tcp_stream& stream) {
    beast::error_code ec;
    const auto remote = stream.socket().remote_endpoint(ec);
    if (ec) return "?";
    return remote.address().to_string() + ":" + std::to_string(remote.port());
  }

  Reply answer(const http::request<http::empty_body>& request) {
    Reply reply;
    if (request.method() != http::verb::get) {
      reply.status = http::status::method_not_allowed;
      reply.text = "only GET\n";
      return reply;
    }
    const std::string target(request.target().data(), request.target().size());
    // The ERROR mode's choice depends on the seed, the path and how often it was asked for,
    // never on the order of requests: concurrent clients see the same errors as a sequential one.
    const std::uint64_t nth = seen_[target]++;
    if (options_.error_rate > 0) {
      const std::uint64_t draw = mix(options_.seed ^ mix(fnv1a(target) + nth));
      if (static_cast<double>(draw >> 11) * 0x1.0p-53 < options_.error_rate) {
        reply.status = kTeapot;
        reply.text = "I'm a teapot\n";
        return reply;
      }
    }
    // /flags/cc/cc.png
    constexpr std::string_view kPrefix = "/flags/";
    const std::string_view t = target;
    if (t.size() == kPrefix.size() + 9 && t.starts_with(kPrefix) &&
        t.substr(kPrefix.size() + 2, 1) == "/" &&
        t.substr(kPrefix.size(), 2) == t.substr(kPrefix.size() + 3, 2) && t.ends_with(".png")) {
      const auto it = images_.find(std::string(t.substr(kPrefix.size(), 2)));
      if (it != images_.end()) {
        reply.body = &it->second;
        return reply;
      }
    }
    reply.status = http::status::not_found;
    reply.text = "not found\n";
    return reply;
  }

  std::chrono::microseconds next_delay() {
    if (options_.delay_max <= 0) return {};
    std::uniform_real_distribution<double> seconds(options_.delay_min, options_.delay_max);
    const double s =
        options_.delay_min == options_.delay_max ? options_.delay_min : seconds(delay_rng_);
    return std::chrono::microseconds(static_cast<long long>(s * 1e6));
  }

  void count(const http::request<http::empty_body>& request, unsigned status,
             const std::string& peer, std::chrono::steady_clock::time_point started) {
    ++requests_;
    ++by_status_[status];
    if (options_.verbose) {
      // The target as sent, control characters escaped, so that a log line stays one line.
      std::string target_text =
          cli::quoted(std::string_view(request.target().data(), request.target().size()));
      target_text = target_text.substr(1, target_text.size() - 2);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "%s \"%s %s HTTP/1.%u\" %u %.3fs\n", peer.c_str(),
                   std::string(request.method_string()).c_str(), target_text.c_str(),
                   request.version() % 10, status, seconds);
    }
  }

  asio::io_context& io_;
  ServerOptions options_;
  std::map<std::string, std::string> images_;
  tcp::acceptor acceptor_;
  std::mt19937_64 delay_rng_;
  std::unordered_map<std::string, std::uint64_t> seen_;
  std::map<unsigned, long long> by_status_;
  long long requests_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  return cli::run_main("flags_server", [&] {
    const std::optional<ServerOptions> options = flags::parse_server_options(argc, argv);
    if (!options) {
      std::fputs(flags::server_usage().c_str(), stdout);
      return 0;
    }
    flags::raise_open_files_limit();
    asio::io_context io(1);
    Server server(io, *options);
    try {
      server.listen();
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error("cannot listen on " + options->host + ":" +
                               std::to_string(options->port) + ": " + e.code().message());
    }
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const beast::error_code& ec, int) {
      if (!ec) server.stop();
    });
    asio::steady_timer lifetime(io);
    if (options->lifetime_s > 0) {
      lifetime.expires_after(
          std::chrono::milliseconds(static_cast<long long>(options->lifetime_s * 1000)));
      lifetime.async_wait([&](const beast::error_code& ec) {
        if (!ec) server.stop();
      });
    }
    io.run();
    std::printf("%s\n", server.summary().c_str());
    return 0;
  });
}
