#include "logsift/walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "logsift/long_path.hpp"
#include "logsift/output.hpp"

namespace logsift {
namespace {

// gnulib's exclude rule, which grep applies to directories named on the command line: a glob
// matches the whole operand or what follows any '/' in it ("tree" excludes "data/edge/tree").
bool operand_excluded(const std::vector<std::string>& globs, const std::string& operand) {
  for (const std::string& glob : globs) {
    if (::fnmatch(glob.c_str(), operand.c_str(), 0) == 0) return true;
    for (std::size_t slash = operand.find('/'); slash != std::string::npos; slash = operand.find('/', slash + 1)) {
      if (slash + 1 < operand.size() && operand[slash + 1] != '/' &&
          ::fnmatch(glob.c_str(), operand.c_str() + slash + 1, 0) == 0) {
        return true;
      }
    }
  }
  return false;
}

bool glob_matches(const std::vector<std::string>& globs, const std::string& name) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& glob) { return ::fnmatch(glob.c_str(), name.c_str(), 0) == 0; });
}

std::string base_name(const std::string& path) {
  std::size_t end = path.find_last_not_of('/');
  if (end == std::string::npos) return path;
  std::size_t slash = path.rfind('/', end);
  return path.substr(slash == std::string::npos ? 0 : slash + 1, end - (slash == std::string::npos ? 0 : slash + 1) + 1);
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

class Walker {
 public:
  Walker(const Config& config, Diagnostics& diagnostics) : config(config), diagnostics(diagnostics) {}

  bool listed(const std::string& name) const {
    if (!config.include.empty() && !glob_matches(config.include, name)) return false;
    return !glob_matches(config.exclude, name);
  }

  void walk(const std::string& dir_path, const std::string& dir_display, std::vector<InputFile>& found);

 private:
  const Config& config;
  Diagnostics& diagnostics;
  // The (device, inode) of each directory on the path being walked, outermost first: with -R a
  // symlink to one of them is a loop, walked no further (grep's "recursive directory loop").
  std::vector<std::pair<dev_t, ino_t>> walk_ancestors;
};

void Walker::walk(const std::string& dir_path, const std::string& dir_display, std::vector<InputFile>& found) {
  struct stat self {};
  if (stat_long_path(dir_path, &self) == 0) {
    const std::pair<dev_t, ino_t> id{self.st_dev, self.st_ino};
    if (std::find(walk_ancestors.begin(), walk_ancestors.end(), id) != walk_ancestors.end()) {
      diagnostics.warning(dir_display.empty() ? "." : dir_display, "warning: recursive directory loop");
      return;
    }
    walk_ancestors.push_back(id);
  } else {
    walk_ancestors.emplace_back();  // opendir below reports the error; keeps the pop balanced
  }
  struct Leave {
    std::vector<std::pair<dev_t, ino_t>>& path;
    ~Leave() { path.pop_back(); }
  } leave{walk_ancestors};
  // Paths past PATH_MAX are opened piece by piece (long_path.hpp).
  const int dir_fd = open_long_path(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* dir = dir_fd < 0 ? nullptr : ::fdopendir(dir_fd);
  if (dir == nullptr) {
    const int saved = errno;
    if (dir_fd >= 0) ::close(dir_fd);
    errno = saved;
    diagnostics.file_error(dir_display.empty() ? "." : dir_display, std::strerror(errno));
    return;
  }
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());  // a stable, documented order (grep's is the directory's)

  for (const std::string& name : names) {
    const std::string path = join_path(dir_path, name);
    const std::string display = join_path(dir_display, name);
    struct stat info {};
    const int rc = stat_long_path(path, &info, config.follow_symlinks);
    if (rc != 0) {
      diagnostics.file_error(display, std::strerror(errno));
      continue;
    }
    if (S_ISDIR(info.st_mode)) {
      if (!glob_matches(config.exclude_dir, name)) walk(path, display, found);
    } else if (S_ISREG(info.st_mode) && listed(name)) {
      found.push_back({path, display});
    }
  }
}

}  // namespace

std::vector<InputFile> collect_inputs(const std::vector<std::string>& operands, bool implicit_dir, const Config& config,
                                      Diagnostics& diagnostics) {
  const Config& c = config;
  Walker walker(config, diagnostics);
  std::vector<InputFile> inputs;
  for (const std::string& operand : operands) {
    if (operand == "-") {
      inputs.push_back({"", c.label});
      continue;
    }
    struct stat info {};
    const bool is_dir = (c.recursive || !c.exclude_dir.empty()) && ::stat(operand.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
    // As grep: --exclude-dir also skips a directory named on the command line (silently, -r or not),
    // but not the current directory that -r searches when no FILE is given.
    if (is_dir && !implicit_dir && operand_excluded(c.exclude_dir, operand)) continue;
    if (is_dir && c.recursive) {
      walker.walk(operand, implicit_dir ? "" : operand, inputs);
    } else if (walker.listed(base_name(operand))) {
      inputs.push_back({operand, operand});
    }
  }
  return inputs;
}

}  // namespace logsift
