// The memory of tasks' shared states: blocks kept for reuse instead of going back to the C
// library's allocator at every task. Not for users.
#ifndef FUTURES_INTERNAL_STATE_POOL_HPP_
#define FUTURES_INTERNAL_STATE_POOL_HPP_

#include <cstddef>

namespace futures::internal {

// Blocks of 64, 128, 192 or 256 bytes, aligned to 64 (a cache line each); a larger size comes
// from operator new. A thread keeps the blocks it frees for its own next allocations, and
// hands them to other threads in batches of 256 through a depot under a lock: a task
// allocated by a submitter and freed by a worker costs no call into the C library, and no
// page fault once the pool has grown to the most states alive at once. The memory is kept for
// the life of the process, as oneTBB's allocator keeps its own. Under AddressSanitizer every
// block is operator new's, so that a use after free is caught.
inline constexpr std::size_t kStateBlockBytes = 64;
inline constexpr std::size_t kStateBlockClasses = 4;

// size bytes (> 0), aligned to 64 for sizes the pool serves. Throws std::bad_alloc.
void* allocate_state(std::size_t size);
// Takes back what allocate_state(size) returned, with the same size. Thread-safe.
void free_state(void* block, std::size_t size) noexcept;

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_STATE_POOL_HPP_
