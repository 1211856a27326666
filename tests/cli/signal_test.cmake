# signal_test: Ctrl-C (SIGINT to the program, or to its process group) during a process-pool
# run of arcfour_futures and of sweep_bench ends the program cleanly and leaves no process of
# its behind. Each program is tested if it is part of this build.

set(_signal_programs)
if(TARGET arcfour_futures)
  list(APPEND _signal_programs arcfour_futures)
endif()
if(TARGET sweep_bench)
  list(APPEND _signal_programs sweep_bench)
endif()

if(_signal_programs)
  # Imported targets are visible only in the directory that found them (tests/ is a sibling).
  find_package(GTest 1.12 REQUIRED)
  include(GoogleTest)
  add_executable(signal_test ${CMAKE_CURRENT_SOURCE_DIR}/signal_test.cpp)
  target_link_libraries(signal_test PRIVATE futures_warnings GTest::gtest GTest::gtest_main)
  target_compile_features(signal_test PRIVATE cxx_std_20)
  target_include_directories(signal_test PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  foreach(program IN LISTS _signal_programs)
    string(TOUPPER ${program} _macro)
    target_compile_definitions(signal_test PRIVATE
                               FUTURES_${_macro}="$<TARGET_FILE:${program}>")
  endforeach()
  add_dependencies(signal_test ${_signal_programs})
  # Each case runs for a few seconds at most; the limit is a hang guard. (The TIMEOUT set for
  # the other tests lives in tests/, a sibling directory scope.)
  gtest_discover_tests(signal_test DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)
endif()
