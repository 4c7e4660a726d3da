// failpoint/export.hpp: symbol visibility for the failpoint runtime's shared library.
#ifndef FAILPOINT_EXPORT_HPP
#define FAILPOINT_EXPORT_HPP

// Marks a declaration as part of the runtime library's binary interface.
#if defined(__GNUC__) || defined(__clang__)
#define FAILPOINT_EXPORT __attribute__((visibility("default")))
#else
#define FAILPOINT_EXPORT
#endif

#endif  // FAILPOINT_EXPORT_HPP
