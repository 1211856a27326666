#include "futures/internal/frame.hpp"

#include <cstring>
#include <stdexcept>

namespace futures::internal {

std::size_t begin_frame(std::vector<std::byte>& out) {
  const std::size_t start = out.size();
  out.resize(start + kFrameHeader);
  return start;
}

void finish_frame(std::vector<std::byte>& out, std::size_t start) {
  const std::size_t body = out.size() - start - kFrameHeader;
  if (body > kMaxFrame) {
    out.resize(start);
    throw std::length_error("futures: a message over 4 GiB cannot cross the process boundary");
  }
  const auto len = static_cast<std::uint32_t>(body);
  std::memcpy(out.data() + start, &len, sizeof len);
}

}  // namespace futures::internal
