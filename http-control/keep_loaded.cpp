// http-control/keep_loaded.cpp: keeps libfailpoint_http in programs whose failpoints live in a
// static or object library built with failpoint_enable().
//
// keep_linked.cpp cannot serve those programs: compiled into the library, it would sit unused in
// the archive, and GCC's default --as-needed would then drop libfailpoint_http. failpoint_enable()
// asks the linker for `failpoint_http_keep_loaded` (-u) in every program that links such a
// library, which pulls this object out of libfailpoint_http_keep.a; its reference to the endpoint
// keeps libfailpoint_http loaded. It does not report the program ready: the library's sites are
// initialized in archive order, possibly after any object of the program, so the endpoint waits
// its fallback delay before accepting. Pinned by test/cmake/cmake_test.sh (case linking).
extern "C" void failpoint_http_program_ready() noexcept;

// Read by nobody; its initializer is the reference that keeps the endpoint's library linked.
// (`extern "C"` on the declaration itself gives the constant external linkage.)
extern "C" __attribute__((used)) void (*const failpoint_http_keep_loaded)() noexcept =
    &failpoint_http_program_ready;
