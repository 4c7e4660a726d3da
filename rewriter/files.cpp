// rewriter/files.cpp: path classification, directory walks, reads and atomic writes (POSIX).
#include "rewriter/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "rewriter/source_extensions.hpp"

namespace failpoint {
namespace rewrite {

namespace fs = std::filesystem;

namespace {

std::string_view extension(std::string_view path) {
  const std::size_t slash = path.find_last_of('/');
  const std::size_t dot = path.find_last_of('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
    return {};
  return path.substr(dot);
}

template <std::size_t N>
bool listed(const std::string_view (&list)[N], std::string_view ext) {
  return std::find(std::begin(list), std::end(list), ext) != std::end(list);
}

}  // namespace

bool is_source_path(std::string_view path) {
  const std::string_view ext = extension(path);
  return !ext.empty() && (listed(c_source_extensions, ext) || listed(cxx_source_extensions, ext));
}

bool is_c_path(std::string_view path) {
  const std::string_view ext = extension(path);
  return !ext.empty() && listed(c_source_extensions, ext);
}

result<std::vector<std::string>> collect_sources(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st))
      return error{p + ": no such file or directory"};
    if (!fs::is_directory(st)) {
      files.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec);
    if (ec)
      return error{p + ": " + ec.message()};
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec)
        return error{p + ": " + ec.message()};
      const fs::path& entry = it->path();
      const std::string name = entry.filename().string();
      if (it->is_directory(ec)) {
        if (!name.empty() && name[0] == '.')
          it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec) && is_source_path(name))
        found.push_back(entry.string());
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

result<std::string> read_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO (or a device) must not wait for a writer; such files are refused
  // below, and a regular file reads the same either way.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return error{path + ": cannot open: " + std::strerror(errno)};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return error{path + ": not a regular file (a FIFO, socket or device is never rewritten)"};
  }
  std::string out;
  if (st.st_size > 0)
    out.reserve(static_cast<std::size_t>(st.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      const int saved = errno;
      ::close(fd);
      return error{path + ": cannot read: " + std::strerror(saved)};
    }
    if (n == 0)
      break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

result<void> write_file_atomic(const std::string& path, std::string_view content, bool durable) {
  // Through a symbolic link, the file it points to is replaced (the link stays a link).
  std::error_code ec;
  fs::path target(path);
  if (fs::is_symlink(fs::symlink_status(target, ec))) {
    const fs::path resolved = fs::canonical(target, ec);
    if (!ec)
      target = resolved;
  }
  fs::path dir = target.parent_path();
  if (dir.empty())
    dir = ".";
  std::string temp = (dir / ("." + target.filename().string() + ".failpoint-XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0)
    return error{path + ": cannot create a temporary file in " + dir.string() + ": " +
                 std::strerror(errno)};
  auto fail = [&](const char* what) -> result<void> {
    const int saved = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return error{path + ": " + what + ": " + std::strerror(saved)};
  };
  struct stat st {};
  mode_t mode;
  if (::stat(target.c_str(), &st) == 0) {
    mode = st.st_mode & 07777;
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  if (::fchmod(fd, mode) != 0)
    return fail("cannot set the mode of the temporary file");
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return fail("cannot write the temporary file");
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (durable && ::fsync(fd) != 0)
    return fail("cannot flush the temporary file");
  if (::close(fd) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return error{path + ": cannot close the temporary file: " + std::strerror(saved)};
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return error{path + ": cannot rename the temporary file over it: " + std::strerror(saved)};
  }
  return {};
}

}  // namespace rewrite
}  // namespace failpoint
