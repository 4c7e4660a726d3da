// explorer/process.hpp: running one command in a fresh process group, with a time limit, and the
// temporary directories runs and listings write into.
#ifndef FAILPOINT_EXPLORER_PROCESS_HPP
#define FAILPOINT_EXPLORER_PROCESS_HPP

#include <chrono>
#include <string>
#include <vector>

namespace failpoint {
namespace explorer {

// How a process ended.
struct process_result {
  bool exited = false;     // by exit(): `code` is its status
  int code = 0;            // exit status, or the signal number when !exited && !timed_out
  bool timed_out = false;  // killed by us (SIGKILL) when the time limit passed
  double seconds = 0;      // wall time from spawn to reaping
};

// Runs `argv` (argv[0] is looked up in PATH) in directory `cwd` with exactly the environment
// `env` ("NAME=value" strings), standard input /dev/null, standard output and error appended
// to the files given. The process leads its own process group: when it ends or the `timeout`
// passes, the whole group is killed with SIGKILL, so no child it started outlives the run.
// Throws std::runtime_error when the command cannot be started (the message says why).
process_result run_process(const std::vector<std::string>& argv, const std::string& cwd,
                           const std::vector<std::string>& env, const std::string& stdout_path,
                           const std::string& stderr_path, std::chrono::milliseconds timeout);

// Creates a new directory `parent/prefixXXXXXX` (mkdtemp) and returns its path. Throws
// std::runtime_error naming `parent` and the reason when it cannot.
std::string make_temp_dir(const std::string& parent, const std::string& prefix);

// A directory made by make_temp_dir() and removed with everything in it when this goes out of
// scope (errors while removing are ignored: nothing else can be done about them then).
class scoped_temp_dir {
 public:
  scoped_temp_dir(const std::string& parent, const std::string& prefix)
      : path_(make_temp_dir(parent, prefix)) {}
  ~scoped_temp_dir();
  scoped_temp_dir(const scoped_temp_dir&) = delete;
  scoped_temp_dir& operator=(const scoped_temp_dir&) = delete;

  // The directory's path.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace explorer
}  // namespace failpoint

#endif  // FAILPOINT_EXPLORER_PROCESS_HPP
