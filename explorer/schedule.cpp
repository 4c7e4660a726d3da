// explorer/schedule.cpp: fault schedules, fault menus and the choice of hits.
#include "explorer/schedule.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <set>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "failpoint/control.hpp"

namespace failpoint {
namespace explorer {
namespace {

auto key(const fault& f) {
  return std::tie(f.name, f.hit, f.term, f.mode);
}

bool is_unsigned_type(const std::string& type) {
  return type.find("unsigned") != std::string::npos || type.find("size_t") != std::string::npos ||
         type.find("uint") != std::string::npos;
}

bool is_integer_type(const std::string& type) {
  static const char* const words[] = {"int", "long", "short", "size_t", "char", "unsigned"};
  if (type == "bool" || type.find("string") != std::string::npos ||
      type.find('*') != std::string::npos)
    return false;
  for (const char* w : words) {
    if (type.find(w) != std::string::npos)
      return true;
  }
  return false;
}

void add_unique(std::vector<std::string>& out, const std::string& term) {
  if (std::find(out.begin(), out.end(), term) == out.end())
    out.push_back(term);
}

}  // namespace

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

const char* entry_marker() {
  static const bool understood = failpoint::parse_spec("?x=off").at(0).first == "x";
  return understood ? "?" : "";
}

bool fault_fired(const std::vector<process_trace>& trace, const fault& f) {
  for (const process_trace& t : trace) {
    for (const traced_hit& h : t.hits) {
      const bool at_its_hit = f.mode == fault_mode::from ? h.hit >= f.hit : h.hit == f.hit;
      if (h.injected && at_its_hit && h.name == f.name)
        return true;
    }
  }
  return false;
}

void canonicalize(schedule& s) {
  std::sort(s.begin(), s.end(), [](const fault& a, const fault& b) { return key(a) < key(b); });
}

std::string failpoints_spec(const schedule& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::string& name = s[i].name;
    std::string chain;
    std::uint64_t done = 0;  // hits the chain has accounted for
    bool open_ended = false;
    for (; i < s.size() && s[i].name == name; ++i) {
      const fault& f = s[i];
      if (!chain.empty())
        chain += "->";
      if (f.hit > done + 1)
        chain += fmt::format("{}*off->", f.hit - done - 1);
      if (f.mode == fault_mode::once) {
        chain += "1*" + f.term;
        done = f.hit;
      } else {
        chain += f.term;
        open_ended = true;
      }
    }
    if (!open_ended)
      chain += "->off";
    if (!out.empty())
      out += ';';
    out += entry_marker() + name + "=" + chain;
  }
  return out;
}

bool can_add(const schedule& s, const fault& f) {
  for (const fault& g : s) {
    if (g.name != f.name)
      continue;
    if (g.hit == f.hit)
      return false;
    if (g.mode == fault_mode::from && f.hit > g.hit)
      return false;
    if (f.mode == fault_mode::from && g.hit > f.hit)
      return false;
  }
  return true;
}

std::vector<std::uint64_t> choose_hits(std::uint64_t count, std::uint64_t seed,
                                       const std::string& name) {
  std::set<std::uint64_t> chosen;
  if (count <= all_hits_limit) {
    for (std::uint64_t k = 1; k <= count; ++k)
      chosen.insert(k);
  } else {
    chosen.insert({1, 2, count - 1, count});
    for (std::uint64_t p = 4; p < count; p *= 2)
      chosen.insert(p);
    std::mt19937_64 random(seed ^ fnv1a(name));
    std::uniform_int_distribution<std::uint64_t> any(1, count);
    for (std::size_t i = 0; i < sampled_hits; ++i)
      chosen.insert(any(random));
  }
  return {chosen.begin(), chosen.end()};
}

std::vector<std::string> menu_for(const std::string& name, const std::string& type,
                                  const menu_rules& rules) {
  std::vector<std::string> out;
  if (type.empty()) {
    out.push_back("return");
  } else if (type == "bool") {
    out = {"return(true)", "return(false)"};
  } else if (is_integer_type(type)) {
    out.push_back("return(0)");
    if (!is_unsigned_type(type))
      out.push_back("return(-1)");
  }
  for (const auto& [glob, terms] : rules.rules) {
    if (::fnmatch(glob.c_str(), name.c_str(), 0) == 0) {
      for (const std::string& t : terms)
        add_unique(out, t);
    }
  }
  for (const std::string& t : rules.extra)
    add_unique(out, t);
  return out;
}

void check_fault_term(const std::string& term, const std::string& where) {
  try {
    failpoint::validate_terms(term);
  } catch (const failpoint::config_error& e) {
    throw std::runtime_error(fmt::format("{}: {}", where, e.what()));
  }
  // A fault is one bare term: the explorer adds counts and chains itself. The term is valid, so
  // a `*` (count), `%` (probability) or `->` (chain) outside its quoted value is one of those.
  bool quoted = false;
  for (std::size_t i = 0; i < term.size(); ++i) {
    const char c = term[i];
    if (quoted) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '*' || c == '%' || (c == '-' && i + 1 < term.size() && term[i + 1] == '>')) {
      throw std::runtime_error(fmt::format(
          "{}: \"{}\" is not a single term without count or probability (the explorer chooses "
          "the hits itself); write e.g. return(true), panic or sleep(100)",
          where, term));
    }
  }
}

menu_rules read_menu_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(fmt::format("cannot read the fault menu file \"{}\"", path));
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(fmt::format("fault menu file \"{}\": {}", path, e.what()));
  }
  if (!doc.is_object())
    throw std::runtime_error(fmt::format(
        "fault menu file \"{}\": expected an object {{\"glob\": [\"term\", ...]}}", path));
  menu_rules rules;
  for (const auto& [glob, terms] : doc.items()) {
    if (!terms.is_array())
      throw std::runtime_error(fmt::format(
          "fault menu file \"{}\", entry \"{}\": expected an array of terms", path, glob));
    std::vector<std::string> list;
    for (const auto& t : terms) {
      if (!t.is_string())
        throw std::runtime_error(fmt::format(
            "fault menu file \"{}\", entry \"{}\": {} is not a string", path, glob, t.dump()));
      check_fault_term(t.get<std::string>(),
                       fmt::format("fault menu file \"{}\", entry \"{}\"", path, glob));
      list.push_back(t.get<std::string>());
    }
    rules.rules.emplace_back(glob, std::move(list));
  }
  return rules;
}

}  // namespace explorer
}  // namespace failpoint
