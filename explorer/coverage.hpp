// explorer/coverage.hpp: `failpoint-explore --coverage`: each run of a program built with gcov
// (`--coverage`) writes its counters to its own directory, and gcovr merges them into the
// baseline's coverage, the coverage under faults, and the lines only faults reach.
// Described in docs/explorer.md ("Coverage").
#ifndef FAILPOINT_EXPLORER_COVERAGE_HPP
#define FAILPOINT_EXPLORER_COVERAGE_HPP

#include <cstddef>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "explorer/explore.hpp"

namespace failpoint {
namespace explorer {

// Lines covered out of the lines with code, over the files under the coverage root.
struct line_coverage {
  std::size_t covered = 0;
  std::size_t total = 0;
  double percent() const { return total == 0 ? 0.0 : 100.0 * covered / total; }
};

// What --coverage measured.
struct coverage_summary {
  std::string root;  // files are named relative to it
  std::size_t baseline_runs = 0, fault_runs = 0;
  line_coverage baseline;      // the fault-free runs
  line_coverage under_faults;  // every run with a schedule, merged
  line_coverage all;           // both together: what exploring reached in all
  // Lines that runs under faults reach and the baseline does not, by file, ascending.
  std::map<std::string, std::vector<unsigned>> fault_only;
  std::vector<std::string> warnings;  // e.g. objects whose sources gcov could not open
  double seconds = 0;                 // wall time of the conversions and merges
  std::size_t fault_only_lines() const;
  nlohmann::json to_json() const;
  // The summary lines and the file:line listing of the lines only faults reach.
  std::string text() const;
};

// Collects the gcov counters of the runs of one exploration. Thread-safe: runs call
// `instrument` from the explorer's workers.
class coverage_collector {
 public:
  // Checks that gcovr runs (throws std::runtime_error naming the problem otherwise). Counters go
  // to directories under `work_dir`; reported files are those under `root`.
  coverage_collector(std::string work_dir, std::string root, unsigned jobs);

  // Gives the next run its own counter directory: sets GCOV_PREFIX (and GCOV_PREFIX_STRIP=0:
  // the directory mirrors the absolute object paths) in `cmd`'s environment.
  void instrument(command& cmd, bool baseline);

  // Empty when the baseline runs wrote gcov counters; otherwise what is wrong (the program was
  // not built with --coverage).
  std::string check_baseline() const;

  // Converts each run's counters with gcovr (the .gcno files are linked next to the .gcda files
  // they belong to), merges them with gcovr --add-tracefile, and compares. Writes
  // coverage-baseline.gcovr.json and coverage-faults.gcovr.json (gcovr's own format, for
  // `gcovr --add-tracefile ... --html-details`) to `out_dir`. Throws std::runtime_error when gcovr
  // fails.
  coverage_summary finish(const std::string& out_dir) const;

 private:
  std::string work_dir_, root_, gcovr_;
  unsigned jobs_;
  mutable std::mutex mutex_;
  std::vector<std::string> baseline_dirs_, fault_dirs_;
};

// Writes coverage.json and coverage.txt (the listing) to `out_dir`.
void write_coverage_files(const coverage_summary& s, const std::string& out_dir);

}  // namespace explorer
}  // namespace failpoint

#endif  // FAILPOINT_EXPLORER_COVERAGE_HPP
