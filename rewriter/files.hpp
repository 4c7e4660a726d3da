// rewriter/files.hpp: reading, walking and atomically writing the files failpoint-rewrite edits.
#ifndef FAILPOINT_REWRITER_FILES_HPP
#define FAILPOINT_REWRITER_FILES_HPP

#include <string>
#include <string_view>
#include <vector>

namespace failpoint {
namespace rewrite {

// Expands PATHs: a directory is walked recursively for source files (is_source_path; `.git` and
// other hidden directories are skipped), a file is taken as is. The result is sorted within each
// directory. Returns false and sets `error` for a path that does not exist.
bool collect_sources(const std::vector<std::string>& paths, std::vector<std::string>* files,
                     std::string* error);

// Reads a whole file as bytes.
bool read_file(const std::string& path, std::string* out, std::string* error);

// Writes `content` to `path` atomically: a temporary file in the same directory, flushed, given
// the mode of the file it replaces (0644 minus the umask for a new file), then renamed over it.
// On failure the old file is untouched and the temporary file is removed. With `durable` the data
// is fsync'ed before the rename (in-place edits); generated copies skip that.
bool write_file_atomic(const std::string& path, std::string_view content, std::string* error,
                       bool durable = true);

}  // namespace rewrite
}  // namespace failpoint

#endif  // FAILPOINT_REWRITER_FILES_HPP
