// The wire frames between a process pool and its workers: what a task frame holds and how a
// frame is delimited. Public templates build task frames with it. Not for users.
#ifndef FUTURES_INTERNAL_FRAME_HPP_
#define FUTURES_INTERNAL_FRAME_HPP_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "futures/codec.hpp"

namespace futures::internal {

// Runs a task in a worker: decodes the arguments from `args`, calls the function whose
// address is `fn`, and appends the encoded result to `out`. Both addresses are valid in the
// worker because it is a fork of the process that took them.
using Invoker = void (*)(std::uintptr_t fn, Reader& args, std::vector<std::byte>& out);

// Frames on a worker's channel: a u32 body length, then the body. Bodies:
//   parent -> worker  kTask:        kind, u64 id, u64 invoker, u64 fn, encoded arguments
//   worker -> parent  kResult:      kind, u64 id, encoded result
//                     kError:       kind, u64 id, exception record
//                     kInitFailed:  kind, exception record (then the worker exits)
enum FrameKind : std::uint8_t { kTask = 1, kResult = 2, kError = 3, kInitFailed = 4 };
inline constexpr std::size_t kFrameHeader = sizeof(std::uint32_t);
// The most tasks a pool sends one worker ahead of its replies.
inline constexpr std::size_t kMaxTasksInFlight = 64;
inline constexpr std::size_t kMaxFrame = 0xFFFFFFFFu;

// Starts a frame in `out`: reserves the length; finish_frame() fills it in.
std::size_t begin_frame(std::vector<std::byte>& out);
// Throws std::length_error if the body is over kMaxFrame bytes.
void finish_frame(std::vector<std::byte>& out, std::size_t start);

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_FRAME_HPP_
