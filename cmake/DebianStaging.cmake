# cmake/DebianStaging.cmake - run by cpack (CPACK_PRE_BUILD_SCRIPTS) on the
# staged files of the DEB package, before it is made: what `cmake --install`
# puts in its prefix, moved to Debian's places.
#   - zsh completion: /usr/share/zsh/vendor-completions (Debian's zsh does not
#     look in /usr/share/zsh/site-functions, only in /usr/local/share/...)
#   - man page gzipped (Debian policy 12.1)
#   - /usr/share/doc/balrun/changelog.gz (policy 12.7, a native package)
if(NOT CPACK_GENERATOR STREQUAL "DEB")
  return()
endif()
set(usr "${CPACK_TEMPORARY_INSTALL_DIRECTORY}${CPACK_PACKAGING_INSTALL_PREFIX}")

file(MAKE_DIRECTORY "${usr}/share/zsh/vendor-completions")
file(RENAME "${usr}/share/zsh/site-functions/_balrun" "${usr}/share/zsh/vendor-completions/_balrun")
file(REMOVE "${usr}/share/zsh/site-functions")

# gzip -n: no name or time stamp in it, the same package from the same files
execute_process(COMMAND gzip -9nf "${usr}/share/man/man1/balrun.1" COMMAND_ERROR_IS_FATAL ANY)

string(TIMESTAMP date "%a, %d %b %Y %H:%M:%S +0000" UTC)   # SOURCE_DATE_EPOCH when set
file(MAKE_DIRECTORY "${usr}/share/doc/balrun")
file(WRITE "${usr}/share/doc/balrun/changelog"
  "balrun (${CPACK_PACKAGE_VERSION}) unstable; urgency=medium\n\n"
  "  * balrun ${CPACK_PACKAGE_VERSION}, packaged by cpack -G DEB.\n\n"
  " -- ${CPACK_PACKAGE_CONTACT}  ${date}\n")
execute_process(COMMAND gzip -9nf "${usr}/share/doc/balrun/changelog" COMMAND_ERROR_IS_FATAL ANY)
