# Builds and runs README's example as an outside project would, one way per call:
#   cmake -DMODE=find_package|add_subdirectory|fetchcontent|pkg-config -DSOURCE_DIR=<repo>
#         -DBUILD_DIR=<this build> -DWORK_DIR=<scratch> -DCXX=<compiler> -P run.cmake
# find_package and pkg-config first install BUILD_DIR to WORK_DIR/prefix (cmake --install).
# Fails (FATAL_ERROR) unless the example builds, exits 0 and prints what README shows.
foreach(var MODE SOURCE_DIR BUILD_DIR WORK_DIR CXX)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run.cmake: -D${var}=... is required")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(JOIN " " shown ${ARGN})
    message(FATAL_ERROR "failed (${rc}): ${shown}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

# README's example: the first ```cpp block of its "Using the library" section.
file(READ ${SOURCE_DIR}/README.md readme)
string(FIND "${readme}" "## Using the library" at)
string(SUBSTRING "${readme}" ${at} -1 readme)
string(FIND "${readme}" "```cpp\n" at)
math(EXPR at "${at} + 7")
string(SUBSTRING "${readme}" ${at} -1 readme)
string(FIND "${readme}" "```" end)
string(SUBSTRING "${readme}" 0 ${end} example)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/project)
file(WRITE ${WORK_DIR}/project/main.cpp "${example}")
file(COPY ${SOURCE_DIR}/tests/consumer/CMakeLists.txt DESTINATION ${WORK_DIR}/project)

set(prefix ${WORK_DIR}/prefix)
if(MODE STREQUAL "find_package" OR MODE STREQUAL "pkg-config")
  run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
endif()

# What the install holds, exactly: the headers under include/futures, the library (and
# futures::mpi's, WITH_MPI), the CMake package, futures.pc and the license. (The exported
# targets' per-configuration file is named after the build type.)
if(MODE STREQUAL "find_package")
  file(GLOB_RECURSE headers RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/include/futures/*.hpp)
  set(expected ${headers} lib/libfutures.a lib/cmake/futures/futuresConfig.cmake
      lib/cmake/futures/futuresConfigVersion.cmake lib/cmake/futures/futuresTargets.cmake
      lib/cmake/futures/futuresTargets-CONFIG.cmake lib/pkgconfig/futures.pc
      share/doc/futures/LICENSE)
  if(WITH_MPI)
    list(APPEND expected lib/libfutures_mpi.a)
  endif()
  file(GLOB_RECURSE installed RELATIVE ${prefix} ${prefix}/*)
  list(TRANSFORM installed REPLACE "futuresTargets-[a-z]+\\.cmake$" "futuresTargets-CONFIG.cmake")
  list(SORT expected)
  list(SORT installed)
  if(NOT installed STREQUAL expected)
    list(JOIN installed "\n  " shown)
    list(JOIN expected "\n  " wanted)
    message(FATAL_ERROR "cmake --install wrote:\n  ${shown}\nexpected:\n  ${wanted}")
  endif()
endif()

set(program ${WORK_DIR}/build/consumer)
if(MODE STREQUAL "pkg-config")
  set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
  run(pkg-config --cflags --libs futures)
  string(STRIP "${run_output}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  file(MAKE_DIRECTORY ${WORK_DIR}/build)
  run(${CXX} ${WORK_DIR}/project/main.cpp -o ${program} ${flags})
else()
  run(${CMAKE_COMMAND} -S ${WORK_DIR}/project -B ${WORK_DIR}/build -DFUTURES_CONSUMER=${MODE}
      -DFUTURES_SOURCE_DIR=${SOURCE_DIR} -DCMAKE_PREFIX_PATH=${prefix}
      -DCMAKE_CXX_COMPILER=${CXX})
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/build -j 2)
endif()

# What the example prints: the squares of 0..9 as they complete, then 234.
run(${program})
string(REPLACE "\n" ";" lines "${run_output}")
list(REMOVE_ITEM lines "")
list(POP_BACK lines last)
list(SORT lines COMPARE NATURAL)
if(NOT last STREQUAL "234" OR NOT lines STREQUAL "0;1;4;9;16;25;36;49;64;81")
  message(FATAL_ERROR "README's example printed:\n${run_output}")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
message(STATUS "README's example built through ${MODE} and printed what README shows")
