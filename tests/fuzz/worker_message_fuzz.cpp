// libFuzzer target: arbitrary bytes arriving on a worker's channel, decoded as the process
// pool's I/O thread decodes them (framing, frame header, results of several types, map chunks,
// exception records). Anything malformed must end in DecodeError, never in a crash, a hang,
// an unbounded allocation or undefined behaviour (the build adds ASan and UBSan).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "futures/codec.hpp"
#include "futures/internal/frame_buffer.hpp"
#include "futures/internal/remote_exception.hpp"

namespace {

using futures::DecodeError;
using futures::Reader;
namespace internal = futures::internal;

template <class T>
void decode_result(Reader& r) {
  (void)r.get<T>();
  if (r.remaining() != 0) throw DecodeError("trailing bytes");
}

// The layout of a map chunk's reply: values, an error flag, then the exception record.
void decode_chunk(Reader& r) {
  (void)r.get<std::vector<int>>();
  const auto has_error = r.get<std::uint8_t>();
  if (has_error > 1) throw DecodeError("bad flag");
  if (has_error) (void)internal::rebuild_exception(internal::decode_record(r));
  if (r.remaining() != 0) throw DecodeError("trailing bytes");
}

void decode_frame(std::span<const std::byte> body) {
  const internal::WorkerFrame frame = internal::parse_worker_frame(body);
  Reader r(frame.payload);
  switch (frame.kind) {
    case internal::kInitFailed:
    case internal::kError:
      (void)internal::rebuild_exception(internal::decode_record(r));
      return;
    case internal::kResult:
      // The id picks which result type this reply is decoded as.
      switch (frame.id % 6) {
        case 0:
          return decode_result<std::string>(r);
        case 1:
          return decode_result<std::vector<std::uint8_t>>(r);
        case 2:
          return decode_result<std::tuple<int, double, std::string>>(r);
        case 3:
          return decode_result<
              std::vector<std::pair<std::string, std::optional<std::vector<int>>>>>(r);
        case 4:
          return decode_result<std::optional<std::vector<bool>>>(r);
        default:
          return decode_chunk(r);
      }
    case internal::kTask:
      break;
  }
  throw DecodeError("unexpected kind");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  internal::FrameBuffer in;
  in.append(std::as_bytes(std::span(data, size)));
  while (std::optional<std::span<const std::byte>> body = in.next()) {
    try {
      decode_frame(*body);
    } catch (const DecodeError&) {
      // The executor turns this into BrokenProcessPool.
    }
  }
  return 0;
}
