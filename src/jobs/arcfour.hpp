// ARCFOUR as in Fluent Python's arcfour.py: RC4 with the CipherSaber-2 option of repeating
// the key schedule. arcfour() is the book's function; Arcfour is the same cipher as a stream.
#ifndef JOBS_ARCFOUR_HPP_
#define JOBS_ARCFOUR_HPP_

#include <cstdint>
#include <span>
#include <vector>

namespace jobs {

// The book's default number of key-schedule passes (CipherSaber-2 recommends 20).
inline constexpr int kArcfourLoops = 20;

// An ARCFOUR keystream. The key is repeated to fill a 256-byte key box and the key schedule
// runs `loops` times with j carried from one pass to the next; loops == 1 is standard RC4.
// Successive crypt() calls continue one keystream, so a message may be fed in pieces.
// Not thread-safe: each thread uses its own Arcfour; copies are independent streams.
class Arcfour {
 public:
  // Throws std::invalid_argument if the key is empty or longer than 256 bytes, or loops < 1.
  explicit Arcfour(std::span<const std::uint8_t> key, int loops = kArcfourLoops);

  // XORs the next in.size() keystream bytes with `in` into `out`. Encryption and decryption
  // are the same operation. `out` may be `in` itself but must not otherwise overlap it.
  // Throws std::invalid_argument if the sizes differ.
  void crypt(std::span<const std::uint8_t> in, std::span<std::uint8_t> out);

 private:
  // The permutation, one entry per 32-bit word (crypt() loads and stores whole words).
  std::uint32_t s_[256];
  std::uint32_t i_ = 0;
  std::uint32_t j_ = 0;
};

// The book's arcfour(key, in_bytes, loops): returns `data` encrypted (or decrypted) with a
// fresh keystream. Throws std::invalid_argument as Arcfour does. Thread-safe.
std::vector<std::uint8_t> arcfour(std::span<const std::uint8_t> key,
                                  std::span<const std::uint8_t> data, int loops = kArcfourLoops);

}  // namespace jobs

#endif  // JOBS_ARCFOUR_HPP_
