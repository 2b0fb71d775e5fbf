# tests/: unit tests (one file per module, tests/unit/), fixture suites
# (tests/fixtures/) and end-to-end tests of the real balrun binary (tests/e2e/).
# All are Criterion programs registered with CTest.
function(balrun_unit_test name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE PkgConfig::CRITERION)
  add_test(NAME ${name} COMMAND ${name})
  if(BALRUN_SANITIZE)
    # Criterion runs each test in a child process: a sanitizer report there
    # does not always change an exit code, so the log decides.
    set_tests_properties(${name} PROPERTIES FAIL_REGULAR_EXPRESSION
      "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:")
  endif()
endfunction()
