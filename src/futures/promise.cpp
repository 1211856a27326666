#include "futures/promise.hpp"

namespace futures::internal {

std::string already_done_message(const StateBase& state, const std::type_info& value_type) {
  const char* name = "being completed by another setter";
  switch (state.state()) {
    case FutureState::cancelled:
      name = "CANCELLED";
      break;
    case FutureState::finished:
      name = "FINISHED";
      break;
    case FutureState::pending:
    case FutureState::running:
      break;
  }
  return std::string(name) + ": " + future_repr(state, value_type);
}

}  // namespace futures::internal
