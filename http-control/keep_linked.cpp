// http-control/keep_linked.cpp: compiled into every target that links failpoint::http.
//
// 1. GCC on Debian links with --as-needed, which drops a shared library none of whose symbols a
//    program uses; a program that only has FAILPOINT sites would lose libfailpoint_http and, with
//    it, the initializer that starts the endpoint from FAILPOINTS_HTTP. The call below keeps it.
//    (Without CMake: link with -Wl,--no-as-needed -lfailpoint_http.)
// 2. The library's initializer runs before the program's, so the program's failpoint sites are
//    not registered yet when the endpoint starts. CMake puts this file after the target's own
//    sources, so this initializer runs after theirs and tells the endpoint to begin accepting.
extern "C" void failpoint_http_program_ready() noexcept;

namespace {
[[maybe_unused]] const bool failpoint_http_ready = (failpoint_http_program_ready(), true);
}  // namespace
