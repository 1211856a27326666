// The futures library: Python's concurrent.futures in C++20. Include this one header.
#ifndef FUTURES_FUTURES_HPP_
#define FUTURES_FUTURES_HPP_

#include "futures/codec.hpp"         // IWYU pragma: export
#include "futures/errors.hpp"        // IWYU pragma: export
#include "futures/executor.hpp"      // IWYU pragma: export
#include "futures/future.hpp"        // IWYU pragma: export
#include "futures/map.hpp"           // IWYU pragma: export
#include "futures/process_pool.hpp"  // IWYU pragma: export
#include "futures/promise.hpp"       // IWYU pragma: export
#include "futures/thread_pool.hpp"   // IWYU pragma: export
#include "futures/types.hpp"         // IWYU pragma: export
#include "futures/version.hpp"       // IWYU pragma: export
#include "futures/wait.hpp"          // IWYU pragma: export

#endif  // FUTURES_FUTURES_HPP_
