// explorer/explore.cpp: baseline, fault schedules level by level, runs and their classification,
// failures, counterexamples, the report, replay. The algorithm is in docs/explorer.md.
#include "explorer/explore.hpp"

#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "explorer/ci.hpp"
#include "explorer/coverage.hpp"
#include "explorer/html_report.hpp"
#include "explorer/matrix.hpp"
#include "explorer/process.hpp"

extern char** environ;

namespace failpoint {
namespace explorer {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;

// A baseline run gets this long: it has no earlier run to scale from.
constexpr std::chrono::milliseconds baseline_timeout{120000};
// Stack frames of a sanitizer report that go into a failure's fingerprint.
constexpr std::size_t fingerprint_frames = 3;
// Plain progress lines per level (a terminal gets a redrawn bar instead).
constexpr std::size_t progress_lines_per_level = 10;

// Variables the explorer sets itself in every run; the user's values are not passed on.
const char* const owned_variables[] = {"FAILPOINTS", "FAILPOINTS_TRACE", "FAILPOINTS_SEED",
                                       "TMPDIR"};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string tail(const std::string& text) {
  return text.size() <= tail_bytes ? text : text.substr(text.size() - tail_bytes);
}

// The environment of a run: the explorer's own, without the variables it owns, plus the
// command's changes, plus the schedule's FAILPOINTS and the run's trace and temporary dirs.
std::vector<std::string> run_environment(const command& cmd, const std::string& failpoints,
                                         const std::string& trace_dir, const std::string& tmp) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    const bool owned = std::any_of(std::begin(owned_variables), std::end(owned_variables),
                                   [&](const char* v) { return name == v; });
    if (!owned && cmd.env.count(name) == 0 && cmd.unset.count(name) == 0)
      env.push_back(entry);
  }
  for (const auto& [name, value] : cmd.env)
    env.push_back(name + "=" + value);
  if (!failpoints.empty())
    env.push_back("FAILPOINTS=" + failpoints);
  env.push_back("FAILPOINTS_TRACE=" + trace_dir);
  env.push_back(fmt::format("FAILPOINTS_SEED={}", cmd.seed));
  env.push_back("TMPDIR=" + tmp);
  return env;
}

bool is_failure(outcome o) {
  return o == outcome::fail || o == outcome::crash || o == outcome::sanitizer || o == outcome::hang;
}

bool has_sanitizer_report(const std::string& err) {
  static const char* const markers[] = {
      "ERROR: AddressSanitizer",
      "ERROR: LeakSanitizer",
      "WARNING: ThreadSanitizer",
      "ERROR: MemorySanitizer",
      "ERROR: UndefinedBehaviorSanitizer",
      ": runtime error: ",  // UBSan's diagnostic line
  };
  return std::any_of(std::begin(markers), std::end(markers),
                     [&](const char* m) { return err.find(m) != std::string::npos; });
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Replaces each number, decimal or 0x-hexadecimal (addresses, pids, ports, sizes), with `#`, so
// that the same failure hashes the same.
std::string normalized(const std::string& line) {
  std::string out;
  for (std::size_t i = 0; i < line.size();) {
    if (!is_digit(line[i])) {
      out += line[i++];
      continue;
    }
    const bool hex =
        line[i] == '0' && i + 2 < line.size() && (line[i + 1] == 'x') && is_hex_digit(line[i + 2]);
    i += hex ? 2 : 0;
    while (i < line.size() && (hex ? is_hex_digit(line[i]) : is_digit(line[i])))
      ++i;
    out += '#';
  }
  return out;
}

// The function of a sanitizer's stack frame line `    #3 0x4f2a1b in name file:line`, or "".
std::string frame_function(const std::string& line) {
  std::size_t i = line.find_first_not_of(" \t");
  if (i == std::string::npos || line[i] != '#' || i + 1 >= line.size() || !is_digit(line[i + 1]))
    return "";
  const std::size_t at = line.find(" 0x", i);
  const std::size_t in = at == std::string::npos ? at : line.find(" in ", at);
  if (in == std::string::npos)
    return "";
  const std::size_t start = in + 4;
  return line.substr(start, line.find(' ', start) - start);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos)
      out.push_back(line);
  }
  return out;
}

// The line that best names a failure: a sanitizer's SUMMARY, an assertion, a panic, an error...
// else the last line of stderr (or stdout); and the top frames of a sanitizer's stack.
std::string failure_key(const std::string& out, const std::string& err) {
  static const char* const markers[] = {"SUMMARY: ",       "Assertion",        "assert", "FAILED",
                                        "failpoint panic", "terminate called", "error",  "Error"};
  const auto lines = lines_of(err);
  std::string key;
  for (const char* m : markers) {
    for (const std::string& l : lines) {
      if (l.find(m) != std::string::npos) {
        key = l;
        break;
      }
    }
    if (!key.empty())
      break;
  }
  if (key.empty()) {
    const auto out_lines = lines_of(out);
    if (!lines.empty())
      key = lines.back();
    else if (!out_lines.empty())
      key = out_lines.back();
  }
  std::vector<std::string> frames;
  for (const std::string& l : lines) {
    const std::string function = frame_function(l);
    if (frames.size() < fingerprint_frames && !function.empty())
      frames.push_back(function);
  }
  std::string result = key;
  for (const std::string& f : frames)
    result += " | " + f;
  return result;
}

// --- Reach: what a run's trace says about each failpoint. ---

struct reach {
  std::string type;
  std::uint64_t hits = 0;  // the largest k in any process
  bool many_threads = false;
  std::vector<std::string> signature;  // per process: the thread ordinals of its hits in order
};

std::map<std::string, reach> reach_of(const std::vector<process_trace>& trace) {
  std::map<std::string, reach> out;
  for (const process_trace& t : trace) {
    std::map<std::string, std::string> sequences;
    std::map<std::string, std::set<std::uint32_t>> threads;
    for (const traced_point& p : t.points)
      out[p.name].type = p.type;
    for (const traced_hit& h : t.hits) {
      reach& r = out[h.name];
      r.hits = std::max(r.hits, h.hit);
      sequences[h.name] += fmt::format("{},", h.thread);
      threads[h.name].insert(h.thread);
    }
    for (auto& [name, seq] : sequences) {
      out[name].signature.push_back(seq);
      if (threads[name].size() > 1)
        out[name].many_threads = true;
    }
  }
  for (auto& entry : out)
    std::sort(entry.second.signature.begin(), entry.second.signature.end());
  return out;
}

// A failpoint of the baseline: its type, hit count and whether its hits come in the same order.
struct baseline_point {
  std::string type;
  std::uint64_t hits = 0;
  bool stable = true;
  std::vector<std::string> menu;
};

// --- Candidates. ---

std::string shape_of(const schedule& s) {
  std::string out;
  for (const fault& f : s)
    out += fmt::format("{}|{}|{};", f.name, f.term, f.mode == fault_mode::once ? "once" : "from");
  return out;
}

std::uint64_t hit_sum(const schedule& s) {
  std::uint64_t sum = 0;
  for (const fault& f : s)
    sum += f.hit;
  return sum;
}

// Orders a level deterministically: the first schedule of every shape (the same faults at other
// hits) before the second of any (novelty), then earlier hits, then the canonical text.
void order_level(std::vector<schedule>& level) {
  struct entry {
    std::size_t rank;
    std::uint64_t sum;
    std::string spec;
    schedule s;
  };
  std::map<std::string, std::vector<schedule>> by_shape;
  for (schedule& s : level)
    by_shape[shape_of(s)].push_back(std::move(s));
  std::vector<entry> entries;
  for (auto& [shape, group] : by_shape) {
    std::sort(group.begin(), group.end(), [](const schedule& a, const schedule& b) {
      std::vector<std::uint64_t> ha, hb;
      for (const fault& f : a)
        ha.push_back(f.hit);
      for (const fault& f : b)
        hb.push_back(f.hit);
      return ha < hb;
    });
    for (std::size_t i = 0; i < group.size(); ++i)
      entries.push_back({i, hit_sum(group[i]), failpoints_spec(group[i]), std::move(group[i])});
  }
  std::sort(entries.begin(), entries.end(), [](const entry& a, const entry& b) {
    return std::tie(a.rank, a.sum, a.spec) < std::tie(b.rank, b.sum, b.spec);
  });
  level.clear();
  for (entry& e : entries)
    level.push_back(std::move(e.s));
}

// Adds the faults a failpoint gets at the hits `ks` (ascending) to the level, after `parent`.
// A failpoint whose hits come in no stable order (`stable` false) gets only `from` faults, at
// the hits given: which thread makes hit k is chance, every hit from k on is not.
void add_candidates(const schedule& parent, const std::string& name,
                    const std::vector<std::uint64_t>& ks, std::uint64_t last_hit, bool stable,
                    const std::vector<std::string>& menu, std::set<std::string>& seen,
                    std::vector<schedule>& level) {
  for (std::uint64_t k : ks) {
    for (const std::string& term : menu) {
      for (fault_mode mode : {fault_mode::once, fault_mode::from}) {
        // From the last hit on is once at the last hit.
        if (stable ? mode == fault_mode::from && k >= last_hit : mode == fault_mode::once)
          continue;
        fault f{name, k, term, mode};
        if (!can_add(parent, f))
          continue;
        schedule child = parent;
        child.push_back(f);
        canonicalize(child);
        if (seen.insert(failpoints_spec(child)).second)
          level.push_back(std::move(child));
      }
    }
  }
}

// What a run reached after its first injected fault, per failpoint: its type and the hits
// (ascending). Empty when no fault fired. Filibuster's rule extends a passing schedule with
// faults at these hits only; shard files keep it for the merge to extend.
struct reached_point {
  std::string type;
  std::vector<std::uint64_t> hits;
};
using reached_map = std::map<std::string, reached_point>;

reached_map reached_after_first_fault(const std::vector<process_trace>& trace) {
  std::uint64_t first = UINT64_MAX;
  for (const process_trace& t : trace) {
    for (const traced_hit& h : t.hits) {
      if (h.injected)
        first = std::min(first, h.time_ns);
    }
  }
  if (first == UINT64_MAX)
    return {};
  std::map<std::string, std::set<std::uint64_t>> reached;
  std::map<std::string, std::string> types;
  for (const process_trace& t : trace) {
    for (const traced_point& p : t.points)
      types[p.name] = p.type;
    for (const traced_hit& h : t.hits) {
      if (h.time_ns >= first)
        reached[h.name].insert(h.hit);
    }
  }
  reached_map out;
  for (const auto& [name, hits] : reached)
    out[name] = {types[name], std::vector<std::uint64_t>(hits.begin(), hits.end())};
  return out;
}

// Filibuster's rule: the faults that can join a passing schedule are those at hits its run
// reached at or after its first injected fault.
void extend(const schedule& parent, const reached_map& reached,
            const std::map<std::string, baseline_point>& baseline, const menu_rules& menus,
            std::uint64_t seed, std::set<std::string>& seen, std::vector<schedule>& level) {
  for (const auto& [name, point] : reached) {
    const auto b = baseline.find(name);
    const bool stable = b == baseline.end() || b->second.stable;
    const std::vector<std::string> menu =
        b != baseline.end() ? b->second.menu : menu_for(name, point.type, menus);
    const std::vector<std::uint64_t>& all = point.hits;
    if (!stable) {
      if (all.front() == 1)
        add_candidates(parent, name, {1}, UINT64_MAX, false, menu, seen, level);
      continue;
    }
    std::vector<std::uint64_t> ks;
    for (std::uint64_t i : choose_hits(all.size(), seed, name))
      ks.push_back(all[i - 1]);
    add_candidates(parent, name, ks, all.back(), true, menu, seen, level);
  }
}

// The order in which the failure kept for a fingerprint is chosen: fewer faults, then fewer
// open-ended (`from`) faults, then earlier hits.
bool smaller(const schedule& a, const schedule& b) {
  auto key = [](const schedule& s) {
    const auto from = std::count_if(s.begin(), s.end(),
                                    [](const fault& f) { return f.mode == fault_mode::from; });
    return std::make_tuple(s.size(), from, hit_sum(s), failpoints_spec(s));
  };
  return key(a) < key(b);
}

// --- Output. ---

json schedule_json(const schedule& s) {
  json out = json::array();
  for (const fault& f : s)
    out.push_back({{"failpoint", f.name},
                   {"hit", f.hit},
                   {"fault", f.term},
                   {"mode", f.mode == fault_mode::once ? "once" : "from"}});
  return out;
}

schedule schedule_from_json(const json& j) {
  schedule s;
  for (const json& f : j)
    s.push_back(
        fault{f.at("failpoint").get<std::string>(), f.at("hit").get<std::uint64_t>(),
              f.at("fault").get<std::string>(),
              f.at("mode").get<std::string>() == "from" ? fault_mode::from : fault_mode::once});
  canonicalize(s);
  return s;
}

json run_json(const run_result& r) {
  return {{"failpoints", r.failpoints},
          {"schedule", schedule_json(r.faults)},
          {"outcome", outcome_name(r.kind)},
          {"observed", outcome_name(r.observed)},
          {"exit_code", r.exit_code},
          {"signal", r.signal},
          {"seconds", r.seconds},
          {"realized", r.realized},
          {"attempts", r.attempts},
          {"fingerprint", r.fingerprint},
          {"key", r.key}};
}

// Single-quotes a word for sh.
std::string sh_quote(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789_-./=:,+@%") == std::string::npos)
    return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// Escapes text for a quoted CMake argument, where `;` would separate list items.
std::string cmake_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\' || c == ';' || c == '$')
      out += '\\';
    out += c;
  }
  return out;
}

std::string cmake_quote(const std::string& word) {
  return "\"" + cmake_escape(word) + "\"";
}

// The environment changes a reproduction needs (FAILPOINTS_TRACE comes fresh each time).
std::map<std::string, std::string> reproduction_env(const command& cmd,
                                                    const std::string& failpoints) {
  std::map<std::string, std::string> env = cmd.env;
  env["FAILPOINTS"] = failpoints;
  env["FAILPOINTS_SEED"] = std::to_string(cmd.seed);
  return env;
}

std::string shell_reproducer(const command& cmd, const std::string& failpoints) {
  std::string line = "cd " + sh_quote(cmd.cwd) + " && FAILPOINTS_TRACE=\"$(mktemp -d)\"";
  for (const auto& [name, value] : reproduction_env(cmd, failpoints))
    line += " " + name + "=" + sh_quote(value);
  for (const std::string& a : cmd.argv)
    line += " " + sh_quote(a);
  return line;
}

std::string cmake_snippet(const command& cmd, const run_result& r, const std::string& test) {
  // ENVIRONMENT is a list: entries joined by `;`, a `;` inside a value escaped. The trace
  // directory's variable is left for CMake to expand.
  std::string env = "\"";
  for (const auto& [name, value] : reproduction_env(cmd, r.failpoints))
    env += cmake_escape(name + "=" + value) + ";";
  env += "FAILPOINTS_TRACE=${CMAKE_CURRENT_BINARY_DIR}/" + test + ".trace\"";
  std::string args;
  for (const std::string& a : cmd.argv)
    args += " " + cmake_quote(a);
  return fmt::format(
      "# A regression test from failpoint-explore: {} ({}) under {}.\n"
      "# It fails until the bug is fixed. The fixture empties the trace directory first.\n"
      "add_test(NAME {}_trace COMMAND ${{CMAKE_COMMAND}} -E remove_directory "
      "${{CMAKE_CURRENT_BINARY_DIR}}/{}.trace)\n"
      "set_tests_properties({}_trace PROPERTIES FIXTURES_SETUP {})\n"
      "add_test(NAME {} COMMAND{})\n"
      "set_tests_properties({} PROPERTIES FIXTURES_REQUIRED {}\n"
      "  WORKING_DIRECTORY {}\n"
      "  ENVIRONMENT {})\n",
      outcome_name(r.kind), r.key, r.failpoints, test, test, test, test, test, args, test, test,
      cmake_quote(cmd.cwd), env);
}

json command_json(const command& cmd) {
  return {{"argv", cmd.argv}, {"cwd", cmd.cwd}, {"environment", cmd.env}, {"seed", cmd.seed}};
}

// Prints progress: a redrawn line on a terminal, a few plain lines otherwise.
class progress {
 public:
  progress(std::ostream& log, bool bar) : log_(log), bar_(bar), start_(clock_type::now()) {}

  void level(int depth, std::size_t scheduled, std::size_t total_left) {
    std::lock_guard<std::mutex> lock(mutex_);
    level_total_ = scheduled;
    level_done_ = 0;
    clear_bar();
    log_ << fmt::format("explore: depth {}: {} schedules{}\n", depth, scheduled,
                        total_left > scheduled
                            ? fmt::format(" ({} left out by the budget)", total_left - scheduled)
                            : "");
    log_.flush();
  }

  void done(const run_result& r) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++runs_;
    ++level_done_;
    if (is_failure(r.kind))
      ++failures_;
    const double elapsed = std::chrono::duration<double>(clock_type::now() - start_).count();
    const double rate = elapsed > 0 ? runs_ / elapsed : 0;
    const double eta = rate > 0 ? (level_total_ - level_done_) / rate : 0;
    const std::string status =
        fmt::format("{}/{} runs of this depth, {} in all, {} failing, {:.1f} runs/s, ETA {:.0f} s",
                    level_done_, level_total_, runs_, failures_, rate, eta);
    if (bar_) {
      constexpr std::size_t width = 30;
      const std::size_t filled = level_total_ ? width * level_done_ / level_total_ : width;
      log_ << "\r\033[K[" << std::string(filled, '#') << std::string(width - filled, '.') << "] "
           << status << std::flush;
      drawn_ = true;
      return;
    }
    const std::size_t step = std::max<std::size_t>(1, level_total_ / progress_lines_per_level);
    if (level_done_ % step == 0 || level_done_ == level_total_)
      log_ << "explore: " << status << "\n" << std::flush;
  }

  void note(const std::string& line) {
    std::lock_guard<std::mutex> lock(mutex_);
    clear_bar();
    log_ << line << "\n" << std::flush;
  }

 private:
  void clear_bar() {
    if (drawn_)
      log_ << "\r\033[K";
    drawn_ = false;
  }

  std::ostream& log_;
  bool bar_;
  clock_type::time_point start_;
  std::mutex mutex_;
  std::size_t level_total_ = 0, level_done_ = 0, runs_ = 0, failures_ = 0;
  bool drawn_ = false;
};

// Runs `list` with `jobs` threads; results by index. `stop` is polled before each start: the
// schedules not started are left out (their results stay empty: `started` is false).
struct batch_result {
  std::vector<run_result> results;
  std::vector<char> started;  // not vector<bool>: workers set neighbouring elements at once
};

template <class Run, class Stop>
batch_result run_batch(std::size_t count, unsigned jobs, Run run, Stop stop) {
  batch_result out;
  out.results.resize(count);
  out.started.assign(count, 0);
  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::string error;
  auto worker = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= count || stop())
        return;
      try {
        out.results[i] = run(i);
        out.started[i] = 1;
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(error_mutex);
        error = e.what();
        next.store(count);
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < std::max(1u, jobs); ++j)
    threads.emplace_back(worker);
  worker();
  for (auto& t : threads)
    t.join();
  if (!error.empty())
    throw std::runtime_error(error);
  return out;
}

// Removes the failure-N.{json,sh,cmake} an earlier exploration left in `dir`, so that the
// directory holds exactly this exploration's counterexamples. Nothing else is touched.
void remove_old_counterexamples(const std::string& dir) {
  auto ours = [](const fs::path& file) {
    const std::string stem = file.stem().string(), ext = file.extension().string();
    return stem.rfind("failure-", 0) == 0 && stem.size() > 8 &&
           std::all_of(stem.begin() + 8, stem.end(), is_digit) &&
           (ext == ".json" || ext == ".sh" || ext == ".cmake");
  };
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && ours(entry.path()))
      fs::remove(entry.path(), ec);
  }
}

// Runs' directories (their TMPDIR and trace files) go to memory when it is there: on a disk, the
// file-system work of a run (directories, trace file, removal) cost 12 ms per run on the machine
// of docs/benchmarks.md, on /dev/shm 0.2 ms.
std::string default_work_parent() {
  if (::access("/dev/shm", W_OK) == 0)
    return "/dev/shm";
  return fs::temp_directory_path().string();
}

// CPU time (user + system) this process used so far, children excluded.
double own_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

}  // namespace

const char* outcome_name(outcome o) {
  switch (o) {
    case outcome::pass:
      return "pass";
    case outcome::fail:
      return "fail";
    case outcome::crash:
      return "crash";
    case outcome::sanitizer:
      return "sanitizer";
    case outcome::hang:
      return "hang";
    case outcome::not_realized:
      return "not realized";
  }
  return "?";
}

run_result run_schedule(const command& cmd, const schedule& faults,
                        std::chrono::milliseconds timeout, const std::string& work_dir, bool keep) {
  run_result r;
  r.faults = faults;
  r.failpoints = failpoints_spec(faults);
  const std::string dir = make_temp_dir(work_dir, "run-");
  const std::string trace_dir = dir + "/trace";
  const std::string tmp = dir + "/tmp";
  fs::create_directory(trace_dir);
  fs::create_directory(tmp);
  const process_result p =
      run_process(cmd.argv, cmd.cwd, run_environment(cmd, r.failpoints, trace_dir, tmp),
                  dir + "/stdout", dir + "/stderr", timeout);
  const std::string out = read_text(dir + "/stdout");
  const std::string err = read_text(dir + "/stderr");
  r.stdout_tail = tail(out);
  r.stderr_tail = tail(err);
  r.seconds = p.seconds;
  r.trace = read_trace(trace_dir);
  if (!keep) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  if (p.timed_out) {
    r.observed = outcome::hang;
  } else if (has_sanitizer_report(err)) {
    r.observed = outcome::sanitizer;
  } else if (!p.exited) {
    r.observed = outcome::crash;
  } else if (p.code != 0) {
    r.observed = outcome::fail;
  }
  if (p.exited)
    r.exit_code = p.code;
  else if (!p.timed_out)
    r.signal = p.code;
  for (const fault& f : faults)
    r.realized = r.realized && fault_fired(r.trace, f);
  r.kind = r.realized ? r.observed : outcome::not_realized;
  if (is_failure(r.kind)) {
    r.key = r.kind == outcome::hang ? fmt::format("no end after {} ms", timeout.count())
                                    : failure_key(out, err);
    r.fingerprint =
        fmt::format("{:016x}", fnv1a(fmt::format("{}|{}|{}|{}", outcome_name(r.kind), r.exit_code,
                                                 r.signal, normalized(r.key))));
  }
  return r;
}

namespace {

// --- Rounds: one per depth (a matrix has one). Each step below is used both by an unsharded
// exploration (every round in this process) and by shards and merges (docs/explorer.md, "Shards
// and merge"). ---

// The baseline: its runs, what it says of each failpoint, the run timeout derived from it.
struct baseline_info {
  std::vector<run_result> runs;
  std::map<std::string, baseline_point> points;
  std::chrono::milliseconds timeout{0};
  bool cached = false;                     // --baseline-cache had it (explorer/ci.hpp)
  std::vector<changed_failpoint> changed;  // --changed-since: failpoints on changed lines
};

// One schedule run in a round, at its position in the round's deterministic order.
struct round_run {
  int round = 1;
  std::size_t position = 0;
  run_result run;       // its trace dropped once `reached` is taken from it
  reached_map reached;  // passing runs of a round that is extended
  std::string walk;     // matrix runs: the walk's id
};

// A round's share run by this process, and how it ended.
struct share_result {
  std::vector<round_run> runs;
  std::uint64_t left = 0;  // schedules of the share not run (budget, fail-fast)
  std::string stopped_by;
};

// Runs processes and counts what they cost (docs/benchmarks.md).
class runner {
 public:
  runner(const command& cmd, std::string work_dir) : cmd_(cmd), work_dir_(std::move(work_dir)) {}

  run_result operator()(const schedule& faults, std::chrono::milliseconds limit) {
    command cmd = cmd_;
    if (coverage)
      coverage->instrument(cmd, faults.empty());
    run_result r = run_schedule(cmd, faults, limit, work_dir_);
    std::lock_guard<std::mutex> lock(mutex_);
    ++processes;
    process_seconds += r.seconds;
    return r;
  }

  template <class Work>
  void scheduling(Work&& work) {
    const auto t0 = clock_type::now();
    work();
    scheduling_seconds += std::chrono::duration<double>(clock_type::now() - t0).count();
  }

  std::uint64_t processes = 0;
  double process_seconds = 0, scheduling_seconds = 0;
  std::size_t candidates = 0;
  coverage_collector* coverage = nullptr;  // --coverage: each run's gcov counters apart

 private:
  const command& cmd_;
  std::string work_dir_;
  std::mutex mutex_;
};

// The directory an exploration's runs go under, removed at its end.
struct work_area : scoped_temp_dir {
  explicit work_area(const std::string& parent)
      : scoped_temp_dir(parent.empty() ? default_work_parent() : parent, "failpoint-explore-"),
        dir(path()) {}
  const std::string& dir;
};

outcome outcome_from_name(const std::string& name) {
  for (outcome o : {outcome::pass, outcome::fail, outcome::crash, outcome::sanitizer, outcome::hang,
                    outcome::not_realized}) {
    if (name == outcome_name(o))
      return o;
  }
  throw std::runtime_error("unknown outcome \"" + name + "\"");
}

run_result run_from_json(const json& j) {
  run_result r;
  r.faults = schedule_from_json(j.at("schedule"));
  r.failpoints = j.at("failpoints").get<std::string>();
  r.kind = outcome_from_name(j.at("outcome").get<std::string>());
  r.observed = outcome_from_name(j.at("observed").get<std::string>());
  r.exit_code = j.at("exit_code").get<int>();
  r.signal = j.at("signal").get<int>();
  r.seconds = j.at("seconds").get<double>();
  r.realized = j.at("realized").get<bool>();
  r.attempts = j.at("attempts").get<int>();
  r.fingerprint = j.at("fingerprint").get<std::string>();
  r.key = j.at("key").get<std::string>();
  r.stdout_tail = j.value("stdout_tail", "");
  r.stderr_tail = j.value("stderr_tail", "");
  return r;
}

json reached_json(const reached_map& reached) {
  json out = json::object();
  for (const auto& [name, p] : reached)
    out[name] = {{"type", p.type}, {"hits", p.hits}};
  return out;
}

reached_map reached_from_json(const json& j) {
  reached_map out;
  for (const auto& [name, p] : j.items())
    out[name] = {p.at("type").get<std::string>(), p.at("hits").get<std::vector<std::uint64_t>>()};
  return out;
}

json failpoints_json(const std::map<std::string, baseline_point>& points) {
  json out = json::object();
  for (const auto& [name, b] : points)
    out[name] = {{"type", b.type}, {"hits", b.hits}, {"stable", b.stable}, {"faults", b.menu}};
  return out;
}

json baseline_json(const baseline_info& b) {
  json runs = json::array();
  for (const run_result& r : b.runs)
    runs.push_back(run_json(r));
  return {
      {"runs", runs}, {"failpoints", failpoints_json(b.points)}, {"timeout_ms", b.timeout.count()}};
}

baseline_info baseline_from_json(const json& j) {
  baseline_info b;
  for (const json& r : j.at("runs"))
    b.runs.push_back(run_from_json(r));
  for (const auto& [name, p] : j.at("failpoints").items())
    b.points[name] = {p.at("type").get<std::string>(), p.at("hits").get<std::uint64_t>(),
                      p.at("stable").get<bool>(), p.at("faults").get<std::vector<std::string>>()};
  b.timeout = std::chrono::milliseconds(j.at("timeout_ms").get<long>());
  return b;
}

// What makes two processes parts of the same exploration: the command and every option that
// chooses or classifies schedules. Shards and merges compare it.
json exploration_json(const options& opts) {
  json rules = json::array();
  for (const auto& [glob, terms] : opts.menus.rules)
    rules.push_back({glob, terms});
  return {{"command", command_json(opts.cmd)},
          {"depth", opts.depth},
          {"menus", {{"rules", rules}, {"extra", opts.menus.extra}}},
          {"reproduce", opts.reproduce_runs},
          {"matrix", opts.matrix},
          {"pairwise", opts.pairwise},
          {"max_runs", opts.max_runs ? json(*opts.max_runs) : json(nullptr)},
          {"fail_fast", opts.fail_fast}};
}

options options_from_exploration(const json& j) {
  options o;
  const json& c = j.at("command");
  o.cmd.argv = c.at("argv").get<std::vector<std::string>>();
  o.cmd.cwd = c.at("cwd").get<std::string>();
  o.cmd.env = c.at("environment").get<std::map<std::string, std::string>>();
  o.cmd.seed = c.at("seed").get<std::uint64_t>();
  o.depth = j.at("depth").get<int>();
  for (const json& rule : j.at("menus").at("rules"))
    o.menus.rules.emplace_back(rule.at(0).get<std::string>(),
                               rule.at(1).get<std::vector<std::string>>());
  o.menus.extra = j.at("menus").at("extra").get<std::vector<std::string>>();
  o.reproduce_runs = j.at("reproduce").get<int>();
  o.matrix = j.at("matrix").get<std::string>();
  o.pairwise = j.at("pairwise").get<bool>();
  if (!j.at("max_runs").is_null())
    o.max_runs = j.at("max_runs").get<std::uint64_t>();
  o.fail_fast = j.at("fail_fast").get<bool>();
  return o;
}

// Step 1, the baseline: twice without faults. Empty `points` and a message in `log` when it is
// refused.
std::optional<baseline_info> run_baseline(const options& opts, runner& run, std::ostream& log) {
  baseline_info info;
  // --baseline-cache: the runs of an earlier exploration of the same command (explorer/ci.hpp);
  // not with --coverage, which needs the baseline's counters.
  std::optional<baseline_identity> cache_id;
  if (!opts.baseline_cache.empty() && opts.coverage)
    log << "explore: baseline cache: not used with --coverage (the baseline's counters are "
           "needed)\n";
  if (!opts.baseline_cache.empty() && !opts.coverage) {
    cache_id = identify_baseline(opts.cmd);
    if (auto cached = load_baseline(opts.baseline_cache, *cache_id, log)) {
      info.runs = std::move(*cached);
      info.cached = true;
    }
  }
  for (int i = 0; i < 2 && !info.cached; ++i) {
    run_result r = run({}, opts.timeout.value_or(baseline_timeout));
    if (r.kind != outcome::pass) {
      log << fmt::format(
          "failpoint-explore: the command does not pass without faults (baseline run {}: {}, "
          "exit code {}, signal {}); exploration needs a passing test.\nIts stderr ends "
          "with:\n{}\n",
          i + 1, outcome_name(r.kind), r.exit_code, r.signal, r.stderr_tail);
      return std::nullopt;
    }
    info.runs.push_back(std::move(r));
  }
  if (cache_id && !info.cached)
    store_baseline(opts.baseline_cache, *cache_id, info.runs);
  const auto first = reach_of(info.runs[0].trace);
  const auto second = reach_of(info.runs[1].trace);
  if (first.empty() && second.empty()) {
    log << "failpoint-explore: the command passed but reached no failpoint (its trace is empty). "
           "Is it built with failpoints (CMake failpoint_enable(), or failpoint-rewrite enable) "
           "and linked with the failpoint runtime?\n";
    return std::nullopt;
  }
  for (const auto* side : {&first, &second}) {
    for (const auto& [name, r] : *side) {
      baseline_point& b = info.points[name];
      b.type = r.type;
      b.hits = std::max(b.hits, r.hits);
    }
  }
  for (auto& [name, b] : info.points) {
    const auto a = first.find(name), c = second.find(name);
    b.stable = a != first.end() && c != second.end() && a->second.hits == c->second.hits &&
               a->second.signature == c->second.signature && !a->second.many_threads &&
               !c->second.many_threads;
    b.menu = menu_for(name, b.type, opts.menus);
  }
  const double slowest = std::max(info.runs[0].seconds, info.runs[1].seconds);
  info.timeout = opts.timeout.value_or(std::max(
      min_timeout, std::chrono::milliseconds(static_cast<long>(slowest * 1000 * timeout_factor))));
  // --changed-since: the sites of the failpoints are in the traces, dropped below.
  if (!opts.changed_since.empty()) {
    std::vector<std::vector<process_trace>> traces;
    for (const run_result& r : info.runs)
      traces.push_back(r.trace);
    info.changed = failpoints_changed_since(opts.changed_since, traces, opts.cmd.cwd, log);
  }
  for (run_result& r : info.runs)
    r.trace.clear();
  log << fmt::format(
      "explore: baseline passed twice ({:.3f} s at most); {} failpoints reached; "
      "run timeout {} ms\n",
      slowest, info.points.size(), info.timeout.count());
  for (const auto& [name, b] : info.points)
    log << fmt::format("  {} ({}): {} hits, {}, faults: {}\n", name,
                       b.type.empty() ? "no value" : b.type, b.hits,
                       b.stable ? "stable" : "unstable order (faults at every hit only)",
                       b.menu.empty() ? "none (declare some in a menu file)"
                                      : fmt::format("{}", fmt::join(b.menu, " ")));
  return info;
}

// The walks of a matrix exploration, in their deterministic order.
std::vector<walk> matrix_walks(const options& opts, const matrix& m) {
  constexpr std::uint64_t product_limit = 1000000;
  return opts.pairwise ? pairwise_walks(m) : product_walks(m, product_limit);
}

// Step 2, plan the first round: single faults in their deterministic order, or a matrix's walks.
std::vector<schedule> plan_first_round(const options& opts, const baseline_info& b) {
  std::vector<schedule> level;
  if (!opts.matrix.empty()) {
    const matrix m = parse_matrix(opts.matrix);
    for (const walk& w : matrix_walks(opts, m))
      level.push_back(walk_schedule(m, w));
    return level;
  }
  std::set<std::string> seen;
  for (const auto& [name, p] : b.points) {
    if (p.stable)
      add_candidates({}, name, choose_hits(p.hits, opts.cmd.seed, name), p.hits, true, p.menu, seen,
                     level);
    else
      add_candidates({}, name, {1}, UINT64_MAX, false, p.menu, seen, level);
  }
  order_level(level);
  return level;
}

// Step 5, extend: the next round's schedules from this round's passing runs (Filibuster's rule),
// in their deterministic order. Nothing after the last round or for a matrix.
// With `parent_of`, also records for each new schedule's FAILPOINTS the FAILPOINTS of the run it
// extends (the first in run order, when several would).
std::vector<schedule> plan_next_round(const options& opts, const baseline_info& b, int round,
                                      const std::vector<round_run>& runs,
                                      std::map<std::string, std::string>* parent_of = nullptr) {
  std::vector<schedule> next;
  if (!opts.matrix.empty() || round >= opts.depth)
    return next;
  std::set<std::string> seen;
  for (const round_run& r : runs) {
    if (r.round != round || r.run.kind != outcome::pass)
      continue;
    const std::size_t before = next.size();
    extend(r.run.faults, r.reached, b.points, opts.menus, opts.cmd.seed, seen, next);
    if (parent_of) {
      for (std::size_t i = before; i < next.size(); ++i)
        parent_of->emplace(failpoints_spec(next[i]), r.run.failpoints);
    }
  }
  order_level(next);
  return next;
}

// The schedule each run was extended from (its FAILPOINTS by the run's), derived again from the
// rounds' passing runs as plan_next_round derived them, so it is the same sharded or not.
std::map<std::string, std::string> parents(const options& opts, const baseline_info& b,
                                           const std::vector<round_run>& runs) {
  std::map<std::string, std::string> parent_of;
  int last = 0;
  for (const round_run& r : runs)
    last = std::max(last, r.round);
  for (int round = 1; round < last; ++round)
    plan_next_round(opts, b, round, runs, &parent_of);
  return parent_of;
}

// Step 3, run this process's share of a round: the positions ≡ shard.index (mod shard.total),
// at most `budget` of them. The trace of each run is reduced to what extension needs.
share_result run_share(const options& opts, const baseline_info& b, int round,
                       const std::vector<schedule>& level, const shard_spec& shard,
                       std::uint64_t budget, runner& run, progress& bar,
                       clock_type::time_point started) {
  std::vector<std::size_t> positions;
  for (std::size_t i = shard.index; i < level.size(); i += shard.total)
    positions.push_back(i);
  const std::size_t take =
      static_cast<std::size_t>(std::min<std::uint64_t>(positions.size(), budget));
  run.candidates += positions.size();
  const bool extended = opts.matrix.empty() && round < opts.depth;
  const bool matrix_run = !opts.matrix.empty();
  std::atomic<bool> stop{false};
  auto over_time = [&] {
    return opts.time_budget && clock_type::now() - started > *opts.time_budget;
  };
  bar.level(round, take, positions.size());
  batch_result batch = run_batch(
      take, opts.jobs,
      [&](std::size_t i) {
        const schedule& faults = level[positions[i]];
        run_result r = run(faults, b.timeout);
        if (r.kind == outcome::not_realized) {  // retried once before it is reported
          r = run(faults, b.timeout);
          r.attempts = 2;
        }
        bar.done(r);
        if (is_failure(r.kind)) {
          bar.note(
              fmt::format("explore: {} ({}) under {}", outcome_name(r.kind), r.key, r.failpoints));
          if (opts.fail_fast)
            stop = true;
        }
        return r;
      },
      [&] { return stop.load() || over_time(); });
  share_result out;
  for (std::size_t i = 0; i < take; ++i) {
    if (!batch.started[i]) {
      ++out.left;
      continue;
    }
    round_run rr;
    rr.round = round;
    rr.position = positions[i];
    rr.run = std::move(batch.results[i]);
    if (extended && rr.run.kind == outcome::pass)
      rr.reached = reached_after_first_fault(rr.run.trace);
    rr.run.trace.clear();
    if (matrix_run)
      rr.walk = walk_id(rr.run.faults);
    out.runs.push_back(std::move(rr));
  }
  out.left += positions.size() - take;
  if (stop || over_time() || take < positions.size())
    out.stopped_by = stop ? "fail-fast" : over_time() ? "time budget" : "max runs";
  return out;
}

// Timing of the processes that took part (a merge sums its shards').
struct timing_info {
  double wall_seconds = 0;
  std::uint64_t processes = 0;
  double process_seconds = 0, scheduling_seconds = 0, own_cpu_seconds = 0;
  std::size_t candidates = 0;
};

json timing_json(const timing_info& t, unsigned jobs) {
  return {{"wall_seconds", t.wall_seconds},
          {"jobs", jobs},
          {"processes", t.processes},
          {"process_seconds", t.process_seconds},
          {"scheduling_seconds", t.scheduling_seconds},
          {"own_cpu_seconds", t.own_cpu_seconds},
          {"candidates", t.candidates}};
}

// Where the outputs of an exploration go and what is recorded about how it ran.
struct output_plan {
  std::string out_dir, report_files[2];
  std::string html_dir;  // --html: DIR/index.html; empty: none
  unsigned jobs = 1;
  std::optional<unsigned> shards;  // a merged exploration: how many shards ran each round
  int rounds = 0;
  const coverage_collector* coverage = nullptr;  // --coverage: merged before the summary
  std::size_t unchanged_skipped = 0;             // --changed-only: schedules not run
};

// A distinct failure: the run kept for its fingerprint, its re-runs, its counterexample file.
struct failure {
  run_result run;
  int reproduced = 0;
  std::string file;
};

// What the runs of an exploration found: distinct failures and unrealized schedules.
struct findings {
  std::map<std::string, failure> failures;  // by fingerprint
  std::vector<std::string> failure_order;   // fingerprints, in the order first found
  std::vector<const run_result*> not_realized;
};

// Step 4, collect: failures by fingerprint, the smallest schedule kept for each (runs in round
// and position order, so the result does not depend on how the rounds were split).
findings collect(const std::vector<round_run>& runs) {
  findings out;
  for (const round_run& rr : runs) {
    const run_result& r = rr.run;
    if (r.kind == outcome::not_realized) {
      out.not_realized.push_back(&r);
    } else if (is_failure(r.kind)) {
      auto it = out.failures.find(r.fingerprint);
      if (it == out.failures.end()) {
        out.failure_order.push_back(r.fingerprint);
        out.failures[r.fingerprint].run = r;
      } else if (smaller(r.faults, it->second.run.faults)) {
        it->second.run = r;
      }
    }
  }
  return out;
}

// Step 6, write outputs: each failure's re-runs and counterexample, the summary, the report.
int write_outputs(const options& opts, const baseline_info& b, const std::vector<round_run>& runs,
                  const std::string& stopped_by, std::uint64_t left, timing_info timing,
                  const output_plan& out, runner& run, std::ostream& log,
                  clock_type::time_point started, double cpu_at_start) {
  findings found = collect(runs);
  auto& failures = found.failures;
  const auto& failure_order = found.failure_order;
  const auto& not_realized = found.not_realized;

  // Each distinct failure: re-run to measure how often it happens, write its counterexample.
  remove_old_counterexamples(out.out_dir);
  if (!failure_order.empty())
    fs::create_directories(out.out_dir);
  int n = 0;
  for (const std::string& fp : failure_order) {
    failure& f = failures[fp];
    batch_result reruns = run_batch(
        static_cast<std::size_t>(opts.reproduce_runs), out.jobs,
        [&](std::size_t) { return run(f.run.faults, b.timeout); }, [] { return false; });
    for (const run_result& r : reruns.results)
      f.reproduced += r.fingerprint == fp ? 1 : 0;
    const std::string base = fmt::format("{}/failure-{}", out.out_dir, ++n);
    f.file = base + ".json";
    json counterexample = {
        {"format", "failpoint-explore counterexample"},
        {"version", file_version},
        {"command", command_json(opts.cmd)},
        {"failpoints", f.run.failpoints},
        {"seed", opts.cmd.seed},
        {"schedule", schedule_json(f.run.faults)},
        {"outcome",
         {{"kind", outcome_name(f.run.kind)},
          {"exit_code", f.run.exit_code},
          {"signal", f.run.signal},
          {"fingerprint", fp},
          {"key", f.run.key}}},
        {"timeout_ms", b.timeout.count()},
        {"reproduced", {{"runs", opts.reproduce_runs}, {"failed_again", f.reproduced}}},
        {"stdout_tail", f.run.stdout_tail},
        {"stderr_tail", f.run.stderr_tail},
        {"reproducer", shell_reproducer(opts.cmd, f.run.failpoints)},
    };
    if (!opts.matrix.empty())
      counterexample["walk"] = walk_id(f.run.faults);
    // Output need not be UTF-8 (a tail cut inside a character, binary bytes): U+FFFD stands for
    // what is not, here and in the report.
    std::ofstream(f.file) << counterexample.dump(2, ' ', false, json::error_handler_t::replace)
                          << "\n";
    std::ofstream(base + ".sh") << "#!/bin/sh\n# failpoint-explore: " << outcome_name(f.run.kind)
                                << " (" << f.run.key << ")\n"
                                << shell_reproducer(opts.cmd, f.run.failpoints) << "\n";
    ::chmod((base + ".sh").c_str(), 0755);
    std::ofstream(base + ".cmake")
        << cmake_snippet(opts.cmd, f.run, fmt::format("failpoint_counterexample_{}", n));
  }

  // --new-only: the failures an earlier report already had are known; only new ones count.
  const std::set<std::string> known =
      opts.new_only.empty() ? std::set<std::string>{} : known_fingerprints(opts.new_only);
  std::size_t new_failures = 0;
  for (const std::string& fp : failure_order)
    new_failures += known.count(fp) == 0 ? 1 : 0;
  // --coverage: gcovr merges the runs' counters.
  std::optional<coverage_summary> covered;
  if (out.coverage) {
    covered = out.coverage->finish(out.out_dir);
    write_coverage_files(*covered, out.out_dir);
  }

  // Summary (a table) and report.
  timing.wall_seconds = std::chrono::duration<double>(clock_type::now() - started).count();
  timing.processes += run.processes;
  timing.process_seconds += run.process_seconds;
  timing.scheduling_seconds += run.scheduling_seconds;
  timing.candidates += run.candidates;
  timing.own_cpu_seconds += own_cpu_seconds() - cpu_at_start;
  std::map<std::string, int> counts;
  for (const round_run& r : runs)
    ++counts[outcome_name(r.run.kind)];
  log << fmt::format("explore: {} runs in {:.1f} s\n", runs.size(), timing.wall_seconds);
  log << fmt::format("  {:<14} {:>6}\n", "outcome", "runs");
  for (const auto& [name, count] : counts)
    log << fmt::format("  {:<14} {:>6}\n", name, count);
  if (!stopped_by.empty())
    log << fmt::format("explore: stopped by {}; {} schedules left{}\n", stopped_by, left,
                       " (deeper combinations were not generated)");
  for (const run_result* r : not_realized)
    log << fmt::format("explore: NOT REALIZED (planned fault never fired, twice): {}\n",
                       r->failpoints);
  if (!failure_order.empty())
    log << fmt::format("  {:<3} {:<10} {:<6} {}\n", "#", "outcome", "again", "FAILPOINTS");
  n = 0;
  for (const std::string& fp : failure_order) {
    const failure& f = failures[fp];
    log << fmt::format("  {:<3} {:<10} {:<6} {}\n", ++n, outcome_name(f.run.kind),
                       fmt::format("{}/{}", f.reproduced, opts.reproduce_runs), f.run.failpoints);
  }
  n = 0;
  for (const std::string& fp : failure_order) {
    const failure& f = failures[fp];
    log << fmt::format("FAILURE {}{}: {} ({})\n", ++n,
                       known.count(fp) ? fmt::format(" (known: in {})", opts.new_only) : "",
                       outcome_name(f.run.kind), f.run.key);
    if (!opts.matrix.empty())
      log << fmt::format("  walk: {} (failpoint-explore replay --id {})\n", walk_id(f.run.faults),
                         walk_id(f.run.faults));
    log << fmt::format("  counterexample: {}\n  reproduce: {}\n", f.file,
                       shell_reproducer(opts.cmd, f.run.failpoints));
  }
  if (failure_order.empty())
    log << "explore: no failure found\n";
  if (!opts.new_only.empty())
    log << fmt::format("explore: --new-only: {} new failures, {} known from {}\n", new_failures,
                       failure_order.size() - new_failures, opts.new_only);
  if (out.unchanged_skipped > 0)
    log << fmt::format(
        "explore: --changed-only: {} schedules without a changed failpoint not run\n",
        out.unchanged_skipped);
  if (covered)
    log << covered->text()
        << fmt::format("explore: coverage written to {}/coverage.json and coverage.txt\n",
                       out.out_dir);

  if (!out.report_files[0].empty() || !out.report_files[1].empty() || !out.html_dir.empty()) {
    const std::map<std::string, std::string> parent_of = parents(opts, b, runs);
    json report = {{"format", "failpoint-explore report"},
                   {"version", file_version},
                   {"command", command_json(opts.cmd)},
                   {"depth", opts.depth},
                   {"timeout_ms", b.timeout.count()},
                   {"stopped_by", stopped_by.empty() ? json(nullptr) : json(stopped_by)},
                   {"left", left},
                   {"rounds", out.rounds},
                   {"shards", out.shards ? json(*out.shards) : json(nullptr)},
                   {"timing", timing_json(timing, out.jobs)}};
    if (!opts.matrix.empty())
      report["matrix"] = {
          {"text", opts.matrix}, {"pairwise", opts.pairwise}, {"walks", runs.size() + left}};
    report["baseline"] = json::array();
    for (const run_result& r : b.runs)
      report["baseline"].push_back(run_json(r));
    report["failpoints"] = failpoints_json(b.points);
    report["runs"] = json::array();
    for (const round_run& r : runs) {
      json j = run_json(r.run);
      j["round"] = r.round;
      if (!r.walk.empty())
        j["walk"] = r.walk;
      const auto parent = parent_of.find(r.run.failpoints);
      j["parent"] = parent == parent_of.end() ? json(nullptr) : json(parent->second);
      report["runs"].push_back(std::move(j));
    }
    report["failures"] = json::array();
    for (const std::string& fp : failure_order) {
      const failure& f = failures[fp];
      json j = {{"fingerprint", fp},
                {"outcome", outcome_name(f.run.kind)},
                {"key", f.run.key},
                {"failpoints", f.run.failpoints},
                {"failed_again", f.reproduced},
                {"of", opts.reproduce_runs},
                {"counterexample", f.file}};
      if (!opts.matrix.empty())
        j["walk"] = walk_id(f.run.faults);
      if (!opts.new_only.empty())
        j["known"] = known.count(fp) != 0;
      report["failures"].push_back(std::move(j));
    }
    if (!opts.baseline_cache.empty())
      report["baseline_cached"] = b.cached;
    if (!opts.changed_since.empty()) {
      json changed = {{"since", opts.changed_since},
                      {"only", opts.changed_only},
                      {"failpoints", json::array()},
                      {"skipped", out.unchanged_skipped}};
      for (const changed_failpoint& c : b.changed)
        changed["failpoints"].push_back(
            {{"name", c.name}, {"file", c.file}, {"line", c.line}, {"last_line", c.last_line}});
      report["changed"] = changed;
    }
    if (!opts.new_only.empty())
      report["new_only"] = {{"known_from", opts.new_only}, {"new_failures", new_failures}};
    if (covered)
      report["coverage"] = covered->to_json();
    report["not_realized"] = json::array();
    for (const run_result* r : not_realized)
      report["not_realized"].push_back(r->failpoints);
    for (const std::string& file : out.report_files) {
      if (!file.empty())
        std::ofstream(file) << report.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    }
    if (!out.html_dir.empty()) {
      std::vector<std::string> missing;
      log << fmt::format("explore: HTML report: {}\n",
                         write_html_report(report, out.html_dir, "", missing));
    }
  }
  return new_failures == 0 ? exit_no_failure : exit_failures;
}

// --- The state directory of a sharded exploration (docs/explorer.md, "Shards and merge"). ---

std::string round_dir(const std::string& state, int round) {
  return fmt::format("{}/round-{}", state, round);
}

std::string shard_file(const std::string& state, int round, const shard_spec& s) {
  return fmt::format("{}/shard-{}-of-{}.json", round_dir(state, round), s.index, s.total);
}

std::string plan_file(const std::string& state, int round) {
  return fmt::format("{}/plan-{}.json", state, round);
}

// Writes `doc` to `path` through a temporary file and a rename, so that a reader never sees
// half a file.
void write_json_file(const std::string& path, const json& doc) {
  const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  {
    std::ofstream out(tmp);
    out << doc.dump(1) << "\n";
    if (!out)
      throw std::runtime_error(fmt::format("cannot write \"{}\"", tmp));
  }
  fs::rename(tmp, path);
}

json read_json_file(const std::string& path, const std::string& format) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(fmt::format("\"{}\" cannot be read", path));
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error(fmt::format("\"{}\" is not JSON: {}", path, e.what()));
  }
  if (doc.value("format", "") != format)
    throw std::runtime_error(fmt::format("\"{}\" is not a {} file", path, format));
  if (doc.at("version").get<int>() != file_version)
    throw std::runtime_error(fmt::format("\"{}\" has version {}; this failpoint-explore reads {}",
                                         path, doc.at("version").get<int>(), file_version));
  return doc;
}

// The round a shard runs now: the last one a merge planned, else 1. 0 when the exploration is
// finished (the last merge wrote `finished`).
int current_round(const std::string& state) {
  if (fs::exists(state + "/finished"))
    return 0;
  int round = 1;
  while (fs::exists(plan_file(state, round + 1)))
    ++round;
  return round;
}

// Describes how two exploration settings differ, for messages.
std::string difference(const json& a, const json& b) {
  for (const auto& [key, value] : a.items()) {
    if (!b.contains(key) || b.at(key) != value)
      return fmt::format("\"{}\" is {} here and {} there", key, value.dump(),
                         b.contains(key) ? b.at(key).dump() : "missing");
  }
  return "they differ";
}

// A shard: runs its share of the current round and writes its shard file.
int run_shard(const options& opts, std::ostream& log) {
  const shard_spec& shard = *opts.shard;
  const std::string& state = opts.state_dir;
  fs::create_directories(state);
  const int round = current_round(state);
  if (round == 0) {
    log << fmt::format(
        "explore: the exploration in \"{}\" is finished; shard {}/{} has nothing "
        "to run (see {}/report.json)\n",
        state, shard.index, shard.total, state);
    return exit_no_failure;
  }
  const json exploration = exploration_json(opts);
  work_area work(opts.work_parent);
  runner run(opts.cmd, work.dir);
  const auto started = clock_type::now();
  const double cpu_at_start = own_cpu_seconds();
  baseline_info baseline;
  std::vector<schedule> level;
  if (round == 1) {
    const std::string file = state + "/baseline.json";
    if (fs::exists(file)) {
      const json doc = read_json_file(file, "failpoint-explore baseline");
      if (doc.at("exploration") != exploration)
        throw std::runtime_error(
            fmt::format("\"{}\" belongs to another exploration ({}); use a fresh state directory",
                        file, difference(exploration, doc.at("exploration"))));
      baseline = baseline_from_json(doc.at("baseline"));
      log << fmt::format("explore: baseline read from \"{}\"\n", file);
    } else {
      auto b = run_baseline(opts, run, log);
      if (!b)
        return exit_usage;
      baseline = std::move(*b);
      // The first shard to finish its baseline shares it with those that start later.
      if (!fs::exists(file))
        write_json_file(file, {{"format", "failpoint-explore baseline"},
                               {"version", file_version},
                               {"exploration", exploration},
                               {"baseline", baseline_json(baseline)}});
    }
    run.scheduling([&] { level = plan_first_round(opts, baseline); });
  } else {
    const std::string file = plan_file(state, round);
    const json doc = read_json_file(file, "failpoint-explore round");
    if (doc.at("exploration") != exploration)
      throw std::runtime_error(fmt::format(
          "\"{}\" belongs to another exploration ({}); shards must run the same command with "
          "the same options",
          file, difference(exploration, doc.at("exploration"))));
    baseline = baseline_from_json(doc.at("baseline"));
    for (const json& s : doc.at("schedules"))
      level.push_back(schedule_from_json(s));
  }
  progress bar(log, opts.progress_bar);
  const share_result share = run_share(opts, baseline, round, level, shard,
                                       opts.max_runs.value_or(UINT64_MAX), run, bar, started);
  json runs = json::array();
  for (const round_run& r : share.runs) {
    json j = run_json(r.run);
    j["position"] = r.position;
    if (is_failure(r.run.kind)) {
      j["stdout_tail"] = r.run.stdout_tail;
      j["stderr_tail"] = r.run.stderr_tail;
    }
    if (!r.reached.empty())
      j["reached"] = reached_json(r.reached);
    runs.push_back(std::move(j));
  }
  timing_info timing;
  timing.wall_seconds = std::chrono::duration<double>(clock_type::now() - started).count();
  timing.processes = run.processes;
  timing.process_seconds = run.process_seconds;
  timing.scheduling_seconds = run.scheduling_seconds;
  timing.candidates = run.candidates;
  timing.own_cpu_seconds = own_cpu_seconds() - cpu_at_start;
  fs::create_directories(round_dir(state, round));
  const std::string file = shard_file(state, round, shard);
  write_json_file(
      file, {{"format", "failpoint-explore shard"},
             {"version", file_version},
             {"exploration", exploration},
             {"round", round},
             {"shard", {{"index", shard.index}, {"total", shard.total}}},
             {"baseline", baseline_json(baseline)},
             {"schedules", level.size()},
             {"stopped_by", share.stopped_by.empty() ? json(nullptr) : json(share.stopped_by)},
             {"left", share.left},
             {"runs", runs},
             {"timing", timing_json(timing, opts.jobs)}});
  std::size_t failing = 0;
  for (const round_run& r : share.runs)
    failing += is_failure(r.run.kind) ? 1 : 0;
  log << fmt::format(
      "explore: shard {}/{} ({}) of round {}: {} of {} schedules run, {} failing; wrote \"{}\"; "
      "when every shard of the round is done: failpoint-explore merge --state {}\n",
      shard.index, shard.total, shard.source, round, share.runs.size(), level.size(), failing, file,
      sh_quote(state));
  return exit_no_failure;
}

// The shard files of a round, checked: same exploration and baseline, one total, every index
// present. Returns them by index.
std::vector<json> read_round(const std::string& state, int round, const json* exploration,
                             const json* baseline_points) {
  const std::string dir = round_dir(state, round);
  std::map<unsigned, std::pair<std::string, json>> shards;
  std::optional<unsigned> total;
  std::string total_file;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("shard-", 0) != 0 || entry.path().extension() != ".json")
      continue;
    const std::string path = entry.path().string();
    json doc = read_json_file(path, "failpoint-explore shard");
    const unsigned index = doc.at("shard").at("index").get<unsigned>();
    const unsigned n = doc.at("shard").at("total").get<unsigned>();
    if (doc.at("round").get<int>() != round)
      throw std::runtime_error(fmt::format("\"{}\" is a shard of round {}, found in \"{}\"", path,
                                           doc.at("round").get<int>(), dir));
    if (total && *total != n)
      throw std::runtime_error(fmt::format(
          "round {}: \"{}\" is one of {} shards, \"{}\" one of {}; every shard of a round must "
          "have the same total",
          round, path, n, total_file, *total));
    total = n;
    total_file = path;
    shards[index] = {path, std::move(doc)};
  }
  if (!total)
    throw std::runtime_error(fmt::format("round {}: no shard file in \"{}\"", round, dir));
  std::vector<std::string> missing;
  for (unsigned i = 0; i < *total; ++i) {
    if (shards.count(i) == 0)
      missing.push_back(fmt::format("shard {} of {} (\"{}\")", i, *total,
                                    shard_file(state, round, shard_spec{i, *total, "", {}})));
  }
  if (!missing.empty())
    throw std::runtime_error(
        fmt::format("round {} is incomplete: missing {}", round, fmt::join(missing, ", ")));
  const json& first = shards.begin()->second.second;
  const std::string& first_path = shards.begin()->second.first;
  std::vector<json> out;
  for (auto& [index, entry] : shards) {
    const auto& [path, doc] = entry;
    const json& want_exploration = exploration ? *exploration : first.at("exploration");
    if (doc.at("exploration") != want_exploration)
      throw std::runtime_error(
          fmt::format("\"{}\" belongs to another exploration than {} ({})", path,
                      exploration ? "the earlier rounds" : "\"" + first_path + "\"",
                      difference(doc.at("exploration"), want_exploration)));
    const json& want_points =
        baseline_points ? *baseline_points : first.at("baseline").at("failpoints");
    if (doc.at("baseline").at("failpoints") != want_points)
      throw std::runtime_error(fmt::format(
          "\"{}\" saw another baseline than {} (failpoints, hits or stability differ): the "
          "command does not behave the same in every shard",
          path, baseline_points ? "the earlier rounds" : "\"" + first_path + "\""));
    if (doc.at("schedules") != first.at("schedules"))
      throw std::runtime_error(fmt::format("round {}: \"{}\" planned {} schedules, \"{}\" {}",
                                           round, path, doc.at("schedules").dump(), first_path,
                                           first.at("schedules").dump()));
    out.push_back(doc);
  }
  return out;
}

}  // namespace

std::optional<shard_spec> shard_from(const std::string& flag, std::optional<unsigned> total,
                                     const std::map<std::string, std::string>& env) {
  auto number = [](const std::string& text, const std::string& where) {
    std::size_t used = 0;
    unsigned long v = 0;
    try {
      v = std::stoul(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != text.size() || text[0] == '-' || v > 100000)
      throw std::runtime_error(
          fmt::format("{}: \"{}\" is not a number from 0 to 100000", where, text));
    return static_cast<unsigned>(v);
  };
  auto checked = [](shard_spec s) {
    if (s.total == 0)
      throw std::runtime_error(fmt::format("{}: the number of shards is 0", s.source));
    if (s.index >= s.total)
      throw std::runtime_error(
          fmt::format("{}: shard index {} is not below the total {}", s.source, s.index, s.total));
    return s;
  };
  auto var = [&](const char* name) -> std::optional<std::string> {
    const auto it = env.find(name);
    if (it == env.end() || it->second.empty())
      return std::nullopt;
    return it->second;
  };
  auto pair = [&](const char* index, const char* count) -> std::optional<shard_spec> {
    const auto i = var(index), n = var(count);
    if (!i && !n)
      return std::nullopt;
    if (!i || !n)
      throw std::runtime_error(
          fmt::format("{} is set without {}", i ? index : count, i ? count : index));
    return checked(
        {number(*i, index), number(*n, count), fmt::format("{}/{}", index, count), {index, count}});
  };
  if (!flag.empty()) {
    const auto slash = flag.find('/');
    if (slash == std::string::npos)
      throw std::runtime_error(fmt::format("--shard \"{}\": expected I/N, e.g. 0/3", flag));
    return checked({number(flag.substr(0, slash), "--shard index"),
                    number(flag.substr(slash + 1), "--shard total"),
                    "--shard",
                    {}});
  }
  if (auto s = pair("TEST_SHARD_INDEX", "TEST_TOTAL_SHARDS")) {
    if (var("TEST_SHARD_STATUS_FILE"))
      s->variables.push_back("TEST_SHARD_STATUS_FILE");
    return s;
  }
  if (auto s = pair("GTEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS"))
    return s;
  if (const auto index = var("JOB_COMPLETION_INDEX")) {
    shard_spec s{number(*index, "JOB_COMPLETION_INDEX"),
                 0,
                 "JOB_COMPLETION_INDEX",
                 {"JOB_COMPLETION_INDEX"}};
    if (total) {
      s.total = *total;
    } else if (const auto n = var("FAILPOINT_EXPLORE_SHARDS")) {
      s.total = number(*n, "FAILPOINT_EXPLORE_SHARDS");
    } else {
      throw std::runtime_error(
          "JOB_COMPLETION_INDEX is set but the number of shards is not: give --shard-total N "
          "or FAILPOINT_EXPLORE_SHARDS=N (the Job's completions)");
    }
    return checked(s);
  }
  return std::nullopt;
}

int explore(const options& opts, std::ostream& log) {
  if (opts.shard && (opts.coverage || !opts.changed_since.empty() || !opts.baseline_cache.empty() ||
                     !opts.new_only.empty()))
    throw std::runtime_error(
        "--coverage, --changed-since, --baseline-cache and --new-only work in an unsharded "
        "exploration only, not with a shard");
  if (opts.shard) {
    if (opts.state_dir.empty())
      throw std::runtime_error(
          fmt::format("a shard ({}) needs --state DIR, shared by every shard and the merge",
                      opts.shard->source));
    return run_shard(opts, log);
  }
  work_area work(opts.work_parent);
  runner run(opts.cmd, work.dir);
  const auto started = clock_type::now();
  const double cpu_at_start = own_cpu_seconds();
  // --new-only: a wrong file stops the exploration before anything runs.
  if (!opts.new_only.empty())
    known_fingerprints(opts.new_only);
  // --coverage: each run writes its gcov counters to its own directory (explorer/coverage.hpp).
  std::optional<coverage_collector> coverage;
  if (opts.coverage) {
    coverage.emplace(work.dir, opts.coverage_root.empty() ? opts.cmd.cwd : opts.coverage_root,
                     opts.jobs);
    run.coverage = &*coverage;
  }

  // 1. Baseline.
  auto baseline = run_baseline(opts, run, log);
  if (!baseline)
    return exit_usage;
  if (coverage) {
    const std::string problem = coverage->check_baseline();
    if (!problem.empty()) {
      log << "failpoint-explore: " << problem << "\n";
      return exit_usage;
    }
  }
  // --changed-since: the schedules of changed failpoints run first in each round.
  std::set<std::string> changed;
  for (const changed_failpoint& c : baseline->changed)
    changed.insert(c.name);
  std::size_t unchanged_skipped = 0;
  auto changed_first = [&](std::vector<schedule>& level) {
    if (!opts.changed_since.empty())
      unchanged_skipped += prioritize(level, changed, opts.changed_only);
  };

  // 2. Plan the first round; then 3. run it, 5. extend, round after round.
  std::vector<schedule> level;
  run.scheduling([&] { level = plan_first_round(opts, *baseline); });
  changed_first(level);
  progress bar(log, opts.progress_bar);
  std::vector<round_run> runs;
  std::uint64_t left = 0;
  std::string stopped_by;
  int rounds = 0;
  for (int round = 1; !level.empty(); ++round) {
    rounds = round;
    const std::uint64_t budget =
        opts.max_runs ? (*opts.max_runs > runs.size() ? *opts.max_runs - runs.size() : 0)
                      : UINT64_MAX;
    share_result share =
        run_share(opts, *baseline, round, level, shard_spec{}, budget, run, bar, started);
    std::move(share.runs.begin(), share.runs.end(), std::back_inserter(runs));
    left += share.left;
    if (!share.stopped_by.empty()) {
      stopped_by = share.stopped_by;
      break;
    }
    run.scheduling([&] { level = plan_next_round(opts, *baseline, round, runs); });
    changed_first(level);
  }

  // 4. Collect and 6. write outputs.
  output_plan out;
  out.out_dir = opts.out_dir;
  out.report_files[0] = opts.report_file;
  out.html_dir = opts.html_dir;
  out.jobs = opts.jobs;
  out.rounds = rounds;
  out.coverage = coverage ? &*coverage : nullptr;
  out.unchanged_skipped = unchanged_skipped;
  return write_outputs(opts, *baseline, runs, stopped_by, left, {}, out, run, log, started,
                       cpu_at_start);
}

int merge(const merge_options& mopts, std::ostream& log) {
  const auto started = clock_type::now();
  const double cpu_at_start = own_cpu_seconds();
  const std::string& state = mopts.state_dir;
  int last = 0;
  while (fs::is_directory(round_dir(state, last + 1)))
    ++last;
  if (last == 0) {
    log << fmt::format(
        "failpoint-explore merge: no round in \"{}\" (expected {}/round-1/ with "
        "shard files: run the shards first)\n",
        state, state);
    return exit_usage;
  }
  json exploration;
  json baseline_points;
  baseline_info baseline;
  std::vector<round_run> runs;
  std::uint64_t left = 0;
  std::string stopped_by;
  timing_info timing;
  unsigned shards = 0;
  try {
    for (int round = 1; round <= last; ++round) {
      const std::vector<json> docs = read_round(state, round, round == 1 ? nullptr : &exploration,
                                                round == 1 ? nullptr : &baseline_points);
      if (round == 1) {
        exploration = docs[0].at("exploration");
        baseline_points = docs[0].at("baseline").at("failpoints");
        baseline = baseline_from_json(docs[0].at("baseline"));
        // Shards that ran their own baselines may have derived other timeouts: the longest one.
        for (const json& d : docs)
          baseline.timeout =
              std::max(baseline.timeout,
                       std::chrono::milliseconds(d.at("baseline").at("timeout_ms").get<long>()));
      } else {
        const json plan = read_json_file(plan_file(state, round), "failpoint-explore round");
        if (plan.at("schedules").size() != docs[0].at("schedules").get<std::size_t>())
          throw std::runtime_error(
              fmt::format("round {}: the shards ran {} schedules, \"{}\" planned {}", round,
                          docs[0].at("schedules").dump(), plan_file(state, round),
                          plan.at("schedules").size()));
      }
      shards = static_cast<unsigned>(docs.size());
      const std::size_t size = docs[0].at("schedules").get<std::size_t>();
      std::vector<std::optional<round_run>> by_position(size);
      for (const json& d : docs) {
        left += d.at("left").get<std::uint64_t>();
        if (!d.at("stopped_by").is_null())
          stopped_by = d.at("stopped_by").get<std::string>();
        const json& t = d.at("timing");
        timing.processes += t.at("processes").get<std::uint64_t>();
        timing.process_seconds += t.at("process_seconds").get<double>();
        timing.scheduling_seconds += t.at("scheduling_seconds").get<double>();
        timing.own_cpu_seconds += t.at("own_cpu_seconds").get<double>();
        timing.candidates += t.at("candidates").get<std::size_t>();
        const unsigned index = d.at("shard").at("index").get<unsigned>();
        for (const json& r : d.at("runs")) {
          const std::size_t position = r.at("position").get<std::size_t>();
          if (position >= size || position % shards != index)
            throw std::runtime_error(
                fmt::format("round {}: shard {} of {} recorded position {}, which is not its share",
                            round, index, shards, position));
          round_run rr;
          rr.round = round;
          rr.position = position;
          rr.run = run_from_json(r);
          if (r.contains("reached"))
            rr.reached = reached_from_json(r.at("reached"));
          by_position[position] = std::move(rr);
        }
      }
      for (auto& r : by_position) {
        if (r)
          runs.push_back(std::move(*r));
      }
    }
  } catch (const std::exception& e) {
    log << "failpoint-explore merge: " << e.what() << "\n";
    return exit_usage;
  }
  options opts = options_from_exploration(exploration);
  if (!opts.matrix.empty()) {
    for (round_run& r : runs)
      r.walk = walk_id(r.run.faults);
  }
  log << fmt::format("merge: {} rounds of {} shards in \"{}\": {} runs\n", last, shards, state,
                     runs.size());
  work_area work(mopts.work_parent);
  runner run(opts.cmd, work.dir);
  if (stopped_by.empty()) {
    std::vector<schedule> next;
    run.scheduling([&] { next = plan_next_round(opts, baseline, last, runs); });
    if (!next.empty()) {
      json schedules = json::array();
      for (const schedule& s : next)
        schedules.push_back(schedule_json(s));
      write_json_file(plan_file(state, last + 1), {{"format", "failpoint-explore round"},
                                                   {"version", file_version},
                                                   {"exploration", exploration},
                                                   {"round", last + 1},
                                                   {"baseline", baseline_json(baseline)},
                                                   {"schedules", schedules}});
      log << fmt::format(
          "merge: round {} planned: {} schedules in \"{}\"; run the shards again, then merge\n",
          last + 1, next.size(), plan_file(state, last + 1));
      return exit_no_failure;
    }
  }
  output_plan out;
  out.out_dir = mopts.out_dir;
  out.report_files[0] = state + "/report.json";
  out.report_files[1] = mopts.report_file;
  out.html_dir = mopts.html_dir;
  out.jobs = mopts.jobs;
  out.shards = shards;
  out.rounds = last;
  timing.wall_seconds = 0;
  const int status = write_outputs(opts, baseline, runs, stopped_by, left, timing, out, run, log,
                                   started, cpu_at_start);
  std::ofstream(state + "/finished") << last << "\n";
  log << fmt::format("merge: exploration finished after {} rounds; report \"{}/report.json\"\n",
                     last, state);
  return status;
}

int replay_walk(const std::string& id, const std::string& report_file, const std::string& work_dir,
                std::ostream& log) {
  json report;
  try {
    report = read_json_file(report_file, "failpoint-explore report");
  } catch (const std::exception& e) {
    log << "failpoint-explore replay: " << e.what() << "\n";
    return exit_usage;
  }
  const json* found = nullptr;
  std::size_t walks = 0;
  for (const json& r : report.at("runs")) {
    if (!r.contains("walk"))
      continue;
    ++walks;
    if (r.at("walk").get<std::string>() == id)
      found = &r;
  }
  if (found == nullptr) {
    log << fmt::format("failpoint-explore replay: no walk \"{}\" in \"{}\" ({} walks{})\n", id,
                       report_file, walks, walks == 0 ? ": not a matrix exploration" : "");
    return exit_usage;
  }
  command cmd;
  const json& c = report.at("command");
  cmd.argv = c.at("argv").get<std::vector<std::string>>();
  cmd.cwd = c.at("cwd").get<std::string>();
  cmd.env = c.at("environment").get<std::map<std::string, std::string>>();
  cmd.seed = c.at("seed").get<std::uint64_t>();
  const schedule faults = schedule_from_json(found->at("schedule"));
  const std::string recorded = found->at("outcome").get<std::string>();
  const run_result r = run_schedule(
      cmd, faults, std::chrono::milliseconds(report.at("timeout_ms").get<long>()), work_dir);
  log << fmt::format("replay: walk {} under {}: {}{} (recorded: {})\n", id,
                     r.failpoints.empty() ? "no fault" : r.failpoints, outcome_name(r.kind),
                     r.key.empty() ? "" : " (" + r.key + ")", recorded);
  if (!r.realized)
    log << fmt::format("replay: the walk's faults did not all fire (the run was: {})\n",
                       outcome_name(r.observed));
  if (outcome_name(r.kind) != recorded) {
    log << "replay: the walk did not end as recorded\n";
    return 1;
  }
  log << "replay: the walk ended as recorded\n";
  return 0;
}

int replay(const std::string& file, bool expect_pass, const std::string& work_dir,
           std::ostream& log) {
  json doc;
  command cmd;
  schedule faults;
  std::string kind, fingerprint;
  std::chrono::milliseconds timeout{0};
  try {
    std::ifstream in(file);
    if (!in)
      throw std::runtime_error("cannot be read");
    doc = json::parse(in);
    if (doc.value("format", "") != "failpoint-explore counterexample")
      throw std::runtime_error("is not a failpoint-explore counterexample");
    if (doc.at("version").get<int>() != file_version)
      throw std::runtime_error(
          fmt::format("has version {}; this failpoint-explore reads version {}",
                      doc.at("version").get<int>(), file_version));
    const json& c = doc.at("command");
    cmd.argv = c.at("argv").get<std::vector<std::string>>();
    cmd.cwd = c.at("cwd").get<std::string>();
    cmd.env = c.at("environment").get<std::map<std::string, std::string>>();
    cmd.seed = c.at("seed").get<std::uint64_t>();
    faults = schedule_from_json(doc.at("schedule"));
    kind = doc.at("outcome").at("kind").get<std::string>();
    fingerprint = doc.at("outcome").at("fingerprint").get<std::string>();
    timeout = std::chrono::milliseconds(doc.at("timeout_ms").get<long>());
  } catch (const std::exception& e) {
    log << fmt::format("failpoint-explore replay: \"{}\" {}\n", file, e.what());
    return exit_usage;
  }
  const run_result r = run_schedule(cmd, faults, timeout, work_dir);
  log << fmt::format("replay: {} under {}: {}{}\n", file, r.failpoints, outcome_name(r.kind),
                     r.key.empty() ? "" : " (" + r.key + ")");
  if (!r.realized) {
    log << fmt::format(
        "replay: the planned faults did not all fire (the run was: {}); the "
        "program no longer reaches them as it did\n",
        outcome_name(r.observed));
    return 1;
  }
  if (expect_pass) {
    log << (r.kind == outcome::pass ? "replay: passed with every planned fault fired\n"
                                    : "replay: expected a pass\n");
    return r.kind == outcome::pass ? 0 : 1;
  }
  if (outcome_name(r.kind) != kind) {
    log << fmt::format("replay: not reproduced: expected {}, got {}\n", kind, outcome_name(r.kind));
    return 1;
  }
  log << fmt::format(
      "replay: reproduced ({}{})\n", kind,
      r.fingerprint == fingerprint ? ", same fingerprint" : ", another fingerprint: " + r.key);
  return 0;
}

}  // namespace explorer
}  // namespace failpoint
