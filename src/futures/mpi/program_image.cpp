#include "program_image.hpp"

#include <elf.h>
#include <link.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include "futures/codec.hpp"

namespace futures::internal {
namespace {

struct Image {
  std::uintptr_t base = 0;        // the load address: offsets count from it
  std::uintptr_t code_begin = 0;  // the executable segments' span, as addresses
  std::uintptr_t code_end = 0;
  std::string build_id;
};

std::string hex(const unsigned char* p, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[p[i] >> 4];
    out += kDigits[p[i] & 0xF];
  }
  return out;
}

// The GNU build id note among the program's PT_NOTE segments; empty if there is none.
std::string find_build_id(const dl_phdr_info& info) {
  for (int i = 0; i < info.dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info.dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    // The loader's address of the segment: the ELF way to reach it.
    const auto* p = reinterpret_cast<const unsigned char*>(  // NOLINT(performance-no-int-to-ptr)
        info.dlpi_addr + ph.p_vaddr);
    const unsigned char* end = p + ph.p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      ElfW(Nhdr) note;
      std::memcpy(&note, p, sizeof note);
      const unsigned char* name = p + sizeof note;
      const unsigned char* desc = name + ((note.n_namesz + 3) & ~3u);
      if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0 && desc + note.n_descsz <= end) {
        return hex(desc, note.n_descsz);
      }
      p = desc + ((note.n_descsz + 3) & ~3u);
    }
  }
  return {};
}

// FNV-1a over the executable's file: the id of a program linked without a build id.
std::string file_digest() {
  std::ifstream in("/proc/self/exe", std::ios::binary);
  std::uint64_t h = 1469598103934665603ull;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h = (h ^ static_cast<unsigned char>(buf[i])) * 1099511628211ull;
    }
  }
  char out[32];
  std::snprintf(out, sizeof out, "file:%016llx", static_cast<unsigned long long>(h));
  return out;
}

Image load_image() {
  Image image;
  // The first object dl_iterate_phdr reports is the program itself.
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) -> int {
        auto& img = *static_cast<Image*>(data);
        img.base = info->dlpi_addr;
        img.code_begin = UINTPTR_MAX;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD || (ph.p_flags & PF_X) == 0) continue;
          const std::uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
          if (begin < img.code_begin) img.code_begin = begin;
          if (begin + ph.p_memsz > img.code_end) img.code_end = begin + ph.p_memsz;
        }
        img.build_id = find_build_id(*info);
        return 1;  // the program only
      },
      &image);
  if (image.build_id.empty()) image.build_id = file_digest();
  return image;
}

const Image& image() {
  static const Image kImage = load_image();
  return kImage;
}

}  // namespace

const std::string& program_build_id() { return image().build_id; }

std::uint64_t code_offset(std::uintptr_t address, const char* what) {
  const Image& img = image();
  if (address < img.code_begin || address >= img.code_end) {
    throw std::invalid_argument(
        std::string("MPIPoolExecutor: ") + what +
        " is not in the program's executable (a shared library's function?): worker ranks "
        "can only call functions linked into the program itself");
  }
  return address - img.base;
}

std::uintptr_t code_address(std::uint64_t offset) {
  const Image& img = image();
  const std::uintptr_t address = img.base + static_cast<std::uintptr_t>(offset);
  if (offset > UINTPTR_MAX - img.base || address < img.code_begin || address >= img.code_end) {
    throw DecodeError("a function offset outside the program's code");
  }
  return address;
}

}  // namespace futures::internal
