// Reading frames off a stream: FrameBuffer cuts the bytes of a channel into frames, and
// parse_worker_frame() splits a worker's reply. Used by both ends of a worker's channel.
#ifndef FUTURES_INTERNAL_FRAME_BUFFER_HPP_
#define FUTURES_INTERNAL_FRAME_BUFFER_HPP_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "futures/internal/frame.hpp"

namespace futures::internal {

// A frame from a worker, split: its kind, the task id (none for kInitFailed), the rest.
struct WorkerFrame {
  FrameKind kind;
  std::uint64_t id = 0;
  std::span<const std::byte> payload;
};
// Throws DecodeError for a short header or a kind a worker does not send.
WorkerFrame parse_worker_frame(std::span<const std::byte> body);

// Accumulates bytes read from a stream and cuts them into frames.
class FrameBuffer {
 public:
  // Appends bytes as if read (for tests and the fuzzer).
  void append(std::span<const std::byte> bytes);
  // Reads what is available (all of it, for a non-blocking fd). Returns false at end of
  // stream; throws std::system_error on a read error other than EAGAIN/EINTR.
  bool read_from(int fd);
  // The next complete frame's body, or nullopt. The span is valid until the next call.
  std::optional<std::span<const std::byte>> next();
  // Bytes of an incomplete frame are waiting (a stream cut here was cut mid-message).
  bool partial() const noexcept { return end_ > begin_ || skip_ > 0; }
  // Gives up on the incomplete frame at the front, for a reader that cannot hold all of it:
  // returns up to `keep` of its first body bytes, frees the buffer, and drops the rest of the
  // frame as read_from() reads it. nullopt (and no change) if not even its length has come.
  // Throws std::bad_alloc if `keep` bytes cannot be allocated.
  std::optional<std::vector<std::byte>> drop_partial(std::size_t keep);

 private:
  std::vector<std::byte> buf_;
  std::size_t begin_ = 0;  // start of unconsumed bytes
  std::size_t end_ = 0;    // end of valid bytes
  std::size_t skip_ = 0;   // bytes of a dropped frame not read yet
};

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_FRAME_BUFFER_HPP_
