// Config: everything the command line asked for, as plain values, with no parser types in it.
// The CLI fills it; Pipeline::build turns it into matchers, stages and a printer. Stages are kept
// as written, in command-line order, because their order is the order of the chain.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "logsift/fields.hpp"
#include "logsift/matcher.hpp"
#include "logsift/printer.hpp"
#include "logsift/stage.hpp"

namespace logsift {

enum class ColorMode { never, always, automatic };

struct Config {
  // Matching (the sink's PATTERN)
  std::vector<std::string> patterns;
  Syntax syntax = Syntax::extended;
  bool ignore_case = false;
  bool invert = false;
  bool word = false;
  bool whole_line = false;

  // Output
  bool count = false;
  std::optional<FileListing> listing;  // -l / -L
  bool quiet = false;
  bool only_matching = false;
  bool line_number = false;
  bool byte_offset = false;
  std::optional<bool> with_filename;  // -H / -h; unset: grep's default (several inputs)
  std::optional<std::uint64_t> max_count;
  std::size_t before = 0;
  std::size_t after = 0;
  bool context_requested = false;  // -A/-B/-C given, even as 0: groups are separated by "--"
  ColorMode color = ColorMode::never;
  bool line_buffered = false;
  bool null_after_name = false;  // -Z: NUL after file names
  bool initial_tab = false;      // -T
  std::string label = "(standard input)";
  bool json = false;                         // --json: ripgrep's JSON Lines messages
  std::optional<std::string> format;         // --format TEMPLATE, or "github"
  bool stats = false;                        // --stats: a summary on stderr at the end
  bool progress = false;                     // --progress: a progress bar on stderr (terminals)
  std::optional<std::uint64_t> max_matches;  // --max-matches: exit 1 when more lines matched
  std::string count_by;                      // --count-by RE: a table of counts by key
  std::string count_by_field;                // --count-by-field NAME: the same, keyed by a field
  std::optional<std::size_t> top;            // --top N for --count-by; unset = all (0 prints none)
  double histogram_bucket = 0;               // --histogram: bucket size in seconds; 0 = off

  // Input
  std::vector<std::string> files;  // empty: stdin, or "." with -r
  bool recursive = false;
  bool follow_symlinks = false;  // -R
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::vector<std::string> exclude_dir;
  bool text = false;         // -a, --binary-files=text
  bool binary_without_match = false;  // -I, --binary-files=without-match: a binary input matches nothing
  bool null_data = false;    // -z: input and output records end in NUL, not newline
  bool crlf = false;         // --crlf: "\r\n" ends a line for $ and printing, as rg --crlf
  enum class Decompress { automatic, always, never } decompress = Decompress::automatic;
  std::uint64_t decompress_memory = std::uint64_t{128} << 20;  // --decompress-memory: xz dictionary, zstd window
  bool follow = false;       // --follow
  std::optional<std::uint64_t> follow_last;  // --follow-last N (implies --follow)
  bool no_messages = false;  // -s

  // Stages, in command-line order
  std::vector<StageSpec> stages;
  std::string field_sep;  // --field-sep for every --fields stage; empty: split on whitespace
  std::string time_format;  // --time-format for --since/--until; empty: detect
  InputFormat input_format = InputFormat::automatic;  // --input-format for --where and {.field}
  bool explain = false;
};

}  // namespace logsift
