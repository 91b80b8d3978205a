#include "logsift/pipeline.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>
#include <chrono>
#include <ctime>
#include <optional>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>

#include "logsift/crlf.hpp"
#include "logsift/decompress.hpp"
#include "logsift/error.hpp"
#include "logsift/follow.hpp"
#include "logsift/follow_group.hpp"
#include "logsift/long_path.hpp"
#include "logsift/machine_printers.hpp"
#include "logsift/matcher.hpp"
#include "logsift/null_data.hpp"
#include "logsift/output.hpp"
#include "logsift/plan.hpp"
#include "logsift/printer.hpp"
#include "logsift/progress.hpp"
#include "logsift/sink.hpp"
#include "logsift/source.hpp"
#include "logsift/stage.hpp"
#include "logsift/time_window.hpp"
#include "logsift/walk.hpp"
#include "logsift/timestamp.hpp"

namespace logsift {

// The run: the plan it follows, and what changes while it runs (the writer, the totals, the
// follow threads).
struct Pipeline::Impl {
  explicit Impl(Plan p)
      : plan(std::move(p)),
        config(plan.config()),
        // A person watching a terminal sees each line as it is found; pipes get big writes.
        out(STDOUT_FILENO, config.line_buffered || config.follow || ::isatty(STDOUT_FILENO)),
        diagnostics(config.no_messages) {}

  const Plan plan;
  const Config& config;
  bool with_filename = false;
  Output out;
  Diagnostics diagnostics;
  std::unique_ptr<Printer> printer;
  bool any_selected = false;
  std::atomic<std::uint64_t>* progress = nullptr;  // --progress: bytes read so far

  // Totals for --stats and --max-matches, guarded by totals_mutex (--follow searches inputs on
  // several threads).
  std::mutex totals_mutex;
  std::uint64_t inputs_searched = 0;
  std::uint64_t inputs_matched = 0;
  std::uint64_t lines_read = 0;
  std::uint64_t lines_selected = 0;
  std::uint64_t bytes_read = 0;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  int exit_status() const;
  void print_stats() const;

  // Standard output when it is a regular file that lines are printed to as inputs are read; an
  // input that is the same file is skipped, as grep does, since reading it would never end.
  std::optional<std::pair<dev_t, ino_t>> output_file;
  void note_output_file();
  bool is_the_output(int fd, const InputFile& input);
  void search(const InputFile& input, Printer& printer);
  void add_totals(const InputSummary& summary, const InputState& state);
  void seek_for_since(int fd, std::uint64_t file_size, SourceOptions& source, TimeUse& use);
  void start_at_last_lines(int fd, std::uint64_t file_size, SourceOptions& source);
  std::unique_ptr<Printer> make_printer(Output& output);
  void follow_together(const std::vector<InputFile>& inputs);
};

Pipeline::Pipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pipeline::~Pipeline() = default;
Pipeline::Pipeline(Pipeline&&) noexcept = default;
Pipeline& Pipeline::operator=(Pipeline&&) noexcept = default;

Pipeline Pipeline::build(Config config) {
  return Pipeline(std::make_unique<Impl>(Plan::build(std::move(config))));
}

std::unique_ptr<Printer> Pipeline::Impl::make_printer(Output& output) {
  return plan.make_printer(output, diagnostics, with_filename);
}

// LOGSIFT_INPUT_PATH=read or map forces how big files are brought in (tests compare the two);
// otherwise the stream measures which costs less (make_file_stream).
static InputPath forced_input_path() {
  const char* path = std::getenv("LOGSIFT_INPUT_PATH");
  if (path == nullptr) return InputPath::automatic;
  if (std::string_view(path) == "read") return InputPath::read;
  if (std::string_view(path) == "map") return InputPath::map;
  return InputPath::automatic;
}

// Followed files never end, so they are searched together: regular files as tasks of one
// FollowGroup on this thread (one inotify instance, one read buffer, however many files), anything
// else (standard input, a FIFO), whose reads block, on a thread of its own. Each has a printer and
// a line-buffered writer of its own; every output line is one write(2), so lines never mix.
void Pipeline::Impl::follow_together(const std::vector<InputFile>& inputs) {
  std::vector<std::exception_ptr> failures(inputs.size() + 1);
  auto search_one = [this, &inputs, &failures](std::size_t i) {
    try {
      Output output(STDOUT_FILENO, true);
      std::unique_ptr<Printer> own_printer = make_printer(output);
      search(inputs[i], *own_printer);
      output.flush();
      // One summary or table for all files, printed by the main printer at the end.
      std::lock_guard totals_lock(totals_mutex);
      printer->absorb(*own_printer);
    } catch (...) {
      failures[i] = std::current_exception();
      request_follow_stop();  // a closed stdout ends every follower
    }
  };
  FollowGroup group;
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    struct stat info {};
    if (!inputs[i].path.empty() && ::stat(inputs[i].path.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
      group.add([&search_one, i] { search_one(i); });
    } else {
      threads.emplace_back(search_one, i);
    }
  }
  try {
    group.run();
  } catch (...) {
    failures.back() = std::current_exception();
    request_follow_stop();
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

// Whether the file starts with a compression format's magic number (decompress.hpp's own table):
// such a file is decoded from its start, so neither seek below may enter it in the middle.
static bool announces_compression(int fd) {
  char head[8] = {};
  const ssize_t got = ::pread(fd, head, sizeof head, 0);
  return got > 0 && compression_announced(std::string_view(head, static_cast<std::size_t>(got))) != Compression::none;
}

// A leading --since on a plain regular file starts reading at the first line the stage would keep,
// after a pass that proves every line before it is older (find_since_offset; the stage still checks
// every line read). Not when line numbers are needed (the skipped lines are not counted), nor for
// compressed or followed input.
void Pipeline::Impl::seek_for_since(int fd, std::uint64_t file_size, SourceOptions& source, TimeUse& use) {
  const std::vector<std::unique_ptr<Stage>>& stages = plan.stages();
  if (stages.empty() || !stages.front()->seek_hint() || file_size == 0 || source.count_lines ||
      !source.follow_path.empty() || config.decompress == Config::Decompress::always) {
    return;
  }
  if (config.decompress != Config::Decompress::never && announces_compression(fd)) return;
  struct stat info {};
  const double mtime = ::fstat(fd, &info) == 0 ? static_cast<double>(info.st_mtime) : static_cast<double>(std::time(nullptr));
  const TimestampParser parser = TimestampParser::for_file(config.time_format, mtime);
  bool saw_timestamp = false;
  const std::optional<std::uint64_t> offset =
      find_since_offset(fd, file_size, parser, *stages.front()->seek_hint(), &saw_timestamp);
  if (offset && *offset > 0 && ::lseek(fd, static_cast<off_t>(*offset), SEEK_SET) >= 0) {
    source.start_offset = *offset;
    use.lines = true;  // the skipped ones, which the stage will not see
    use.stamped = saw_timestamp;
  }
}

// --follow-last N: start at the last N lines of a plain regular file (tail -n N -F). A compressed
// one is read whole: its bytes cannot be entered in the middle. Line numbers still count from the
// file's start (one forward pass over the skipped part, only when they are shown).
void Pipeline::Impl::start_at_last_lines(int fd, std::uint64_t file_size, SourceOptions& source) {
  if (config.decompress == Config::Decompress::always || file_size == 0) return;
  if (config.decompress != Config::Decompress::never && announces_compression(fd)) return;
  const std::uint64_t offset = last_lines_offset(fd, file_size, *config.follow_last);
  if (offset == 0 || ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) return;
  source.start_offset = offset;
  if (source.count_lines) source.first_line_number = count_newlines(fd, offset) + 1;
}

// grep's rule: stdout is a regular file and lines are printed as they are found (not -c, -l, -L,
// -q, nor -m 0 or 1, nor the aggregates printed at the end).
void Pipeline::Impl::note_output_file() {
  const Config& c = config;
  const bool aggregate = !c.format && (c.histogram_bucket > 0 || !c.count_by.empty() || !c.count_by_field.empty() || (!c.json && (c.listing || c.count)));
  if (c.quiet || aggregate || (c.max_count && *c.max_count <= 1)) return;
  struct stat info {};
  if (::fstat(STDOUT_FILENO, &info) == 0 && S_ISREG(info.st_mode)) output_file.emplace(info.st_dev, info.st_ino);
}

bool Pipeline::Impl::is_the_output(int fd, const InputFile& input) {
  struct stat info {};
  if (!output_file || ::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) ||
      std::pair{info.st_dev, info.st_ino} != *output_file) {
    return false;
  }
  diagnostics.file_error(input.display, "input file is also the output");
  return true;
}

void Pipeline::Impl::search(const InputFile& input, Printer& printer) {
  int fd = STDIN_FILENO;
  bool appeared = false;  // --follow waited for the file: it is read from its start
  if (!input.path.empty()) {
    fd = open_long_path(input.path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && config.follow) {
      // tail -F: a log that is not there yet will be.
      diagnostics.warning(input.display, "waiting for it to appear");
      fd = wait_for_file(input.path);
      if (fd < 0 && follow_stop_requested()) return;
      appeared = true;
    }
    if (fd < 0) {
      diagnostics.file_error(input.display, std::strerror(errno));
      return;
    }
  }
  if (is_the_output(fd, input)) {
    if (fd != STDIN_FILENO) ::close(fd);
    return;
  }

  const Pushdown& pushdown = plan.pushdown();
  const std::vector<std::unique_ptr<Stage>>& stages = plan.stages();
  auto state = std::make_shared<InputState>();
  SourceOptions source_options = plan.source_defaults();
  source_options.select = pushdown.select;
  source_options.invert = pushdown.select_is_pattern && config.invert;
  source_options.also_select = pushdown.also_select;
  source_options.count_lines = config.line_number || config.stats || config.json || config.format.has_value();
  // Only printed lines make an input "binary" (counts and file lists are the same either way).
  source_options.detect_binary = (printer.shows_lines() || config.binary_without_match) && !config.text && !config.json;
  // But in a binary input NULs end lines for every output, as in grep (counts included).
  source_options.nul_ends_lines = !config.text && !config.json;
  source_options.progress = progress;
  source_options.null_data = config.null_data;
  using Decoding = SourceOptions::Decoding;
  source_options.decoding = config.decompress == Config::Decompress::never    ? Decoding::off
                            : config.decompress == Config::Decompress::always ? Decoding::forced
                                                                               : Decoding::automatic;
  source_options.decode_memory = config.decompress_memory;
  // A file of several blocks is mapped rather than copied out of the page cache, and a worker
  // thread searches the later part of each window: two cores scan faster than one. Not for
  // -q/-l/-L, where one selected line decides the input and most of a window would be wasted.
  struct stat info {};
  const bool regular_file = !input.path.empty() && ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  const bool count_all = config.max_matches.has_value() || config.stats;
  const bool decided_by_first_match = (config.quiet || config.listing.has_value()) && !count_all;
  const bool many_blocks = regular_file && static_cast<std::size_t>(info.st_size) > plan.map_threshold();
  source_options.map_file = many_blocks && !decided_by_first_match;
  source_options.input_path = forced_input_path();
  if (source_options.map_file) {
    source_options.helper_select = pushdown.select_twin;
    source_options.helper_also_select = pushdown.also_select_twin;
  }
  if (config.follow && regular_file) source_options.follow_path = input.path;
  if (config.follow_last && regular_file && !appeared) start_at_last_lines(fd, static_cast<std::uint64_t>(info.st_size), source_options);
  TimeUse time_use;
  seek_for_since(fd, regular_file ? static_cast<std::uint64_t>(info.st_size) : 0, source_options, time_use);
  generator<Line> lines = read_lines(fd, source_options, state);
  if (config.null_data) lines = restore_newlines(std::move(lines));
  if (config.crlf) lines = strip_carriage_returns(std::move(lines));
  const double mtime = regular_file ? static_cast<double>(info.st_mtime) : static_cast<double>(std::time(nullptr));
  for (std::size_t i = pushdown.first_stage; i < stages.size(); ++i) {
    lines = stages[i]->apply_to_file(std::move(lines), mtime, &time_use);
  }
  printer.date_input(mtime, &time_use);

  SinkOptions sink_options;
  sink_options.invert = config.invert;
  sink_options.max_count = config.max_count;
  sink_options.before = config.before;
  sink_options.after = config.after;
  sink_options.separate_groups = config.context_requested;
  sink_options.stop_at_first_match = config.quiet || config.listing.has_value();
  sink_options.count_all = count_all;
  sink_options.lines_preselected = pushdown.select_is_pattern || pushdown.also_select != nullptr;
  // JSON carries any bytes (as base64); aggregates count every selected line, as -c does.
  sink_options.text = config.text || config.json || !printer.shows_lines();
  sink_options.binary_without_match = config.binary_without_match && !config.text && !config.json;
  printer.input_size(regular_file ? std::optional<std::uint64_t>(info.st_size) : std::nullopt);
  Sink sink = grep_sink(plan.pattern(), sink_options, &printer, &diagnostics, input.display, state);

  // Totals are kept even when the output fails mid-way (a closed pipe still ends with the status of
  // what was selected).
  struct Totals {
    Impl& impl;
    const Sink& sink;
    const InputState& state;
    ~Totals() { impl.add_totals(sink.summary(), state); }
  } totals{*this, sink, *state};

  // The bridge: pull from the chain, push into the sink, stop as soon as the sink is satisfied.
  try {
    for (const Line& line : lines) {
      sink.send(line);
      if (sink.done()) break;
    }
  } catch (const InputError& error) {
    // The sink's own matching can fail too (-P past PCRE2's limits): it is over then.
    if (sink.done()) {
      diagnostics.file_error(input.display, error.what());
    } else {
      sink.raise(error.what());
    }
  }
  sink.close();
  if (fd != STDIN_FILENO) ::close(fd);
  // An input none of whose lines had a timestamp the time rules could read: their answer for it
  // (nothing under --since, everything under --until) is not one, so it is an error (exit 2).
  if (time_use.lines && !time_use.stamped && time_use.complete) {
    diagnostics.file_error(input.display, config.time_format.empty()
                                              ? "no recognised timestamp (the time rules need one; see --time-format)"
                                              : "no timestamp in the --time-format (the time rules need one)");
  }
}

void Pipeline::Impl::add_totals(const InputSummary& summary, const InputState& state) {
  std::lock_guard totals_lock(totals_mutex);
  if (summary.selected > 0) {
    any_selected = true;
    ++inputs_matched;
  }
  ++inputs_searched;
  lines_selected += summary.selected;
  lines_read += state.lines_read;
  bytes_read += state.bytes_read;
}

int Pipeline::run() {
  Impl& p = *impl_;
  const Config& c = p.config;
  // Like grep, read nothing when no line can be selected; -L still lists the inputs then.
  const bool nothing_selectable = c.max_count == std::uint64_t{0} ||
                                  (c.invert ? p.plan.pattern()->matches_every_line() : p.plan.pattern()->matches_no_line());
  if (nothing_selectable && c.listing != FileListing::without_match) return c.max_matches ? 0 : 1;

  std::vector<std::string> operands = c.files;
  const bool implicit_dir = operands.empty() && c.recursive;
  if (operands.empty()) operands.push_back(implicit_dir ? "." : "-");

  bool any_directory = false;
  if (c.recursive) {
    for (const std::string& operand : operands) {
      struct stat info {};
      if (operand != "-" && ::stat(operand.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) any_directory = true;
    }
  }
  p.with_filename = c.with_filename.value_or(operands.size() > 1 || any_directory);

  p.printer = p.make_printer(p.out);
  p.note_output_file();

  const std::vector<InputFile> inputs = collect_inputs(operands, implicit_dir, c, p.diagnostics);

  std::optional<ProgressBar> progress;
  if (c.progress) {
    std::uint64_t total = 0;
    for (const InputFile& input : inputs) {
      struct stat info {};
      if (input.path.empty() || ::stat(input.path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
        total = 0;  // a size we cannot know makes the total meaningless
        break;
      }
      total += static_cast<std::uint64_t>(info.st_size);
    }
    progress.emplace(total);
    p.progress = progress->counter();
  }

  if (c.follow) {
    // Ctrl-C and SIGTERM end a follow with the status so far rather than killing the process.
    struct sigaction action {};
    action.sa_handler = [](int) { request_follow_stop(); };
    ::sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
  }

  try {
    if (c.follow && inputs.size() > 1) {
      p.follow_together(inputs);
    } else {
      for (const InputFile& input : inputs) {
        p.search(input, *p.printer);
        // grep -q: the first selected line decides (unless every one is counted).
        if (c.quiet && p.any_selected && !c.max_matches && !c.stats) break;
      }
    }
    p.printer->finish();
    p.out.flush();
  } catch (const OutputClosed&) {
    // A reader that went away wants no more: end quietly, with the status of what happened so far
    // (an earlier error is still exit 2, as with grep when SIGPIPE is ignored).
    return p.exit_status();
  } catch (const WriteError& error) {
    p.diagnostics.error(error.what());
    return 2;
  }
  if (c.stats) p.print_stats();
  return p.exit_status();
}

int Pipeline::Impl::exit_status() const {
  // grep -q exits 0 at its first selected line, whatever went wrong before; not when the lines are
  // counted on for --max-matches.
  if (diagnostics.had_error() && !(config.quiet && any_selected && !config.max_matches)) return 2;
  // --max-matches turns the status into a gate: more matches than allowed is the failure.
  if (config.max_matches) return lines_selected > *config.max_matches ? 1 : 0;
  return any_selected ? 0 : 1;
}

void Pipeline::Impl::print_stats() const {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double mib = static_cast<double>(bytes_read) / (1024.0 * 1024.0);
  std::string text = fmt::format(
      "{} matched lines\n{} files contained matches\n{} files searched\n{} lines read\n{} bytes read ({:.1f} MiB)\n"
      "{:.6f} seconds ({:.1f} MiB/s)\n",
      lines_selected, inputs_matched, inputs_searched, lines_read, bytes_read, mib, seconds,
      seconds > 0 ? mib / seconds : 0.0);
  ::fflush(stdout);
  (void)!::write(STDERR_FILENO, text.data(), text.size());
}

std::string Pipeline::explain() const { return impl_->plan.explain(); }

}  // namespace logsift
