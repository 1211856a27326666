// The first flags programs' shared part, as the book's flags.py: the 20 most populous
// countries' flags, a code printed as each is saved, "20 downloads in 1.23s". An answer other
// than 200 ends the run with an error, as raise_for_status() does.
#ifndef EXAMPLES_FLAGS_FLAGS_COMMON_HPP_
#define EXAMPLES_FLAGS_FLAGS_COMMON_HPP_

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http_client.hpp"

namespace flags {

struct FlagsArgs {
  std::vector<std::string> cc_list;  // the book's POP20_CC, sorted
  BaseUrl base;                      // --url, default the LOCAL server
  std::filesystem::path dest = "downloaded";
  std::chrono::milliseconds timeout{};
};

// The image, when the answer is 200. Throws std::runtime_error "CN: HTTP 418 - I'm a teapot"
// for any other status, and "CN: <TransportError's text>".
std::string get_flag(HttpClient& client, std::string_view cc);
// As get_flag, from a coroutine.
boost::asio::awaitable<std::string> async_get_flag(AsyncHttpClient& client, std::string cc);

// Prints `cc` and a space, at once; lines from several threads do not mix.
void show(std::string_view cc);

// Downloads args.cc_list into args.dest and returns how many.
using FlagsDownloadMany = std::function<int(const FlagsArgs& args)>;

// The book's main(): parses --url, --dest, --timeout (or --help), checks the server and the
// directory, times download_many, prints "\n<n> downloads in <s>s". Returns the exit status.
int flags_main(std::string_view program, std::string_view description, int argc,
               const char* const* argv, const FlagsDownloadMany& download_many);

}  // namespace flags

#endif  // EXAMPLES_FLAGS_FLAGS_COMMON_HPP_
