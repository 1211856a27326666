// Awaiting a Future from Boost.Asio: futures::async_wait(future, token) completes with the
// future once it is done, on the token's executor, without blocking a thread. The C++
// counterpart of asyncio's wrap_future() and run_in_executor(). Header-only; needs Boost.Asio.
#ifndef FUTURES_ASIO_HPP_
#define FUTURES_ASIO_HPP_

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <utility>

#include "futures/future.hpp"

namespace futures {

// Starts waiting for `future` and completes with the signature void(Future<T>) once it is
// done, handing the handler the future itself: its result(), take() and exception() then
// return at once, with the value, the task's exception or CancelledError as they would
// anywhere. The handler runs on its associated executor (a coroutine's own, for
// boost::asio::use_awaitable; a plain callback's is Asio's system executor unless it is bound
// with boost::asio::bind_executor), never inline: not in the thread that completes the
// future, nor in the caller when the future is already done. Until then that executor counts
// the wait as work (an io_context's run() does not return while one is pending).
// Thread-safe.
//
//   futures::Future<std::string> f = pool.submit(load, path);
//   futures::Future<std::string> done =
//       co_await futures::async_wait(f, boost::asio::use_awaitable);
//   const std::string& text = done.result();
template <class T, class CompletionToken>
auto async_wait(Future<T> future, CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void(Future<T>)>(
      [](auto handler, Future<T> f) {
        auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
        // The callback runs in the completing thread, or here if f is done: it only posts.
        f.add_done_callback([handler = std::move(handler),
                             work = std::move(work)](const Future<T>& done) mutable {
          boost::asio::post(work.get_executor(), [handler = std::move(handler), done]() mutable {
            std::move(handler)(done);
          });
          work.reset();
        });
      },
      token, std::move(future));
}

}  // namespace futures

#endif  // FUTURES_ASIO_HPP_
