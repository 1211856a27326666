#include "download_async.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <utility>

#include "futures/asio.hpp"

namespace flags {

boost::asio::awaitable<Outcome> async_download_one(AsyncHttpClient& client, std::string cc,
                                                   std::filesystem::path dest,
                                                   futures::ThreadPoolExecutor& savers) {
  Response response;
  try {
    response = co_await client.get(flag_path(cc));
  } catch (const TransportError& e) {
    co_return Outcome{DownloadStatus::error, e.what()};
  }
  Outcome outcome = outcome_of(response);
  if (outcome.status == DownloadStatus::ok) {
    futures::Future<void> saved =
        savers.submit([dest = std::move(dest), name = flag_filename(cc),
                       body = std::move(response.body)] { save_flag(dest, name, body); });
    (co_await futures::async_wait(std::move(saved), boost::asio::use_awaitable)).result();
  }
  co_return outcome;
}

}  // namespace flags
