#include "futures/internal/frame_buffer.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace futures {
namespace {

// What a worker does with a task too large for its memory: it keeps the task's id and reads
// past the rest of the frame, and the frames after it arrive intact.
TEST(FrameBufferTest, DropPartialSkipsTheRestOfTheFrameAcrossReads) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
  auto frame = [](std::uint8_t fill, std::size_t body) {
    std::vector<std::byte> out;
    const std::size_t start = internal::begin_frame(out);
    out.resize(out.size() + body, static_cast<std::byte>(fill));
    internal::finish_frame(out, start);
    return out;
  };
  const std::vector<std::byte> big = frame(7, 100'000);
  const std::vector<std::byte> next = frame(9, 3);
  internal::FrameBuffer in;
  EXPECT_FALSE(in.drop_partial(9).has_value());  // not even the length has come
  ASSERT_EQ(::write(sv[1], big.data(), 5000), 5000);
  ASSERT_TRUE(in.read_from(sv[0]));
  ASSERT_FALSE(in.next().has_value());
  const std::optional<std::vector<std::byte>> head = in.drop_partial(9);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(*head, std::vector<std::byte>(9, std::byte{7}));
  EXPECT_TRUE(in.partial());
  std::size_t sent = 5000;
  while (sent < big.size()) {
    const ssize_t n = ::write(sv[1], big.data() + sent, big.size() - sent);
    ASSERT_GT(n, 0);
    sent += static_cast<std::size_t>(n);
    ASSERT_TRUE(in.read_from(sv[0]));
    EXPECT_FALSE(in.next().has_value());
  }
  ASSERT_EQ(::write(sv[1], next.data(), next.size()), static_cast<ssize_t>(next.size()));
  ASSERT_TRUE(in.read_from(sv[0]));
  const auto body = in.next();
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(std::vector<std::byte>(body->begin(), body->end()),
            std::vector<std::byte>(3, std::byte{9}));
  EXPECT_FALSE(in.partial());
  ::close(sv[0]);
  ::close(sv[1]);
}

}  // namespace
}  // namespace futures
