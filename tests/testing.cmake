# tests/: unit tests (one file per module, tests/unit/), fixture suites
# (tests/fixtures/) and end-to-end tests of the real balrun binary (tests/e2e/).
# All are Criterion programs registered with CTest.
function(balrun_unit_test name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE PkgConfig::CRITERION)
  add_test(NAME ${name} COMMAND ${name} --ascii)
endfunction()
