// http-control/keep_linked.cpp: compiled into every target that links failpoint::http.
//
// GCC on Debian links with --as-needed, which drops a shared library none of whose symbols a
// program uses; a program that only uses FAILPOINT sites would then lose libfailpoint_http and,
// with it, the initializer that starts the endpoint from FAILPOINTS_HTTP. This reference keeps it.
// (Without CMake: link with -Wl,--no-as-needed -lfailpoint_http.)
extern "C" const int failpoint_http_autostart_anchor;

namespace {
[[maybe_unused]] __attribute__((used)) const int* const failpoint_http_keep_linked =
    &failpoint_http_autostart_anchor;
}  // namespace
