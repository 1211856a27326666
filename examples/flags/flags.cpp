// The book's flags.py: the 20 flags one after the other, each code printed as it is saved.
#include "download.hpp"
#include "flags_common.hpp"

namespace {

int download_many(const flags::FlagsArgs& args) {
  flags::HttpClient client(args.base, args.timeout);
  for (const std::string& cc : args.cc_list) {
    const std::string image = flags::get_flag(client, cc);
    flags::save_flag(args.dest, flags::flag_filename(cc), image);
    flags::show(cc);
  }
  return static_cast<int>(args.cc_list.size());
}

}  // namespace

int main(int argc, char** argv) {
  return flags::flags_main("flags", "Download flags sequentially.", argc, argv, download_many);
}
