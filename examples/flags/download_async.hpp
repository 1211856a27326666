// One flag's download from a coroutine, as the book's flags2_asyncio: the request on the event
// loop, the save in a thread pool (asyncio.to_thread) awaited with futures::async_wait.
#ifndef EXAMPLES_FLAGS_DOWNLOAD_ASYNC_HPP_
#define EXAMPLES_FLAGS_DOWNLOAD_ASYNC_HPP_

#include <filesystem>
#include <string>

#include "download.hpp"  // first: it includes <utility> before Asio's awaitable.hpp
#include "futures/futures.hpp"

namespace flags {

// As download_one, but the request does not block the loop, and the image is written by a
// task on `savers` that this coroutine awaits without blocking the loop either. A failed save
// throws std::system_error, from the task.
boost::asio::awaitable<Outcome> async_download_one(AsyncHttpClient& client, std::string cc,
                                                   std::filesystem::path dest,
                                                   futures::ThreadPoolExecutor& savers);

}  // namespace flags

#endif  // EXAMPLES_FLAGS_DOWNLOAD_ASYNC_HPP_
