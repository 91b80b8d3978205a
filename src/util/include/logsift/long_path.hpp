// Paths longer than PATH_MAX (a deep tree under -r): open(2) and stat(2) refuse them with
// ENAMETOOLONG, so these walk down such a path in pieces shorter than PATH_MAX, each opened
// relative to the directory before it (openat), as grep's directory walk does. Shorter paths go
// to open(2) and stat(2) directly. Errors are reported in errno, as by the system calls.
#pragma once

#include <string>

#include <sys/stat.h>

namespace logsift {

// open(2) of `path`, whatever its length. -1 with errno set on failure.
int open_long_path(const std::string& path, int flags);

// stat(2) (lstat(2) unless `follow`) of `path`, whatever its length. -1 with errno on failure.
int stat_long_path(const std::string& path, struct stat* info, bool follow = true);

}  // namespace logsift
