// UniqueFd: sole ownership of a file descriptor, closed when the owner goes. Not for users.
#ifndef FUTURES_INTERNAL_UNIQUE_FD_HPP_
#define FUTURES_INTERNAL_UNIQUE_FD_HPP_

#include <unistd.h>

#include <utility>

namespace futures::internal {

// Owns one descriptor (or none: -1). Move-only; not thread-safe.
class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;  // one owner closes it
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  // Gives the descriptor up without closing it.
  int release() noexcept { return std::exchange(fd_, -1); }
  // Closes the descriptor held, if any, and holds `fd`.
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_UNIQUE_FD_HPP_
