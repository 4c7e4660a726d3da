// rewriter/files.hpp: the files failpoint-rewrite edits: which paths are sources, walking
// directories for them, reading them, and replacing them atomically (POSIX).
#ifndef FAILPOINT_REWRITER_FILES_HPP
#define FAILPOINT_REWRITER_FILES_HPP

#include <string>
#include <string_view>
#include <vector>

#include "rewriter/result.hpp"

namespace failpoint {
namespace rewrite {

// Whether a path names a source file the directory walk picks up, by its extension (the list in
// cmake/FailpointSourceExtensions.cmake, shared with failpoint_enable(); case-sensitive).
bool is_source_path(std::string_view path);
// Whether it is C (lexed as C17) rather than C++.
bool is_c_path(std::string_view path);

// Expands PATHs, in order: a directory is walked recursively for source files (is_source_path;
// hidden directories such as `.git` are skipped), and the files found under it are sorted by
// path; a file is taken as is, whatever its extension. An error names a path that does not
// exist or a directory that cannot be read.
result<std::vector<std::string>> collect_sources(const std::vector<std::string>& paths);

// Reads a whole file as bytes. A FIFO, socket or device is refused at once (never waited on).
result<std::string> read_file(const std::string& path);

// Writes `content` to `path` atomically: a temporary file in the same directory, given the mode
// of the file it replaces (0666 minus the umask for a new file), then renamed over it; through a
// symbolic link the file it points to is replaced. On failure the old file is untouched and the
// temporary file is removed. With `durable` the data is fsync'ed before the rename (in-place
// edits); generated copies skip that.
result<void> write_file_atomic(const std::string& path, std::string_view content,
                               bool durable = true);

}  // namespace rewrite
}  // namespace failpoint

#endif  // FAILPOINT_REWRITER_FILES_HPP
