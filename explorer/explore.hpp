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

// Version of the counterexample and report files; readers refuse other versions.
inline constexpr int file_version = 1;

// The command under test and how it runs.
struct command {
  std::vector<std::string> argv;
  std::string cwd;                         // the directory it runs in
  std::map<std::string, std::string> env;  // set on top of the explorer's environment
  std::uint64_t seed = 0;                  // FAILPOINTS_SEED and the sampling of hits
};

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
};

// Explores; writes progress and the summary to `log`. Returns exit_no_failure, exit_failures or
// exit_usage (baseline refused; the reason is written to `log`).
int explore(const options& opts, std::ostream& log);

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
