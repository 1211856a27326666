// Single-thread throughput of the job kernels beside OpenSSL doing the same work: ARCFOUR
// (loops = 1, i.e. RC4) against OpenSSL's assembly RC4, SHA-256 against a bare EVP_Digest
// loop, and the random-byte generator, at 4 KiB, 64 KiB, 1 MiB and 16 MiB. Where a kernel
// writes an output buffer, it is timed twice: into a buffer allocated once, outside the loop
// (fresh:0), and into a new buffer per call (fresh:1), as the jobs do; the difference is the
// allocation and its page faults (the minor_faults counter). Every row reports bytes per second,
// the process's page faults and system time per call and the canary (bench/row_sample.hpp),
// and says what it is in its label: "executor=kernel workload=arcfour-ours buffer=fresh".
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench_main.hpp"
#include "jobs/jobs.hpp"
#include "report/fields.hpp"
#include "row_sample.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

const Bytes& rc4_key() {
  static const Bytes key = jobs::random_bytes(16, 1);
  return key;
}

constexpr std::int64_t kSizes[] = {4 << 10, 64 << 10, 1 << 20, 16 << 20};

void sizes(benchmark::internal::Benchmark* b) {
  b->ArgName("bytes");
  for (std::int64_t n : kSizes) b->Arg(n);
}

void sizes_and_buffers(benchmark::internal::Benchmark* b) {
  b->ArgNames({"bytes", "fresh"});
  for (std::int64_t n : kSizes) b->Args({n, 0})->Args({n, 1});
}

// What every row records around its timed loop. Construct it just before the loop; call
// finish() just after.
class Row {
 public:
  explicit Row(benchmark::State& state) : state_(state) {}

  // `workload` names the kernel ("arcfour-ours"); `buffer` is "preallocated", "fresh" or ""
  // for a kernel without an output buffer.
  void finish(std::string_view workload, std::string_view buffer = {}) {
    sample_.finish(state_);
    state_.SetBytesProcessed(state_.iterations() * state_.range(0));
    std::string label = std::string(fields::kExecutor) + "=kernel " +
                        std::string(fields::kWorkload) + "=" + std::string(workload);
    if (!buffer.empty()) label += " buffer=" + std::string(buffer);
    state_.SetLabel(label);
  }

 private:
  benchmark::State& state_;
  bench::RowSample sample_;
};

// Times `write(out)` on an output buffer of `size` bytes, one allocated before the loop or,
// when `fresh`, a new one per call, and records the row (Row) as `workload`.
template <class Write>
void time_output(benchmark::State& state, std::size_t size, bool fresh, std::string_view workload,
                 Write&& write) {
  if (fresh) {
    Row row(state);
    for (auto _ : state) {
      Bytes out(size);
      write(std::span<std::uint8_t>(out));
      benchmark::DoNotOptimize(out.data());
      benchmark::ClobberMemory();
    }
    row.finish(workload, "fresh");
    return;
  }
  Bytes out(size);
  Row row(state);
  for (auto _ : state) {
    write(std::span<std::uint8_t>(out));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  row.finish(workload, "preallocated");
}

// Keys a fresh stream and encrypts the buffer, as one call of the book's arcfour() does.
void BM_Arcfour_Ours(benchmark::State& state) {
  const Bytes in = jobs::random_bytes(static_cast<std::size_t>(state.range(0)), 2);
  time_output(state, in.size(), state.range(1) != 0, "arcfour-ours", [&](auto out) {
    jobs::Arcfour cipher(rc4_key(), 1);
    cipher.crypt(in, out);
  });
}
BENCHMARK(BM_Arcfour_Ours)->Apply(sizes_and_buffers);

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
    time_output(state, in.size(), state.range(1) != 0, "arcfour-openssl", [&](auto out) {
      int written = 0;
      EVP_EncryptInit_ex2(ctx, nullptr, key.data(), nullptr, nullptr);
      EVP_EncryptUpdate(ctx, out.data(), &written, in.data(), static_cast<int>(in.size()));
    });
  }
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(rc4);
  if (fallback != nullptr) OSSL_PROVIDER_unload(fallback);
  if (legacy != nullptr) OSSL_PROVIDER_unload(legacy);
  OSSL_LIB_CTX_free(libctx);
}
BENCHMARK(BM_Arcfour_OpenSSL)->Apply(sizes_and_buffers);

// The book's call: 20 key-schedule passes and a newly allocated result.
void BM_Arcfour_Book(benchmark::State& state) {
  const Bytes in = jobs::random_bytes(static_cast<std::size_t>(state.range(0)), 2);
  const std::string_view text = jobs::kArcfourKey;
  const Bytes key(text.begin(), text.end());
  Row row(state);
  for (auto _ : state) benchmark::DoNotOptimize(jobs::arcfour(key, in));
  row.finish("arcfour-book", "fresh");
}
BENCHMARK(BM_Arcfour_Book)->Apply(sizes);

// SHA-256 writes a 32-byte digest: no output buffer to vary.
void BM_Sha256_Ours(benchmark::State& state) {
  const Bytes in = jobs::random_bytes(static_cast<std::size_t>(state.range(0)), 3);
  Row row(state);
  for (auto _ : state) benchmark::DoNotOptimize(jobs::sha256_hex(in));
  row.finish("sha256-ours");
}
BENCHMARK(BM_Sha256_Ours)->Apply(sizes);

void BM_Sha256_EvpDigest(benchmark::State& state) {
  const Bytes in = jobs::random_bytes(static_cast<std::size_t>(state.range(0)), 3);
  const EVP_MD* md = EVP_sha256();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  Row row(state);
  for (auto _ : state) {
    EVP_Digest(in.data(), in.size(), digest, &length, md, nullptr);
    benchmark::DoNotOptimize(digest);
    benchmark::ClobberMemory();
  }
  row.finish("sha256-openssl");
}
BENCHMARK(BM_Sha256_EvpDigest)->Apply(sizes);

// The jobs' input data; fresh:1 is jobs::random_bytes(), as every job calls it.
void BM_FillRandom(benchmark::State& state) {
  std::uint64_t seed = 0;
  time_output(state, static_cast<std::size_t>(state.range(0)), state.range(1) != 0, "random",
              [&](auto out) { jobs::fill_random(out, ++seed); });
}
BENCHMARK(BM_FillRandom)->Apply(sizes_and_buffers);

// Whole jobs as the executors will run them: the book's largest ARCFOUR job and one SHA job.
void BM_Job_ArcfourTest(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::string key(jobs::kArcfourKey);
  Row row(state);
  for (auto _ : state) benchmark::DoNotOptimize(jobs::arcfour_test(size, key, 4));
  row.finish("arcfour-job");
}
BENCHMARK(BM_Job_ArcfourTest)->ArgName("bytes")->Arg(393216)->Unit(benchmark::kMillisecond);

void BM_Job_Sha(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  Row row(state);
  for (auto _ : state) benchmark::DoNotOptimize(jobs::sha_job(size, 5));
  row.finish("sha-job");
}
BENCHMARK(BM_Job_Sha)->ArgName("bytes")->Arg(1 << 20)->Unit(benchmark::kMillisecond);

// The row a kernel's row is compared with, and so rerun with: ours against OpenSSL's on the
// same arguments (the report's kernel table pairs them round by round).
std::string reference_of(const std::string& row) {
  for (const auto& [ours, theirs] :
       {std::pair{std::string_view("BM_Arcfour_Ours/"), std::string_view("BM_Arcfour_OpenSSL/")},
        std::pair{std::string_view("BM_Sha256_Ours/"), std::string_view("BM_Sha256_EvpDigest/")}}) {
    if (row.starts_with(ours)) return std::string(theirs) + row.substr(ours.size());
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Program program{
      .name = "jobs_bench",
      .summary =
          "Single-thread throughput of the ARCFOUR, SHA-256 and random-data kernels "
          "beside OpenSSL.",
      .flags = {},
      .defaults = {"--benchmark_repetitions=6", "--benchmark_min_time=0.03"},
      .baseline = reference_of};
  return bench::run_benchmarks(program, bench::initialize(program, argc, argv));
}
