// explorer/ci.cpp: changed lines from git, the baseline cache and known failures
// (docs/explorer.md, "CI mode").
#include "explorer/ci.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "explorer/process.hpp"

extern char** environ;

namespace failpoint {
namespace explorer {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr std::chrono::seconds git_timeout{120};
constexpr int cache_version = 1;
// The trace format whose fields the cached traces hold (runtime/trace.hpp); another is refused.
constexpr int cached_trace_version = 2;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.pop_back();
  return s;
}

// Runs git with `args`; its standard output, or nullopt with `error` set to its stderr.
std::optional<std::string> git(const std::vector<std::string>& args, const std::string& scratch,
                               std::string& error) {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e)
    env.emplace_back(*e);
  const std::string out = scratch + "/git.stdout", err = scratch + "/git.stderr";
  fs::remove(out);
  fs::remove(err);
  const process_result p = run_process(argv, scratch, env, out, err, git_timeout);
  if (!p.exited || p.code != 0) {
    error = trimmed(read_text(err));
    return std::nullopt;
  }
  return read_text(out);
}

std::string canonical(const std::string& path) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(path, ec);
  return ec ? path : p.string();
}

unsigned number(const std::string& text, std::size_t& i) {
  unsigned n = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9')
    n = n * 10 + static_cast<unsigned>(text[i++] - '0');
  return n;
}

std::string hex(std::uint64_t v) {
  return fmt::format("{:016x}", v);
}

std::string resolve_program(const std::string& program, const std::string& cwd) {
  if (program.find('/') != std::string::npos)
    return (fs::path(cwd) / program).lexically_normal().string();
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return program;
}

std::string content_hash(const std::string& file) {
  return hex(fnv1a(read_text(file)));
}

json trace_json(const std::vector<process_trace>& trace) {
  json out = json::array();
  for (const process_trace& t : trace) {
    json points = json::array(), hits = json::array();
    for (const traced_point& p : t.points)
      points.push_back({p.name, p.type, p.file, p.line});
    for (const traced_hit& h : t.hits)
      hits.push_back(
          {h.name, h.hit, h.time_ns, h.sequence, h.thread, h.term, h.action, h.injected});
    out.push_back({{"file", t.file},
                   {"pid", t.pid},
                   {"parent_pid", t.parent_pid},
                   {"points", points},
                   {"hits", hits},
                   {"overflow", t.overflow}});
  }
  return out;
}

std::vector<process_trace> trace_from_json(const json& j) {
  std::vector<process_trace> out;
  for (const json& t : j) {
    process_trace p;
    p.file = t.at("file").get<std::string>();
    p.pid = t.at("pid").get<int>();
    p.parent_pid = t.at("parent_pid").get<int>();
    p.overflow = t.at("overflow").get<std::uint64_t>();
    for (const json& q : t.at("points"))
      p.points.push_back(
          {q[0].get<std::string>(), q[1].get<std::string>(), q[2].get<std::string>(), q[3]});
    for (const json& h : t.at("hits"))
      p.hits.push_back({h[0].get<std::string>(), h[1], h[2], h[3], h[4], h[5],
                        h[6].get<std::string>(), h[7].get<bool>()});
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

unsigned site_last_line(const std::string& file, unsigned line) {
  std::ifstream in(file);
  std::string text;
  unsigned n = 0;
  auto comment = [](const std::string& l) {
    const std::size_t i = l.find_first_not_of(" \t");
    return i != std::string::npos && l.compare(i, 2, "//") == 0;
  };
  while (n < line && std::getline(in, text))
    ++n;
  if (n < line || !comment(text) || text.find("failpoint:") == std::string::npos)
    return line;
  unsigned last = line;
  while (std::getline(in, text) && comment(text) && text.find("failpoint:") == std::string::npos)
    ++last;
  return last;
}

changed_lines parse_unified_diff(const std::string& diff, const std::string& top) {
  changed_lines out;
  std::istringstream in(diff);
  std::string file;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("+++ ", 0) == 0) {
      const std::string path = line.substr(4);
      file = path == "/dev/null" ? "" : canonical((fs::path(top) / path).string());
      continue;
    }
    if (file.empty() || line.rfind("@@ -", 0) != 0)
      continue;
    // @@ -a[,b] +c[,d] @@
    const std::size_t plus = line.find(" +");
    if (plus == std::string::npos)
      continue;
    std::size_t i = plus + 2;
    const unsigned start = number(line, i);
    unsigned count = 1;
    if (i < line.size() && line[i] == ',') {
      ++i;
      count = number(line, i);
    }
    auto& lines = out[file];
    if (count == 0) {  // lines removed after line `start`
      lines.insert(start);
      lines.insert(start + 1);
    }
    for (unsigned l = start; l < start + count; ++l)
      lines.insert(l);
  }
  return out;
}

std::vector<changed_failpoint> failpoints_changed_since(
    const std::string& rev, const std::vector<std::vector<process_trace>>& baseline_traces,
    const std::string& cwd, std::ostream& log) {
  // git's output goes to files in a directory of our own, removed on the way out.
  const scoped_temp_dir scratch_dir(fs::temp_directory_path().string(), "failpoint-explore-git-");
  const std::string& scratch = scratch_dir.path();
  // Every site of the baseline, with its file made absolute.
  std::map<std::string, changed_failpoint> sites;
  for (const auto& trace : baseline_traces) {
    for (const process_trace& t : trace) {
      for (const traced_point& p : t.points) {
        if (p.file.empty() || sites.count(p.name) != 0)
          continue;
        const fs::path file =
            fs::path(p.file).is_absolute() ? fs::path(p.file) : fs::path(cwd) / p.file;
        const std::string path = canonical(file.string());
        sites[p.name] = {p.name, path, p.line,
                         static_cast<int>(site_last_line(path, static_cast<unsigned>(p.line)))};
      }
    }
  }
  // The repositories holding them, and what changed in each.
  std::map<std::string, std::string> top_of_dir;
  std::map<std::string, changed_lines> changes;  // by repository
  std::string last_error;
  for (auto& [name, site] : sites) {
    const std::string dir = fs::path(site.file).parent_path().string();
    if (top_of_dir.count(dir) == 0) {
      std::string error;
      const auto top = fs::is_directory(dir)
                           ? git({"-C", dir, "rev-parse", "--show-toplevel"}, scratch, error)
                           : std::nullopt;
      top_of_dir[dir] = top ? canonical(trimmed(*top)) : "";
      if (!top)
        last_error = fmt::format("{}: {}", dir, error.empty() ? "no such directory" : error);
    }
    const std::string& top = top_of_dir[dir];
    if (top.empty() || changes.count(top) != 0)
      continue;
    std::string error;
    const auto diff = git({"-C", top, "-c", "core.quotePath=false", "diff", "--unified=0",
                           "--no-prefix", "--no-color", "--no-ext-diff", rev, "--"},
                          scratch, error);
    if (!diff)
      throw std::runtime_error(
          fmt::format("--changed-since {}: git diff in \"{}\" failed: {}", rev, top, error));
    changes[top] = parse_unified_diff(*diff, top);
  }
  if (changes.empty())
    throw std::runtime_error(fmt::format(
        "--changed-since {}: no git repository holds the sources of the failpoints reached "
        "({} sites; {})",
        rev, sites.size(), last_error.empty() ? "none has a file name" : last_error));
  std::vector<changed_failpoint> out;
  for (const auto& [name, site] : sites) {
    const std::string& top = top_of_dir[fs::path(site.file).parent_path().string()];
    const auto repo = changes.find(top);
    if (repo == changes.end())
      continue;
    const auto file = repo->second.find(site.file);
    if (file == repo->second.end())
      continue;
    const auto first = file->second.lower_bound(static_cast<unsigned>(site.line));
    if (first != file->second.end() && *first <= static_cast<unsigned>(site.last_line))
      out.push_back(site);
  }
  std::size_t files = 0;
  for (const auto& entry : changes)
    files += entry.second.size();
  log << fmt::format(
      "explore: --changed-since {}: {} files changed; {} of {} failpoints reached "
      "are on changed lines{}\n",
      rev, files, out.size(), sites.size(), out.empty() ? "" : ":");
  for (const changed_failpoint& c : out)
    log << fmt::format("  {} ({}:{}{})\n", c.name, c.file, c.line,
                       c.last_line > c.line ? fmt::format("-{}", c.last_line) : "");
  return out;
}

std::size_t prioritize(std::vector<schedule>& level, const std::set<std::string>& changed,
                       bool only) {
  auto involves = [&](const schedule& s) {
    return std::any_of(s.begin(), s.end(), [&](const fault& f) { return changed.count(f.name); });
  };
  const auto split = std::stable_partition(level.begin(), level.end(), involves);
  if (!only)
    return 0;
  const auto dropped = static_cast<std::size_t>(level.end() - split);
  level.erase(split, level.end());
  return dropped;
}

baseline_identity identify_baseline(const command& cmd) {
  baseline_identity id;
  std::vector<std::string> files;
  if (!cmd.argv.empty())
    files.push_back(resolve_program(cmd.argv[0], cmd.cwd));
  for (std::size_t i = 1; i < cmd.argv.size(); ++i) {
    const fs::path p = fs::path(cmd.cwd) / cmd.argv[i];
    std::error_code ec;
    if (!cmd.argv[i].empty() && fs::is_regular_file(p, ec))
      files.push_back(p.lexically_normal().string());
  }
  for (const std::string& f : files)
    id.contents[f] = content_hash(f);
  const json what = {{"argv", cmd.argv},
                     {"cwd", cmd.cwd},
                     {"environment", cmd.env},
                     {"seed", cmd.seed},
                     {"files", files}};
  id.key = hex(fnv1a(what.dump()));
  return id;
}

std::optional<std::vector<run_result>> load_baseline(const std::string& dir,
                                                     const baseline_identity& id,
                                                     std::ostream& log) {
  const std::string file = fmt::format("{}/baseline-{}.json", dir, id.key);
  std::ifstream in(file);
  if (!in) {
    log << fmt::format("explore: baseline cache: no entry for this command in {}\n", dir);
    return std::nullopt;
  }
  try {
    const json entry = json::parse(in);
    if (entry.value("format", "") != "failpoint-explore baseline" ||
        entry.value("version", 0) != cache_version ||
        entry.value("trace_version", 0) != cached_trace_version)
      throw std::runtime_error("written by another version");
    const auto contents = entry.at("contents").get<std::map<std::string, std::string>>();
    for (const auto& [path, hash] : id.contents) {
      const auto old = contents.find(path);
      if (old == contents.end() || old->second != hash) {
        log << fmt::format(
            "explore: baseline cache: {} is stale ({} changed since it was written); running "
            "the baseline again\n",
            file, path);
        return std::nullopt;
      }
    }
    std::vector<run_result> runs;
    for (const json& r : entry.at("runs")) {
      run_result run;
      run.seconds = r.at("seconds").get<double>();
      run.stdout_tail = r.at("stdout_tail").get<std::string>();
      run.stderr_tail = r.at("stderr_tail").get<std::string>();
      run.trace = trace_from_json(r.at("trace"));
      runs.push_back(std::move(run));
    }
    log << fmt::format("explore: baseline cache: reusing {} ({} runs)\n", file, runs.size());
    return runs;
  } catch (const std::exception& e) {
    log << fmt::format("explore: baseline cache: {} is unusable ({}); running the baseline again\n",
                       file, e.what());
    return std::nullopt;
  }
}

void store_baseline(const std::string& dir, const baseline_identity& id,
                    const std::vector<run_result>& runs) {
  fs::create_directories(dir);
  json entry = {{"format", "failpoint-explore baseline"},
                {"version", cache_version},
                {"trace_version", cached_trace_version},
                {"key", id.key},
                {"contents", id.contents},
                {"runs", json::array()}};
  for (const run_result& r : runs)
    entry["runs"].push_back({{"seconds", r.seconds},
                             {"stdout_tail", r.stdout_tail},
                             {"stderr_tail", r.stderr_tail},
                             {"trace", trace_json(r.trace)}});
  // Written whole, then renamed: a concurrent reader sees the old entry or the new one.
  const std::string file = fmt::format("{}/baseline-{}.json", dir, id.key);
  const std::string partial = fmt::format("{}.{}.tmp", file, ::getpid());
  std::ofstream(partial) << entry.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
  fs::rename(partial, file);
}

std::set<std::string> known_fingerprints(const std::string& report_file) {
  std::ifstream in(report_file);
  if (!in)
    throw std::runtime_error(fmt::format("--new-only: cannot read \"{}\"", report_file));
  json report;
  try {
    report = json::parse(in);
  } catch (const std::exception& e) {
    throw std::runtime_error(
        fmt::format("--new-only: \"{}\" is not JSON: {}", report_file, e.what()));
  }
  if (report.value("format", "") != "failpoint-explore report" || !report.contains("failures"))
    throw std::runtime_error(fmt::format(
        "--new-only: \"{}\" is not a failpoint-explore report (--report FILE)", report_file));
  std::set<std::string> out;
  for (const json& f : report.at("failures"))
    out.insert(f.at("fingerprint").get<std::string>());
  return out;
}

}  // namespace explorer
}  // namespace failpoint
