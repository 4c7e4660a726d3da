// explorer/coverage.cpp: per-run gcov counter directories, merged by gcovr (docs/explorer.md,
// "Coverage"). The counting and merging of counters is gcov's and gcovr's; this file only
// arranges their inputs and compares line sets.
#include "explorer/coverage.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "explorer/process.hpp"

extern char** environ;

namespace failpoint {
namespace explorer {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// gcovr on one run's counters takes about a second; a whole merge well under a minute. A gcovr
// that takes longer than this is stuck.
constexpr std::chrono::minutes gcovr_timeout{10};

std::string find_in_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = dirs.substr(start, end - start);
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return "";
}

std::vector<std::string> own_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e)
    env.emplace_back(*e);
  return env;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs gcovr with `args` in `cwd`; throws with its stderr when it fails. Returns its stderr.
std::string run_gcovr(const std::string& gcovr, const std::vector<std::string>& args,
                      const std::string& cwd) {
  std::vector<std::string> argv = {gcovr};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string out = cwd + "/gcovr.stdout", err = cwd + "/gcovr.stderr";
  const process_result p = run_process(argv, cwd, own_environment(), out, err, gcovr_timeout);
  if (!p.exited || p.code != 0)
    throw std::runtime_error(fmt::format("gcovr failed in \"{}\" ({}): {}", cwd,
                                         p.timed_out ? "timed out"
                                         : p.exited  ? fmt::format("exit status {}", p.code)
                                                     : fmt::format("signal {}", p.code),
                                         read_text(err)));
  return read_text(err);
}

bool has_counters(const std::string& dir) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".gcda")
      return true;
  }
  return false;
}

// GCOV_PREFIX_STRIP=0 puts the counters of object /b/x.cpp.o at DIR/b/x.cpp.gcda; gcov reads
// them with the notes file of the same stem, which the compiler left at /b/x.cpp.gcno. Links
// each notes file next to its counters; returns the original notes files.
std::vector<std::string> link_notes(const std::string& dir) {
  std::vector<fs::path> counters;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".gcda")
      counters.push_back(it->path());
  }
  std::vector<std::string> notes;
  for (const fs::path& gcda : counters) {
    const std::string relative = gcda.string().substr(dir.size());
    const fs::path original = fs::path(relative).replace_extension(".gcno");
    fs::path link = gcda;
    link.replace_extension(".gcno");
    if (!fs::exists(original))
      continue;
    if (!fs::exists(link))
      fs::create_symlink(original, link, ec);
    notes.push_back(original.string());
  }
  return notes;
}

// The directory the compiler ran in when it wrote `gcno` (gcov's JSON output records it), or ""
// when gcov cannot tell. Relative source paths in the notes (a build that passes relative paths,
// e.g. through ccache's base_dir) resolve only from there.
std::string compile_dir(const std::string& gcno, const std::string& scratch) {
  const std::string out = scratch + "/gcov.json", err = scratch + "/gcov.stderr";
  std::error_code ec;
  fs::remove(out, ec);
  fs::remove(err, ec);
  const process_result p = run_process({"gcov", "--json-format", "--stdout", gcno}, scratch,
                                       own_environment(), out, err, gcovr_timeout);
  if (!p.exited || p.code != 0)
    return "";
  try {
    std::ifstream in(out);
    return json::parse(in).value("current_working_directory", "");
  } catch (const std::exception&) {
    return "";
  }
}

// Lines with code (file → line → covered) of a gcovr JSON file.
using line_map = std::map<std::string, std::map<unsigned, bool>>;

line_map lines_of(const std::string& gcovr_json) {
  line_map out;
  std::ifstream in(gcovr_json);
  if (!in)
    return out;
  const json doc = json::parse(in);
  for (const json& file : doc.at("files")) {
    auto& lines = out[file.at("file").get<std::string>()];
    for (const json& line : file.at("lines")) {
      if (line.value("gcovr/noncode", false) || line.value("gcovr/excluded", false))
        continue;
      bool& covered = lines[line.at("line_number").get<unsigned>()];
      covered = covered || line.at("count").get<std::uint64_t>() > 0;
    }
  }
  return out;
}

}  // namespace

std::size_t coverage_summary::fault_only_lines() const {
  std::size_t n = 0;
  for (const auto& entry : fault_only)
    n += entry.second.size();
  return n;
}

nlohmann::json coverage_summary::to_json() const {
  auto part = [](const line_coverage& c) {
    return json{{"lines_covered", c.covered}, {"lines_total", c.total}, {"percent", c.percent()}};
  };
  json listing = json::object();
  for (const auto& [file, lines] : fault_only)
    listing[file] = lines;
  return {{"root", root},
          {"baseline_runs", baseline_runs},
          {"fault_runs", fault_runs},
          {"baseline", part(baseline)},
          {"under_faults", part(under_faults)},
          {"all", part(all)},
          {"fault_only_lines", fault_only_lines()},
          {"fault_only", listing},
          {"warnings", warnings},
          {"seconds", seconds}};
}

std::string coverage_summary::text() const {
  auto part = [](const char* what, const line_coverage& c, std::size_t runs) {
    return fmt::format("  {:<14} {:>6} of {:>6} lines ({:.1f}%), {} runs\n", what, c.covered,
                       c.total, c.percent(), runs);
  };
  std::string out = fmt::format(
      "coverage (gcovr, files under {}; {:.1f} s to convert and merge):\n", root, seconds);
  out += part("baseline", baseline, baseline_runs);
  out += part("under faults", under_faults, fault_runs);
  out += part("all runs", all, baseline_runs + fault_runs);
  for (const std::string& w : warnings)
    out += fmt::format("  warning: {}\n", w);
  out += fmt::format("  lines only faults reach: {}\n", fault_only_lines());
  for (const auto& [file, lines] : fault_only) {
    out += fmt::format("  {}:\n", file);
    for (unsigned line : lines)
      out += fmt::format("    {}:{}\n", file, line);
  }
  return out;
}

coverage_collector::coverage_collector(std::string work_dir, std::string root, unsigned jobs)
    : work_dir_(std::move(work_dir)), root_(std::move(root)), jobs_(std::max(1u, jobs)) {
  gcovr_ = find_in_path("gcovr");
  if (gcovr_.empty())
    throw std::runtime_error(
        "--coverage needs gcovr, which is not in PATH (Debian: apt-get install gcovr)");
  fs::create_directories(work_dir_ + "/coverage");
}

void coverage_collector::instrument(command& cmd, bool baseline) {
  std::string dir;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& dirs = baseline ? baseline_dirs_ : fault_dirs_;
    dir = fmt::format("{}/coverage/{}-{}", work_dir_, baseline ? "baseline" : "fault", dirs.size());
    dirs.push_back(dir);
  }
  fs::create_directories(dir);
  cmd.env["GCOV_PREFIX"] = dir;
  cmd.env["GCOV_PREFIX_STRIP"] = "0";
}

std::string coverage_collector::check_baseline() const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const std::string& dir : baseline_dirs_) {
    if (has_counters(dir))
      return "";
  }
  return "--coverage: the baseline runs wrote no gcov counters (.gcda files): the program was "
         "not built with --coverage (CMake: add --coverage to the compile and link flags, e.g. "
         "-DCMAKE_CXX_FLAGS=--coverage -DCMAKE_EXE_LINKER_FLAGS=--coverage), or it ends without "
         "exit() (gcov writes its counters at exit)";
}

coverage_summary coverage_collector::finish(const std::string& out_dir) const {
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> dirs;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    dirs = baseline_dirs_;
    dirs.insert(dirs.end(), fault_dirs_.begin(), fault_dirs_.end());
  }
  // gcovr per run that wrote counters (a crash or a hang writes none), one run after the other:
  // gcov writes its temporary .gcov files in the compile directory, where two gcovr processes
  // would overwrite each other's (gcovr's -j parallelizes within a run). Counters are grouped by
  // the directory their object was compiled in, which gcovr is given as --object-directory.
  const std::string scratch = work_dir_ + "/coverage/scratch";
  fs::create_directories(scratch);
  std::map<std::string, std::string> compile_dirs;  // notes file → compile directory
  std::vector<std::vector<std::string>> tracefiles(dirs.size());
  std::string unresolved;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    if (!has_counters(dirs[i]))
      continue;
    std::map<std::string, std::set<std::string>> groups;  // compile dir → counter dirs
    for (const std::string& gcno : link_notes(dirs[i])) {
      auto known = compile_dirs.find(gcno);
      if (known == compile_dirs.end())
        known = compile_dirs.emplace(gcno, compile_dir(gcno, scratch)).first;
      groups[known->second].insert(dirs[i] + fs::path(gcno).parent_path().string());
    }
    for (const auto& [compiled_in, counter_dirs] : groups) {
      const std::string out = fmt::format("{}-{}.json", dirs[i], tracefiles[i].size());
      std::vector<std::string> args = {"--root", root_, "--json", out, "-j", std::to_string(jobs_)};
      if (!compiled_in.empty()) {
        args.push_back("--object-directory");
        args.push_back(compiled_in);
      }
      args.insert(args.end(), counter_dirs.begin(), counter_dirs.end());
      const std::string warnings = run_gcovr(gcovr_, args, dirs[i]);
      tracefiles[i].push_back(out);
      // gcovr drops an object whose sources gcov cannot open, with a warning: say so once.
      if (warnings.find("could not infer a working directory") != std::string::npos &&
          unresolved.empty())
        unresolved = fmt::format(
            "gcov could not open the sources of some objects, whose lines are not counted "
            "(gcovr in {}: {})",
            dirs[i], warnings.substr(0, 2000));
    }
  }

  coverage_summary s;
  s.root = root_;
  if (!unresolved.empty())
    s.warnings.push_back(unresolved);
  fs::create_directories(out_dir);
  const std::string merge_dir = work_dir_ + "/coverage/merge";
  fs::create_directories(merge_dir);
  auto merge = [&](bool baseline, const std::string& out) {
    std::vector<std::string> args = {"--root", root_, "--json", out};
    std::size_t runs = 0;
    const std::size_t baseline_count = dirs.size() - fault_dirs_.size();
    for (std::size_t i = 0; i < dirs.size(); ++i) {
      if ((i < baseline_count) == baseline && !tracefiles[i].empty()) {
        for (const std::string& t : tracefiles[i]) {
          args.push_back("--add-tracefile");
          args.push_back(t);
        }
        ++runs;
      }
    }
    if (runs > 0)
      run_gcovr(gcovr_, args, merge_dir);
    else
      std::ofstream(out) << json{{"files", json::array()}}.dump() << "\n";
    return runs;
  };
  const std::string baseline_file = fs::absolute(out_dir + "/coverage-baseline.gcovr.json");
  const std::string faults_file = fs::absolute(out_dir + "/coverage-faults.gcovr.json");
  s.baseline_runs = merge(true, baseline_file);
  s.fault_runs = merge(false, faults_file);

  const line_map base = lines_of(baseline_file), faults = lines_of(faults_file);
  std::map<std::string, std::set<unsigned>> code_lines;
  for (const line_map* m : {&base, &faults}) {
    for (const auto& [file, lines] : *m) {
      for (const auto& entry : lines)
        code_lines[file].insert(entry.first);
    }
  }
  auto covered = [](const line_map& m, const std::string& file, unsigned line) {
    const auto f = m.find(file);
    if (f == m.end())
      return false;
    const auto l = f->second.find(line);
    return l != f->second.end() && l->second;
  };
  for (const auto& [file, lines] : code_lines) {
    for (unsigned line : lines) {
      const bool b = covered(base, file, line), f = covered(faults, file, line);
      ++s.baseline.total;
      ++s.under_faults.total;
      ++s.all.total;
      s.baseline.covered += b ? 1 : 0;
      s.under_faults.covered += f ? 1 : 0;
      s.all.covered += b || f ? 1 : 0;
      if (f && !b)
        s.fault_only[file].push_back(line);
    }
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return s;
}

void write_coverage_files(const coverage_summary& s, const std::string& out_dir) {
  fs::create_directories(out_dir);
  std::ofstream(out_dir + "/coverage.json")
      << s.to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  std::ofstream(out_dir + "/coverage.txt") << s.text();
}

}  // namespace explorer
}  // namespace failpoint
