// rewriter/files.cpp: file walking and atomic writes (POSIX).
#include "rewriter/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "rewriter/rewriter.hpp"

namespace failpoint {
namespace rewrite {

namespace fs = std::filesystem;

bool collect_sources(const std::vector<std::string>& paths, std::vector<std::string>* files,
                     std::string* error) {
  for (const std::string& p : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      *error = p + ": no such file or directory";
      return false;
    }
    if (!fs::is_directory(st)) {
      files->push_back(p);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
      *error = p + ": " + ec.message();
      return false;
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) {
        *error = p + ": " + ec.message();
        return false;
      }
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
    files->insert(files->end(), found.begin(), found.end());
  }
  return true;
}

bool read_file(const std::string& path, std::string* out, std::string* error) {
  // O_NONBLOCK: opening a FIFO (or a device) must not wait for a writer; such files are refused
  // below, and a regular file reads the same either way.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    *error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *error = path + ": not a regular file (a FIFO, socket or device is never rewritten)";
    ::close(fd);
    return false;
  }
  if (st.st_size > 0)
    out->reserve(static_cast<std::size_t>(st.st_size));
  out->clear();
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      *error = path + ": cannot read: " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0)
      break;
    out->append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

bool write_file_atomic(const std::string& path, std::string_view content, std::string* error,
                       bool durable) {
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
  if (fd < 0) {
    *error =
        path + ": cannot create a temporary file in " + dir.string() + ": " + std::strerror(errno);
    return false;
  }
  auto fail = [&](const char* what) {
    *error = path + ": " + what + ": " + std::strerror(errno);
    ::close(fd);
    ::unlink(temp.c_str());
    return false;
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
    *error = path + ": cannot close the temporary file: " + std::strerror(errno);
    ::unlink(temp.c_str());
    return false;
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    *error = path + ": cannot rename the temporary file over it: " + std::strerror(errno);
    ::unlink(temp.c_str());
    return false;
  }
  return true;
}

}  // namespace rewrite
}  // namespace failpoint
