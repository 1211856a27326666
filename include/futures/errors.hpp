// The library's exception types, named after Python's concurrent.futures errors.
// Every one derives from futures::Error, itself a std::runtime_error.
#ifndef FUTURES_ERRORS_HPP_
#define FUTURES_ERRORS_HPP_

#include <stdexcept>
#include <string>

namespace futures {

// Base of every error this library throws on its own account (task exceptions travel as is).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// result() or exception() on a cancelled future.
class CancelledError : public Error {
 public:
  using Error::Error;
  CancelledError() : Error("future was cancelled") {}
};

// A timed wait ran out before the future (or futures) finished.
class TimeoutError : public Error {
 public:
  using Error::Error;
};

// An operation that the future's state does not allow, e.g. setting a result twice.
class InvalidStateError : public Error {
 public:
  using Error::Error;
};

// submit() or map() on an executor after shutdown().
class ShutdownError : public Error {
 public:
  using Error::Error;
  ShutdownError() : Error("cannot schedule new futures after shutdown") {}
};

// The executor can no longer run work; pending futures fail with it too.
class BrokenExecutor : public Error {
 public:
  using Error::Error;
};

// A thread pool whose initializer threw.
class BrokenThreadPool : public BrokenExecutor {
 public:
  using BrokenExecutor::BrokenExecutor;
};

// A process pool whose worker died or whose channel to a worker broke.
class BrokenProcessPool : public BrokenExecutor {
 public:
  using BrokenExecutor::BrokenExecutor;
};

// A task in a worker process threw a type that cannot be rebuilt in the parent.
// what() reads "<type>: <message>"; type_name() and message() give the parts.
class RemoteError : public Error {
 public:
  RemoteError(std::string type_name, std::string message)
      : Error(type_name + ": " + message),
        type_name_(std::move(type_name)),
        message_(std::move(message)) {}

  const std::string& type_name() const noexcept { return type_name_; }
  const std::string& message() const noexcept { return message_; }

 private:
  std::string type_name_;
  std::string message_;
};

}  // namespace futures

#endif  // FUTURES_ERRORS_HPP_
