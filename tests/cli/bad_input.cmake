# One CTest test per row of the tables in docs/bad-input.md, so that the documented cases and
# the tested ones cannot drift apart. A row reads
#   | program | case | `arguments` or (none) | `the one line on stderr` |
# and becomes cli.bad_input.<program>.<case>: check_cli.sh runs the program with the arguments
# in an empty directory and wants exit status 2, nothing on stdout, exactly that line on
# stderr and no file written. $TESTDATA stands for tools/report/testdata. Rows of a program
# that this configuration does not build (or, for cpython_bench, without a Python 3.9) are
# left out.

set(_doc ${PROJECT_SOURCE_DIR}/docs/bad-input.md)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_doc})
set(_testdata ${PROJECT_SOURCE_DIR}/tools/report/testdata)
find_package(Python3 3.9 QUIET COMPONENTS Interpreter)

file(READ ${_doc} _text)
# Semicolons and brackets are list syntax to CMake: hide them while splitting into lines.
string(REPLACE ";" "@SEMICOLON@" _text "${_text}")
string(REPLACE "[" "@LBRACKET@" _text "${_text}")
string(REPLACE "]" "@RBRACKET@" _text "${_text}")
string(REPLACE "\n" ";" _lines "${_text}")

set(_rows 0)
set(_registered 0)
foreach(_line IN LISTS _lines)
  if(NOT _line MATCHES "^\\| [a-z0-9_]+ +\\| [a-z0-9_]+ +\\|")
    continue()  # prose, a header or a separator row
  endif()
  if(NOT _line MATCHES
     "^\\| ([a-z0-9_]+) +\\| ([a-z0-9_]+) +\\| (`([^`]*)`|\\(none\\)) +\\| `(.*)` +\\|$")
    message(FATAL_ERROR "${_doc}: cannot read this row:\n${_line}")
  endif()
  set(_program ${CMAKE_MATCH_1})
  set(_case ${CMAKE_MATCH_2})
  set(_args "${CMAKE_MATCH_4}")
  set(_message "${CMAKE_MATCH_5}")
  math(EXPR _rows "${_rows} + 1")
  if(_program STREQUAL "cpython_bench")
    if(NOT Python3_Interpreter_FOUND)
      continue()
    endif()
    set(_run ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/bench/python/cpython_bench.py)
  elseif(TARGET ${_program})
    set(_run $<TARGET_FILE:${_program}>)
  else()
    continue()
  endif()
  string(REPLACE "$TESTDATA" "${_testdata}" _args "${_args}")
  separate_arguments(_args UNIX_COMMAND "${_args}")
  string(REPLACE "$TESTDATA" "${_testdata}" _message "${_message}")
  string(REPLACE "\\|" "|" _message "${_message}")
  string(REPLACE "@SEMICOLON@" "$<SEMICOLON>" _message "${_message}")
  string(REPLACE "@LBRACKET@" "[" _message "${_message}")
  string(REPLACE "@RBRACKET@" "]" _message "${_message}")
  add_test(NAME cli.bad_input.${_program}.${_case}
           COMMAND ${FUTURES_CHECK_CLI} usage-error "${_message}" ${_run} ${_args})
  set_tests_properties(cli.bad_input.${_program}.${_case} PROPERTIES TIMEOUT 60)
  math(EXPR _registered "${_registered} + 1")
endforeach()
if(_rows EQUAL 0)
  message(FATAL_ERROR "${_doc}: no table rows found")
endif()
message(STATUS "docs/bad-input.md: ${_registered} of ${_rows} bad-input cases registered as tests")
