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

#include "explorer/html_report.hpp"
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

std::string make_temp_dir(const std::string& parent, const std::string& prefix) {
  std::string pattern = parent + "/" + prefix + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error(
        fmt::format("cannot create a directory in \"{}\": {}", parent, std::strerror(errno)));
  return pattern;
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
    if (!owned && cmd.env.count(name) == 0)
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

bool fired(const std::vector<process_trace>& trace, const fault& f) {
  for (const process_trace& t : trace) {
    for (const traced_hit& h : t.hits) {
      if (h.injected && h.hit == f.hit && h.name == f.name)
        return true;
    }
  }
  return false;
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

// Filibuster's rule: the faults that can join a passing schedule are those at hits its run
// reached at or after its first injected fault.
void extend(const run_result& parent, const std::map<std::string, baseline_point>& baseline,
            const menu_rules& menus, std::uint64_t seed, std::set<std::string>& seen,
            std::vector<schedule>& level) {
  std::uint64_t first = UINT64_MAX;
  for (const process_trace& t : parent.trace) {
    for (const traced_hit& h : t.hits) {
      if (h.injected)
        first = std::min(first, h.time_ns);
    }
  }
  if (first == UINT64_MAX)
    return;
  std::map<std::string, std::set<std::uint64_t>> reached;
  std::map<std::string, std::string> types;
  for (const process_trace& t : parent.trace) {
    for (const traced_point& p : t.points)
      types[p.name] = p.type;
    for (const traced_hit& h : t.hits) {
      if (h.time_ns >= first)
        reached[h.name].insert(h.hit);
    }
  }
  for (const auto& [name, hit_set] : reached) {
    const auto b = baseline.find(name);
    const bool stable = b == baseline.end() || b->second.stable;
    const std::vector<std::string> menu =
        b != baseline.end() ? b->second.menu : menu_for(name, types[name], menus);
    const std::vector<std::uint64_t> all(hit_set.begin(), hit_set.end());
    if (!stable) {
      if (all.front() == 1)
        add_candidates(parent.faults, name, {1}, UINT64_MAX, false, menu, seen, level);
      continue;
    }
    std::vector<std::uint64_t> ks;
    for (std::uint64_t i : choose_hits(all.size(), seed, name))
      ks.push_back(all[i - 1]);
    add_candidates(parent.faults, name, ks, all.back(), true, menu, seen, level);
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
    r.realized = r.realized && fired(r.trace, f);
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

int explore(const options& opts, std::ostream& log) {
  const std::string work_dir = make_temp_dir(
      opts.work_parent.empty() ? default_work_parent() : opts.work_parent, "failpoint-explore-");
  struct remove_at_exit {
    std::string dir;
    ~remove_at_exit() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{work_dir};
  const auto started = clock_type::now();
  const double cpu_at_start = own_cpu_seconds();

  // What the explorer's own cost is measured from (docs/benchmarks.md): every process run and
  // its wall time, and the time spent choosing schedules.
  std::mutex timing_mutex;
  std::uint64_t processes = 0;
  double process_seconds = 0, scheduling_seconds = 0;
  std::size_t candidates = 0;
  auto run = [&](const schedule& faults, std::chrono::milliseconds limit) {
    run_result r = run_schedule(opts.cmd, faults, limit, work_dir);
    std::lock_guard<std::mutex> lock(timing_mutex);
    ++processes;
    process_seconds += r.seconds;
    return r;
  };
  auto scheduling = [&](auto&& work) {
    const auto t0 = clock_type::now();
    work();
    scheduling_seconds += std::chrono::duration<double>(clock_type::now() - t0).count();
  };

  // 1. Baseline: twice without faults.
  std::vector<run_result> baseline_runs;
  for (int i = 0; i < 2; ++i) {
    run_result r = run({}, opts.timeout.value_or(baseline_timeout));
    if (r.kind != outcome::pass) {
      log << fmt::format(
          "failpoint-explore: the command does not pass without faults (baseline run {}: {}, "
          "exit code {}, signal {}); exploration needs a passing test.\nIts stderr ends "
          "with:\n{}\n",
          i + 1, outcome_name(r.kind), r.exit_code, r.signal, r.stderr_tail);
      return exit_usage;
    }
    baseline_runs.push_back(std::move(r));
  }
  const auto first = reach_of(baseline_runs[0].trace);
  const auto second = reach_of(baseline_runs[1].trace);
  if (first.empty() && second.empty()) {
    log << "failpoint-explore: the command passed but reached no failpoint (its trace is empty). "
           "Is it built with failpoints (CMake failpoint_enable(), or failpoint-rewrite enable) "
           "and linked with the failpoint runtime?\n";
    return exit_usage;
  }
  std::map<std::string, baseline_point> baseline;
  for (const auto* side : {&first, &second}) {
    for (const auto& [name, r] : *side) {
      baseline_point& b = baseline[name];
      b.type = r.type;
      b.hits = std::max(b.hits, r.hits);
    }
  }
  for (auto& [name, b] : baseline) {
    const auto a = first.find(name), c = second.find(name);
    b.stable = a != first.end() && c != second.end() && a->second.hits == c->second.hits &&
               a->second.signature == c->second.signature && !a->second.many_threads &&
               !c->second.many_threads;
    b.menu = menu_for(name, b.type, opts.menus);
  }
  double slowest = std::max(baseline_runs[0].seconds, baseline_runs[1].seconds);
  const std::chrono::milliseconds timeout = opts.timeout.value_or(std::max(
      min_timeout, std::chrono::milliseconds(static_cast<long>(slowest * 1000 * timeout_factor))));
  log << fmt::format(
      "explore: baseline passed twice ({:.3f} s at most); {} failpoints reached; "
      "run timeout {} ms\n",
      slowest, baseline.size(), timeout.count());
  for (const auto& [name, b] : baseline)
    log << fmt::format("  {} ({}): {} hits, {}, faults: {}\n", name,
                       b.type.empty() ? "no value" : b.type, b.hits,
                       b.stable ? "stable" : "unstable order (faults at every hit only)",
                       b.menu.empty() ? "none (declare some in a menu file)"
                                      : fmt::format("{}", fmt::join(b.menu, " ")));

  // 2. Level 1: single faults.
  std::set<std::string> seen;
  std::vector<schedule> level;
  for (const auto& [name, b] : baseline) {
    if (b.stable)
      add_candidates({}, name, choose_hits(b.hits, opts.cmd.seed, name), b.hits, true, b.menu, seen,
                     level);
    else
      add_candidates({}, name, {1}, UINT64_MAX, false, b.menu, seen, level);
  }

  progress bar(log, opts.progress_bar);
  std::vector<run_result> runs;
  struct failure {
    run_result run;
    int reproduced = 0;
    std::string file;
  };
  std::map<std::string, failure> failures;  // by fingerprint
  std::vector<std::string> failure_order;
  std::vector<run_result> not_realized;
  std::uint64_t runs_done = 0;
  std::uint64_t left = 0;
  std::map<std::string, std::string> parent_of;  // a combination's FAILPOINTS -> its parent's
  std::string stopped_by;
  std::atomic<bool> stop{false};
  auto over_time = [&] {
    return opts.time_budget && clock_type::now() - started > *opts.time_budget;
  };

  for (int depth = 1; depth <= opts.depth && !level.empty(); ++depth) {
    scheduling([&] { order_level(level); });
    candidates += level.size();
    std::size_t take = level.size();
    if (opts.max_runs) {
      const std::uint64_t budget = *opts.max_runs > runs_done ? *opts.max_runs - runs_done : 0;
      take = static_cast<std::size_t>(std::min<std::uint64_t>(take, budget));
    }
    bar.level(depth, take, level.size());
    batch_result batch = run_batch(
        take, opts.jobs,
        [&](std::size_t i) {
          run_result r = run(level[i], timeout);
          if (r.kind == outcome::not_realized) {  // retried once before it is reported
            r = run(level[i], timeout);
            r.attempts = 2;
          }
          bar.done(r);
          if (is_failure(r.kind)) {
            bar.note(fmt::format("explore: {} ({}) under {}", outcome_name(r.kind), r.key,
                                 r.failpoints));
            if (opts.fail_fast)
              stop = true;
          }
          return r;
        },
        [&] { return stop.load() || over_time(); });
    std::vector<schedule> next;
    for (std::size_t i = 0; i < take; ++i) {
      if (!batch.started[i]) {
        ++left;
        continue;
      }
      ++runs_done;
      run_result& r = batch.results[i];
      if (r.kind == outcome::not_realized) {
        not_realized.push_back(r);
      } else if (is_failure(r.kind)) {
        auto it = failures.find(r.fingerprint);
        if (it == failures.end()) {
          failure_order.push_back(r.fingerprint);
          failures[r.fingerprint].run = r;
        } else if (smaller(r.faults, it->second.run.faults)) {
          it->second.run = r;
        }
      }
      runs.push_back(std::move(r));
    }
    left += level.size() - take;
    if (stop || over_time() || take < level.size()) {
      stopped_by = stop ? "fail-fast" : over_time() ? "time budget" : "max runs";
      break;
    }
    // The next depth extends the passing schedules of this one (never a failing one).
    if (depth < opts.depth) {
      scheduling([&] {
        for (const run_result& r : runs) {
          if (r.faults.size() != static_cast<std::size_t>(depth) || r.kind != outcome::pass)
            continue;
          const std::size_t before = next.size();
          extend(r, baseline, opts.menus, opts.cmd.seed, seen, next);
          for (std::size_t i = before; i < next.size(); ++i)
            parent_of[failpoints_spec(next[i])] = r.failpoints;
        }
      });
    }
    level = std::move(next);
  }

  // 3. Each distinct failure: re-run to measure how often it happens, write its counterexample.
  remove_old_counterexamples(opts.out_dir);
  if (!failure_order.empty())
    fs::create_directories(opts.out_dir);
  int n = 0;
  for (const std::string& fp : failure_order) {
    failure& f = failures[fp];
    batch_result reruns = run_batch(
        static_cast<std::size_t>(opts.reproduce_runs), opts.jobs,
        [&](std::size_t) { return run(f.run.faults, timeout); }, [] { return false; });
    for (const run_result& r : reruns.results)
      f.reproduced += r.fingerprint == fp ? 1 : 0;
    const std::string base = fmt::format("{}/failure-{}", opts.out_dir, ++n);
    f.file = base + ".json";
    const json counterexample = {
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
        {"timeout_ms", timeout.count()},
        {"reproduced", {{"runs", opts.reproduce_runs}, {"failed_again", f.reproduced}}},
        {"stdout_tail", f.run.stdout_tail},
        {"stderr_tail", f.run.stderr_tail},
        {"reproducer", shell_reproducer(opts.cmd, f.run.failpoints)},
    };
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

  // 4. Summary (a table) and report.
  std::map<std::string, int> counts;
  for (const run_result& r : runs)
    ++counts[outcome_name(r.kind)];
  log << fmt::format("explore: {} runs in {:.1f} s\n", runs.size(),
                     std::chrono::duration<double>(clock_type::now() - started).count());
  log << fmt::format("  {:<14} {:>6}\n", "outcome", "runs");
  for (const auto& [name, count] : counts)
    log << fmt::format("  {:<14} {:>6}\n", name, count);
  if (!stopped_by.empty())
    log << fmt::format("explore: stopped by {}; {} schedules left{}\n", stopped_by, left,
                       " (deeper combinations were not generated)");
  for (const run_result& r : not_realized)
    log << fmt::format("explore: NOT REALIZED (planned fault never fired, twice): {}\n",
                       r.failpoints);
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
    log << fmt::format("FAILURE {}: {} ({})\n  counterexample: {}\n  reproduce: {}\n", ++n,
                       outcome_name(f.run.kind), f.run.key, f.file,
                       shell_reproducer(opts.cmd, f.run.failpoints));
  }
  if (failure_order.empty())
    log << "explore: no failure found\n";

  if (!opts.report_file.empty() || !opts.html_dir.empty()) {
    json report = {
        {"format", "failpoint-explore report"},
        {"version", file_version},
        {"command", command_json(opts.cmd)},
        {"depth", opts.depth},
        {"timeout_ms", timeout.count()},
        {"stopped_by", stopped_by.empty() ? json(nullptr) : json(stopped_by)},
        {"left", left},
        {"timing",
         {{"wall_seconds", std::chrono::duration<double>(clock_type::now() - started).count()},
          {"jobs", opts.jobs},
          {"processes", processes},
          {"process_seconds", process_seconds},
          {"scheduling_seconds", scheduling_seconds},
          {"own_cpu_seconds", own_cpu_seconds() - cpu_at_start},
          {"candidates", candidates}}}};
    report["baseline"] = json::array();
    for (const run_result& r : baseline_runs)
      report["baseline"].push_back(run_json(r));
    for (const auto& [name, b] : baseline)
      report["failpoints"][name] = {
          {"type", b.type}, {"hits", b.hits}, {"stable", b.stable}, {"faults", b.menu}};
    report["runs"] = json::array();
    for (const run_result& r : runs) {
      json j = run_json(r);
      const auto parent = parent_of.find(r.failpoints);
      j["parent"] = parent == parent_of.end() ? json(nullptr) : json(parent->second);
      report["runs"].push_back(std::move(j));
    }
    report["failures"] = json::array();
    for (const std::string& fp : failure_order) {
      const failure& f = failures[fp];
      report["failures"].push_back({{"fingerprint", fp},
                                    {"outcome", outcome_name(f.run.kind)},
                                    {"key", f.run.key},
                                    {"failpoints", f.run.failpoints},
                                    {"failed_again", f.reproduced},
                                    {"of", opts.reproduce_runs},
                                    {"counterexample", f.file}});
    }
    report["not_realized"] = json::array();
    for (const run_result& r : not_realized)
      report["not_realized"].push_back(r.failpoints);
    if (!opts.report_file.empty())
      std::ofstream(opts.report_file)
          << report.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    if (!opts.html_dir.empty()) {
      std::vector<std::string> missing;
      log << fmt::format("explore: HTML report: {}\n",
                         write_html_report(report, opts.html_dir, "", missing));
    }
  }
  return failure_order.empty() ? exit_no_failure : exit_failures;
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
