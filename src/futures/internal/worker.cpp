#include "futures/internal/worker.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>
#include <span>
#include <system_error>
#include <vector>

#include "futures/codec.hpp"
#include "futures/internal/frame.hpp"
#include "futures/internal/frame_buffer.hpp"
#include "futures/internal/remote_exception.hpp"

namespace futures::internal {
namespace {

// Exit codes of a worker that stops on its own account.
constexpr int kExitInitFailed = 3;
constexpr int kExitProtocolError = 70;

bool write_all(int fd, const std::byte* p, std::size_t n) noexcept {
  while (n > 0) {
    const ssize_t k = ::send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}

// Appends the frame that fails task `id` with the exception being handled.
void append_error(std::vector<std::byte>& out, std::uint64_t id) {
  const ExceptionRecord record = capture_current_exception();
  const std::size_t start = begin_frame(out);
  Writer w(out);
  w.put(static_cast<std::uint8_t>(kError));
  w.put(id);
  encode_record(w, record);
  finish_frame(out, start);
}

// Runs one task frame, appending the response frame to `out`. Whatever goes wrong after the
// task's id is known (decoding its arguments, the call, encoding or framing its result, such
// as a result over 4 GiB) fails that task only.
void run_task(std::span<const std::byte> body, std::vector<std::byte>& out) {
  Reader r(body);
  std::uint64_t id = 0;
  std::uintptr_t invoker_bits = 0;
  std::uintptr_t fn = 0;
  try {
    if (r.get<std::uint8_t>() != kTask) throw DecodeError("not a task frame");
    id = r.get<std::uint64_t>();
    invoker_bits = static_cast<std::uintptr_t>(r.get<std::uint64_t>());
    fn = static_cast<std::uintptr_t>(r.get<std::uint64_t>());
  } catch (const DecodeError&) {
    worker_exit(kExitProtocolError);
  }
  const std::size_t start = out.size();
  try {
    begin_frame(out);
    Writer w(out);
    w.put(static_cast<std::uint8_t>(kResult));
    w.put(id);
    // The invoker's address, sent by the parent this process is a fork of.
    reinterpret_cast<Invoker>(invoker_bits)(fn, r, out);  // NOLINT(performance-no-int-to-ptr)
    finish_frame(out, start);
  } catch (...) {
    out.resize(start);  // keeps the replies batched before this one
    append_error(out, id);
  }
}

// Fails the task whose frame is too large for this worker's memory (the frame buffer could
// not grow: std::bad_alloc is being handled) and drops the rest of its bytes. Returns false
// if the task cannot be told apart, which leaves the error to the caller.
bool fail_oversized_task(FrameBuffer& in, std::vector<std::byte>& out) {
  constexpr std::size_t kHead = 1 + sizeof(std::uint64_t);  // kind, id
  std::optional<std::vector<std::byte>> head = in.drop_partial(kHead);
  if (!head || head->size() < kHead || (*head)[0] != static_cast<std::byte>(kTask)) return false;
  std::uint64_t id;
  std::memcpy(&id, head->data() + 1, sizeof id);
  append_error(out, id);
  return true;
}

}  // namespace

[[noreturn]] void worker_main(int fd, const WorkerConfig& config) {
  if (config.initializer) {
    try {
      config.initializer();
    } catch (...) {
      const ExceptionRecord record = capture_current_exception();
      std::vector<std::byte> out;
      const std::size_t start = begin_frame(out);
      Writer w(out);
      w.put(static_cast<std::uint8_t>(kInitFailed));
      encode_record(w, record);
      finish_frame(out, start);
      write_all(fd, out.data(), out.size());
      worker_exit(kExitInitFailed);
    }
  }
  FrameBuffer in;
  std::vector<std::byte> out;
  long done = 0;
  // Results go out in batches while more requests are already buffered, but no batch is held
  // past this (plus the task running when it passes). Each write wakes the parent's I/O thread,
  // which takes a core from a worker when all cores are busy (results/process-pool-64k/,
  // results/before-after-batching/). The dispatch keeps about 1 ms of work in flight per
  // worker, and at most kMaxTasksInFlight tasks: a batch closes at half that count, so that a
  // worker given tiny tasks still holds half of them while the parent answers its batch.
  constexpr auto kMaxBatchDelay = std::chrono::microseconds(500);
  constexpr std::size_t kMaxBatchResults = kMaxTasksInFlight / 2;
  std::size_t batched = 0;
  auto batch_start = std::chrono::steady_clock::now();
  auto flush = [&] {
    if (!out.empty() && !write_all(fd, out.data(), out.size())) worker_exit(0);  // parent gone
    out.clear();
    batched = 0;
  };
  for (;;) {
    std::optional<std::span<const std::byte>> frame;
    try {
      frame = in.next();
    } catch (const DecodeError&) {
      worker_exit(kExitProtocolError);
    }
    if (!frame) {
      flush();
      bool open = false;
      bool failed = false;
      try {
        open = in.read_from(fd);
      } catch (const std::system_error&) {
      } catch (const std::bad_alloc&) {
        // A task larger than this worker can hold: only that task fails.
        if (!fail_oversized_task(in, out)) throw;
        open = failed = true;
      }
      if (!open) worker_exit(in.partial() ? kExitProtocolError : 0);
      if (!failed) continue;
    } else {
      if (out.empty()) batch_start = std::chrono::steady_clock::now();
      run_task(*frame, out);
      ++batched;
    }
    ++done;
    if (config.max_tasks && done >= *config.max_tasks) {
      flush();
      worker_exit(0);
    }
    if (out.size() >= (1u << 16) || batched >= kMaxBatchResults ||
        std::chrono::steady_clock::now() - batch_start > kMaxBatchDelay) {
      flush();
    }
  }
}

[[noreturn]] void worker_exit(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  _exit(code);  // not exit(): the parent's atexit handlers and static objects are not ours
}

}  // namespace futures::internal
