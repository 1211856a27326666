// Round trips through every built-in codec and a user's, the wire format, and decoding that
// stays safe on truncated, corrupt and random input.
#include "futures/codec.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

// The largest single allocation since the last reset, so that a test can show that a hostile
// length was refused before anything was allocated for it. The replacements stay out of line:
// inlined, GCC takes free() after operator new for a mismatch.
namespace {
std::atomic<std::size_t> largest_allocation{0};
}  // namespace

[[gnu::noinline]] void* operator new(std::size_t n) {
  std::size_t seen = largest_allocation.load(std::memory_order_relaxed);
  while (n > seen && !largest_allocation.compare_exchange_weak(seen, n)) {
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

// A user type that is not trivially copyable, through its own codec.
struct Record {
  std::string name;
  std::vector<double> values;
  friend bool operator==(const Record&, const Record&) = default;
};

template <>
struct futures::Codec<Record> {
  static void encode(Writer& w, const Record& r) {
    w.put(r.name);
    w.put(r.values);
  }
  static Record decode(Reader& r) {
    auto name = r.get<std::string>();
    return Record{std::move(name), r.get<std::vector<double>>()};
  }
};

// A trivially copyable type whose codec skips the padding: 9 bytes instead of sizeof 16.
struct Tagged {
  std::uint8_t tag;
  std::uint64_t value;
  friend bool operator==(const Tagged&, const Tagged&) = default;
};
static_assert(std::is_trivially_copyable_v<Tagged> && sizeof(Tagged) == 16);

template <>
struct futures::Codec<Tagged> {
  static void encode(Writer& w, const Tagged& t) {
    w.put(t.tag);
    w.put(t.value);
  }
  static Tagged decode(Reader& r) {
    const auto tag = r.get<std::uint8_t>();
    return Tagged{tag, r.get<std::uint64_t>()};
  }
};

namespace futures {
namespace {

struct Point {
  double x;
  double y;
  std::int32_t id;
  friend bool operator==(const Point&, const Point&) = default;
};

// Trivially copyable with no default constructor.
struct Span2 {
  Span2(int begin, int end) : begin_(begin), end_(end) {}
  int begin_;
  int end_;
  friend bool operator==(const Span2&, const Span2&) = default;
};
static_assert(std::is_trivially_copyable_v<Span2> && !std::is_default_constructible_v<Span2>);

struct Empty {
  friend bool operator==(const Empty&, const Empty&) = default;
};

struct HasPointer {
  std::unique_ptr<int> p;
};

// Trivially copyable (its copy assignment is trivial) but not copy-constructible.
struct Uncopyable {
  Uncopyable(const Uncopyable&) = delete;
  Uncopyable& operator=(const Uncopyable&) = default;
  int x;
};
static_assert(std::is_trivially_copyable_v<Uncopyable>);

enum class Colour : std::uint8_t { red, green, blue };
enum Legacy { kLow = -3, kHigh = 1000 };
enum Fixed : std::int16_t { kA = 1, kB = 2 };

using Nested = std::vector<std::pair<std::string, std::optional<std::vector<int>>>>;

static_assert(Transferable<int>);
static_assert(Transferable<double>);
static_assert(Transferable<bool>);
static_assert(Transferable<Colour>);
static_assert(Transferable<Legacy>);
static_assert(Transferable<std::byte>);
static_assert(Transferable<Point>);
static_assert(Transferable<Span2>);
static_assert(Transferable<std::string>);
static_assert(Transferable<std::u16string>);
static_assert(Transferable<std::vector<std::tuple<int, std::string>>>);
static_assert(Transferable<std::array<std::string, 3>>);
static_assert(Transferable<std::optional<Point>>);
static_assert(Transferable<std::monostate>);
static_assert(Transferable<std::tuple<>>);
static_assert(Transferable<std::chrono::milliseconds>);
static_assert(Transferable<Record>);
static_assert(Transferable<std::vector<Record>>);
static_assert(Transferable<Tagged>);
static_assert(Transferable<Nested>);

static_assert(!Transferable<int*>);
static_assert(!Transferable<const char*>);
static_assert(!Transferable<int&>);
static_assert(!Transferable<const int>);
static_assert(!Transferable<int[4]>);
static_assert(!Transferable<int Point::*>);
static_assert(!Transferable<std::nullptr_t>);
static_assert(!Transferable<void>);
static_assert(!Transferable<void()>);
static_assert(!Transferable<std::unique_ptr<int>>);
static_assert(!Transferable<std::shared_ptr<int>>);
static_assert(!Transferable<std::function<void()>>);
static_assert(!Transferable<std::vector<int*>>);
static_assert(!Transferable<std::array<int*, 2>>);
static_assert(!Transferable<std::optional<int*>>);
static_assert(!Transferable<std::pair<int, int*>>);
static_assert(!Transferable<std::tuple<int, int&>>);
static_assert(!Transferable<std::vector<std::unique_ptr<int>>>);
static_assert(!Transferable<std::string_view>);
static_assert(!Transferable<std::span<const int>>);
static_assert(!Transferable<std::reference_wrapper<int>>);
static_assert(!Transferable<std::variant<int, double>>);
static_assert(!Transferable<HasPointer>);
static_assert(!Transferable<Uncopyable>);
static_assert(!Transferable<std::vector<Uncopyable>>);

static_assert((require_transferable<>(), require_transferable<int, std::string, Record>(), true));

std::vector<std::byte> encoded(const auto& value) {
  std::vector<std::byte> out;
  encode(out, value);
  return out;
}

template <class T>
T round_trip(const T& value) {
  return decode<T>(encoded(value));
}

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

void append_u64(std::vector<std::byte>& out, std::uint64_t v) {
  const auto* p = reinterpret_cast<const std::byte*>(&v);
  out.insert(out.end(), p, p + sizeof v);
}

Nested sample_nested() {
  return {{"alpha", std::vector<int>{1, -2, 3}},
          {"", std::nullopt},
          {std::string("nul\0inside", 10), std::vector<int>{}},
          {"omega", std::vector<int>{std::numeric_limits<int>::min()}}};
}

TEST(CodecTest, RoundTripsArithmeticTypes) {
  EXPECT_EQ(round_trip(std::int8_t{-7}), -7);
  EXPECT_EQ(round_trip(std::uint16_t{65535}), 65535);
  EXPECT_EQ(round_trip(std::int32_t{-123456}), -123456);
  EXPECT_EQ(round_trip(std::numeric_limits<std::int64_t>::min()),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(round_trip(std::numeric_limits<std::uint64_t>::max()),
            std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(round_trip('x'), 'x');
  EXPECT_EQ(round_trip(u'\u00e9'), u'\u00e9');
  EXPECT_EQ(round_trip(3.25f), 3.25f);
  EXPECT_EQ(round_trip(-0.1), -0.1);
  EXPECT_EQ(round_trip(1.5L), 1.5L);
  EXPECT_EQ(round_trip(std::numeric_limits<double>::infinity()),
            std::numeric_limits<double>::infinity());
  EXPECT_TRUE(round_trip(true));
  EXPECT_FALSE(round_trip(false));
  EXPECT_EQ(encoded(std::int32_t{1}).size(), sizeof(std::int32_t));
  EXPECT_EQ(encoded(true), bytes_of({1}));
}

TEST(CodecTest, RoundTripsEnums) {
  EXPECT_EQ(round_trip(Colour::blue), Colour::blue);
  EXPECT_EQ(round_trip(kLow), kLow);
  EXPECT_EQ(round_trip(kHigh), kHigh);
  EXPECT_EQ(round_trip(kB), kB);
  EXPECT_EQ(round_trip(std::byte{0xab}), std::byte{0xab});
  EXPECT_EQ(encoded(Colour::green), bytes_of({1}));
  // No range check: any value of the underlying type comes back.
  EXPECT_EQ(decode<Colour>(bytes_of({200})), static_cast<Colour>(200));
}

TEST(CodecTest, RoundTripsTriviallyCopyableStructs) {
  const Point p{1.5, -2.5, 42};
  EXPECT_EQ(round_trip(p), p);
  EXPECT_EQ(encoded(p).size(), sizeof(Point));
  EXPECT_EQ(round_trip(Span2(3, 9)), Span2(3, 9));
  EXPECT_EQ(round_trip(Empty{}), Empty{});
  EXPECT_EQ(round_trip(std::chrono::milliseconds(1500)), std::chrono::milliseconds(1500));
  const std::vector<Span2> spans{Span2(1, 2), Span2(3, 4)};
  EXPECT_EQ(round_trip(spans), spans);
  const std::vector<Point> points{p, {0, 0, -1}, {1e300, -1e-300, 7}};
  EXPECT_EQ(round_trip(points), points);
  EXPECT_EQ(encoded(points).size(), 8 + 3 * sizeof(Point));
}

TEST(CodecTest, RoundTripsStrings) {
  EXPECT_EQ(round_trip(std::string()), "");
  EXPECT_EQ(round_trip(std::string("hello")), "hello");
  const std::string with_nuls("a\0b\0", 4);
  EXPECT_EQ(round_trip(with_nuls), with_nuls);
  EXPECT_EQ(round_trip(std::u16string(u"d\u00e9j\u00e0")), u"d\u00e9j\u00e0");
  EXPECT_EQ(round_trip(std::u32string(U"\U0001F600")), U"\U0001F600");
  EXPECT_EQ(round_trip(std::wstring(L"wide")), L"wide");

  std::vector<std::byte> expected;
  append_u64(expected, 2);
  expected.push_back(std::byte{'h'});
  expected.push_back(std::byte{'i'});
  EXPECT_EQ(encoded(std::string("hi")), expected);
}

TEST(CodecTest, RoundTripsVectors) {
  EXPECT_EQ(round_trip(std::vector<int>{}), std::vector<int>{});
  EXPECT_EQ(round_trip(std::vector<int>{1, 2, 3}), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(round_trip(std::vector<std::string>{"a", "", "ccc"}),
            (std::vector<std::string>{"a", "", "ccc"}));
  const std::vector<bool> bits{true, false, false, true, true};
  EXPECT_EQ(round_trip(bits), bits);
  EXPECT_EQ(encoded(bits).size(), 8 + bits.size());
  EXPECT_EQ(round_trip(std::vector<char>{'x', 'y'}), (std::vector<char>{'x', 'y'}));
  EXPECT_EQ(round_trip(std::vector<std::byte>{std::byte{1}, std::byte{255}}),
            (std::vector<std::byte>{std::byte{1}, std::byte{255}}));
  const std::vector<std::vector<double>> grid{{1.0}, {}, {2.0, 3.0}};
  EXPECT_EQ(round_trip(grid), grid);

  std::vector<std::byte> expected;
  append_u64(expected, 2);
  const std::int16_t items[] = {7, -1};
  const auto* p = reinterpret_cast<const std::byte*>(items);
  expected.insert(expected.end(), p, p + sizeof items);
  EXPECT_EQ(encoded(std::vector<std::int16_t>{7, -1}), expected);
}

TEST(CodecTest, RoundTripsArrays) {
  const std::array<int, 4> ints{1, 2, 3, 4};
  EXPECT_EQ(round_trip(ints), ints);
  EXPECT_EQ(encoded(ints).size(), sizeof ints);
  const std::array<std::string, 3> strings{"x", "", "zz"};
  EXPECT_EQ(round_trip(strings), strings);
  const std::array<bool, 3> flags{true, false, true};
  EXPECT_EQ(round_trip(flags), flags);
  const std::array<Span2, 2> spans{Span2(1, 2), Span2(5, 6)};
  EXPECT_EQ(round_trip(spans), spans);
  const std::array<Record, 2> records{Record{"r", {1.0}}, Record{"s", {}}};
  EXPECT_EQ(round_trip(records), records);
  EXPECT_EQ(round_trip(std::array<int, 0>{}), (std::array<int, 0>{}));
}

TEST(CodecTest, RoundTripsPairsAndTuples) {
  const std::pair<int, std::string> p{7, "seven"};
  EXPECT_EQ(round_trip(p), p);
  const std::tuple<std::string, double, std::vector<int>, bool> t{"t", 0.5, {9, 8}, true};
  EXPECT_EQ(round_trip(t), t);
  EXPECT_EQ(round_trip(std::tuple<>{}), std::tuple<>{});
  EXPECT_TRUE(encoded(std::tuple<>{}).empty());

  // Elements travel in order: first, then second.
  std::vector<std::byte> expected = bytes_of({1});
  append_u64(expected, 0);
  EXPECT_EQ(encoded(std::pair<bool, std::string>{true, ""}), expected);
}

TEST(CodecTest, RoundTripsOptionalAndMonostate) {
  EXPECT_EQ(round_trip(std::optional<int>{}), std::nullopt);
  EXPECT_EQ(round_trip(std::optional<int>{5}), 5);
  EXPECT_EQ(round_trip(std::optional<std::string>{"s"}), "s");
  EXPECT_EQ(encoded(std::optional<int>{}), bytes_of({0}));
  EXPECT_EQ(round_trip(std::monostate{}), std::monostate{});
  EXPECT_TRUE(encoded(std::monostate{}).empty());
  const std::vector<std::monostate> nothing(1000);
  EXPECT_EQ(round_trip(nothing), nothing);
  EXPECT_EQ(encoded(nothing).size(), 8u);
}

TEST(CodecTest, RoundTripsNestedValues) {
  const Nested n = sample_nested();
  EXPECT_EQ(round_trip(n), n);
  using Deep = std::optional<
      std::tuple<std::array<std::vector<std::string>, 2>, std::pair<Colour, std::optional<Point>>>>;
  const Deep d = std::tuple{std::array<std::vector<std::string>, 2>{{{"a", "b"}, {}}},
                            std::pair{Colour::red, std::optional<Point>{Point{1, 2, 3}}}};
  EXPECT_EQ(round_trip(d), d);
}

TEST(CodecTest, UserCodecCarriesTypeThatIsNotTriviallyCopyable) {
  static_assert(!std::is_trivially_copyable_v<Record>);
  const Record r{"temperatures", {20.5, 21.0, -3.25}};
  EXPECT_EQ(round_trip(r), r);
  EXPECT_EQ(encoded(r).size(), 8 + 12 + 8 + 3 * sizeof(double));
  const std::vector<std::optional<Record>> records{r, std::nullopt, Record{}};
  EXPECT_EQ(round_trip(records), records);
}

TEST(CodecTest, UserCodecOverridesMemcpyForTriviallyCopyableType) {
  const Tagged t{3, 0x0102030405060708u};
  EXPECT_EQ(encoded(t).size(), 9u);
  EXPECT_EQ(round_trip(t), t);
  // Inside containers, too.
  const std::vector<Tagged> tags{t, Tagged{4, 5}};
  EXPECT_EQ(encoded(tags).size(), 8 + 2 * 9u);
  EXPECT_EQ(round_trip(tags), tags);
  EXPECT_EQ(encoded(std::array<Tagged, 2>{t, t}).size(), 18u);
}

TEST(CodecTest, RoundTripsFiftyMebibyteVector) {
  std::vector<std::uint8_t> big(50u << 20);
  for (std::size_t k = 0; k < big.size(); ++k) big[k] = static_cast<std::uint8_t>(k * 31 % 251);
  const auto bytes = encoded(big);
  EXPECT_EQ(bytes.size(), 8 + big.size());
  const auto back = decode<std::vector<std::uint8_t>>(bytes);
  EXPECT_TRUE(back == big);
}

TEST(CodecTest, RoundTripsTwentyMebibyteString) {
  std::string big(20u << 20, '\0');
  for (std::size_t k = 0; k < big.size(); ++k) big[k] = static_cast<char>('a' + k % 26);
  const auto back = round_trip(big);
  EXPECT_EQ(back.size(), big.size());
  EXPECT_TRUE(back == big);
}

TEST(CodecTest, RoundTripsLargeVectorOfDoubles) {
  std::vector<double> big(2u << 20);
  for (std::size_t k = 0; k < big.size(); ++k) big[k] = static_cast<double>(k) * 0.5;
  EXPECT_TRUE(round_trip(big) == big);
}

TEST(CodecTest, EveryTruncationThrowsDecodeError) {
  const auto bytes = encoded(sample_nested());
  ASSERT_GT(bytes.size(), 50u);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(decode<Nested>(std::span(bytes).first(n)), DecodeError) << "prefix " << n;
  }
  const auto record = encoded(Record{"name", {1.0, 2.0}});
  for (std::size_t n = 0; n < record.size(); ++n) {
    EXPECT_THROW(decode<Record>(std::span(record).first(n)), DecodeError) << "prefix " << n;
  }
}

TEST(CodecTest, TrailingBytesThrowDecodeError) {
  auto bytes = encoded(sample_nested());
  bytes.push_back(std::byte{0});
  EXPECT_THROW(decode<Nested>(bytes), DecodeError);
  EXPECT_THROW(decode<std::int32_t>(bytes_of({1, 2, 3, 4, 5})), DecodeError);
  EXPECT_THROW(decode<std::monostate>(bytes_of({0})), DecodeError);
}

TEST(CodecTest, HugeLengthThrowsDecodeErrorWithoutAllocating) {
  for (const std::uint64_t length :
       {std::uint64_t{1} << 60, std::uint64_t{1} << 28, std::uint64_t{100},
        std::numeric_limits<std::uint64_t>::max()}) {
    std::vector<std::byte> bytes;
    append_u64(bytes, length);
    bytes.resize(bytes.size() + 16);  // Some bytes, far fewer than the length needs.
    largest_allocation = 0;
    EXPECT_THROW(decode<std::vector<int>>(bytes), DecodeError) << length;
    EXPECT_THROW(decode<std::vector<std::uint8_t>>(bytes), DecodeError) << length;
    EXPECT_THROW(decode<std::string>(bytes), DecodeError) << length;
    EXPECT_THROW(decode<std::u32string>(bytes), DecodeError) << length;
    EXPECT_THROW(decode<std::vector<std::string>>(bytes), DecodeError) << length;
    EXPECT_THROW(decode<std::vector<bool>>(bytes), DecodeError) << length;
    EXPECT_THROW(decode<std::vector<Record>>(bytes), DecodeError) << length;
    EXPECT_THROW(decode<Nested>(bytes), DecodeError) << length;
    EXPECT_LT(largest_allocation.load(), std::size_t{1} << 10) << length;
    // Empty elements need no input; they are bounded by the allowance instead.
    EXPECT_THROW(decode<std::vector<std::monostate>>(bytes), DecodeError) << length;
    EXPECT_THROW(decode<std::vector<std::tuple<>>>(bytes), DecodeError) << length;
    EXPECT_LE(largest_allocation.load(), 2 * internal::kMaxUnbackedBytes) << length;
  }
}

TEST(CodecTest, ElementsThatEncodeToNothingAreBounded) {
  // 2^60 empty elements would take forever; the decoder gives up after its allowance.
  std::vector<std::byte> bytes;
  append_u64(bytes, std::uint64_t{1} << 60);
  largest_allocation = 0;
  EXPECT_THROW(decode<std::vector<std::monostate>>(bytes), DecodeError);
  EXPECT_LE(largest_allocation.load(), 2 * internal::kMaxUnbackedBytes);

  // The allowance is per message, not per vector.
  const std::vector<std::vector<std::monostate>> halves(
      3, std::vector<std::monostate>(internal::kMaxUnbackedBytes / 2));
  std::vector<std::byte> out{std::byte{9}};
  EXPECT_THROW(encode(out, halves), std::length_error);
  EXPECT_EQ(out, bytes_of({9}));  // Restored.
  const std::vector<std::vector<std::monostate>> two(2, halves[0]);
  EXPECT_EQ(round_trip(two), two);
}

TEST(CodecTest, InvalidFlagBytesThrowDecodeError) {
  EXPECT_THROW(decode<bool>(bytes_of({2})), DecodeError);
  EXPECT_THROW(decode<bool>(bytes_of({255})), DecodeError);
  EXPECT_THROW(decode<std::optional<int>>(bytes_of({2, 0, 0, 0, 0})), DecodeError);
  auto bits = encoded(std::vector<bool>{true, false});
  bits.back() = std::byte{2};
  EXPECT_THROW(decode<std::vector<bool>>(bits), DecodeError);
  EXPECT_THROW((decode<std::array<bool, 2>>(bytes_of({1, 3}))), DecodeError);
}

TEST(CodecTest, RandomInputDecodesOrThrowsDecodeError) {
  std::mt19937_64 rng(20240611);
  const auto valid = encoded(sample_nested());
  int decoded = 0;
  for (int round = 0; round < 4000; ++round) {
    std::vector<std::byte> bytes;
    if (round % 3 == 0) {
      bytes.resize(rng() % 256);
      for (auto& b : bytes) b = static_cast<std::byte>(rng());
    } else if (round % 3 == 1) {
      // Noise made of small counts, flag bytes and random bytes, which gets deeper.
      const std::size_t pieces = rng() % 64;
      for (std::size_t k = 0; k < pieces; ++k) {
        switch (rng() % 3) {
          case 0:
            append_u64(bytes, rng() % 4);
            break;
          case 1:
            bytes.push_back(static_cast<std::byte>(rng() % 3));
            break;
          default:
            bytes.push_back(static_cast<std::byte>(rng()));
        }
      }
    } else {
      // A valid encoding with a few bytes changed, or cut short, or extended.
      bytes = valid;
      for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
        bytes[rng() % bytes.size()] = static_cast<std::byte>(rng());
      }
      if (rng() % 4 == 0) bytes.resize(rng() % (bytes.size() + 8));
    }
    try {
      static_cast<void>(decode<Nested>(bytes));
      ++decoded;
    } catch (const DecodeError&) {
    }
  }
  EXPECT_GT(decoded, 0);  // Some mutations only change characters or numbers.
}

TEST(CodecTest, EncodeAppendsToTheBuffer) {
  std::vector<std::byte> out = bytes_of({0xee});
  encode(out, std::uint8_t{7});
  encode(out, std::string("z"));
  EXPECT_EQ(out.size(), 1 + 1 + 8 + 1u);
  EXPECT_EQ(out[0], std::byte{0xee});
  Reader r{std::span(out).subspan(1)};
  EXPECT_EQ(r.get<std::uint8_t>(), 7);
  EXPECT_EQ(r.get<std::string>(), "z");
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(CodecTest, ReaderNeverReadsPastItsInput) {
  const auto bytes = bytes_of({1, 2, 3});
  Reader r(bytes);
  EXPECT_EQ(r.remaining(), 3u);
  const auto head = r.take(2);
  EXPECT_EQ(head.data(), bytes.data());  // A view, not a copy.
  EXPECT_EQ(head.size(), 2u);
  std::byte out[2] = {};
  EXPECT_THROW(r.read(out, 2), DecodeError);
  EXPECT_EQ(r.remaining(), 1u);  // Nothing consumed by the failed read.
  EXPECT_THROW(r.take(2), DecodeError);
  r.read(nullptr, 0);
  r.read(out, 1);
  EXPECT_EQ(out[0], std::byte{3});
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_THROW(r.get<std::uint8_t>(), DecodeError);
}

TEST(CodecTest, WriterAndReaderComposeValues) {
  std::vector<std::byte> out;
  Writer w(out);
  w.put(std::int64_t{-5});
  w.put(std::vector<std::string>{"p", "q"});
  w.write(nullptr, 0);
  Reader r(out);
  EXPECT_EQ(r.get<std::int64_t>(), -5);
  EXPECT_EQ(r.get<std::vector<std::string>>(), (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(r.remaining(), 0u);
}

}  // namespace
}  // namespace futures
