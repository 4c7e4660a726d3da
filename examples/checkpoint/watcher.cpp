// examples/checkpoint: the watcher from the gofail chapter, in C++ and without etcd.
//
// Events come from an append-only log; for each new event the watcher does something that must
// happen once (it "sends a notification": a line appended to notifications.log), then saves the
// event's revision to a checkpoint file so that a restart resumes after it. A crash between the
// two makes the restarted watcher handle the event again: the failpoint BeforeSave puts that
// crash exactly there, on demand.
//
//   checkpoint_watcher [--drain] DIR
//
//   DIR/events.log          input: one event per line (e.g. `PUT /config/mode fast`); the
//                           revision of an event is its line number, from 1
//   DIR/notifications.log   output: `rev N: EVENT`, one line per handled event
//   DIR/checkpoint          the last saved revision
//
// It follows the log (polling) until SIGINT or SIGTERM; with --drain it handles what the log
// holds and exits. Built twice from this file: checkpoint_watcher has the bug, and
// checkpoint_watcher_fixed (WATCHER_FIXED) resumes from the notifications themselves.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void on_signal(int) {
  stop_requested = 1;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "checkpoint_watcher: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(2);
}

struct event {
  std::uint64_t rev = 0;
  std::string text;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The complete lines of the log after revision `after`. A last line without its newline is still
// being written: it is left for the next poll.
std::vector<event> read_events(const std::string& path, std::uint64_t after) {
  const std::string text = read_file(path);
  std::vector<event> events;
  std::uint64_t rev = 0;
  for (std::size_t begin = 0, end; (end = text.find('\n', begin)) != std::string::npos;
       begin = end + 1) {
    if (++rev > after)
      events.push_back({rev, text.substr(begin, end - begin)});
  }
  return events;
}

// The saved revision, 0 when there is no checkpoint yet.
std::uint64_t load_checkpoint(const std::string& dir) {
  std::uint64_t rev = 0;
  std::ifstream(dir + "/checkpoint") >> rev;
  return rev;
}

// Saves the revision atomically: a crash leaves the old checkpoint or the new one, never half.
void save_checkpoint(const std::string& dir, std::uint64_t rev) {
  const std::string tmp = dir + "/checkpoint.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << rev << "\n";
    if (!out.flush())
      die("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), (dir + "/checkpoint").c_str()) != 0)
    die("cannot rename " + tmp);
}

// Handles an event: the part that must happen once. The notification is one write() in append
// mode, so it is either entirely in the file or not at all.
void handle(const std::string& dir, const event& ev) {
  std::printf("[%llu] %s\n", static_cast<unsigned long long>(ev.rev), ev.text.c_str());
  const std::string line = "rev " + std::to_string(ev.rev) + ": " + ev.text + "\n";
  const std::string path = dir + "/notifications.log";
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || ::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    die("cannot append to " + path);
  ::close(fd);
}

#ifdef WATCHER_FIXED
// The revision of the last notification sent, 0 when none was.
std::uint64_t last_notified_revision(const std::string& dir) {
  std::istringstream lines(read_file(dir + "/notifications.log"));
  unsigned long long last = 0;
  for (std::string line; std::getline(lines, line);)
    std::sscanf(line.c_str(), "rev %llu:", &last);
  return last;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  bool drain = false;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--drain") == 0)
      drain = true;
    else
      dir = argv[i];
  }
  if (dir.empty()) {
    std::fprintf(stderr, "usage: %s [--drain] DIR\n", argv[0]);
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // every line is out before a crash
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  std::uint64_t rev = load_checkpoint(dir);
#ifdef WATCHER_FIXED
  // The fix: each notification carries its revision, so the notifications themselves say how far
  // handling got. A crash between handling and saving loses only the checkpoint, which is then
  // behind; resuming after the last notification handles nothing twice.
  if (const std::uint64_t notified = last_notified_revision(dir); notified > rev) {
    rev = notified;
    save_checkpoint(dir, rev);
  }
#endif
  std::printf("loaded revision: %llu\n", static_cast<unsigned long long>(rev));

  while (stop_requested == 0) {
    for (const event& ev : read_events(dir + "/events.log", rev)) {
      handle(dir, ev);
      // failpoint: var BeforeSave
      save_checkpoint(dir, ev.rev);
      rev = ev.rev;
      std::printf("saved: %llu\n", static_cast<unsigned long long>(rev));
    }
    if (drain)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}
