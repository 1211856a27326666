#include "row_sample.hpp"

#include "canary.hpp"

namespace bench {

RowSample::RowSample() : canary_(canary_seconds()), before_(sample_proc()) {}

void RowSample::finish(benchmark::State& state) const {
  const ProcSample after = sample_proc();
  set_proc_counters(state, before_, after);
  set_canary(state, canary_);
}

}  // namespace bench
