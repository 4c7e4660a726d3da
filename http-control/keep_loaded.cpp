// http-control/keep_loaded.cpp: the one object of libfailpoint_http_keep.a, linked into every
// program (or shared library) built with failpoint_enable() or linking a static or object library
// built with it.
//
// 1. failpoint_enable() asks the linker for `failpoint_http_keep_loaded` (-u), which pulls this
//    object out of the archive; its reference to the endpoint keeps libfailpoint_http loaded under
//    GCC's default --as-needed, although the program calls nothing of it. (keep_linked.cpp, the
//    source failpoint::http adds to its users, cannot do this for a static library: compiled into
//    the archive, nothing would pull it out.)
// 2. The archive comes after the program's objects and after the static libraries that need it on
//    the link line, so this initializer runs after theirs, once every failpoint site they hold is
//    registered, and tells the endpoint to begin accepting.
// Pinned by test/cmake/cmake_test.sh (case linking).
extern "C" void failpoint_http_program_ready() noexcept;

using program_ready_fn = void (*)() noexcept;

extern "C" {
// The symbol failpoint_enable() names with -u. Read by nobody, but a definition with external
// linkage is always emitted; hidden, so that a shared library built with failpoint_enable() does
// not export it.
extern __attribute__((visibility("hidden"))) const program_ready_fn failpoint_http_keep_loaded;
const program_ready_fn failpoint_http_keep_loaded = &failpoint_http_program_ready;
}

namespace {
[[maybe_unused]] const bool failpoint_http_ready = (failpoint_http_program_ready(), true);
}  // namespace
