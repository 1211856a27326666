# What `cmake --install` puts under the prefix: the library, its headers (include/futures: the
# public ones and the few internal ones their templates include), a CMake package exporting
# futures::futures (and futures::mpi where it is built), and futures.pc. The job kernels, the command-line plumbing, the benchmarks
# and the tools are not installed.
include(CMakePackageConfigHelpers)

set(FUTURES_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/futures)

set(_futures_targets futures)
set(FUTURES_CONFIG_MPI OFF)
if(TARGET futures_mpi)
  list(APPEND _futures_targets futures_mpi)
  set(FUTURES_CONFIG_MPI ON)
endif()
install(TARGETS ${_futures_targets} EXPORT futuresTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/futures/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/futures
        FILES_MATCHING PATTERN "*.hpp")
install(EXPORT futuresTargets NAMESPACE futures:: DESTINATION ${FUTURES_CMAKE_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/futures)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/futuresConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/futuresConfig.cmake
                              INSTALL_DESTINATION ${FUTURES_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/futuresConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/futuresConfig.cmake
              ${PROJECT_BINARY_DIR}/futuresConfigVersion.cmake
        DESTINATION ${FUTURES_CMAKE_DIR})

# pkg-config: the library, C++20 and the threads it needs.
configure_file(${PROJECT_SOURCE_DIR}/cmake/futures.pc.in ${PROJECT_BINARY_DIR}/futures.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/futures.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
