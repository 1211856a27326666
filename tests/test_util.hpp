// Helpers shared by the tests: a gate that holds tasks until the test opens it.
#ifndef FUTURES_TESTS_TEST_UTIL_HPP_
#define FUTURES_TESTS_TEST_UTIL_HPP_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "futures/futures.hpp"

namespace futures::testing {

// Tasks call wait() and block until the test calls open(). Copies share one gate, so a task
// that captures it by value may outlive the test's own copy. Thread-safe.
class Gate {
 public:
  void open() const {
    std::lock_guard lock(impl_->mu);
    impl_->open = true;
    impl_->cv.notify_all();
  }
  void wait() const {
    std::unique_lock lock(impl_->mu);
    impl_->cv.wait(lock, [&] { return impl_->open; });
  }

 private:
  struct Impl {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
  };
  std::shared_ptr<Impl> impl_ = std::make_shared<Impl>();
};

// Blocks until f is running (a worker took it), without sleeping on a guess.
template <class T>
void wait_until_running(const Future<T>& f) {
  while (f.state() == FutureState::pending) std::this_thread::yield();
}

}  // namespace futures::testing

#endif  // FUTURES_TESTS_TEST_UTIL_HPP_
