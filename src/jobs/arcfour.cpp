#include "jobs/arcfour.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>

namespace jobs {

Arcfour::Arcfour(std::span<const std::uint8_t> key, int loops) {
  if (key.empty() || key.size() > 256) {
    throw std::invalid_argument("arcfour: key must be 1 to 256 bytes long, got " +
                                std::to_string(key.size()) + " bytes");
  }
  if (loops < 1) {
    throw std::invalid_argument("arcfour: loops must be 1 or more, got " + std::to_string(loops));
  }
  // The key box holds the key repeated until full.
  std::uint8_t kbox[256];
  for (std::size_t filled = 0; filled < 256; filled += key.size()) {
    std::memcpy(kbox + filled, key.data(), std::min(key.size(), 256 - filled));
  }
  for (std::size_t i = 0; i < 256; ++i) s_[i] = static_cast<std::uint8_t>(i);
  // j is carried from one pass to the next, as in the book; it is kept unmasked like the
  // indexes of crypt() below.
  std::uint32_t j = 0;
  for (int pass = 0; pass < loops; ++pass) {
    for (std::size_t i = 0; i < 256; ++i) {
      const std::uint8_t si = s_[i];
      j += si + kbox[i];
      s_[i] = s_[j & 0xff];
      s_[j & 0xff] = si;
    }
  }
}

// The byte loop keeps i and j unmasked (their low 8 bits are the RC4 indexes; 2^32 is a
// multiple of 256), so the only serial dependency from one byte to the next is the addition
// j += S[i], and masking happens off that chain, where the table is indexed. Eight keystream
// bytes are gathered into one word and XORed with the input eight at a time. The table is
// worked on in a local copy, which the compiler addresses off the stack pointer and knows
// that no other pointer reaches.
void Arcfour::crypt(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
  if (in.size() != out.size()) {
    throw std::invalid_argument("Arcfour::crypt: output must be as long as the input (" +
                                std::to_string(in.size()) + " bytes), got " +
                                std::to_string(out.size()) + " bytes");
  }
  std::uint8_t s[256];
  std::memcpy(s, s_, sizeof s);
  std::uint32_t i = i_;
  std::uint32_t j = j_;
  auto next = [&s, &i, &j]() -> std::uint32_t {
    i += 1;
    const std::uint32_t si = s[i & 0xff];
    j += si;
    const std::uint32_t sj = s[j & 0xff];
    s[i & 0xff] = static_cast<std::uint8_t>(sj);
    s[j & 0xff] = static_cast<std::uint8_t>(si);
    return s[(si + sj) & 0xff];
  };

  const std::uint8_t* src = in.data();
  std::uint8_t* dst = out.data();
  std::size_t n = in.size();
  while (n >= 8) {
    std::uint64_t k = 0;
#pragma GCC unroll 8
    for (int b = 0; b < 8; ++b) {
      const int shift = std::endian::native == std::endian::little ? 8 * b : 56 - 8 * b;
      k |= static_cast<std::uint64_t>(next()) << shift;
    }
    std::uint64_t word;
    std::memcpy(&word, src, 8);
    word ^= k;
    std::memcpy(dst, &word, 8);
    src += 8;
    dst += 8;
    n -= 8;
  }
  for (; n > 0; --n) *dst++ = static_cast<std::uint8_t>(*src++ ^ next());
  std::memcpy(s_, s, sizeof s);
  i_ = i & 0xff;
  j_ = j & 0xff;
}

std::vector<std::uint8_t> arcfour(std::span<const std::uint8_t> key,
                                  std::span<const std::uint8_t> data, int loops) {
  Arcfour cipher(key, loops);
  std::vector<std::uint8_t> out(data.begin(), data.end());
  cipher.crypt(out, out);
  return out;
}

}  // namespace jobs
