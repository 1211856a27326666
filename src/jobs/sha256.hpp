// SHA-256 digests through OpenSSL's EVP interface, as hex strings like Python's hexdigest().
#ifndef JOBS_SHA256_HPP_
#define JOBS_SHA256_HPP_

#include <cstdint>
#include <span>
#include <string>

namespace jobs {

// SHA-256 of `data` as 64 lowercase hex digits. Thread-safe: the algorithm is fetched once per
// process and each thread reuses its own digest context. Throws std::runtime_error if OpenSSL
// cannot provide SHA-256 or fails while hashing.
std::string sha256_hex(std::span<const std::uint8_t> data);

}  // namespace jobs

#endif  // JOBS_SHA256_HPP_
