// The program's executable as loaded in this process: where its code lies, and its build id.
// Worker ranks name functions by their offset in it. Not for users.
#ifndef FUTURES_MPI_PROGRAM_IMAGE_HPP_
#define FUTURES_MPI_PROGRAM_IMAGE_HPP_

#include <cstdint>
#include <string>

namespace futures::internal {

// The executable's GNU build id in hex ("file:<FNV-1a of /proc/self/exe>" when it has none).
// The same build gives the same id on every host.
const std::string& program_build_id();

// The offset of a function of the executable from its load address. Throws
// std::invalid_argument naming `what` if the address is outside the executable's code (a
// shared library's function, or no function).
std::uint64_t code_offset(std::uintptr_t address, const char* what);

// The address of the code at `offset` in this process; throws DecodeError if the offset is
// outside the executable's code.
std::uintptr_t code_address(std::uint64_t offset);

}  // namespace futures::internal

#endif  // FUTURES_MPI_PROGRAM_IMAGE_HPP_
