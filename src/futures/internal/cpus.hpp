// The CPUs this process may run on: the default worker counts of both pools, as Python's
// os.process_cpu_count() (3.13+), which counts the affinity mask, not the machine.
#ifndef FUTURES_INTERNAL_CPUS_HPP_
#define FUTURES_INTERNAL_CPUS_HPP_

namespace futures::internal {

// CPUs in this process's affinity mask (taskset, cgroup cpusets); where the mask cannot be
// read, the CPUs online; at least 1. Thread-safe; reads the mask on every call.
int process_cpu_count() noexcept;

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_CPUS_HPP_
