#include "jobs/sha256.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace jobs {
namespace {

[[noreturn]] void throw_openssl_error(const char* what) {
  char reason[256] = "no OpenSSL error queued";
  if (const unsigned long code = ERR_get_error(); code != 0) {
    ERR_error_string_n(code, reason, sizeof reason);
  }
  ERR_clear_error();
  throw std::runtime_error(std::string("sha256_hex: ") + what + ": " + reason);
}

// Fetched on first use and kept for the life of the process.
const EVP_MD* sha256_md() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    if (fetched == nullptr) throw_openssl_error("cannot fetch SHA2-256");
    return fetched;
  }();
  return md;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};

EVP_MD_CTX* thread_md_ctx() {
  thread_local const std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) throw_openssl_error("cannot allocate a digest context");
  return ctx.get();
}

}  // namespace

std::string sha256_hex(std::span<const std::uint8_t> data) {
  const EVP_MD* md = sha256_md();
  EVP_MD_CTX* ctx = thread_md_ctx();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestInit_ex2(ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, digest, &length) != 1) {
    throw_openssl_error("digest failed");
  }
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string hex(2 * std::size_t{length}, '\0');
  for (unsigned int k = 0; k < length; ++k) {
    hex[2 * k] = kHexDigits[digest[k] >> 4];
    hex[2 * k + 1] = kHexDigits[digest[k] & 0xf];
  }
  return hex;
}

}  // namespace jobs
