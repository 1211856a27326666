// Type names as users read them in reprs and in rebuilt exceptions. Not for users.
#ifndef FUTURES_INTERNAL_TYPE_NAME_HPP_
#define FUTURES_INTERNAL_TYPE_NAME_HPP_

#include <exception>
#include <string>
#include <typeinfo>

namespace futures::internal {

// "int", "std::string", ...: demangled, with the common aliases restored.
std::string type_name(const std::type_info& type);
// The dynamic type of the exception inside `error` ("std::runtime_error").
std::string exception_type_name(const std::exception_ptr& error);

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_TYPE_NAME_HPP_
