#include "report/kernels.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace report {
namespace {

constexpr std::string_view kOurs = "-ours";
constexpr std::string_view kReference = "-openssl";

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// The value of `key` in args "bytes=4096 fresh=0"; 0 when absent.
double arg_value(std::string_view args, std::string_view key) {
  const std::string_view word = arg_word(args, key);
  if (word.empty()) return 0;
  return std::strtod(std::string(word.substr(key.size() + 1)).c_str(), nullptr);
}

}  // namespace

std::vector<KernelRatio> kernel_ratios(const Report& r) {
  std::vector<KernelRatio> out;
  for (const auto& ours : r.overhead) {
    if (ours.executor != "kernel" || !ends_with(ours.workload, kOurs)) continue;
    const std::string kernel = ours.workload.substr(0, ours.workload.size() - kOurs.size());
    const auto ref = std::find_if(r.overhead.begin(), r.overhead.end(), [&](const OverheadRow& o) {
      return o.executor == "kernel" && o.workload == kernel + std::string(kReference) &&
             o.args == ours.args && o.source == ours.source;
    });
    if (ref == r.overhead.end() || ours.seconds.empty() || ref->seconds.empty()) continue;
    KernelRatio k;
    k.kernel = kernel;
    k.args = ours.args;
    k.bytes = arg_value(ours.args, "bytes");
    k.ours = &ours;
    k.reference = &*ref;
    const std::vector<int> rounds = shared_rounds(ours, *ref);
    const std::vector<double> ref_times = times_in_rounds(ref->seconds, ref->rounds, rounds);
    const std::vector<double> our_times = times_in_rounds(ours.seconds, ours.rounds, rounds);
    k.paired = rounds.size() >= 3 && !ref_times.empty() && !our_times.empty();
    k.speed_ratio = k.paired ? stats::ratio_of_medians(ref_times, our_times, true)
                             : stats::ratio_of_medians(ref->seconds, ours.seconds, false);
    k.flagged = !ours.quality.ok() || !ref->quality.ok();
    out.push_back(std::move(k));
  }
  return out;
}

}  // namespace report
