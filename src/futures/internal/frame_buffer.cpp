#include "futures/internal/frame_buffer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "futures/codec.hpp"

namespace futures::internal {

bool FrameBuffer::read_from(int fd) {
  if (begin_ == end_) begin_ = end_ = 0;
  if (buf_.size() - end_ < (1u << 16)) {
    // Compact, then grow, so that at least 64 KiB can be read.
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (buf_.size() - end_ < (1u << 16)) {
      buf_.resize(std::max<std::size_t>(buf_.size() * 2, end_ + (1u << 16)));
    }
  }
  for (;;) {
    const ssize_t n = ::read(fd, buf_.data() + end_, buf_.size() - end_);
    if (n > 0) {
      end_ += static_cast<std::size_t>(n);
      const std::size_t dropped = std::min(skip_, end_ - begin_);
      begin_ += dropped;
      skip_ -= dropped;
      return true;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    throw std::system_error(errno, std::generic_category(), "read");
  }
}

void FrameBuffer::append(std::span<const std::byte> bytes) {
  if (bytes.empty()) return;  // memcpy from a null pointer is undefined, even for 0 bytes
  if (begin_ == end_) begin_ = end_ = 0;
  if (buf_.size() - end_ < bytes.size()) buf_.resize(end_ + bytes.size());
  std::memcpy(buf_.data() + end_, bytes.data(), bytes.size());
  end_ += bytes.size();
}

WorkerFrame parse_worker_frame(std::span<const std::byte> body) {
  Reader r(body);
  WorkerFrame frame{};
  const auto kind = r.get<std::uint8_t>();
  if (kind != kResult && kind != kError && kind != kInitFailed) {
    throw DecodeError("unknown frame kind " + std::to_string(kind));
  }
  frame.kind = static_cast<FrameKind>(kind);
  if (frame.kind != kInitFailed) frame.id = r.get<std::uint64_t>();
  frame.payload = body.subspan(body.size() - r.remaining());
  return frame;
}

std::optional<std::vector<std::byte>> FrameBuffer::drop_partial(std::size_t keep) {
  if (end_ - begin_ < kFrameHeader) return std::nullopt;
  std::uint32_t len;
  std::memcpy(&len, buf_.data() + begin_, sizeof len);
  const std::size_t have = std::min<std::size_t>(end_ - begin_ - kFrameHeader, len);
  const auto body = buf_.begin() + static_cast<std::ptrdiff_t>(begin_ + kFrameHeader);
  std::vector<std::byte> head(body, body + static_cast<std::ptrdiff_t>(std::min(keep, have)));
  skip_ = len - have;
  begin_ = end_ = 0;
  std::vector<std::byte>().swap(buf_);
  return head;
}

std::optional<std::span<const std::byte>> FrameBuffer::next() {
  if (end_ - begin_ < kFrameHeader) return std::nullopt;
  std::uint32_t len;
  std::memcpy(&len, buf_.data() + begin_, sizeof len);
  if (end_ - begin_ - kFrameHeader < len) return std::nullopt;
  std::span<const std::byte> body(buf_.data() + begin_ + kFrameHeader, len);
  begin_ += kFrameHeader + len;
  return body;
}

}  // namespace futures::internal
