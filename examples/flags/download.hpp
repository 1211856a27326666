// What every flags downloader shares: where a flag is, how a response counts (the book's
// DownloadStatus), and saving an image so that no half-written file is ever seen.
#ifndef EXAMPLES_FLAGS_DOWNLOAD_HPP_
#define EXAMPLES_FLAGS_DOWNLOAD_HPP_

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "http_client.hpp"

namespace flags {

// Every request's deadline unless --timeout says otherwise.
inline constexpr std::chrono::milliseconds kDefaultTimeout{5000};

enum class DownloadStatus { ok, not_found, error };

// How many downloads ended each way.
struct Counter {
  int ok = 0;
  int not_found = 0;
  int error = 0;

  void add(DownloadStatus status);
  int total() const { return ok + not_found + error; }
};

// One flag's outcome; `error` is the book's message for DownloadStatus::error.
struct Outcome {
  DownloadStatus status = DownloadStatus::ok;
  std::string error;  // "HTTP 418 - I'm a teapot", or a TransportError's text
};

// cc's image under the base URL, in the book's layout: "/cn/cn.png" for "CN".
std::string flag_path(std::string_view cc);

// The file a flag is saved as: "CN.png", as the book's f'{cc}.gif'.
std::string flag_filename(std::string_view cc);

// A response's outcome: 200 is ok (the caller saves the body), 404 not found, any other status
// an error "HTTP <status> - <reason>".
Outcome outcome_of(const Response& response);

// Writes `bytes` to dir/filename through a temporary file in `dir` and a rename: a reader sees
// the old file or the whole new one, and a failed write leaves nothing. Throws
// std::system_error. Thread-safe for distinct filenames.
void save_flag(const std::filesystem::path& dir, const std::string& filename,
               std::string_view bytes);

// Creates `dir` if it is missing and checks that files can be created in it. Throws
// cli::UsageError "invalid output directory '<dir>': <why>".
void prepare_dest_dir(const std::filesystem::path& dir);

// GETs cc's flag with `client` and saves it in `dest` when the answer is 200. A status other
// than 200 and 404, and a TransportError, make an error outcome; a failed save throws
// std::system_error.
Outcome download_one(HttpClient& client, std::string_view cc, const std::filesystem::path& dest);

// Opens a connection to the server, so that a wrong port fails before anything is written.
// Throws cli::UsageError "cannot reach <url>: <why>".
void check_server(const BaseUrl& base, std::chrono::milliseconds timeout);

}  // namespace flags

#endif  // EXAMPLES_FLAGS_DOWNLOAD_HPP_
