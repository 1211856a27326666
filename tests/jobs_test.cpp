// Known answers for the job kernels: ARCFOUR against the book's vectors, RFC 6229 and
// OpenSSL's RC4; SHA-256 against FIPS 180-2 and EVP_Digest; the random bytes and job sets.
#include "jobs/jobs.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes from_hex(std::string_view hex) {
  Bytes out;
  for (std::size_t k = 0; k + 1 < hex.size(); k += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(k, 2)), nullptr, 16)));
  }
  return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

Bytes from_text(std::string_view text) { return Bytes(text.begin(), text.end()); }

// The message of the std::invalid_argument that `fn` throws, or "" if it throws none.
template <class F>
std::string invalid_argument_message(F fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// OpenSSL's RC4, which OpenSSL 3 serves only from its legacy provider. Both providers go into
// a library context of its own, so the rest of the process keeps OpenSSL's defaults.
class OpenSslRc4 {
 public:
  OpenSslRc4() : libctx_(OSSL_LIB_CTX_new()) {
    if (libctx_ == nullptr) return;
    legacy_ = OSSL_PROVIDER_load(libctx_, "legacy");
    default_ = OSSL_PROVIDER_load(libctx_, "default");
    if (legacy_ != nullptr && default_ != nullptr) {
      cipher_ = EVP_CIPHER_fetch(libctx_, "RC4", nullptr);
    }
  }
  OpenSslRc4(const OpenSslRc4&) = delete;
  OpenSslRc4& operator=(const OpenSslRc4&) = delete;
  ~OpenSslRc4() {
    EVP_CIPHER_free(cipher_);
    if (default_ != nullptr) OSSL_PROVIDER_unload(default_);
    if (legacy_ != nullptr) OSSL_PROVIDER_unload(legacy_);
    OSSL_LIB_CTX_free(libctx_);
  }

  bool available() const { return cipher_ != nullptr; }

  // RC4 of `data` under `key` (any length 1 to 256 bytes).
  Bytes encrypt(const Bytes& key, const Bytes& data) const {
    const std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                              &EVP_CIPHER_CTX_free);
    Bytes out(data.size());
    int written = 0;
    const bool ok = ctx != nullptr &&
                    EVP_EncryptInit_ex2(ctx.get(), cipher_, nullptr, nullptr, nullptr) == 1 &&
                    EVP_CIPHER_CTX_set_key_length(ctx.get(), static_cast<int>(key.size())) == 1 &&
                    EVP_EncryptInit_ex2(ctx.get(), nullptr, key.data(), nullptr, nullptr) == 1 &&
                    EVP_EncryptUpdate(ctx.get(), out.data(), &written, data.data(),
                                      static_cast<int>(data.size())) == 1 &&
                    static_cast<std::size_t>(written) == data.size();
    if (!ok) throw std::runtime_error("OpenSSL RC4 failed");
    return out;
  }

 private:
  OSSL_LIB_CTX* libctx_;
  OSSL_PROVIDER* legacy_ = nullptr;
  OSSL_PROVIDER* default_ = nullptr;
  EVP_CIPHER* cipher_ = nullptr;
};

// --- ARCFOUR ------------------------------------------------------------------------------

struct Vector {
  std::string_view key;
  std::string_view plain;
  std::string_view cipher;
};

TEST(ArcfourTest, MatchesBookVectorsWithOneLoop) {
  // Fluent Python's arcfour_test.py.
  const Vector vectors[] = {
      {"0123456789abcdef", "0123456789abcdef", "75b7878099e0c596"},
      {"0123456789abcdef", "0000000000000000", "7494c2e7104b0879"},
      {"0000000000000000", "0000000000000000", "de188941a3375d3a"},
      {"ef012345", "00000000000000000000", "d6a141a7ec3c38dfbd61"},
  };
  for (const Vector& v : vectors) {
    EXPECT_EQ(to_hex(jobs::arcfour(from_hex(v.key), from_hex(v.plain), 1)), v.cipher)
        << "key " << v.key;
    EXPECT_EQ(to_hex(jobs::arcfour(from_hex(v.key), from_hex(v.cipher), 1)), v.plain)
        << "key " << v.key;
  }
}

TEST(ArcfourTest, MatchesBookFunctionWithTwentyLoops) {
  // Computed with the book's arcfour() in Python, default loops=20.
  EXPECT_EQ(to_hex(jobs::arcfour(from_hex("0123456789abcdef"), from_hex("0123456789abcdef"))),
            "ab66599aee356067");
  Bytes counting(40);
  for (std::size_t k = 0; k < counting.size(); ++k) counting[k] = static_cast<std::uint8_t>(k);
  EXPECT_EQ(to_hex(jobs::arcfour(from_text(jobs::kArcfourKey), counting, 20)),
            "a9facac3ad8ab1140bc8a548bdedc4ee88de6179afbf6e1fc7405be6f8c4b8c94a5e38a9d2bf6b79");
  Bytes long_key(256);
  for (std::size_t k = 0; k < long_key.size(); ++k) long_key[k] = static_cast<std::uint8_t>(k);
  EXPECT_EQ(to_hex(jobs::arcfour(long_key, Bytes(24), 20)),
            "35f080d067c4f1066c08ec8b999ee90097d75b88a3831a53");
}

TEST(ArcfourTest, CarriesJAcrossKeySchedulePasses) {
  // The book's arcfour() with loops=2; resetting j between passes gives other bytes.
  EXPECT_EQ(to_hex(jobs::arcfour(from_hex("ef012345"), Bytes(16), 2)),
            "c67d0464ebbb29353d0ae9859603d63c");
}

// ARCFOUR written as plainly as the book writes it, one byte at a time, to check the fast
// paths of jobs::Arcfour against.
class PlainArcfour {
 public:
  PlainArcfour(const Bytes& key, int loops) {
    for (int k = 0; k < 256; ++k) s_[k] = static_cast<std::uint8_t>(k);
    std::uint8_t j = 0;
    for (int pass = 0; pass < loops; ++pass) {
      for (int k = 0; k < 256; ++k) {
        j = static_cast<std::uint8_t>(j + s_[k] + key[k % key.size()]);
        std::swap(s_[k], s_[j]);
      }
    }
  }

  Bytes crypt(const Bytes& data) {
    Bytes out;
    for (std::uint8_t byte : data) {
      i_ = static_cast<std::uint8_t>(i_ + 1);
      j_ = static_cast<std::uint8_t>(j_ + s_[i_]);
      std::swap(s_[i_], s_[j_]);
      out.push_back(byte ^ s_[static_cast<std::uint8_t>(s_[i_] + s_[j_])]);
    }
    return out;
  }

 private:
  std::uint8_t s_[256];
  std::uint8_t i_ = 0;
  std::uint8_t j_ = 0;
};

// Lengths 0 to 64 and odd lengths either side of the 256-byte table and beyond.
std::vector<std::size_t> lengths_to_check() {
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= 64; ++n) lengths.push_back(n);
  for (std::size_t n : {95, 97, 127, 129, 255, 257, 511, 513, 1023, 4097, 65537}) {
    lengths.push_back(n);
  }
  return lengths;
}

TEST(ArcfourTest, MatchesPlainReferenceAtEveryLength) {
  const Bytes keys[] = {from_hex("01"), from_text("Key"), from_text(jobs::kArcfourKey),
                        jobs::random_bytes(256, 5)};
  std::uint64_t seed = 100;
  for (const Bytes& key : keys) {
    for (int loops : {1, 20}) {
      for (std::size_t length : lengths_to_check()) {
        const Bytes data = jobs::random_bytes(length, seed++);
        EXPECT_EQ(jobs::arcfour(key, data, loops), PlainArcfour(key, loops).crypt(data))
            << "key " << key.size() << " bytes, loops " << loops << ", data " << length << " bytes";
      }
    }
  }
}

TEST(ArcfourTest, MatchesPlainReferenceOnUnalignedBuffers) {
  const Bytes key = from_text(jobs::kArcfourKey);
  for (std::size_t length : {std::size_t{33}, std::size_t{200}, std::size_t{1001}}) {
    const Bytes data = jobs::random_bytes(length, length);
    const Bytes expected = PlainArcfour(key, 1).crypt(data);
    for (std::size_t in_offset = 0; in_offset < 8; ++in_offset) {
      for (std::size_t out_offset = 0; out_offset < 8; ++out_offset) {
        Bytes in(in_offset + length);
        std::copy(data.begin(), data.end(), in.begin() + static_cast<std::ptrdiff_t>(in_offset));
        Bytes out(out_offset + length);
        jobs::Arcfour(key, 1).crypt(std::span(in).subspan(in_offset),
                                    std::span(out).subspan(out_offset));
        EXPECT_EQ(Bytes(out.begin() + static_cast<std::ptrdiff_t>(out_offset), out.end()), expected)
            << "data " << length << " bytes, input at +" << in_offset << ", output at +"
            << out_offset;
      }
    }
  }
}

TEST(ArcfourTest, CryptsInPlaceAtUnalignedOffsets) {
  const Bytes key = from_hex("0102030405");
  for (std::size_t length : {std::size_t{31}, std::size_t{64}, std::size_t{777}}) {
    const Bytes data = jobs::random_bytes(length, length + 1);
    const Bytes expected = PlainArcfour(key, 20).crypt(data);
    for (std::size_t offset = 0; offset < 8; ++offset) {
      Bytes buffer(offset + length);
      std::copy(data.begin(), data.end(), buffer.begin() + static_cast<std::ptrdiff_t>(offset));
      const std::span<std::uint8_t> view = std::span(buffer).subspan(offset);
      jobs::Arcfour(key, 20).crypt(view, view);
      EXPECT_EQ(Bytes(view.begin(), view.end()), expected)
          << "data " << length << " bytes at +" << offset;
    }
  }
}

TEST(ArcfourTest, StreamResumedAtEveryPositionMatchesReference) {
  // A first piece of every length from 0 to 300 leaves the stream at every table position,
  // and the second piece must continue it from there.
  const Bytes key = from_text("Key");
  const Bytes data = jobs::random_bytes(1000, 9);
  const Bytes expected = PlainArcfour(key, 1).crypt(data);
  for (std::size_t first = 0; first <= 300; ++first) {
    jobs::Arcfour cipher(key, 1);
    Bytes out(data.size());
    cipher.crypt(std::span(data).first(first), std::span(out).first(first));
    cipher.crypt(std::span(data).subspan(first), std::span(out).subspan(first));
    EXPECT_EQ(out, expected) << "first piece " << first << " bytes";
  }
}

TEST(ArcfourTest, StreamInPiecesOfEveryLengthMatchesReference) {
  const Bytes key = jobs::random_bytes(16, 4);
  for (int loops : {1, 20}) {
    const Bytes data = jobs::random_bytes(20000, 10);
    jobs::Arcfour cipher(key, loops);
    Bytes pieces(data.size());
    std::size_t at = 0;
    for (std::size_t piece = 0; at < data.size(); piece = (piece + 1) % 70) {
      const std::size_t n = std::min(piece, data.size() - at);
      cipher.crypt(std::span(data).subspan(at, n), std::span(pieces).subspan(at, n));
      at += n;
    }
    EXPECT_EQ(pieces, PlainArcfour(key, loops).crypt(data)) << "loops " << loops;
  }
}

struct KeystreamSample {
  std::size_t offset;
  std::string_view bytes;
};

void expect_keystream(std::string_view key_hex, std::span<const KeystreamSample> samples) {
  const Bytes keystream = jobs::arcfour(from_hex(key_hex), Bytes(4096 + 16), 1);
  for (const KeystreamSample& sample : samples) {
    EXPECT_EQ(to_hex(std::span(keystream).subspan(sample.offset, 16)), sample.bytes)
        << "key " << key_hex << " offset " << sample.offset;
  }
}

TEST(ArcfourTest, MatchesRfc6229KeystreamAtOffsets) {
  const KeystreamSample key40[] = {
      {0, "b2396305f03dc027ccc3524a0a1118a8"},    {16, "6982944f18fc82d589c403a47a0d0919"},
      {240, "28cb1132c96ce286421dcaadb8b69eae"},  {256, "1cfcf62b03eddb641d77dfcf7f8d8c93"},
      {1520, "3294f744d8f9790507e70f62e5bbceea"}, {1536, "d8729db41882259bee4f825325f5a130"},
      {4096, "ff25b58995996707e51fbdf08b34d875"},
  };
  expect_keystream("0102030405", key40);
  const KeystreamSample key128[] = {
      {0, "9ac7cc9a609d1ef7b2932899cde41b97"},    {16, "5248c4959014126a6e8a84f11d1a9e1c"},
      {240, "065902e4b620f6cc36c8589f66432f2b"},  {256, "d39d566bc6bce3010768151549f3873f"},
      {1520, "b40110c4190b5622a96116b0017ed297"}, {1536, "ffa0b514647ec04f6306b892ae661181"},
      {4096, "a36a4c301ae8ac13610ccbc12256cacc"},
  };
  expect_keystream("0102030405060708090a0b0c0d0e0f10", key128);
}

TEST(ArcfourTest, MatchesOpenSslRc4OnRandomKeysAndLengths) {
  const OpenSslRc4 openssl;
  if (!openssl.available()) GTEST_SKIP() << "OpenSSL's legacy provider (RC4) is not installed";
  const std::size_t lengths[] = {0, 1, 7, 8, 9, 15, 16, 17, 255, 256, 257, 1000, 4096, 65537};
  std::uint64_t seed = 1;
  for (std::size_t length : lengths) {
    for (int trial = 0; trial < 8; ++trial, ++seed) {
      const Bytes size_byte = jobs::random_bytes(1, seed);
      const std::size_t key_size = 1 + size_byte[0];  // 1 to 256 bytes
      const Bytes key = jobs::random_bytes(key_size, seed + 1000);
      const Bytes data = jobs::random_bytes(length, seed + 2000);
      EXPECT_EQ(jobs::arcfour(key, data, 1), openssl.encrypt(key, data))
          << "key " << key_size << " bytes, data " << length << " bytes";
    }
  }
}

TEST(ArcfourTest, StreamInPiecesMatchesOneCall) {
  const Bytes key = from_text(jobs::kArcfourKey);
  const Bytes data = jobs::random_bytes(5000, 7);
  const Bytes whole = jobs::arcfour(key, data);
  jobs::Arcfour cipher(key);
  Bytes pieces(data.size());
  std::size_t at = 0;
  for (std::size_t piece = 1; at < data.size(); piece = piece * 3 + 1) {
    const std::size_t n = std::min(piece, data.size() - at);
    cipher.crypt(std::span(data).subspan(at, n), std::span(pieces).subspan(at, n));
    at += n;
  }
  EXPECT_EQ(pieces, whole);
}

TEST(ArcfourTest, CryptsInPlace) {
  const Bytes key = from_hex("0102030405");
  const Bytes data = jobs::random_bytes(1001, 3);
  Bytes buffer = data;
  jobs::Arcfour(key, 1).crypt(buffer, buffer);
  EXPECT_EQ(buffer, jobs::arcfour(key, data, 1));
}

TEST(ArcfourTest, DecryptsWhatItEncrypts) {
  const Bytes key = from_text("Key");
  const Bytes data = jobs::random_bytes(12345, 11);
  for (int loops : {1, 2, 20}) {
    EXPECT_EQ(jobs::arcfour(key, jobs::arcfour(key, data, loops), loops), data)
        << "loops " << loops;
  }
  EXPECT_TRUE(jobs::arcfour(key, Bytes{}).empty());
}

TEST(ArcfourTest, RejectsEmptyKey) {
  const std::string message = invalid_argument_message([] { jobs::arcfour(Bytes{}, Bytes(4)); });
  EXPECT_TRUE(contains(message, "got 0 bytes")) << message;
  EXPECT_TRUE(contains(message, "1 to 256")) << message;
}

TEST(ArcfourTest, RejectsKeyLongerThan256Bytes) {
  const std::string message =
      invalid_argument_message([] { jobs::arcfour(Bytes(257, 1), Bytes(4)); });
  EXPECT_TRUE(contains(message, "got 257 bytes")) << message;
  EXPECT_TRUE(contains(message, "1 to 256")) << message;
  EXPECT_NO_THROW(jobs::arcfour(Bytes(256, 1), Bytes(4)));
}

TEST(ArcfourTest, RejectsLoopsBelowOne) {
  for (int loops : {0, -1}) {
    const std::string message =
        invalid_argument_message([loops] { jobs::arcfour(Bytes{1}, Bytes(4), loops); });
    EXPECT_TRUE(contains(message, "got " + std::to_string(loops))) << message;
    EXPECT_TRUE(contains(message, "1 or more")) << message;
  }
}

TEST(ArcfourTest, CryptRejectsOutputOfAnotherSize) {
  jobs::Arcfour cipher(Bytes{1, 2, 3});
  const Bytes in(10);
  Bytes out(9);
  EXPECT_THROW(cipher.crypt(in, out), std::invalid_argument);
}

// --- SHA-256 ------------------------------------------------------------------------------

TEST(Sha256Test, MatchesFips180Examples) {
  EXPECT_EQ(jobs::sha256_hex(from_text("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(jobs::sha256_hex(from_text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(jobs::sha256_hex(Bytes(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(jobs::sha256_hex(Bytes{}),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256Test, MatchesEvpDigestOnRandomData) {
  for (std::size_t length : {1, 55, 56, 63, 64, 65, 1000, 65536, 1 << 20}) {
    const Bytes data = jobs::random_bytes(length, length);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    ASSERT_EQ(EVP_Digest(data.data(), data.size(), digest, &digest_length, EVP_sha256(), nullptr),
              1);
    EXPECT_EQ(jobs::sha256_hex(data), to_hex(std::span(digest, digest_length)))
        << length << " bytes";
  }
}

TEST(Sha256Test, IsThreadSafe) {
  const Bytes data = jobs::random_bytes(100'000, 5);
  const std::string expected = jobs::sha256_hex(data);
  constexpr int kThreads = 4;
  std::vector<int> mismatches(kThreads, 0);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int k = 0; k < 50; ++k) mismatches[t] += jobs::sha256_hex(data) != expected;
      });
    }
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

// --- Random bytes -------------------------------------------------------------------------

TEST(RandomTest, MatchesReferenceStream) {
  // xoshiro256** seeded by SplitMix64, words little-endian; from a Python reimplementation.
  EXPECT_EQ(to_hex(jobs::random_bytes(16, 0)), "b4f275cb365fec992a455649781f6ebf");
  EXPECT_EQ(to_hex(jobs::random_bytes(13, 42)), "16c72e0c2e0b78157e3a116d86");
}

TEST(RandomTest, SameSeedGivesSameBytes) {
  EXPECT_EQ(jobs::random_bytes(10'000, 99), jobs::random_bytes(10'000, 99));
  Bytes filled(10'000);
  jobs::fill_random(filled, 99);
  EXPECT_EQ(filled, jobs::random_bytes(10'000, 99));
}

TEST(RandomTest, DifferentSeedsGiveDifferentBytes) {
  EXPECT_NE(jobs::random_bytes(64, 1), jobs::random_bytes(64, 2));
  EXPECT_NE(jobs::random_bytes(64, 0), jobs::random_bytes(64, std::uint64_t{1} << 63));
}

TEST(RandomTest, ShorterFillIsPrefixOfLonger) {
  const Bytes longer = jobs::random_bytes(100, 5);
  for (std::size_t n = 0; n <= 17; ++n) {
    EXPECT_EQ(jobs::random_bytes(n, 5), Bytes(longer.begin(), longer.begin() + n)) << n;
  }
}

TEST(RandomTest, BytesCoverAllValuesEvenly) {
  const Bytes data = jobs::random_bytes(1 << 20, 123);
  std::vector<std::size_t> counts(256, 0);
  for (std::uint8_t b : data) ++counts[b];
  // Expected 4096 per value, standard deviation 64: eight deviations either way.
  for (int v = 0; v < 256; ++v) {
    EXPECT_GT(counts[v], 4096u - 512) << v;
    EXPECT_LT(counts[v], 4096u + 512) << v;
  }
}

TEST(RandomTest, DerivedSeedsAreDistinct) {
  std::set<std::uint64_t> seeds;
  for (std::uint64_t index = 0; index < 10'000; ++index) {
    seeds.insert(jobs::derive_seed(jobs::kDefaultSeed, index));
  }
  EXPECT_EQ(seeds.size(), 10'000u);
  EXPECT_NE(jobs::derive_seed(1, 0), jobs::derive_seed(2, 0));
}

// --- Jobs and job sets --------------------------------------------------------------------

TEST(JobSetsTest, BookKeyIs44Bytes) {
  EXPECT_EQ(jobs::kArcfourKey.size(), 44u);
  EXPECT_EQ(jobs::kArcfourKey.substr(0, 6), "'Twas ");
  EXPECT_EQ(jobs::kArcfourKey[35], '\n');
  EXPECT_EQ(jobs::kArcfourKey.substr(36), "Did gyre");
}

TEST(JobSetsTest, ArcfourJobsAreTheBooks) {
  const std::vector<jobs::ArcfourJob> set = jobs::arcfour_jobs();
  // The book's SIZE + int(SIZE / JOBS * (i - JOBS / 2)) for i = 12 down to 1, from Python.
  const std::size_t expected[] = {393216, 371370, 349525, 327680, 305834, 283989,
                                  262144, 240299, 218454, 196608, 174763, 152918};
  ASSERT_EQ(set.size(), 12u);
  std::set<std::uint64_t> seeds;
  for (std::size_t k = 0; k < set.size(); ++k) {
    EXPECT_EQ(set[k].size, expected[k]) << "job " << k;
    EXPECT_EQ(set[k].key, jobs::kArcfourKey) << "job " << k;
    EXPECT_EQ(set[k].key.size(), 44u);
    seeds.insert(set[k].seed);
  }
  EXPECT_EQ(seeds.size(), set.size());
  EXPECT_EQ(set.front().size, 393216u);  // largest first
  EXPECT_EQ(set.back().size, 152918u);
}

TEST(JobSetsTest, ArcfourJobCountFollowsTheBooksFormula) {
  const std::vector<jobs::ArcfourJob> set24 = jobs::arcfour_jobs({.count = 24});
  ASSERT_EQ(set24.size(), 24u);
  EXPECT_EQ(set24.front().size, 393216u);
  EXPECT_EQ(set24[1].size, 382293u);
  EXPECT_EQ(set24.back().size, 141995u);
  // An odd count: JOBS / 2 is 2.5 in the book's Python 3.
  const std::vector<jobs::ArcfourJob> set5 = jobs::arcfour_jobs({.count = 5});
  ASSERT_EQ(set5.size(), 5u);
  const std::size_t expected5[] = {393216, 340787, 288358, 235930, 183501};
  for (std::size_t k = 0; k < 5; ++k) EXPECT_EQ(set5[k].size, expected5[k]) << "job " << k;
}

TEST(JobSetsTest, ScaleMultipliesSizes) {
  const std::vector<jobs::ArcfourJob> book = jobs::arcfour_jobs();
  const std::vector<jobs::ArcfourJob> doubled = jobs::arcfour_jobs({.scale = 2});
  ASSERT_EQ(doubled.size(), book.size());
  for (std::size_t k = 0; k < book.size(); ++k) EXPECT_EQ(doubled[k].size, 2 * book[k].size);
  EXPECT_EQ(jobs::arcfour_jobs({.scale = 0.5}).back().size, 76459u);  // 152918 / 2
}

TEST(JobSetsTest, SeedsFollowTheBaseSeed) {
  const std::vector<jobs::ArcfourJob> a = jobs::arcfour_jobs({.seed = 1});
  const std::vector<jobs::ArcfourJob> b = jobs::arcfour_jobs({.seed = 2});
  EXPECT_EQ(a.front().seed, jobs::arcfour_jobs({.seed = 1}).front().seed);
  EXPECT_NE(a.front().seed, b.front().seed);
}

TEST(JobSetsTest, ShaJobsAreTwelveMebibytes) {
  const std::vector<jobs::ShaJob> set = jobs::sha_jobs();
  ASSERT_EQ(set.size(), 12u);
  std::set<std::uint64_t> seeds;
  for (const jobs::ShaJob& job : set) {
    EXPECT_EQ(job.size, std::size_t{1} << 20);
    seeds.insert(job.seed);
  }
  EXPECT_EQ(seeds.size(), set.size());
  const std::vector<jobs::ShaJob> scaled = jobs::sha_jobs({.count = 3, .scale = 4});
  ASSERT_EQ(scaled.size(), 3u);
  EXPECT_EQ(scaled[0].size, std::size_t{4} << 20);
}

TEST(JobSetsTest, RejectsBadOptions) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(
      contains(invalid_argument_message([] { jobs::arcfour_jobs({.count = 0}); }), "got 0"));
  EXPECT_TRUE(contains(invalid_argument_message([] { jobs::sha_jobs({.count = -3}); }), "got -3"));
  EXPECT_FALSE(invalid_argument_message([] { jobs::arcfour_jobs({.scale = 0}); }).empty());
  EXPECT_FALSE(invalid_argument_message([] { jobs::sha_jobs({.scale = -1}); }).empty());
  EXPECT_FALSE(invalid_argument_message([nan] { jobs::sha_jobs({.scale = nan}); }).empty());
  EXPECT_FALSE(invalid_argument_message([] { jobs::arcfour_jobs({.scale = 1e-9}); }).empty());
}

TEST(JobsTest, ArcfourTestReturnsSize) {
  EXPECT_EQ(jobs::arcfour_test(100'000, std::string(jobs::kArcfourKey), 1), 100'000u);
  EXPECT_EQ(jobs::arcfour_test(0, "k", 2), 0u);
  EXPECT_EQ(jobs::arcfour_test(13, "k", 3), 13u);
}

TEST(JobsTest, ArcfourTestRejectsBadKey) {
  EXPECT_THROW(jobs::arcfour_test(10, "", 1), std::invalid_argument);
  EXPECT_THROW(jobs::arcfour_test(10, std::string(257, 'k'), 1), std::invalid_argument);
}

TEST(JobsTest, ShaJobIsDeterministic) {
  const std::string digest = jobs::sha_job(1000, 7);
  EXPECT_EQ(digest, jobs::sha_job(1000, 7));
  // hashlib.sha256 of the same 1000 reference-stream bytes, from Python.
  EXPECT_EQ(digest, "0800f4c4ed40b794972fec957f3573ae74445872891a804c618eff5d9c10bfd0");
  EXPECT_NE(digest, jobs::sha_job(1000, 8));
  EXPECT_EQ(jobs::sha_job(1 << 20, 9), jobs::sha256_hex(jobs::random_bytes(1 << 20, 9)));
}

}  // namespace
