#include "download.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "cli/cli.hpp"

namespace flags {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

// Writes all of `bytes` to `fd`; false on failure, with errno set.
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

void Counter::add(DownloadStatus status) {
  switch (status) {
    case DownloadStatus::ok:
      ++ok;
      break;
    case DownloadStatus::not_found:
      ++not_found;
      break;
    case DownloadStatus::error:
      ++error;
      break;
  }
}

std::string flag_path(std::string_view cc) {
  const std::string code = lower(cc);
  return "/" + code + "/" + code + ".png";
}

std::string flag_filename(std::string_view cc) { return std::string(cc) + ".png"; }

Outcome outcome_of(const Response& response) {
  if (response.status == 200) return {DownloadStatus::ok, {}};
  if (response.status == 404) return {DownloadStatus::not_found, {}};
  return {DownloadStatus::error,
          "HTTP " + std::to_string(response.status) + " - " + response.reason};
}

void save_flag(const std::filesystem::path& dir, const std::string& filename,
               std::string_view bytes) {
  std::string temp = (dir / ("." + filename + ".XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create " + temp);
  const bool written = write_all(fd, bytes) && ::fchmod(fd, 0644) == 0;
  const int saved_errno = errno;
  if (::close(fd) != 0 || !written) {
    ::unlink(temp.c_str());
    throw std::system_error(written ? errno : saved_errno, std::generic_category(),
                            "cannot write " + temp);
  }
  const std::string target = (dir / filename).string();
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int e = errno;
    ::unlink(temp.c_str());
    throw std::system_error(e, std::generic_category(), "cannot rename to " + target);
  }
}

void prepare_dest_dir(const std::filesystem::path& dir) {
  const auto bad = [&](const std::string& why) {
    return cli::UsageError(cli::invalid("output directory", dir.string()) + why);
  };
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw bad(ec.message());
  if (!std::filesystem::is_directory(dir, ec)) throw bad("not a directory");
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    throw bad(std::error_code(errno, std::generic_category()).message());
  }
}

Outcome download_one(HttpClient& client, std::string_view cc, const std::filesystem::path& dest) {
  Response response;
  try {
    response = client.get(flag_path(cc));
  } catch (const TransportError& e) {
    return {DownloadStatus::error, e.what()};
  }
  Outcome outcome = outcome_of(response);
  if (outcome.status == DownloadStatus::ok) save_flag(dest, flag_filename(cc), response.body);
  return outcome;
}

void check_server(const BaseUrl& base, std::chrono::milliseconds timeout) {
  try {
    HttpClient client(base, timeout);
    client.connect();
  } catch (const TransportError& e) {
    throw cli::UsageError("cannot reach " + base.text() + ": " + e.what());
  }
}

}  // namespace flags
