// test/support/files.hpp: temporary directories, files and bounded waiting, for every test suite
// (library failpoint_test_support).
#ifndef FAILPOINT_TEST_SUPPORT_FILES_HPP
#define FAILPOINT_TEST_SUPPORT_FILES_HPP

#include <chrono>
#include <functional>
#include <string>

namespace failpoint_test {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents when the test process
// exits (ctest runs each test case as its own process).
std::string temp_dir();

// The whole content of a file; an empty string when it cannot be read.
std::string read_file(const std::string& path);

// Replaces the file's content with `text` (created when missing).
void write_file(const std::string& path, const std::string& text);

// Appends `text` to the file (created when missing).
void append_file(const std::string& path, const std::string& text);

// How many lines of `text` start with `prefix`.
int count_lines_starting_with(const std::string& text, const std::string& prefix);

// Polls `done` every 10 ms until it returns true or `limit` passes; returns its last result.
bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds limit = std::chrono::seconds(10));

// Waits (at most `limit`) until `path` exists and is non-empty; returns its content without the
// trailing newline, or an empty string when the time is up.
std::string wait_for_file(const std::string& path, std::chrono::milliseconds limit);

}  // namespace failpoint_test

#endif  // FAILPOINT_TEST_SUPPORT_FILES_HPP
