// Replays the fuzz target over its committed corpus and regression inputs in every build, so
// that an input which once crashed the decoder stays a test (under the sanitizers too).
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::filesystem::path> inputs() {
  std::vector<std::filesystem::path> files;
  for (const char* dir : {"corpus", "regressions"}) {
    const std::filesystem::path path = std::filesystem::path(FUZZ_DIR) / dir;
    if (!std::filesystem::exists(path)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(path)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
  }
  return files;
}

TEST(WorkerMessageFuzzCorpusTest, EveryInputDecodesOrFailsCleanly) {
  const auto files = inputs();
  ASSERT_FALSE(files.empty()) << "no corpus under " << FUZZ_DIR;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
    SCOPED_TRACE(file.string());
    EXPECT_EQ(
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()),
        0);
  }
}

// Every prefix and every single-byte corruption of each corpus input: truncated and damaged
// messages, the shapes a dying worker or a broken channel produce.
TEST(WorkerMessageFuzzCorpusTest, TruncationsAndBitFlipsFailCleanly) {
  for (const auto& file : inputs()) {
    std::ifstream in(file, std::ios::binary);
    std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    for (std::size_t n = 0; n < bytes.size(); ++n) LLVMFuzzerTestOneInput(bytes.data(), n);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      const std::uint8_t saved = bytes[i];
      for (const int flip : {0x01, 0x80, 0xFF}) {
        bytes[i] = static_cast<std::uint8_t>(saved ^ flip);
        LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
      }
      bytes[i] = saved;
    }
  }
}

}  // namespace
