// The kernels against their references (jobs_bench rows, executor "kernel"): our ARCFOUR
// beside OpenSSL's RC4, our SHA-256 beside a bare EVP digest, per input size and buffer, as the
// ratio of their speeds with a 95% interval.
#ifndef REPORT_KERNELS_HPP_
#define REPORT_KERNELS_HPP_

#include <string>
#include <vector>

#include "report/model.hpp"
#include "report/statistics.hpp"

namespace report {

// One size of one kernel: the row of ours ("<kernel>-ours") and of the reference
// ("<kernel>-openssl") with the same arguments, from the same record.
struct KernelRatio {
  std::string kernel;  // "arcfour", "sha256"
  std::string args;    // "bytes=4096 fresh=0"
  double bytes = 0;
  const OverheadRow* ours = nullptr;
  const OverheadRow* reference = nullptr;
  bool paired = false;  // bootstrapped over the rounds both ran
  // Our speed over the reference's (the reference's median time over ours): 1 is as fast,
  // above 1 faster.
  stats::Estimate speed_ratio{};
  bool flagged = false;  // either row is flagged noisy (assess() must have run)
};

// Every pair in the report's overhead rows, in the order ours appear.
std::vector<KernelRatio> kernel_ratios(const Report& r);

}  // namespace report

#endif  // REPORT_KERNELS_HPP_
