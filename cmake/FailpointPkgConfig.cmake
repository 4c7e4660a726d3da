# Generates and installs the pkg-config files (failpoint.pc, and failpoint-http.pc when the
# endpoint is built) into <libdir>/pkgconfig, for builds without CMake (README, "Make and Meson").
# Their paths are relative to the file (${pcfiledir}), so an installed tree can be moved, or
# unpacked from the Debian package into another root, and still be found.
set(FAILPOINT_PKGCONFIG_DIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
file(RELATIVE_PATH FAILPOINT_PC_TO_PREFIX "/prefix/${FAILPOINT_PKGCONFIG_DIR}" "/prefix")
string(REGEX REPLACE "/$" "" FAILPOINT_PC_TO_PREFIX "${FAILPOINT_PC_TO_PREFIX}")
set(_failpoint_pc_files failpoint)
if(FAILPOINT_BUILD_HTTP)
  list(APPEND _failpoint_pc_files failpoint-http)
endif()
foreach(_failpoint_pc IN LISTS _failpoint_pc_files)
  configure_file("${CMAKE_CURRENT_LIST_DIR}/${_failpoint_pc}.pc.in"
    "${PROJECT_BINARY_DIR}/pkgconfig/${_failpoint_pc}.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/pkgconfig/${_failpoint_pc}.pc"
    DESTINATION "${FAILPOINT_PKGCONFIG_DIR}")
endforeach()
