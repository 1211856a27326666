#include "futures/future.hpp"

#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <typeinfo>

namespace futures::internal {
namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
}

}  // namespace

std::string type_name(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> demangled(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), &std::free);
  std::string name = status == 0 ? demangled.get() : type.name();
  replace_all(name, "std::__cxx11::", "std::");
  replace_all(name, "std::basic_string<char, std::char_traits<char>, std::allocator<char> >",
              "std::string");
  return name;
}

std::string exception_type_name(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return type_name(typeid(e));
  } catch (...) {
    if (const std::type_info* t = abi::__cxa_current_exception_type()) return type_name(*t);
    return "unknown exception";
  }
}

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
  if (state.error()) return out + " state=finished raised " + exception_type_name(state.error()) + ">";
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
