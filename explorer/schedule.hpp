// explorer/schedule.hpp: fault schedules, fault menus and the choice of hits (pure functions).
#ifndef FAILPOINT_EXPLORER_SCHEDULE_HPP
#define FAILPOINT_EXPLORER_SCHEDULE_HPP

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "failpoint/explore.hpp"

namespace failpoint {
namespace explorer {

// A failpoint hit at most this many times in a process gets a fault at every hit; one hit more
// often gets it at a chosen few (choose_hits), which keeps a loop from multiplying the runs.
inline constexpr std::uint64_t all_hits_limit = 16;
// Hits drawn at random (from the seed) beyond the fixed choices, for a failpoint hit often.
inline constexpr std::size_t sampled_hits = 4;

// How long a fault lasts: at hit k only, or at k and every later hit.
enum class fault_mode { once, from };

// One planned fault: term `term` at hit `hit` (k, counted per process) of failpoint `name`.
struct fault {
  std::string name;
  std::uint64_t hit = 1;
  std::string term;  // a single term without count: `return(true)`, `panic`, `sleep(100)`
  fault_mode mode = fault_mode::once;
};

// A set of faults, kept sorted by (name, hit, term, mode): its canonical form.
using schedule = std::vector<fault>;

// Whether the trace shows fault `f` fired: an injected hit of its failpoint at hit k, or for a
// `from` fault at k or any later hit. A `from` fault's record of hit k can be missing when the
// process ended (a crash the fault caused in another thread) between the moment the hitting
// thread took k and the moment it wrote the record; a later injected hit proves it fired as well.
bool fault_fired(const std::vector<process_trace>& trace, const fault& f);

// Sorts a schedule into its canonical order.
void canonicalize(schedule& s);

// The FAILPOINTS string that realizes a canonical schedule. Per failpoint, its faults in hit
// order: `(k-1)*off->1*F` for once at k, `(k-1)*off->F` for from k on; after the last `once`
// an `->off` keeps the failpoint armed, so its later hits are traced too. Failpoints sorted by
// name, separated by `;`, each name after entry_marker(). It is also the schedule's canonical
// text (dedup and order).
std::string failpoints_spec(const schedule& s);

// "?" when the runtime reads `?name=terms` as an entry for a failpoint that may not be in this
// process (never an error there), else "". Every process of a run inherits FAILPOINTS, and a
// schedule names failpoints that live in one of them (foo's in foo, bar's in bar): where the
// runtime checks that every name exists, each entry needs the marker. Asked of the runtime once.
const char* entry_marker();

// Whether `f` can join `s`: not the same hit twice, and nothing after a `from` fault.
bool can_add(const schedule& s, const fault& f);

// The hits (1-based, ascending) at which a failpoint hit `count` times gets faults: all of them
// up to all_hits_limit; otherwise 1, 2, the last two, the powers of two and `sampled_hits`
// drawn from `seed` and `name`.
std::vector<std::uint64_t> choose_hits(std::uint64_t count, std::uint64_t seed,
                                       const std::string& name);

// The faults a failpoint gets. From its declared type: no value: `return`; bool: `return(true)`
// and `return(false)`; signed integers: `return(0)` and `return(-1)`; unsigned integers:
// `return(0)`; other types (strings...): nothing. Then, in order, the terms of every rule whose
// glob matches the name (fnmatch), then `extra` (opt-in faults such as panic for every one).
// Duplicates are dropped.
struct menu_rules {
  std::vector<std::pair<std::string, std::vector<std::string>>> rules;  // glob, terms
  std::vector<std::string> extra;
};
std::vector<std::string> menu_for(const std::string& name, const std::string& type,
                                  const menu_rules& rules);

// Reads a menu file: a JSON object whose keys are failpoint globs and whose values are arrays of
// terms, e.g. {"foo.Call*": ["return(\"refused\")", "return(\"503\")"]}. Every term is checked
// with failpoint::validate_terms. Throws std::runtime_error naming the file and the entry.
menu_rules read_menu_file(const std::string& path);

// Checks an opt-in or menu term: one term, no count, no probability, no chain. Throws
// std::runtime_error saying what is wrong with it.
void check_fault_term(const std::string& term, const std::string& where);

// 64-bit FNV-1a, for canonical hashes and fingerprints.
std::uint64_t fnv1a(const std::string& text);

}  // namespace explorer
}  // namespace failpoint

#endif  // FAILPOINT_EXPLORER_SCHEDULE_HPP
