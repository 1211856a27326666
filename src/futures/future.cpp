#include "futures/future.hpp"

#include <cstdio>
#include <typeinfo>

#include "futures/internal/type_name.hpp"

namespace futures::internal {

std::string future_repr(const StateBase& state, const std::type_info& value_type) {
  char address[2 + 2 * sizeof(void*) + 1];
  std::snprintf(address, sizeof address, "%p", static_cast<const void*>(&state));
  std::string out = "<Future at ";
  out += address;
  switch (state.state()) {
    case FutureState::pending:
      return out + " state=pending>";
    case FutureState::running:
      return out + " state=running>";
    case FutureState::cancelled:
      return out + " state=cancelled>";
    case FutureState::finished:
      break;
  }
  if (state.error())
    return out + " state=finished raised " + exception_type_name(state.error()) + ">";
  return out + " state=finished returned " + type_name(value_type) + ">";
}

void report_callback_exception(const std::string& future_repr) noexcept {
  std::string what = "unknown exception";
  try {
    throw;
  } catch (const std::exception& e) {
    what = type_name(typeid(e)) + ": " + e.what();
  } catch (...) {
  }
  std::fprintf(stderr, "futures: exception calling callback for %s: %s\n", future_repr.c_str(),
               what.c_str());
}

}  // namespace futures::internal
