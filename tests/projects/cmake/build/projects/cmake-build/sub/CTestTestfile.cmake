# CMake generated Testfile for 
# Source directory: /work/main/tests/projects/cmake/sub
# Build directory: /work/main/tests/projects/cmake/build/projects/cmake-build/sub
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[sub_pass]=] "/work/main/tests/projects/cmake/build/projects/cmake-build/tprog" "cwdis" "/cmake-build/sub")
set_tests_properties([=[sub_pass]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/projects/cmake/sub/CMakeLists.txt;1;add_test;/work/main/tests/projects/cmake/sub/CMakeLists.txt;0;")
add_test([=[dup]=] "/work/main/tests/projects/cmake/build/projects/cmake-build/tprog" "out" "dup-sub")
set_tests_properties([=[dup]=] PROPERTIES  LABELS "sublabel" _BACKTRACE_TRIPLES "/work/main/tests/projects/cmake/sub/CMakeLists.txt;2;add_test;/work/main/tests/projects/cmake/sub/CMakeLists.txt;0;")
add_test([=[sub_wd_relative]=] "/work/main/tests/projects/cmake/build/projects/cmake-build/tprog" "cwdis" "/projects")
set_tests_properties([=[sub_wd_relative]=] PROPERTIES  WORKING_DIRECTORY ".." _BACKTRACE_TRIPLES "/work/main/tests/projects/cmake/sub/CMakeLists.txt;4;add_test;/work/main/tests/projects/cmake/sub/CMakeLists.txt;0;")
