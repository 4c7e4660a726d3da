// explorer/explore.hpp: failpoint-explore's engine: baseline, fault schedules, runs, their
// classification, failures and their counterexamples, the report, replay.
// The algorithm is described in docs/explorer.md.
#ifndef FAILPOINT_EXPLORER_EXPLORE_HPP
#define FAILPOINT_EXPLORER_EXPLORE_HPP

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "failpoint/explore.hpp"

#include "explorer/schedule.hpp"

namespace failpoint {
namespace explorer {

// Exit statuses of the tool.
inline constexpr int exit_no_failure = 0;
inline constexpr int exit_failures = 1;
inline constexpr int exit_usage = 2;

// Version of the counterexample, report, shard, round and baseline files; readers refuse other
// versions.
inline constexpr int file_version = 1;

// The command under test and how it runs.
struct command {
  std::vector<std::string> argv;
  std::string cwd;                         // the directory it runs in
  std::map<std::string, std::string> env;  // set on top of the explorer's environment
  std::uint64_t seed = 0;                  // FAILPOINTS_SEED and the sampling of hits
  std::set<std::string> unset;  // variables of the explorer's environment the runs do not get
};

// This process's share of a sharded exploration: the schedules whose position in a round's
// deterministic order is `index` modulo `total`.
struct shard_spec {
  unsigned index = 0;
  unsigned total = 1;
  std::string source;  // where it came from, for messages: "--shard", "TEST_SHARD_INDEX"...
  std::vector<std::string> variables;  // the engine's variables it was read from
};

// The shard from `--shard I/N` (`flag`, empty when not given), else from the variables the
// engines set (in `env`): Bazel's TEST_TOTAL_SHARDS/TEST_SHARD_INDEX, GoogleTest's
// GTEST_TOTAL_SHARDS/GTEST_SHARD_INDEX, a Kubernetes Indexed Job's JOB_COMPLETION_INDEX with the
// total from `total` (--shard-total) or FAILPOINT_EXPLORE_SHARDS. Nothing when none is set.
// Throws std::runtime_error naming the option or variable that is malformed or out of range.
std::optional<shard_spec> shard_from(const std::string& flag, std::optional<unsigned> total,
                                     const std::map<std::string, std::string>& env);

// What a run of the command turned out to be.
enum class outcome { pass, fail, crash, sanitizer, hang, not_realized };
const char* outcome_name(outcome o);

// One run of the command under a schedule.
struct run_result {
  schedule faults;
  std::string failpoints;  // the FAILPOINTS string
  outcome kind = outcome::pass;
  outcome observed = outcome::pass;  // before the realization check (not_realized hides it)
  int exit_code = 0;
  int signal = 0;
  double seconds = 0;
  bool realized = true;     // every planned fault fired
  std::string fingerprint;  // failures only: hash of outcome, exit/signal, key line, frames
  std::string key;          // the line or frames the fingerprint came from
  std::string stdout_tail, stderr_tail;
  std::vector<process_trace> trace;
  int attempts = 1;
};

// Runs the command once with `faults` (canonical), tracing, in a fresh temporary directory
// under `work_dir` (removed afterwards unless `keep`), and classifies it.
run_result run_schedule(const command& cmd, const schedule& faults,
                        std::chrono::milliseconds timeout, const std::string& work_dir,
                        bool keep = false);

// Options of an exploration (the tool's command line).
struct options {
  command cmd;
  int depth = 2;                                         // faults per schedule at most
  unsigned jobs = 1;                                     // runs at once
  std::optional<std::uint64_t> max_runs;                 // schedules run at most
  std::optional<std::chrono::milliseconds> time_budget;  // wall time for schedules
  std::optional<std::chrono::milliseconds> timeout;      // per run; default from the baseline
  menu_rules menus;
  bool fail_fast = false;
  int reproduce_runs = 3;     // re-runs of each distinct failure
  std::string out_dir;        // counterexamples go here
  std::string report_file;    // --report; empty: none
  std::string html_dir;       // --html: DIR/index.html; empty: none
  std::string work_parent;    // where runs' directories go; empty: /dev/shm or $TMPDIR
  bool progress_bar = false;  // a terminal: redraw one line; otherwise plain lines
  std::string matrix;         // --matrix: walks instead of the search (explorer/matrix.hpp)
  bool pairwise = false;      // with a matrix: a pairwise covering array instead of the product
  std::optional<shard_spec> shard;  // with state_dir: run one shard of the current round
  std::string state_dir;            // where shards and merges keep a sharded exploration
  // Coverage and CI mode (explorer/coverage.hpp, explorer/ci.hpp; docs/explorer.md).
  bool coverage = false;       // --coverage: per-run gcov counters merged by gcovr
  std::string coverage_root;   // files reported by --coverage: those under it
  std::string changed_since;   // --changed-since REV: schedules of changed failpoints first
  bool changed_only = false;   // --changed-only: and no others
  std::string baseline_cache;  // --baseline-cache DIR
  std::string new_only;        // --new-only REPORT: failures of REPORT are known, not new
};

// Options of `failpoint-explore merge`.
struct merge_options {
  std::string state_dir;
  std::string out_dir;      // counterexamples
  std::string report_file;  // besides STATE/report.json; empty: that one only
  std::string html_dir;     // --html: DIR/index.html of the merged report; empty: none
  std::string work_parent;
  unsigned jobs = 1;  // re-runs of failures at once
};

// Explores; writes progress and the summary to `log`. Returns exit_no_failure, exit_failures or
// exit_usage (baseline refused; the reason is written to `log`). With `shard` (and `state_dir`),
// runs that shard's share of the current round only and writes its shard file (exit_no_failure
// when it did; failures are the merge's to report).
int explore(const options& opts, std::ostream& log);

// Combines the shard files of the last round in `state_dir`: checks they are complete and
// consistent, then writes the next round's schedules, or, after the last round, the report and
// counterexamples an unsharded exploration writes. Returns exit_no_failure (a next round is
// planned, or no failure), exit_failures or exit_usage (missing or conflicting shards: the
// message names them).
int merge(const merge_options& opts, std::ostream& log);

// Re-runs the matrix walk `id` recorded in `report_file` (a report with walks); returns 0 when it
// ended as recorded (same outcome), 1 otherwise, exit_usage when the report or the walk is
// missing.
int replay_walk(const std::string& id, const std::string& report_file, const std::string& work_dir,
                std::ostream& log);

// Re-runs a counterexample file; writes what happened to `log`. Returns 0 when the recorded
// failure happened again with every planned fault fired (with `expect_pass`: when the run passed
// with every planned fault fired), 1 otherwise, exit_usage for an unreadable file.
int replay(const std::string& file, bool expect_pass, const std::string& work_dir,
           std::ostream& log);

// The timeout a run gets when none is given: ten times the slowest baseline, at least this.
inline constexpr std::chrono::milliseconds min_timeout{2000};
inline constexpr int timeout_factor = 10;

// Bytes of a run's stdout and stderr kept in reports and counterexamples.
inline constexpr std::size_t tail_bytes = 4096;

}  // namespace explorer
}  // namespace failpoint

#endif  // FAILPOINT_EXPLORER_EXPLORE_HPP
