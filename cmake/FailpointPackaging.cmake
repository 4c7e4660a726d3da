# CPack configuration: `cpack -G DEB` in a build tree makes one Debian package holding everything
# `cmake --install` installs (headers, libfailpoint and libfailpoint_http, failpoint-rewrite and
# failpointctl, the CMake package and the pkg-config files) under /usr. Its Depends line is
# computed by dpkg-shlibdeps (dpkg-dev) from the libraries the binaries link.
set(FAILPOINT_PACKAGE_MAINTAINER "failpoint developers" CACHE STRING
  "Maintainer field of the Debian package (\"Name <email>\")")

set(CPACK_PACKAGE_NAME failpoint)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "fault injection for C and C++: failpoints written as comments, switched at run time")
set(CPACK_PACKAGE_DESCRIPTION
  "Failpoints are written as comments and turned into sites by failpoint-rewrite (CMake\n\
failpoint_enable(), pkg-config, Make or Meson); a term language switches them from the\n\
FAILPOINTS environment variable, an HTTP endpoint, failpointctl, or the C and C++ APIs.")
set(CPACK_PACKAGE_CONTACT "${FAILPOINT_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
