// Exceptions that cross the process boundary: a task's exception is captured in the worker as
// a record (kind, type name, message) and rebuilt in the parent. Not for users.
#ifndef FUTURES_INTERNAL_REMOTE_EXCEPTION_HPP_
#define FUTURES_INTERNAL_REMOTE_EXCEPTION_HPP_

#include <cstdint>
#include <exception>
#include <string>

#include "futures/codec.hpp"

namespace futures::internal {

struct ExceptionRecord {
  // Which standard or library type to rebuild; kOther rebuilds as RemoteError.
  std::uint8_t kind = 0;
  std::string type_name;  // the thrown type, demangled
  std::string what;
};

// Captures the exception being handled. Call only inside a catch block.
ExceptionRecord capture_current_exception() noexcept;

// The same type with the same message for the standard exceptions and the library's errors
// (matched by exact type); RemoteError(type_name, what) for anything else.
std::exception_ptr rebuild_exception(const ExceptionRecord& record);

void encode_record(Writer& w, const ExceptionRecord& record);
// Throws DecodeError on malformed input.
ExceptionRecord decode_record(Reader& r);

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_REMOTE_EXCEPTION_HPP_
