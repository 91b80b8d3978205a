#include "logsift/long_path.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

namespace logsift {
namespace {

// Opens the directories of `path` piece by piece until what is left is shorter than PATH_MAX:
// returns the directory to resolve the rest against (AT_FDCWD when the path is short; otherwise a
// descriptor the caller closes) and sets *rest to where the rest starts. -1 on failure.
int descend(const std::string& path, std::size_t* rest) {
  int dir = AT_FDCWD;
  std::size_t pos = 0;
  while (path.size() - pos >= PATH_MAX) {
    const std::size_t cut = path.rfind('/', pos + PATH_MAX - 2);
    if (cut == std::string::npos || cut < pos) {
      if (dir != AT_FDCWD) ::close(dir);
      errno = ENAMETOOLONG;  // one name longer than PATH_MAX: no file has it
      return -1;
    }
    const std::string piece = cut == pos ? std::string("/") : path.substr(pos, cut - pos);
    const int next = ::openat(dir, piece.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    const int saved = errno;
    if (dir != AT_FDCWD) ::close(dir);
    if (next < 0) {
      errno = saved;
      return -1;
    }
    dir = next;
    pos = cut + 1;
  }
  *rest = pos;
  return dir;
}

}  // namespace

int open_long_path(const std::string& path, int flags) {
  if (path.size() < PATH_MAX) return ::open(path.c_str(), flags);
  std::size_t rest = 0;
  const int dir = descend(path, &rest);
  if (dir == -1) return -1;
  const int fd = ::openat(dir, path.c_str() + rest, flags);
  const int saved = errno;
  if (dir != AT_FDCWD) ::close(dir);
  errno = saved;
  return fd;
}

int stat_long_path(const std::string& path, struct stat* info, bool follow) {
  if (path.size() < PATH_MAX) return follow ? ::stat(path.c_str(), info) : ::lstat(path.c_str(), info);
  std::size_t rest = 0;
  const int dir = descend(path, &rest);
  if (dir == -1) return -1;
  const int rc = ::fstatat(dir, path.c_str() + rest, info, follow ? 0 : AT_SYMLINK_NOFOLLOW);
  const int saved = errno;
  if (dir != AT_FDCWD) ::close(dir);
  errno = saved;
  return rc;
}

}  // namespace logsift
