// runtime/trace.cpp: writing the hit trace (FAILPOINTS_TRACE) and reading it back
// (failpoint/explore.hpp).
#include "runtime/trace.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>

#include "failpoint/explore.hpp"

#include "runtime/registry.hpp"
#include "runtime/terms.hpp"

namespace failpoint {
namespace runtime_internal {

std::atomic<bool> trace_on{false};

namespace {

// A process whose pid was already used by an earlier process of the run (pid reuse, or a forked
// child that then called exec) takes <pid>-2.trace, <pid>-3.trace...: this many tries at most.
constexpr int max_file_suffix = 64;

// This process's mapped trace file.
struct trace_file {
  trace_header* header;
  trace_point* points;
  trace_record* records;
};

// The writer's state. Never destroyed: sites may be hit during static destruction.
struct writer_state {
  std::mutex mutex;  // guards opening the file and assigning point slots
  std::string dir;
  std::atomic<trace_file*> current{nullptr};
  point* traced[trace_point_capacity] = {};  // by slot - 1, to reset a forked child
  std::atomic<std::uint32_t> next_thread{0};
};

writer_state& writer() {
  static writer_state* const w = new writer_state();
  return *w;
}

void say(const std::string& message) noexcept {
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, message.data(), message.size());
}

std::uint32_t thread_ordinal() noexcept {
  thread_local std::uint32_t ordinal = 0;
  if (ordinal == 0)
    ordinal = writer().next_thread.fetch_add(1, std::memory_order_relaxed) + 1;
  return ordinal;
}

std::uint64_t monotonic_ns() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

// Copies `text` into a fixed field, NUL-terminated; returns false when it was cut.
bool copy_field(char* field, std::size_t size, const std::string& text) noexcept {
  const std::size_t n = std::min(size - 1, text.size());
  std::memcpy(field, text.data(), n);
  field[n] = '\0';
  return n == text.size();
}

// Creates and maps this process's file (caller holds the mutex). Null when it cannot: the
// reason is printed once and tracing stops in this process.
trace_file* open_file(writer_state& w) noexcept {
  ::mkdir(w.dir.c_str(), 0777);  // the run's directory; usually made by the explorer
  const int pid = static_cast<int>(::getpid());
  int fd = -1;
  std::string path;
  for (int n = 1; n <= max_file_suffix && fd < 0; ++n) {
    path = n == 1 ? fmt::format("{}/{}.trace", w.dir, pid)
                  : fmt::format("{}/{}-{}.trace", w.dir, pid, n);
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST)
      break;
  }
  void* map = MAP_FAILED;
  if (fd >= 0 && ::ftruncate(fd, static_cast<off_t>(trace_file_size)) == 0)
    map = ::mmap(nullptr, trace_file_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  const int error = errno;
  if (fd >= 0)
    ::close(fd);  // the mapping stays
  if (map == MAP_FAILED) {
    say(
        fmt::format("failpoint: FAILPOINTS_TRACE: cannot create a trace file in \"{}\": {}; this "
                    "process is not traced\n",
                    w.dir, std::strerror(error)));
    trace_on.store(false, std::memory_order_relaxed);
    return nullptr;
  }
  auto* f = new trace_file;
  auto* base = static_cast<char*>(map);
  f->header = reinterpret_cast<trace_header*>(base);
  f->points = reinterpret_cast<trace_point*>(base + trace_points_offset);
  f->records = reinterpret_cast<trace_record*>(base + trace_records_offset);
  // The file is zero-filled: only the non-zero fields are written; the magic last, so a reader
  // never takes a half-written header for a valid one.
  f->header->version = trace_version;
  f->header->header_size = sizeof(trace_header);
  f->header->point_capacity = trace_point_capacity;
  f->header->record_capacity = trace_record_capacity;
  f->header->pid = pid;
  f->header->parent_pid = static_cast<int>(::getppid());
  std::atomic_thread_fence(std::memory_order_release);
  std::memcpy(f->header->magic, trace_magic, sizeof trace_magic);
  return f;
}

trace_file* current_file() noexcept {
  writer_state& w = writer();
  trace_file* f = w.current.load(std::memory_order_acquire);
  if (f != nullptr)
    return f;
  std::lock_guard<std::mutex> lock(w.mutex);
  f = w.current.load(std::memory_order_acquire);
  if (f == nullptr && trace_on.load(std::memory_order_relaxed)) {
    f = open_file(w);
    w.current.store(f, std::memory_order_release);
  }
  return f;
}

// Gives `p` a slot in the point table; 0 when the table is full.
std::uint32_t assign_slot(trace_file* f, point* p, const site& s) noexcept {
  writer_state& w = writer();
  std::lock_guard<std::mutex> lock(w.mutex);
  std::uint32_t id = p->trace.id.load(std::memory_order_acquire);
  if (id != 0)
    return id;
  const std::uint32_t index = f->header->points.load(std::memory_order_relaxed);
  if (index >= trace_point_capacity)
    return 0;
  trace_point& entry = f->points[index];
  entry.truncated = copy_field(entry.name, trace_name_size, p->name) ? 0 : 1;
  copy_field(entry.type, trace_type_size, s.info.type);
  copy_field(entry.file, trace_site_file_size, s.info.file != nullptr ? s.info.file : "");
  entry.line = s.info.line > 0 ? static_cast<std::uint32_t>(s.info.line) : 0;
  entry.ready.store(1, std::memory_order_release);
  f->header->points.store(index + 1, std::memory_order_release);
  w.traced[index] = p;
  id = index + 1;
  p->trace.id.store(id, std::memory_order_release);
  return id;
}

void note_action(trace_file* f, unsigned code, action act) noexcept {
  std::lock_guard<std::mutex> lock(writer().mutex);
  if (f->header->actions_known.load(std::memory_order_relaxed) & (1u << code))
    return;
  copy_field(f->header->action_names[code], trace_action_name_size, action_name(act));
  f->header->actions_known.fetch_or(1u << code, std::memory_order_release);
}

// A forked child is a new process: it gets its own file at its first hit, with its own k.
void fork_prepare() {
  writer().mutex.lock();
}
void fork_parent() {
  writer().mutex.unlock();
}
void fork_child() {
  writer_state& w = writer();
  w.current.store(nullptr, std::memory_order_relaxed);  // the parent's mapping is left alone
  for (point*& p : w.traced) {
    if (p == nullptr)
      continue;
    p->trace.id.store(0, std::memory_order_relaxed);
    p->trace.hits.store(0, std::memory_order_relaxed);
    p = nullptr;
  }
  w.mutex.unlock();
}

}  // namespace

void trace_init() {
  const char* dir = std::getenv("FAILPOINTS_TRACE");
  if (dir == nullptr || *dir == '\0')
    return;
  writer_state& w = writer();
  w.dir = dir;
  pthread_atfork(fork_prepare, fork_parent, fork_child);
  trace_on.store(true, std::memory_order_relaxed);
}

void trace_record_hit(site& s, std::size_t term, action act) noexcept {
  auto* p = static_cast<point*>(s.point);
  trace_file* f = current_file();
  if (f == nullptr)
    return;
  std::uint32_t id = p->trace.id.load(std::memory_order_acquire);
  if (id == 0)
    id = assign_slot(f, p, s);
  const std::uint64_t k = p->trace.hits.fetch_add(1, std::memory_order_relaxed) + 1;
  const auto code = static_cast<unsigned>(act);
  if (code < trace_action_slots &&
      !(f->header->actions_known.load(std::memory_order_acquire) & (1u << code)))
    note_action(f, code, act);
  const std::uint64_t n = f->header->next_record.fetch_add(1, std::memory_order_relaxed);
  if (n >= trace_record_capacity || id == 0)
    return;  // counted in next_record: the reader reports it as overflow
  trace_record& r = f->records[n];
  r.hit = k;
  r.time_ns = monotonic_ns();
  r.point = id;
  r.thread = thread_ordinal();
  r.term = static_cast<std::uint16_t>(term);
  r.action = static_cast<std::uint8_t>(code);
  r.injected = act == action::off ? 0 : 1;
  r.committed.store(1, std::memory_order_release);
}

}  // namespace runtime_internal

// --- Reading (failpoint/explore.hpp). ---

namespace {

using namespace runtime_internal;

// A read-only mapping of one file, unmapped at destruction.
class mapped_file {
 public:
  explicit mapped_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      throw trace_error(
          fmt::format("cannot open trace file \"{}\": {}", path, std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd, &st) == 0)
      size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      data_ = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd, 0);
      if (data_ == MAP_FAILED)
        data_ = nullptr;
    }
    ::close(fd);
  }
  ~mapped_file() {
    if (data_ != nullptr)
      ::munmap(data_, size_);
  }
  mapped_file(const mapped_file&) = delete;
  mapped_file& operator=(const mapped_file&) = delete;

  const char* data() const { return static_cast<const char*>(data_); }
  std::size_t size() const { return data_ == nullptr ? 0 : size_; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

std::string field(const char* text, std::size_t size) {
  return std::string(text, strnlen(text, size));
}

// Parses one file; false when it is still being created (empty or no magic yet).
bool read_file(const std::string& path, process_trace& out) {
  mapped_file file(path);
  if (file.size() < sizeof(trace_header))
    return false;
  const auto* header = reinterpret_cast<const trace_header*>(file.data());
  static const char no_magic[8] = {};
  if (std::memcmp(header->magic, no_magic, sizeof no_magic) == 0)
    return false;
  if (std::memcmp(header->magic, trace_magic, sizeof trace_magic) != 0)
    throw trace_error(fmt::format("\"{}\" is not a failpoint trace file (bad magic)", path));
  if (header->version != trace_version || header->header_size != sizeof(trace_header) ||
      header->point_capacity != trace_point_capacity ||
      header->record_capacity != trace_record_capacity)
    throw trace_error(
        fmt::format("trace file \"{}\" has version {} (layout {} bytes); this "
                    "runtime reads version {}",
                    path, header->version, header->header_size, trace_version));
  if (file.size() < trace_file_size)
    throw trace_error(fmt::format("trace file \"{}\" is truncated ({} of {} bytes)", path,
                                  file.size(), trace_file_size));
  std::atomic_thread_fence(std::memory_order_acquire);
  out.file = path;
  out.pid = header->pid;
  out.parent_pid = header->parent_pid;
  const auto* points = reinterpret_cast<const trace_point*>(file.data() + trace_points_offset);
  const std::uint32_t point_count =
      std::min(header->points.load(std::memory_order_acquire), trace_point_capacity);
  for (std::uint32_t i = 0; i < point_count; ++i) {
    if (points[i].ready.load(std::memory_order_acquire) == 0)
      break;
    out.points.push_back(traced_point{
        field(points[i].name, trace_name_size), field(points[i].type, trace_type_size),
        field(points[i].file, trace_site_file_size), static_cast<int>(points[i].line)});
  }
  const std::uint64_t claimed = header->next_record.load(std::memory_order_acquire);
  const std::uint64_t count = std::min<std::uint64_t>(claimed, trace_record_capacity);
  out.overflow = claimed - count;
  const auto* records = reinterpret_cast<const trace_record*>(file.data() + trace_records_offset);
  for (std::uint64_t i = 0; i < count; ++i) {
    const trace_record& r = records[i];
    if (r.committed.load(std::memory_order_acquire) == 0 || r.point == 0 ||
        r.point > out.points.size())
      continue;  // being written, or its point's slot is not published yet
    traced_hit h;
    h.name = out.points[r.point - 1].name;
    h.hit = r.hit;
    h.time_ns = r.time_ns;
    h.sequence = i;
    h.thread = r.thread;
    h.term = r.term;
    h.action = r.action < trace_action_slots
                   ? field(header->action_names[r.action], trace_action_name_size)
                   : std::string("?");
    h.injected = r.injected != 0;
    out.hits.push_back(std::move(h));
  }
  return true;
}

}  // namespace

std::vector<process_trace> read_trace(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr)
    throw trace_error(
        fmt::format("cannot read trace directory \"{}\": {}", dir, std::strerror(errno)));
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    const std::string suffix = ".trace";
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  std::vector<process_trace> out;
  for (const std::string& name : names) {
    process_trace t;
    if (read_file(dir + "/" + name, t))
      out.push_back(std::move(t));
  }
  return out;
}

std::vector<traced_hit> injected() {
  const char* dir = std::getenv("FAILPOINTS_TRACE");
  if (dir == nullptr || *dir == '\0') {
    if (std::getenv("FAILPOINTS") != nullptr)
      throw std::logic_error(
          "failpoint::injected/was_injected: FAILPOINTS is set but FAILPOINTS_TRACE is not, so "
          "faults fired in other processes cannot be known; set FAILPOINTS_TRACE=DIR (an empty "
          "directory), as failpoint-explore and its reproducers do");
    return {};
  }
  struct stat st {};
  if (::stat(dir, &st) != 0 && errno == ENOENT)
    return {};  // made at the first traced hit: nothing was hit yet
  std::vector<traced_hit> out;
  for (process_trace& t : read_trace(dir)) {
    for (traced_hit& h : t.hits) {
      if (h.injected)
        out.push_back(std::move(h));
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const traced_hit& a, const traced_hit& b) { return a.time_ns < b.time_ns; });
  return out;
}

bool was_injected(std::string_view name) {
  for (const traced_hit& h : injected()) {
    if (name.empty() || h.name == name)
      return true;
  }
  return false;
}

}  // namespace failpoint
