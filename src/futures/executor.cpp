// The library's own executors satisfy the concept that users program against.
#include "futures/executor.hpp"

#include "futures/process_pool.hpp"
#include "futures/thread_pool.hpp"

namespace futures {

static_assert(Executor<ThreadPoolExecutor>);
static_assert(Executor<ProcessPoolExecutor>);

}  // namespace futures
