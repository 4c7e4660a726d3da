// runtime/trace.hpp: the hit trace (FAILPOINTS_TRACE=DIR) written by every process of a run.
//
// With FAILPOINTS_TRACE=DIR set, each process maps its own file DIR/<pid>[-n].trace (created at
// its first traced hit) and records every hit of an armed failpoint in which a term ran: the
// failpoint, its hit index k in this process, the thread, the term and its action, and a
// CLOCK_MONOTONIC time (system-wide, so hits of different processes can be ordered). Records are
// written by the hitting thread into a shared file mapping, so the trace survives abort(),
// SIGKILL and _exit. Tracing also arms every registered failpoint that FAILPOINTS does not name
// with `off`, so that every reach is recorded (the explorer counts hits from it).
//
// The file format (version 2) is written down in docs/explorer.md ("The trace") and read by
// failpoint::read_trace (failpoint/explore.hpp); the layout structs below are the definition.
#ifndef FAILPOINT_RUNTIME_TRACE_HPP
#define FAILPOINT_RUNTIME_TRACE_HPP

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "failpoint/failpoint.hpp"

namespace failpoint {
namespace detail {
struct point;
struct site;
}  // namespace detail

namespace runtime_internal {

using detail::point;
using detail::site;
enum class action;

// Per-failpoint trace state, a member of `point`: its slot in this process's name table and how
// many of its hits this process traced (k of the next hit minus one). Reset in a forked child.
struct trace_slot {
  std::atomic<std::uint32_t> id{0};  // 1-based slot in the file's point table; 0: none yet
  std::atomic<std::uint64_t> hits{0};
};

// --- The file layout, version 2 (native byte order; read back by the same machine). ---

inline constexpr char trace_magic[8] = {'F', 'P', 'T', 'R', 'A', 'C', 'E', '1'};
inline constexpr std::uint32_t trace_version = 2;
// Failpoints per process with a table slot: far more than any program declares; a failpoint
// beyond it is still counted (overflow) but not recorded.
inline constexpr std::uint32_t trace_point_capacity = 1024;
// Hits recorded per process: 2 MiB of records, enough for a functional test (the file is sparse:
// only the pages written take space). Later hits only count in `next_record` (overflow).
inline constexpr std::uint32_t trace_record_capacity = 1u << 16;
// Bytes of a name or type kept in the table (names longer are cut and flagged).
inline constexpr std::size_t trace_name_size = 176;
inline constexpr std::size_t trace_type_size = 64;
// Bytes of the source file name of the site that first hit a failpoint (a longer path is cut).
inline constexpr std::size_t trace_site_file_size = 256;
// Action spellings kept in the header, indexed by the action's code.
inline constexpr std::size_t trace_action_slots = 32;
inline constexpr std::size_t trace_action_name_size = 16;

struct trace_header {
  char magic[8];
  std::uint32_t version;
  std::uint32_t header_size;  // sizeof(trace_header)
  std::uint32_t point_capacity;
  std::uint32_t record_capacity;
  std::int32_t pid;
  std::int32_t parent_pid;
  std::atomic<std::uint64_t> next_record;    // records claimed; beyond record_capacity: overflow
  std::atomic<std::uint32_t> points;         // point slots claimed
  std::atomic<std::uint32_t> actions_known;  // bit i: action_names[i] is written
  char action_names[trace_action_slots][trace_action_name_size];
};

struct trace_point {
  std::atomic<std::uint32_t> ready;  // 1 once name and type are written
  std::uint32_t truncated;           // 1 when the name did not fit
  char name[trace_name_size];
  char type[trace_type_size];
  // Where the site that made this process's first hit is (__FILE__, __LINE__), so that a tool can
  // tie a failpoint to changed source lines.
  std::uint32_t line;
  char file[trace_site_file_size];
};

struct trace_record {
  std::uint64_t hit;      // k: 1 for this process's first traced hit of the failpoint
  std::uint64_t time_ns;  // CLOCK_MONOTONIC
  std::uint32_t point;    // 1-based slot in the point table
  std::uint32_t thread;   // 1-based ordinal of the hitting thread in this process
  std::uint16_t term;     // index of the term that ran in its chain
  std::uint8_t action;    // code of the action (spelled in trace_header::action_names)
  std::uint8_t injected;  // 1 when the action is not `off`: a fault was injected
  std::atomic<std::uint32_t> committed;  // 1 once the fields above are written
};

static_assert(sizeof(trace_record) == 32, "a record is half a cache line");

// Byte offsets of the sections in a file.
inline constexpr std::size_t trace_points_offset = (sizeof(trace_header) + 63) / 64 * 64;
inline constexpr std::size_t trace_records_offset =
    trace_points_offset + sizeof(trace_point) * trace_point_capacity;
inline constexpr std::size_t trace_file_size =
    trace_records_offset + sizeof(trace_record) * trace_record_capacity;

// --- The runtime's side. ---

// True while FAILPOINTS_TRACE is set in this process (read once, when the registry is created).
extern std::atomic<bool> trace_on;

// Reads FAILPOINTS_TRACE; called by the registry's constructor before FAILPOINTS is applied.
void trace_init();

// Out of line: records one hit of site `s` (term `term` with action `act` ran). Takes no lock of
// the registry or the point, so evaluation may call it inside its read section.
void trace_record_hit(site& s, std::size_t term, action act) noexcept;

// Records a hit when tracing: the whole cost is one relaxed load while it is off.
inline void trace_hit(site& s, std::size_t term, action act) noexcept {
  if (FAILPOINT_DETAIL_UNLIKELY(trace_on.load(std::memory_order_relaxed)))
    trace_record_hit(s, term, act);
}

// Whether a failpoint that FAILPOINTS does not name must be armed with `off` (tracing is on).
inline bool trace_arms_all() noexcept {
  return trace_on.load(std::memory_order_relaxed);
}

}  // namespace runtime_internal
}  // namespace failpoint

#endif  // FAILPOINT_RUNTIME_TRACE_HPP
