// explorer/matrix.cpp: fault matrices, their product and pairwise walks, walk ids.
#include "explorer/matrix.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

namespace failpoint {
namespace explorer {
namespace {

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos)
    return "";
  return s.substr(b, s.find_last_not_of(" \t\n") - b + 1);
}

// Splits at `sep` outside parentheses and double quotes (a backslash escapes inside quotes).
std::vector<std::string> split_top(const std::string& text, char sep) {
  std::vector<std::string> out(1);
  int depth = 0;
  bool quoted = false, escaped = false;
  for (char c : text) {
    if (escaped) {
      escaped = false;
    } else if (quoted && c == '\\') {
      escaped = true;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == '(') {
      ++depth;
    } else if (!quoted && c == ')') {
      --depth;
    } else if (!quoted && depth == 0 && c == sep) {
      out.emplace_back();
      continue;
    }
    out.back() += c;
  }
  return out;
}

}  // namespace

matrix parse_matrix(const std::string& text) {
  matrix m;
  std::set<std::string> names;
  for (const std::string& raw : split_top(text, ';')) {
    const std::string entry = trimmed(raw);
    if (entry.empty())
      continue;
    const auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0)
      throw std::runtime_error(
          fmt::format("--matrix entry \"{}\": expected NAME=TERM,TERM,...", entry));
    const std::string name = trimmed(entry.substr(0, eq));
    if (!names.insert(name).second)
      throw std::runtime_error(fmt::format("--matrix: failpoint \"{}\" is listed twice", name));
    std::vector<std::string> terms;
    for (const std::string& t : split_top(entry.substr(eq + 1), ',')) {
      const std::string term = trimmed(t);
      if (term.empty())
        throw std::runtime_error(fmt::format("--matrix entry \"{}\": an empty term", entry));
      if (term != "off")
        check_fault_term(term, fmt::format("--matrix entry \"{}\"", name));
      if (std::find(terms.begin(), terms.end(), term) != terms.end())
        throw std::runtime_error(
            fmt::format("--matrix entry \"{}\": term \"{}\" is listed twice", name, term));
      terms.push_back(term);
    }
    m.emplace_back(name, std::move(terms));
  }
  if (m.empty())
    throw std::runtime_error("--matrix: no failpoint in \"" + text + "\"");
  return m;
}

std::uint64_t product_size(const matrix& m) {
  std::uint64_t n = 1;
  for (const auto& entry : m) {
    const std::uint64_t k = entry.second.size();
    if (n > std::numeric_limits<std::uint64_t>::max() / k)
      return std::numeric_limits<std::uint64_t>::max();
    n *= k;
  }
  return n;
}

std::vector<walk> product_walks(const matrix& m, std::uint64_t limit) {
  const std::uint64_t n = product_size(m);
  if (n > limit)
    throw std::runtime_error(fmt::format(
        "--matrix: the product has {} walks, more than {}; use --pairwise or fewer terms",
        n == std::numeric_limits<std::uint64_t>::max() ? std::string("too many")
                                                       : std::to_string(n),
        limit));
  std::vector<walk> out;
  out.reserve(n);
  walk w(m.size(), 0);
  for (std::uint64_t i = 0; i < n; ++i) {
    out.push_back(w);
    for (std::size_t f = m.size(); f-- > 0;) {
      if (++w[f] < m[f].second.size())
        break;
      w[f] = 0;
    }
  }
  return out;
}

std::vector<walk> pairwise_walks(const matrix& m) {
  const std::size_t n = m.size();
  if (n < 2)
    return product_walks(m, std::numeric_limits<std::uint64_t>::max());
  // covered[f][g] (f < g): a flag per (term of f, term of g).
  std::vector<std::vector<std::vector<char>>> covered(n, std::vector<std::vector<char>>(n));
  std::size_t left = 0;
  for (std::size_t f = 0; f < n; ++f) {
    for (std::size_t g = f + 1; g < n; ++g) {
      covered[f][g].assign(m[f].second.size() * m[g].second.size(), 0);
      left += covered[f][g].size();
    }
  }
  auto is_covered = [&](std::size_t f, std::size_t a, std::size_t g, std::size_t b) {
    return f < g ? covered[f][g][a * m[g].second.size() + b]
                 : covered[g][f][b * m[f].second.size() + a];
  };
  // Pairs not covered yet that involve term a of failpoint f.
  auto open_pairs = [&](std::size_t f, std::size_t a) {
    std::size_t count = 0;
    for (std::size_t g = 0; g < n; ++g) {
      for (std::size_t b = 0; g != f && b < m[g].second.size(); ++b)
        count += is_covered(f, a, g, b) ? 0 : 1;
    }
    return count;
  };
  std::vector<walk> out;
  constexpr std::size_t unset = static_cast<std::size_t>(-1);
  while (left > 0) {
    // One candidate per starting failpoint (AETG's idea, without its randomness): the start gets
    // its term with the most open pairs; every other failpoint, in turn, the term that covers
    // the most open pairs with the terms chosen so far (then the one with more open pairs, then
    // the lowest index). The candidate covering the most open pairs is kept.
    walk best_walk;
    std::size_t best_gain = 0;
    for (std::size_t start = 0; start < n; ++start) {
      walk w(n, unset);
      std::size_t gain_total = 0;
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t f = (start + k) % n;
        std::size_t best = 0, best_gain_here = 0, best_open = 0;
        for (std::size_t a = 0; a < m[f].second.size(); ++a) {
          std::size_t gain = 0;
          for (std::size_t g = 0; g < n; ++g) {
            if (g != f && w[g] != unset && !is_covered(f, a, g, w[g]))
              ++gain;
          }
          const std::size_t open = open_pairs(f, a);
          if (a == 0 || gain > best_gain_here || (gain == best_gain_here && open > best_open)) {
            best = a;
            best_gain_here = gain;
            best_open = open;
          }
        }
        w[f] = best;
        gain_total += best_gain_here;
      }
      if (gain_total > best_gain) {
        best_gain = gain_total;
        best_walk = w;
      }
    }
    for (std::size_t f = 0; f < n; ++f) {
      for (std::size_t g = f + 1; g < n; ++g) {
        char& c = covered[f][g][best_walk[f] * m[g].second.size() + best_walk[g]];
        if (!c) {
          c = 1;
          --left;
        }
      }
    }
    out.push_back(std::move(best_walk));
  }
  return out;
}

schedule walk_schedule(const matrix& m, const walk& w) {
  schedule s;
  for (std::size_t f = 0; f < m.size(); ++f) {
    const std::string& term = m[f].second.at(w.at(f));
    if (term != "off")
      s.push_back(fault{m[f].first, 1, term, fault_mode::from});
  }
  canonicalize(s);
  return s;
}

std::string walk_id(const schedule& walk_faults) {
  std::string text;
  for (const fault& f : walk_faults) {
    if (!text.empty())
      text += ';';
    text += f.name + "=" + f.term;
  }
  return fmt::format("{:08x}", static_cast<std::uint32_t>(fnv1a(text) >> 32));
}

}  // namespace explorer
}  // namespace failpoint
