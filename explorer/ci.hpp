// explorer/ci.hpp: failpoint-explore in continuous integration: schedules of failpoints on lines
// changed since a revision first (--changed-since), baselines reused across explorations
// (--baseline-cache), and only failures an earlier report did not have (--new-only).
// Described in docs/explorer.md ("CI mode").
#ifndef FAILPOINT_EXPLORER_CI_HPP
#define FAILPOINT_EXPLORER_CI_HPP

#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "explorer/explore.hpp"

namespace failpoint {
namespace explorer {

// Lines of the working tree changed since a revision, by absolute file path: the new side of
// every hunk of `git diff --unified=0 REV` (a pure deletion touches the lines on both sides of it).
using changed_lines = std::map<std::string, std::set<unsigned>>;

// Parses the output of `git diff --unified=0 --no-prefix` run in `top` (the repository's top
// directory): paths come out absolute.
changed_lines parse_unified_diff(const std::string& diff, const std::string& top);

// The last line of the failpoint whose site is at `line` of `file`: for a comment failpoint (the
// line holds `failpoint:` after `//`), the last comment line of its body, which follows it;
// otherwise `line` itself. `line` when the file cannot be read.
unsigned site_last_line(const std::string& file, unsigned line);

// A failpoint whose site (as the trace names it) spans a changed line.
struct changed_failpoint {
  std::string name, file;
  int line = 0;       // where the site is
  int last_line = 0;  // its last line (site_last_line)
};

// The failpoints of the baseline traces whose sites are on lines changed since `rev`. The
// repository is the one holding each site's file (git rev-parse --show-toplevel in its
// directory); `git diff` runs once per repository. A relative site file is taken from `cwd`.
// Writes what it found to `log`. Throws std::runtime_error when git fails (an unknown revision,
// no repository holds any site).
std::vector<changed_failpoint> failpoints_changed_since(
    const std::string& rev, const std::vector<std::vector<process_trace>>& baseline_traces,
    const std::string& cwd, std::ostream& log);

// Moves the schedules that involve a changed failpoint to the front of `level`, keeping the order
// within both parts; with `only`, drops the others and returns how many were dropped.
std::size_t prioritize(std::vector<schedule>& level, const std::set<std::string>& changed,
                       bool only);

// --- The baseline cache. ---

// What a cached baseline depends on: the command (argv, cwd, environment changes, seed) and the
// content of every file the command names (argv[0] looked up in PATH, and each argument that is
// an existing file, relative to cwd).
struct baseline_identity {
  std::string key;                              // hash of the command alone: the entry's name
  std::map<std::string, std::string> contents;  // file → content hash
};
baseline_identity identify_baseline(const command& cmd);

// The baseline runs cached under `dir` for this identity, or nothing (no entry, or a stale one:
// a file's content changed; the reason is written to `log`).
std::optional<std::vector<run_result>> load_baseline(const std::string& dir,
                                                     const baseline_identity& id,
                                                     std::ostream& log);
// Stores passing baseline runs (their traces included).
void store_baseline(const std::string& dir, const baseline_identity& id,
                    const std::vector<run_result>& runs);

// --- Known failures. ---

// The fingerprints of the failures of an earlier report (--report). Throws std::runtime_error
// naming the file when it is not a failpoint-explore report.
std::set<std::string> known_fingerprints(const std::string& report_file);

}  // namespace explorer
}  // namespace failpoint

#endif  // FAILPOINT_EXPLORER_CI_HPP
