#include "futures/internal/state_pool.hpp"

#include <pthread.h>

#include <cassert>
#include <cstddef>
#include <mutex>
#include <new>

#include "futures/internal/spin_mutex.hpp"

namespace futures::internal {

#if defined(__SANITIZE_ADDRESS__)

void* allocate_state(std::size_t size) { return ::operator new(size); }
void free_state(void* block, std::size_t /*size*/) noexcept { ::operator delete(block); }

#else

namespace {

constexpr std::size_t kBatch = 256;  // blocks per batch, and per slab taken from the system
constexpr std::align_val_t kAlign{kStateBlockBytes};

// A free block. The head of a batch also says how many blocks its chain holds and links the
// next batch.
struct Block {
  Block* next;
  Block* next_batch;
  std::size_t batch_count;
};
static_assert(sizeof(Block) <= kStateBlockBytes);

std::size_t class_of(std::size_t size) noexcept { return (size - 1) / kStateBlockBytes; }
std::size_t block_bytes(std::size_t c) noexcept { return (c + 1) * kStateBlockBytes; }

// Where threads leave and take batches, one stack of them per size class.
class Depot {
 public:
  Depot() {
    // A child forked while another thread holds a depot's lock would wait for it forever.
    pthread_atfork([] { depot().lock_all(); }, [] { depot().unlock_all(); },
                   [] { depot().unlock_all(); });
  }

  // Never destroyed: threads may free states after main() returns.
  static Depot& depot() {
    static Depot* const d = new Depot();
    return *d;
  }

  void put(std::size_t c, Block* batch) noexcept {
    std::lock_guard lock(classes_[c].mu);
    batch->next_batch = classes_[c].batches;
    classes_[c].batches = batch;
  }

  // A batch of class c, or nullptr when the depot has none.
  Block* take(std::size_t c) noexcept {
    std::lock_guard lock(classes_[c].mu);
    Block* batch = classes_[c].batches;
    if (batch != nullptr) classes_[c].batches = batch->next_batch;
    return batch;
  }

 private:
  void lock_all() noexcept {
    for (Class& k : classes_) k.mu.lock();
  }
  void unlock_all() noexcept {
    for (Class& k : classes_) k.mu.unlock();
  }

  struct Class {
    SpinMutex mu;
    Block* batches = nullptr;  // guarded by mu
  };
  Class classes_[kStateBlockClasses];
};

// Blocks of one size class, chained from a fresh slab of kBatch.
Block* new_slab(std::size_t c) {
  const std::size_t bytes = block_bytes(c);
  auto* slab = static_cast<std::byte*>(::operator new(bytes* kBatch, kAlign));
  for (std::size_t i = 0; i < kBatch; ++i) {
    auto* b = ::new (static_cast<void*>(slab + i * bytes)) Block{};
    b->next = i + 1 < kBatch ? reinterpret_cast<Block*>(slab + (i + 1) * bytes) : nullptr;
  }
  auto* head = reinterpret_cast<Block*>(slab);
  head->batch_count = kBatch;
  return head;
}

// One thread's free blocks. It keeps up to 2 * kBatch of a class, and leaves all but the
// kBatch newest in the depot when it has more.
class ThreadCache {
 public:
  ThreadCache() = default;
  ThreadCache(const ThreadCache&) = delete;
  ThreadCache& operator=(const ThreadCache&) = delete;
  ~ThreadCache() {
    gone = true;
    for (std::size_t c = 0; c < kStateBlockClasses; ++c) {
      if (lists_[c].head == nullptr) continue;
      lists_[c].head->batch_count = lists_[c].count;
      Depot::depot().put(c, lists_[c].head);
    }
  }

  void* allocate(std::size_t c) {
    List& l = lists_[c];
    if (l.head == nullptr) {
      Block* batch = Depot::depot().take(c);
      if (batch == nullptr) batch = new_slab(c);
      l.head = batch;
      l.count = batch->batch_count;
    }
    Block* b = l.head;
    l.head = b->next;
    --l.count;
    return b;
  }

  void free(std::size_t c, void* block) noexcept {
    List& l = lists_[c];
    auto* b = static_cast<Block*>(block);
    b->next = l.head;
    l.head = b;
    if (++l.count <= 2 * kBatch) return;
    // The kBatch newest blocks stay, likely still in this core's cache; the older ones go to
    // the depot as one batch.
    Block* last = b;
    for (std::size_t i = 1; i < kBatch; ++i) last = last->next;
    Block* older = last->next;
    last->next = nullptr;
    older->batch_count = l.count - kBatch;
    l.count = kBatch;
    Depot::depot().put(c, older);
  }

  // This thread's cache was destroyed at the thread's exit: a state freed later, by another
  // thread_local's destructor, goes straight to the depot.
  static thread_local bool gone;

 private:
  struct List {
    Block* head = nullptr;
    std::size_t count = 0;
  };
  List lists_[kStateBlockClasses];
};

thread_local bool ThreadCache::gone = false;
thread_local ThreadCache cache;

}  // namespace

void* allocate_state(std::size_t size) {
  assert(size > 0);
  const std::size_t c = class_of(size);
  if (c >= kStateBlockClasses) return ::operator new(size);
  if (!ThreadCache::gone) return cache.allocate(c);
  // After this thread's cache is gone: one block of the depot's, or a new one.
  if (Block* batch = Depot::depot().take(c)) {
    if (batch->next != nullptr) {
      batch->next->batch_count = batch->batch_count - 1;
      Depot::depot().put(c, batch->next);
    }
    return batch;
  }
  return ::operator new(block_bytes(c), kAlign);
}

void free_state(void* block, std::size_t size) noexcept {
  const std::size_t c = class_of(size);
  if (c >= kStateBlockClasses) return ::operator delete(block);
  if (!ThreadCache::gone) return cache.free(c, block);
  auto* b = static_cast<Block*>(block);
  b->next = nullptr;
  b->batch_count = 1;
  Depot::depot().put(c, b);
}

#endif  // __SANITIZE_ADDRESS__

}  // namespace futures::internal
