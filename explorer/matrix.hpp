// explorer/matrix.hpp: fault matrices: the cartesian product of terms per failpoint as walks, a
// pairwise covering array of them, and the stable id of a walk (pure functions).
#ifndef FAILPOINT_EXPLORER_MATRIX_HPP
#define FAILPOINT_EXPLORER_MATRIX_HPP

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "explorer/schedule.hpp"

namespace failpoint {
namespace explorer {

// A matrix: per failpoint (in the order written), the terms it takes in turn; `off` is one of
// them when listed (the failpoint left alone).
using matrix = std::vector<std::pair<std::string, std::vector<std::string>>>;

// One walk: the index of the term each failpoint of the matrix takes.
using walk = std::vector<std::size_t>;

// Parses `a=off,return(1);b=off,sleep(10),panic`: entries separated by `;`, a name, `=`, terms
// separated by `,` (commas inside parentheses or quotes belong to the term). Every term but `off`
// is checked with check_fault_term. Throws std::runtime_error naming the entry at fault.
matrix parse_matrix(const std::string& text);

// The number of walks of the full product (saturates at UINT64_MAX).
std::uint64_t product_size(const matrix& m);

// Every walk of the product, in mixed-radix order: the last failpoint's term changes fastest.
// Throws std::runtime_error when there are more than `limit` walks.
std::vector<walk> product_walks(const matrix& m, std::uint64_t limit);

// A covering array of strength 2: walks such that every pair of terms of any two failpoints
// appears in at least one walk. Deterministic greedy construction (matrix.cpp): each new walk is
// the best of one candidate per starting failpoint, built term by term to cover the most pairs
// not yet covered.
std::vector<walk> pairwise_walks(const matrix& m);

// The schedule of a walk: each failpoint whose term is not `off` gets its term from hit 1 on
// (at every hit). `off` terms are left out, so they are trivially realized.
schedule walk_schedule(const matrix& m, const walk& w);

// The stable id of a walk's schedule: 8 hexadecimal digits of the FNV-1a hash of its canonical
// text `name=term;name=term` (failpoints sorted by name, `off` left out). It depends only on the
// faults of the walk, never on its position, the order of the matrix or the shard that ran it.
std::string walk_id(const schedule& walk_faults);

}  // namespace explorer
}  // namespace failpoint

#endif  // FAILPOINT_EXPLORER_MATRIX_HPP
