// The binary codec that carries task arguments and results between processes: Writer and
// Reader, the futures::Codec<T> customization point, and the Transferable concept that turns a
// type which cannot cross the process boundary into a compile-time error.
#ifndef FUTURES_CODEC_HPP_
#define FUTURES_CODEC_HPP_

#include <array>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "futures/errors.hpp"

// Wire format. Both ends are the same binary, so values travel in host byte order and layout:
//   arithmetic, enum, trivially copyable class   the object's bytes (sizeof(T))
//   bool                                         one byte, 0 or 1
//   std::string (any std::basic_string<CharT>)   uint64 length, then the characters
//   std::vector<T>                               uint64 count, then the elements (one block of
//                                                bytes where T is copied as bytes)
//   std::array<T, N>, std::pair, std::tuple      the elements in order, no header
//   std::optional<T>                             one byte, 0 or 1, then the value if 1
//   std::monostate                               nothing
// A user's Codec<T> specialisation decides its own bytes.

namespace futures {

// Bytes that do not decode to the requested type: truncated, corrupt (a bool byte other than 0
// or 1, a length beyond the bytes left), or followed by bytes that the value did not consume.
class DecodeError : public Error {
 public:
  using Error::Error;
};

class Writer;
class Reader;

namespace internal {

// The built-in codecs, below. The primary template has no encode or decode: T cannot cross.
template <class T>
struct BuiltinCodec;

struct CodecAccess;

// The most bytes of decoded elements that one message may produce from no input (elements
// whose encoding is empty: std::monostate, std::tuple<>, or a user type whose codec writes
// nothing). Bounds what a hostile element count can make the decoder allocate.
inline constexpr std::size_t kMaxUnbackedBytes = std::size_t{1} << 20;

}  // namespace internal

// The customization point. Specialise futures::Codec for a type of your own, before the first
// use that needs it, with
//
//   template <>
//   struct futures::Codec<Record> {
//     static void encode(futures::Writer& w, const Record& r) { w.put(r.name); w.put(r.values); }
//     static Record decode(futures::Reader& r) {
//       auto name = r.get<std::string>();
//       return Record{std::move(name), r.get<std::vector<double>>()};
//     }
//   };
//
// decode() must consume exactly the bytes that encode() wrote, and should throw DecodeError
// (Reader does so for a short read) on bytes that encode() could not have written. A
// specialisation wins over every built-in one, including the memcpy codec for trivially
// copyable types. `Enable` is there for partial specialisations constrained with
// std::enable_if_t; a `requires` clause does as well.
template <class T, class Enable = void>
struct Codec : internal::BuiltinCodec<T> {};

// True for a cv-unqualified object type whose Codec<T> has
//   static void encode(Writer&, const T&);  static T decode(Reader&);
// These are the types that can cross the process boundary. Pointers, references, views
// (std::string_view, std::span), smart pointers, std::function and classes that hold them are
// not, with one blind spot: a trivially copyable class is copied as bytes, so a pointer or
// reference member inside it passes unseen and means nothing in the other process. Specialise
// Codec for such a class.
template <class T>
concept Transferable = std::is_object_v<T> && !std::is_const_v<T> && !std::is_volatile_v<T> &&
                       requires(Writer & w, Reader& r, const T& value) {
  { Codec<T>::encode(w, value) } -> std::same_as<void>;
  { Codec<T>::decode(r) } -> std::same_as<T>;
};

namespace internal {

// The one place the diagnostic is spelt; returns Transferable<T> so that callers can discard
// the code that would only add errors after it.
template <class T>
constexpr bool check_transferable() noexcept {
  static_assert(Transferable<T>,
                "futures: this type cannot cross the process boundary; use arithmetic, enum, "
                "trivially copyable, std::string, std::vector, std::array, std::pair, "
                "std::tuple, std::optional types, or specialise futures::Codec<T>");
  return Transferable<T>;
}

}  // namespace internal

// Compiles only if every one of Ts is Transferable, and otherwise fails with the diagnostic
// that encode() and decode() give. For code that will encode these types later, e.g. an
// executor checking a task's parameter and result types where the task is submitted.
template <class... Ts>
constexpr void require_transferable() noexcept {
  (static_cast<void>(internal::check_transferable<Ts>()), ...);
}

// Appends encoded values to a byte buffer that the caller owns. Not thread-safe.
class Writer {
 public:
  // Appends to `out`, which must outlive the writer; what `out` holds already is kept.
  explicit Writer(std::vector<std::byte>& out) noexcept : out_(&out) {}

  // Not copyable: codecs take a Writer by reference, and a copy would keep its own count of
  // empty elements.
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Appends the n bytes at `data` (which may be null when n is 0).
  void write(const void* data, std::size_t n) {
    if (n == 0) return;
    const auto* bytes = static_cast<const std::byte*>(data);
    out_->insert(out_->end(), bytes, bytes + n);
  }

  // Appends `value` through Codec<T>. Fails to compile unless T is Transferable.
  template <class T>
  void put(const T& value) {
    if constexpr (internal::check_transferable<T>()) Codec<T>::encode(*this, value);
  }

 private:
  friend struct internal::CodecAccess;

  std::vector<std::byte>* out_;
  std::size_t unbacked_left_ = internal::kMaxUnbackedBytes;
};

// Consumes encoded values from a span of bytes, front to back, and never reads past its end.
// Not thread-safe.
class Reader {
 public:
  // Reads from `in`, which must outlive the reader.
  explicit Reader(std::span<const std::byte> in) noexcept : in_(in) {}

  // Not copyable: a copy would consume the input apart from the original, a likely mistake
  // in a codec that takes its Reader by value.
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Copies the next n bytes to `data` (which may be null when n is 0).
  // Throws DecodeError, consuming nothing, if fewer than n bytes remain.
  void read(void* data, std::size_t n) {
    if (n == 0) return;
    std::memcpy(data, take(n).data(), n);
  }

  // Consumes the next n bytes and returns a view of them, valid as long as the input is.
  // Throws DecodeError, consuming nothing, if fewer than n bytes remain.
  std::span<const std::byte> take(std::size_t n) {
    if (n > in_.size()) {
      throw DecodeError("truncated input: " + std::to_string(n) + " bytes needed, " +
                        std::to_string(in_.size()) + " left");
    }
    const auto head = in_.first(n);
    in_ = in_.subspan(n);
    return head;
  }

  // The bytes not consumed yet.
  std::size_t remaining() const noexcept { return in_.size(); }

  // Decodes the next value through Codec<T>. Throws DecodeError on bytes that do not decode to
  // a T, or whatever a user's Codec<T>::decode throws. Fails to compile unless T is
  // Transferable.
  template <class T>
  T get() {
    if constexpr (internal::check_transferable<T>()) {
      return Codec<T>::decode(*this);
    } else {
      std::abort();  // Not compiled: the static_assert above has failed.
    }
  }

 private:
  friend struct internal::CodecAccess;

  std::span<const std::byte> in_;
  std::size_t unbacked_left_ = internal::kMaxUnbackedBytes;
};

namespace internal {

// The bookkeeping behind the element-count bound, shared by the sequence codecs.
struct CodecAccess {
  static std::size_t size(const Writer& w) noexcept { return w.out_->size(); }

  // An element of `bytes` bytes that encoded to nothing. Throws std::length_error past the
  // limit, so that no message is written that the decoder would refuse.
  static void charge_unbacked(Writer& w, std::size_t bytes) {
    if (bytes > w.unbacked_left_) {
      throw std::length_error(
          "futures: a message may hold at most " + std::to_string(kMaxUnbackedBytes) +
          " bytes of elements that encode to nothing (std::monostate, std::tuple<>, ...)");
    }
    w.unbacked_left_ -= bytes;
  }
  static void charge_unbacked(Reader& r, std::size_t bytes) {
    if (bytes > r.unbacked_left_) {
      throw DecodeError("more than " + std::to_string(kMaxUnbackedBytes) +
                        " bytes of elements decoded from no input");
    }
    r.unbacked_left_ -= bytes;
  }
};

template <class T>
struct BitwiseCodec;

// True where Codec<T> is the built-in one (no user specialisation).
template <class T>
inline constexpr bool kIsBuiltin = std::is_base_of_v<BuiltinCodec<T>, Codec<T>>;

// True where Codec<T> copies T's bytes, so that a sequence of T is one block of memory.
template <class T>
inline constexpr bool kIsBitwise = std::is_base_of_v<BitwiseCodec<T>, Codec<T>>;

// A lower bound on the bytes that one encoded T takes; 0 for a user's codec, which may write
// nothing.
template <class T>
constexpr std::size_t min_encoded_size() noexcept {
  if constexpr (Transferable<T> && kIsBuiltin<T>) {
    return BuiltinCodec<T>::kMinSize;
  } else {
    return 0;
  }
}

// The types that the memcpy codec takes: trivially copyable and copy-constructible arithmetic,
// enum, class and union types, so no pointers (a top-level T* is never meaningful in another
// process) and no arrays (decode returns by value). A pointer inside a class cannot be seen.
template <class T>
concept BitwiseCandidate =
    (std::is_arithmetic_v<T> || std::is_enum_v<T> || std::is_class_v<T> ||
     std::is_union_v<T>)&&std::is_trivially_copyable_v<T>&& std::is_copy_constructible_v<T> &&
    !std::is_const_v<T> && !std::is_volatile_v<T>;

// Constructs a T from the next sizeof(T) bytes.
template <class T>
T read_bitwise(Reader& r) {
  if constexpr (std::is_trivially_default_constructible_v<T> && std::is_copy_assignable_v<T>) {
    T value;
    r.read(std::addressof(value), sizeof(T));
    return value;
  } else {
    std::array<std::byte, sizeof(T)> raw;
    r.read(raw.data(), raw.size());
    return std::bit_cast<T>(raw);
  }
}

template <class T>
struct BitwiseCodec {
  static constexpr std::size_t kMinSize = sizeof(T);
  static void encode(Writer& w, const T& value) { w.write(std::addressof(value), sizeof(T)); }
  static T decode(Reader& r) { return read_bitwise<T>(r); }
};

// Primary: nothing to encode or decode with, so T is not Transferable.
template <class T>
struct BuiltinCodec {};

// Arithmetic, enum and trivially copyable class types: the object's bytes. An enum is decoded
// as its underlying type, with no check against its enumerators.
template <class T>
requires BitwiseCandidate<T>
struct BuiltinCodec<T> : BitwiseCodec<T> {
};

// bool: one byte, which must be 0 or 1 (any other value in a bool is undefined behaviour).
inline bool read_flag(Reader& r) {
  const auto byte = r.get<std::uint8_t>();
  if (byte > 1) throw DecodeError("invalid bool byte " + std::to_string(byte));
  return byte == 1;
}

template <>
struct BuiltinCodec<bool> {
  static constexpr std::size_t kMinSize = 1;
  static void encode(Writer& w, bool value) { w.put(static_cast<std::uint8_t>(value ? 1 : 0)); }
  static bool decode(Reader& r) { return read_flag(r); }
};

// std::monostate: no bytes.
template <>
struct BuiltinCodec<std::monostate> {
  static constexpr std::size_t kMinSize = 0;
  static void encode(Writer&, std::monostate) {}
  static std::monostate decode(Reader&) { return {}; }
};

// Trivially copyable, but they point into the sender's memory or hold an alternative index
// that must be checked: never copied as bytes.
template <class CharT, class Traits>
struct BuiltinCodec<std::basic_string_view<CharT, Traits>> {};
template <class T, std::size_t kExtent>
struct BuiltinCodec<std::span<T, kExtent>> {};
template <class T>
struct BuiltinCodec<std::reference_wrapper<T>> {};
template <class T>
struct BuiltinCodec<std::initializer_list<T>> {};
template <class... Ts>
struct BuiltinCodec<std::variant<Ts...>> {};

// Reads a uint64 element count and checks it against the bytes left, for elements that take
// at least min_encoded_size<T>() bytes each, before anything is allocated for them.
template <class T>
std::size_t read_count(Reader& r) {
  const auto count = r.get<std::uint64_t>();
  constexpr std::size_t kMin = min_encoded_size<T>();
  if constexpr (kMin > 0) {
    if (count > r.remaining() / kMin) {
      throw DecodeError("count " + std::to_string(count) + " exceeds the " +
                        std::to_string(r.remaining()) + " bytes left");
    }
  }
  // Where kMin is 0, decode_elements() bounds the count as it goes.
  return static_cast<std::size_t>(count);
}

// Appends the encodings of `items` (a sized range of T); elements that encode to nothing count
// against the writer's allowance.
template <class T, class Range>
void encode_elements(Writer& w, const Range& items) {
  if constexpr (min_encoded_size<T>() > 0) {
    for (const T& item : items) w.put(item);
  } else {
    for (const T& item : items) {
      const std::size_t before = CodecAccess::size(w);
      w.put(item);
      if (CodecAccess::size(w) == before) CodecAccess::charge_unbacked(w, sizeof(T));
    }
  }
}

// Decodes `count` elements into `out` (a std::vector<T>), the counterpart of encode_elements.
template <class T>
void decode_elements(Reader& r, std::size_t count, std::vector<T>& out) {
  if constexpr (min_encoded_size<T>() > 0) {
    out.reserve(count);  // read_count() has checked that the input can hold them.
    for (std::size_t k = 0; k < count; ++k) out.push_back(r.get<T>());
  } else {
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t before = r.remaining();
      out.push_back(r.get<T>());
      if (r.remaining() == before) CodecAccess::charge_unbacked(r, sizeof(T));
    }
  }
}

// The character types that std::basic_string comes with.
template <class T>
concept CharType = std::same_as<T, char> || std::same_as<T, wchar_t> || std::same_as<T, char8_t> ||
    std::same_as<T, char16_t> || std::same_as<T, char32_t>;

// std::string and the other standard strings: a uint64 length, then the characters.
template <CharType CharT>
struct BuiltinCodec<std::basic_string<CharT>> {
  using String = std::basic_string<CharT>;
  static constexpr std::size_t kMinSize = sizeof(std::uint64_t);

  static void encode(Writer& w, const String& s) {
    w.put(static_cast<std::uint64_t>(s.size()));
    w.write(s.data(), s.size() * sizeof(CharT));
  }
  static String decode(Reader& r) {
    const std::size_t length = read_count<CharT>(r);
    if constexpr (std::same_as<CharT, char>) {
      const auto bytes = r.take(length);
      // char may alias any object's bytes.
      return String(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    } else {
      String s(length, CharT{});
      r.read(s.data(), length * sizeof(CharT));
      return s;
    }
  }
};

// std::vector<T>: a uint64 count, then the elements; one block where T is copied as bytes.
// std::vector<bool> goes element by element, one checked byte each. The count is checked
// against the bytes left before anything is allocated, except where an element may encode to
// nothing; such elements may take at most kMaxUnbackedBytes of memory in one message.
template <class T>
struct BuiltinCodec<std::vector<T>> {
  static constexpr std::size_t kMinSize = sizeof(std::uint64_t);

  static void encode(Writer& w, const std::vector<T>& v) requires Transferable<T> {
    w.put(static_cast<std::uint64_t>(v.size()));
    if constexpr (kIsBitwise<T>) {
      w.write(v.data(), v.size() * sizeof(T));
    } else {
      encode_elements<T>(w, v);
    }
  }

  static std::vector<T> decode(Reader& r) requires Transferable<T> {
    const std::size_t count = read_count<T>(r);
    if constexpr (kIsBitwise<T> && (std::same_as<T, std::byte> || std::same_as<T, unsigned char> ||
                                    std::same_as<T, char>)) {
      // One copy; these types may alias the input's bytes.
      const auto bytes = r.take(count);
      const auto* first = reinterpret_cast<const T*>(bytes.data());
      return std::vector<T>(first, first + count);
    } else if constexpr (kIsBitwise<T> && std::is_default_constructible_v<T> &&
                         std::is_copy_assignable_v<T>) {
      std::vector<T> v(count);
      r.read(v.data(), count * sizeof(T));
      return v;
    } else {
      std::vector<T> v;
      decode_elements(r, count, v);
      return v;
    }
  }
};

// std::array<T, N>: the N elements, as one block where T is copied as bytes.
template <class T, std::size_t kSize>
struct BuiltinCodec<std::array<T, kSize>> {
  using Array = std::array<T, kSize>;
  static constexpr std::size_t kMinSize = kSize * min_encoded_size<T>();

  static void encode(Writer& w, const Array& a) requires Transferable<T> {
    if constexpr (kIsBitwise<T>) {
      w.write(a.data(), kSize * sizeof(T));  // data() may be null where kSize is 0.
    } else {
      for (const T& item : a) w.put(item);
    }
  }

  static Array decode(Reader& r) requires Transferable<T> {
    if constexpr (kSize == 0) {
      return Array{};
    } else if constexpr (kIsBitwise<T>) {
      static_assert(sizeof(Array) == kSize * sizeof(T));
      return read_bitwise<Array>(r);
    } else if constexpr (std::is_default_constructible_v<T> && std::is_move_assignable_v<T>) {
      Array a;
      for (T& item : a) item = r.get<T>();
      return a;
    } else {
      return [&r]<std::size_t... kIndex>(std::index_sequence<kIndex...>) {
        // A braced list evaluates its elements in order.
        return Array{(static_cast<void>(kIndex), r.get<T>())...};
      }
      (std::make_index_sequence<kSize>());
    }
  }
};

// std::pair<A, B>: first, then second.
template <class A, class B>
struct BuiltinCodec<std::pair<A, B>> {
  static constexpr std::size_t kMinSize = min_encoded_size<A>() + min_encoded_size<B>();

  static void encode(Writer& w,
                     const std::pair<A, B>& p) requires Transferable<A> && Transferable<B> {
    w.put(p.first);
    w.put(p.second);
  }

  static std::pair<A, B> decode(Reader& r) requires Transferable<A> && Transferable<B> {
    A first = r.get<A>();
    return std::pair<A, B>(std::move(first), r.get<B>());
  }
};

// std::tuple<Ts...>: the elements in order.
template <class... Ts>
struct BuiltinCodec<std::tuple<Ts...>> {
  static constexpr std::size_t kMinSize = (std::size_t{0} + ... + min_encoded_size<Ts>());

  static void encode([[maybe_unused]] Writer& w,
                     const std::tuple<Ts...>& t) requires(Transferable<Ts>&&...) {
    std::apply([&](const Ts&... items) { (w.put(items), ...); }, t);
  }

  static std::tuple<Ts...> decode([[maybe_unused]] Reader& r) requires(Transferable<Ts>&&...) {
    // A braced list evaluates its elements in order.
    return std::tuple<Ts...>{r.get<Ts>()...};
  }
};

// std::optional<T>: a presence byte, 0 or 1, then the value if present.
template <class T>
struct BuiltinCodec<std::optional<T>> {
  static constexpr std::size_t kMinSize = 1;

  static void encode(Writer& w, const std::optional<T>& o) requires Transferable<T> {
    w.put(o.has_value());
    if (o.has_value()) w.put(*o);
  }

  static std::optional<T> decode(Reader& r) requires Transferable<T> {
    if (!read_flag(r)) return std::nullopt;
    return std::optional<T>(r.get<T>());
  }
};

}  // namespace internal

// Appends the encoding of `value` to `out`. Fails to compile unless T is Transferable. If a
// codec throws (a user's, or std::length_error for more than internal::kMaxUnbackedBytes of
// elements that encode to nothing), `out` is restored to its size before the call.
template <class T>
void encode(std::vector<std::byte>& out, const T& value) {
  if constexpr (internal::check_transferable<T>()) {
    const std::size_t before = out.size();
    try {
      Writer w(out);
      w.put(value);
    } catch (...) {
      out.resize(before);
      throw;
    }
  }
}

// Decodes a T from all of `in`. Throws DecodeError if the bytes do not decode to a T or if
// any are left over; it never reads outside `in`, and checks every length against the bytes
// left before allocating for it. Fails to compile unless T is Transferable.
//
// Safe on hostile input for the built-in codecs, with two exceptions that only bytes no
// encoder wrote can reach: a trivially copyable class is taken as the bytes say (its bool or
// enum members unchecked, its pointers, if any, meaningless), and an unscoped enum without a
// fixed underlying type may be given a value outside its enumerators' range.
template <class T>
T decode(std::span<const std::byte> in) {
  if constexpr (internal::check_transferable<T>()) {
    Reader r(in);
    T value = r.get<T>();
    if (r.remaining() != 0) {
      throw DecodeError(std::to_string(r.remaining()) + " bytes left over after the value");
    }
    return value;
  } else {
    std::abort();  // Not compiled: the static_assert above has failed.
  }
}

}  // namespace futures

#endif  // FUTURES_CODEC_HPP_
