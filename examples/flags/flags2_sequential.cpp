// The book's flags2_sequential.py: one request at a time, a progress bar or a line per flag,
// then the counts. The baseline the concurrent flags2 programs are measured against.
#include <cstdio>

#include "flags2_common.hpp"
#include "progress_bar.hpp"

namespace {

flags::Counter download_many(const flags::Flags2Args& args) {
  flags::Counter counter;
  flags::HttpClient client(args.base, args.timeout);
  flags::ProgressBar bar(static_cast<int>(args.cc_list.size()), args.verbose ? nullptr : stderr);
  for (const std::string& cc : args.cc_list) {
    const flags::Outcome outcome = flags::download_one(client, cc, args.dest);
    counter.add(outcome.status);
    if (args.verbose) std::printf("%s\n", flags::outcome_line(cc, outcome).c_str());
    bar.update();
  }
  return counter;
}

}  // namespace

int main(int argc, char** argv) {
  const flags::Flags2Program program{"flags2_sequential",
                                     "Download flags for country codes, one at a time.", 1, 1};
  return flags::flags2_main(program, argc, argv, download_many);
}
