#include "futures/internal/worker_channel.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace futures::internal {

WorkerChannel::WorkerChannel(UniqueFd fd) : fd_(std::move(fd)) {
  ::fcntl(fd_.get(), F_SETFL, ::fcntl(fd_.get(), F_GETFL) | O_NONBLOCK);
}

void WorkerChannel::write() noexcept {
  constexpr int kMaxIov = 64;
  while (!out_.empty() && !closed_) {
    iovec iov[kMaxIov];
    int n = 0;
    for (std::size_t i = 0; i < out_.size() && n < kMaxIov; ++i, ++n) {
      const std::size_t skip = i == 0 ? out_offset_ : 0;
      iov[n].iov_base = out_[i].data() + skip;
      iov[n].iov_len = out_[i].size() - skip;
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<std::size_t>(n);
    const ssize_t sent = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      out_.clear();  // the worker is gone
      return;
    }
    auto left = static_cast<std::size_t>(sent);
    while (left > 0) {
      const std::size_t rest = out_.front().size() - out_offset_;
      if (left < rest) {
        out_offset_ += left;
        break;
      }
      left -= rest;
      out_.pop_front();
      out_offset_ = 0;
    }
  }
}

void WorkerChannel::read() {
  bool open = true;
  try {
    open = in_.read_from(fd_.get());
  } catch (const std::system_error&) {
    open = false;
  }
  closed_ = closed_ || !open;
}

void WorkerChannel::shut_down() noexcept {
  if (!closed_) ::shutdown(fd_.get(), SHUT_RDWR);
}

}  // namespace futures::internal
