// Single-thread throughput of the job kernels beside OpenSSL doing the same work: ARCFOUR
// (loops = 1, i.e. RC4) against OpenSSL's assembly RC4, SHA-256 against a bare EVP_Digest
// loop, and the random-byte generator. Every row reports bytes per second.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench_main.hpp"
#include "jobs/jobs.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

const Bytes& rc4_key() {
  static const Bytes key = jobs::random_bytes(16, 1);
  return key;
}

void block_sizes(benchmark::internal::Benchmark* b) {
  b->ArgName("bytes")->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20);
}

void set_bytes(benchmark::State& state) {
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

// Keys a fresh stream and encrypts the buffer, as one call of the book's arcfour() does.
void BM_Arcfour_Ours(benchmark::State& state) {
  const Bytes in = jobs::random_bytes(static_cast<std::size_t>(state.range(0)), 2);
  Bytes out(in.size());
  for (auto _ : state) {
    jobs::Arcfour cipher(rc4_key(), 1);
    cipher.crypt(in, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state);
}
BENCHMARK(BM_Arcfour_Ours)->Apply(block_sizes);

// The same work through EVP with OpenSSL's RC4, which OpenSSL 3 serves only from the legacy
// provider, loaded here into a library context of its own.
void BM_Arcfour_OpenSSL(benchmark::State& state) {
  OSSL_LIB_CTX* libctx = OSSL_LIB_CTX_new();
  OSSL_PROVIDER* legacy = OSSL_PROVIDER_load(libctx, "legacy");
  OSSL_PROVIDER* fallback = OSSL_PROVIDER_load(libctx, "default");
  EVP_CIPHER* rc4 = EVP_CIPHER_fetch(libctx, "RC4", nullptr);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  const Bytes& key = rc4_key();
  if (rc4 == nullptr || ctx == nullptr ||
      EVP_EncryptInit_ex2(ctx, rc4, nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_key_length(ctx, static_cast<int>(key.size())) != 1) {
    state.SkipWithError("OpenSSL RC4 unavailable (legacy provider not installed?)");
  } else {
    const Bytes in = jobs::random_bytes(static_cast<std::size_t>(state.range(0)), 2);
    Bytes out(in.size());
    int written = 0;
    for (auto _ : state) {
      EVP_EncryptInit_ex2(ctx, nullptr, key.data(), nullptr, nullptr);
      EVP_EncryptUpdate(ctx, out.data(), &written, in.data(), static_cast<int>(in.size()));
      benchmark::DoNotOptimize(out.data());
      benchmark::ClobberMemory();
    }
    set_bytes(state);
  }
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(rc4);
  if (fallback != nullptr) OSSL_PROVIDER_unload(fallback);
  if (legacy != nullptr) OSSL_PROVIDER_unload(legacy);
  OSSL_LIB_CTX_free(libctx);
}
BENCHMARK(BM_Arcfour_OpenSSL)->Apply(block_sizes);

// The book's call: 20 key-schedule passes and a newly allocated result.
void BM_Arcfour_Book(benchmark::State& state) {
  const Bytes in = jobs::random_bytes(static_cast<std::size_t>(state.range(0)), 2);
  const std::string_view text = jobs::kArcfourKey;
  const Bytes key(text.begin(), text.end());
  for (auto _ : state) benchmark::DoNotOptimize(jobs::arcfour(key, in));
  set_bytes(state);
}
BENCHMARK(BM_Arcfour_Book)->Apply(block_sizes);

void hash_sizes(benchmark::internal::Benchmark* b) {
  b->ArgName("bytes")->Arg(64)->Arg(4 << 10)->Arg(1 << 20);
}

void BM_Sha256_Ours(benchmark::State& state) {
  const Bytes in = jobs::random_bytes(static_cast<std::size_t>(state.range(0)), 3);
  for (auto _ : state) benchmark::DoNotOptimize(jobs::sha256_hex(in));
  set_bytes(state);
}
BENCHMARK(BM_Sha256_Ours)->Apply(hash_sizes);

void BM_Sha256_EvpDigest(benchmark::State& state) {
  const Bytes in = jobs::random_bytes(static_cast<std::size_t>(state.range(0)), 3);
  const EVP_MD* md = EVP_sha256();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  for (auto _ : state) {
    EVP_Digest(in.data(), in.size(), digest, &length, md, nullptr);
    benchmark::DoNotOptimize(digest);
    benchmark::ClobberMemory();
  }
  set_bytes(state);
}
BENCHMARK(BM_Sha256_EvpDigest)->Apply(hash_sizes);

void BM_FillRandom(benchmark::State& state) {
  Bytes out(static_cast<std::size_t>(state.range(0)));
  std::uint64_t seed = 0;
  for (auto _ : state) {
    jobs::fill_random(out, ++seed);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state);
}
BENCHMARK(BM_FillRandom)->Apply(block_sizes);

// Whole jobs as the executors will run them: the book's largest ARCFOUR job and one SHA job.
void BM_Job_ArcfourTest(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::string key(jobs::kArcfourKey);
  for (auto _ : state) benchmark::DoNotOptimize(jobs::arcfour_test(size, key, 4));
  set_bytes(state);
}
BENCHMARK(BM_Job_ArcfourTest)->ArgName("bytes")->Arg(393216)->Unit(benchmark::kMillisecond);

void BM_Job_Sha(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(jobs::sha_job(size, 5));
  set_bytes(state);
}
BENCHMARK(BM_Job_Sha)->ArgName("bytes")->Arg(1 << 20)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  const bench::Program program{
      .name = "jobs_bench",
      .summary = "Single-thread throughput of the ARCFOUR, SHA-256 and random-data kernels "
                 "beside OpenSSL.",
      .flags = {},
      .defaults = {}};
  return bench::run_benchmarks(program.name, bench::initialize(program, argc, argv));
}
