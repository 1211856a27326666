#include "jobs/arcfour.hpp"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>

namespace jobs {

namespace {

// Keystream bytes made per round of crypt()'s main loop. The round's indexes i + 1 to
// i + kBlock must not wrap past 255, so a round starts where i + 1 is a multiple of kBlock.
// Measured against 8 and 16 here: 32 is the smallest block that keeps up with OpenSSL's
// assembly; 64 is no faster.
constexpr std::uint32_t kBlock = 32;

// Where keystream byte q of a 64-bit word lands, so that XORing the word with 8 input bytes
// read by memcpy XORs byte q with input byte q.
constexpr int byte_shift(std::uint32_t q) {
  return std::endian::native == std::endian::little ? static_cast<int>(8 * q)
                                                    : static_cast<int>(56 - 8 * q);
}

}  // namespace

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
  for (std::uint32_t i = 0; i < 256; ++i) s_[i] = i;
  // j is carried from one pass to the next, as in the book. It is kept unmasked (its low 8
  // bits are the index; 2^32 is a multiple of 256) so that masking stays off the j += chain.
  std::uint32_t j = 0;
  for (int pass = 0; pass < loops; ++pass) {
    for (std::uint32_t i = 0; i < 256; ++i) {
      const std::uint32_t si = s_[i];
      j += si + kbox[i];
      s_[i] = s_[j & 0xff];
      s_[j & 0xff] = si;
    }
  }
}

// The only serial dependency from one byte to the next is j += S[i]: j is kept unmasked and
// masked where the table is indexed, off that chain. The main loop reads S[i + 1] before the
// swap of byte i writes S[i], but after it writes S[j], so the read sees the swap when
// j == i + 1 without a test. Keystream bytes are gathered into a 64-bit word that is XORed
// with the input as soon as its eighth byte is made (XORing a block's four words at its end
// let g++ -O2 assemble them in vector registers, 10 % slower). The table is worked on in a
// local copy, which no pointer to the input or output can reach, so the compiler keeps its
// loads and stores as they are written.
void Arcfour::crypt(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
  if (in.size() != out.size()) {
    throw std::invalid_argument("Arcfour::crypt: output must be as long as the input (" +
                                std::to_string(in.size()) + " bytes), got " +
                                std::to_string(out.size()) + " bytes");
  }
  std::uint32_t s[256];
  std::memcpy(s, s_, sizeof s);
  std::uint32_t i = i_;
  std::uint32_t j = j_;
  auto next = [&s, &i, &j]() -> std::uint8_t {
    i = (i + 1) & 0xff;
    const std::uint32_t si = s[i];
    j += si;
    const std::uint32_t sj = s[j & 0xff];
    s[j & 0xff] = si;
    s[i] = sj;
    return static_cast<std::uint8_t>(s[(si + sj) & 0xff]);
  };

  const std::uint8_t* src = in.data();
  std::uint8_t* dst = out.data();
  std::size_t n = in.size();
  for (; n > 0 && (i + 1) % kBlock != 0; --n) *dst++ = static_cast<std::uint8_t>(*src++ ^ next());
  if (n >= kBlock) {
    std::uint32_t si = s[(i + 1) & 0xff];
    do {
      std::uint32_t* const block = s + ((i + 1) & 0xff);
      std::uint64_t k = 0;
#pragma GCC unroll 32
      for (std::uint32_t q = 0; q < kBlock; ++q) {
        j += si;
        const std::uint32_t sj = s[j & 0xff];
        s[j & 0xff] = si;
        const std::uint32_t following = q + 1 < kBlock ? block[q + 1] : s[(i + 1 + kBlock) & 0xff];
        block[q] = sj;
        k |= std::uint64_t{s[(si + sj) & 0xff]} << byte_shift(q % 8);
        si = following;
        if (q % 8 == 7) {
          std::uint64_t word;
          std::memcpy(&word, src + q - 7, 8);
          word ^= k;
          std::memcpy(dst + q - 7, &word, 8);
          k = 0;
        }
      }
      src += kBlock;
      dst += kBlock;
      n -= kBlock;
      i = (i + kBlock) & 0xff;
    } while (n >= kBlock);
  }
  for (; n > 0; --n) *dst++ = static_cast<std::uint8_t>(*src++ ^ next());
  std::memcpy(s_, s, sizeof s);
  i_ = i;
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
