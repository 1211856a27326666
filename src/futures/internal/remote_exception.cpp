#include "futures/internal/remote_exception.hpp"

#include <cxxabi.h>

#include <new>
#include <stdexcept>
#include <typeinfo>

#include "futures/errors.hpp"
#include "futures/internal/type_name.hpp"

namespace futures::internal {
namespace {

// Kinds are wire values: append, never renumber.
enum Kind : std::uint8_t {
  kOther = 0,
  kInvalidArgument,
  kOutOfRange,
  kRuntimeError,
  kLogicError,
  kDomainError,
  kLengthError,
  kOverflowError,
  kRangeError,
  kBadAlloc,
  kError,
  kCancelledError,
  kTimeoutError,
  kInvalidStateError,
  kShutdownError,
  kBrokenExecutor,
  kBrokenThreadPool,
  kBrokenProcessPool,
  kRemoteError,
  kKindCount,
};

template <class E>
bool is(const std::exception& e) {
  return typeid(e) == typeid(E);
}

std::uint8_t kind_of(const std::exception& e) {
  if (is<std::invalid_argument>(e)) return kInvalidArgument;
  if (is<std::out_of_range>(e)) return kOutOfRange;
  if (is<std::runtime_error>(e)) return kRuntimeError;
  if (is<std::logic_error>(e)) return kLogicError;
  if (is<std::domain_error>(e)) return kDomainError;
  if (is<std::length_error>(e)) return kLengthError;
  if (is<std::overflow_error>(e)) return kOverflowError;
  if (is<std::range_error>(e)) return kRangeError;
  if (is<std::bad_alloc>(e)) return kBadAlloc;
  if (is<Error>(e)) return kError;
  if (is<CancelledError>(e)) return kCancelledError;
  if (is<TimeoutError>(e)) return kTimeoutError;
  if (is<InvalidStateError>(e)) return kInvalidStateError;
  if (is<ShutdownError>(e)) return kShutdownError;
  if (is<BrokenExecutor>(e)) return kBrokenExecutor;
  if (is<BrokenThreadPool>(e)) return kBrokenThreadPool;
  if (is<BrokenProcessPool>(e)) return kBrokenProcessPool;
  if (is<RemoteError>(e)) return kRemoteError;
  return kOther;
}

}  // namespace

ExceptionRecord capture_current_exception() noexcept {
  ExceptionRecord record;
  try {
    try {
      throw;
    } catch (const RemoteError& e) {
      // Rethrown from a nested pool: keep the original type and message.
      record.kind = kRemoteError;
      record.type_name = e.type_name();
      record.what = e.message();
    } catch (const std::exception& e) {
      record.kind = kind_of(e);
      record.type_name = type_name(typeid(e));
      record.what = e.what();
    } catch (...) {
      const std::type_info* t = abi::__cxa_current_exception_type();
      record.kind = kOther;
      record.type_name = t != nullptr ? type_name(*t) : "unknown exception";
    }
  } catch (...) {
    // Out of memory while describing the exception: send what fits.
    record.kind = kBadAlloc;
  }
  return record;
}

std::exception_ptr rebuild_exception(const ExceptionRecord& r) {
  const std::string& w = r.what;
  switch (r.kind) {
    case kInvalidArgument:
      return std::make_exception_ptr(std::invalid_argument(w));
    case kOutOfRange:
      return std::make_exception_ptr(std::out_of_range(w));
    case kRuntimeError:
      return std::make_exception_ptr(std::runtime_error(w));
    case kLogicError:
      return std::make_exception_ptr(std::logic_error(w));
    case kDomainError:
      return std::make_exception_ptr(std::domain_error(w));
    case kLengthError:
      return std::make_exception_ptr(std::length_error(w));
    case kOverflowError:
      return std::make_exception_ptr(std::overflow_error(w));
    case kRangeError:
      return std::make_exception_ptr(std::range_error(w));
    case kBadAlloc:
      return std::make_exception_ptr(std::bad_alloc());
    case kError:
      return std::make_exception_ptr(Error(w));
    case kCancelledError:
      return std::make_exception_ptr(CancelledError(w));
    case kTimeoutError:
      return std::make_exception_ptr(TimeoutError(w));
    case kInvalidStateError:
      return std::make_exception_ptr(InvalidStateError(w));
    case kShutdownError:
      return std::make_exception_ptr(ShutdownError(w));
    case kBrokenExecutor:
      return std::make_exception_ptr(BrokenExecutor(w));
    case kBrokenThreadPool:
      return std::make_exception_ptr(BrokenThreadPool(w));
    case kBrokenProcessPool:
      return std::make_exception_ptr(BrokenProcessPool(w));
    default:
      return std::make_exception_ptr(RemoteError(r.type_name, w));
  }
}

void encode_record(Writer& w, const ExceptionRecord& record) {
  w.put(record.kind);
  w.put(record.type_name);
  w.put(record.what);
}

ExceptionRecord decode_record(Reader& r) {
  ExceptionRecord record;
  record.kind = r.get<std::uint8_t>();
  if (record.kind >= kKindCount) throw DecodeError("unknown exception kind");
  record.type_name = r.get<std::string>();
  record.what = r.get<std::string>();
  return record;
}

}  // namespace futures::internal
