// The library's version, as fmt spells it: FUTURES_VERSION is major * 10000 + minor * 100 +
// patch. CMake reads the project version from this file, so it is stated once.
#ifndef FUTURES_VERSION_HPP_
#define FUTURES_VERSION_HPP_

#define FUTURES_VERSION 200  // 0.2.0

#endif  // FUTURES_VERSION_HPP_
