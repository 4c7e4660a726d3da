// failpoint/explore.hpp: what a test asks about the faults of its run, and the trace behind it.
//
// failpoint-explore (explorer/) runs a test under many fault schedules. The test branches its
// assertions on what was injected, as with Filibuster's was_fault_injected_on():
//
//   const http_result r = call_foo();
//   if (failpoint::was_injected()) CHECK(r.status == 503);    // a fault somewhere: degrade
//   else CHECK(r.body == "foo bar baz");                       // none: the normal answer
//
// The answers come from the trace that FAILPOINTS_TRACE=DIR makes every process of the run
// write (the test and every child it starts, which inherit the environment), so a fault that
// fired inside a server the test talks to counts. The trace format is in docs/explorer.md.
#ifndef FAILPOINT_EXPLORE_HPP
#define FAILPOINT_EXPLORE_HPP

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "failpoint/export.hpp"

namespace failpoint {

// One traced hit of a failpoint in which a term ran.
struct traced_hit {
  std::string name;            // the failpoint
  std::uint64_t hit = 0;       // k: 1 for the first traced hit of `name` in this process
  std::uint64_t time_ns = 0;   // CLOCK_MONOTONIC, comparable between processes
  std::uint64_t sequence = 0;  // order of the hit in its process (0-based)
  std::uint32_t thread = 0;    // 1-based ordinal of the hitting thread in its process
  std::uint32_t term = 0;      // index of the term that ran in the failpoint's chain
  std::string action;          // its action: "off", "return", "panic"...
  bool injected = false;       // the action is not `off`
};

// A failpoint as the trace of one process names it.
struct traced_point {
  std::string name;
  std::string type;  // declared C++ type; empty for a failpoint without value
  std::string file;  // source file of the site that made the process's first hit (__FILE__)
  int line = 0;      // its line (__LINE__)
};

// The trace of one process.
struct process_trace {
  std::string file;
  int pid = 0;
  int parent_pid = 0;
  std::vector<traced_point> points;  // those hit at least once
  std::vector<traced_hit> hits;      // in the order they were recorded
  std::uint64_t overflow = 0;        // hits not recorded (the file was full)
};

// A trace file that cannot be read (wrong magic or version, truncated). what() names the file.
class FAILPOINT_EXPORT trace_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads every `*.trace` file in `dir`, sorted by file name. Records still being written by a live
// process are skipped. Throws trace_error for an unreadable file. Cost: reads the files.
FAILPOINT_EXPORT std::vector<process_trace> read_trace(const std::string& dir);

// Every fault injected in this run so far (hits whose action is not `off`), in every process
// that traces into FAILPOINTS_TRACE, ordered by time. Without FAILPOINTS_TRACE: see was_injected.
// Thread-safe; reads the trace files at each call (a test's oracle, not a hot path).
FAILPOINT_EXPORT std::vector<traced_hit> injected();

// Whether a fault was injected in this run: at failpoint `name`, or anywhere when `name` is empty.
// Needs FAILPOINTS_TRACE when FAILPOINTS is set (faults may fire in other processes, which only
// the trace shows): throws std::logic_error then; returns false when neither is set.
FAILPOINT_EXPORT bool was_injected(std::string_view name = {});

}  // namespace failpoint

#endif  // FAILPOINT_EXPLORE_HPP
