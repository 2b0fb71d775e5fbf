# cpack -G DEB: a Debian package of what `cmake --install` installs, under
# /usr.  Depends is computed by dpkg-shlibdeps (dpkg-dev) from the programs'
# libraries.  cmake/DebianStaging.cmake moves the staged files to Debian's
# places before the package is made.  tests/install/check-deb.sh (ctest deb)
# checks the package; scripts/check-deb-clean.sh installs it on a clean
# Debian 12.
set(CPACK_PACKAGE_NAME balrun)
set(CPACK_PACKAGE_VENDOR balrun)
set(BALRUN_DEB_MAINTAINER "balrun maintainers <maintainers@users.noreply.h-seed-85a1cd25.example>"
    CACHE STRING "Maintainer of the Debian package (cpack -G DEB)")
set(CPACK_PACKAGE_CONTACT "${BALRUN_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "load-balancing parallel test runner for C test suites")
set(CPACK_PACKAGE_DESCRIPTION
  "balrun runs the test cases of Criterion, cmocka, GLib GTest, Check, GoogleTest,
acutest and plain test binaries (and TAP producers) over N worker processes,
longest first, using the timings it remembers from earlier runs.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/DebianStaging.cmake)
include(CPack)
