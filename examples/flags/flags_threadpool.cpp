// The book's flags_threadpool.py: download_one mapped over the 20 codes by a
// futures::ThreadPoolExecutor with its default number of threads; the codes print in the
// order the downloads finish, the results come back in submission order.
#include <optional>
#include <string>

#include "download.hpp"
#include "flags_common.hpp"
#include "futures/futures.hpp"

namespace {

int download_many(const flags::FlagsArgs& args) {
  const auto download_one = [&args](const std::string& cc) {
    thread_local std::optional<flags::HttpClient> client;  // one connection per thread
    if (!client) client.emplace(args.base, args.timeout);
    const std::string image = flags::get_flag(*client, cc);
    flags::save_flag(args.dest, flags::flag_filename(cc), image);
    flags::show(cc);
    return cc;
  };
  futures::ThreadPoolExecutor executor;
  int count = 0;
  for (const std::string& cc : executor.map(download_one, args.cc_list)) {
    (void)cc;
    ++count;
  }
  return count;
}

}  // namespace

int main(int argc, char** argv) {
  return flags::flags_main("flags_threadpool", "Download flags with ThreadPoolExecutor.map.", argc,
                           argv, download_many);
}
