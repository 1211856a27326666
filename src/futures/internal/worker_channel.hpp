// WorkerChannel: the pool's end of one worker's socket: frames queued and written without
// blocking, bytes read and cut into frames, end of stream noticed. Not for users.
#ifndef FUTURES_INTERNAL_WORKER_CHANNEL_HPP_
#define FUTURES_INTERNAL_WORKER_CHANNEL_HPP_

#include <cstddef>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "futures/internal/frame_buffer.hpp"
#include "futures/internal/unique_fd.hpp"

namespace futures::internal {

// Not thread-safe: the pool's I/O thread owns it. Move-only (owns the socket).
class WorkerChannel {
 public:
  // Takes the socket and makes it non-blocking.
  explicit WorkerChannel(UniqueFd fd);

  int fd() const noexcept { return fd_.get(); }
  // End of stream (or a read error) was seen: the worker is gone or going.
  bool closed() const noexcept { return closed_; }
  // Frames are queued that the socket has not taken yet.
  bool has_output() const noexcept { return !out_.empty(); }

  // Queues a whole frame; write() sends it.
  void queue(std::vector<std::byte> frame) { out_.push_back(std::move(frame)); }
  // Writes what the socket takes now, without blocking. A worker gone drops what is queued:
  // its end of stream and exit status tell the rest.
  void write() noexcept;
  // Reads what has arrived, without blocking; at end of stream or on a read error, marks the
  // channel closed. The frames read come from next().
  void read();
  // The next complete frame's body, or nullopt. The span is valid until the next call.
  std::optional<std::span<const std::byte>> next() { return in_.next(); }
  // Shuts the socket both ways: an idle worker reads end of stream and exits.
  void shut_down() noexcept;

 private:
  UniqueFd fd_;
  FrameBuffer in_;
  std::deque<std::vector<std::byte>> out_;  // frames to write; the first from out_offset_
  std::size_t out_offset_ = 0;
  bool closed_ = false;
};

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_WORKER_CHANNEL_HPP_
