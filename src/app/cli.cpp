#include "logsift/cli.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <set>

#include <sys/stat.h>

#include "logsift/error.hpp"
#include "logsift/plan.hpp"
#include "logsift/stage_flags.hpp"

namespace logsift {
namespace {

// Options whose value may be separated by a space and may itself begin with '-' or be empty
// (grep -e -x means the pattern "-x"). CLI11 could take such a value for an option, so they are
// rewritten to their long form "--name=value" first. Short names map to their long names. The
// stage flags that take a value are added from the stage-flag table.
std::map<std::string, std::string> with_stage_flags(std::map<std::string, std::string> options) {
  for (const StageFlag& flag : stage_flags()) {
    if (!flag.is_switch()) options.emplace(flag.name, flag.name);
  }
  return options;
}
const std::map<std::string, std::string> kValueOptions = with_stage_flags({
    {"-e", "--regexp"}, {"--regexp", "--regexp"}, {"-f", "--file"}, {"--file", "--file"},
    {"-m", "--max-count"}, {"--max-count", "--max-count"}, {"-A", "--after-context"},
    {"--after-context", "--after-context"}, {"-B", "--before-context"},
    {"--before-context", "--before-context"}, {"-C", "--context"}, {"--context", "--context"},
    {"--label", "--label"}, {"--include", "--include"}, {"--exclude", "--exclude"},
    {"--exclude-dir", "--exclude-dir"}, {"--field-sep", "--field-sep"}, {"--time-format", "--time-format"},
    {"--max-matches", "--max-matches"}, {"--count-by", "--count-by"}, {"--include-from", "--include-from"},
    {"--exclude-from", "--exclude-from"},
    {"--top", "--top"}, {"--histogram", "--histogram"}, {"--format", "--format"},
    {"--decompress-memory", "--decompress-memory"}, {"--follow-last", "--follow-last"},
    {"--binary-files", "--binary-files"},
    {"--input-format", "--input-format"}, {"--count-by-field", "--count-by-field"},
});

// Value options whose value is a count (the stage flags' rows say so themselves).
const std::set<std::string> kNumericOptions = {
    "--max-count", "--after-context", "--before-context", "--context", "--max-matches", "--top", "--follow-last",
};

bool is_numeric_option(const std::string& long_name) {
  if (const StageFlag* flag = find_stage_flag(long_name)) return flag->numeric;
  return kNumericOptions.count(long_name) > 0;
}

// What CLI11 is given: option words rewritten so that it cannot misread them, and each positional
// word replaced by a placeholder, because CLI11 would split a positional such as "[a,b]" (a
// bracket expression, or a file name) as an array. Placeholders are "\x01" + index.
struct NormalisedArguments {
  std::vector<std::string> words;
  std::vector<std::string> positionals;

  std::string restore(const std::string& word) const {
    if (word.size() < 2 || word[0] != '\x01') return word;
    return positionals.at(std::stoul(word.substr(1)));
  }
};

// Rewrites "OPT VALUE" into "--long-name=VALUE" so that CLI11 never mistakes a value for an
// option, and a bare --color into --color=auto as in grep.
NormalisedArguments normalise_arguments(int argc, const char* const* argv) {
  NormalisedArguments out;
  auto add_positional = [&](std::string word) {
    out.words.push_back('\x01' + std::to_string(out.positionals.size()));
    out.positionals.push_back(std::move(word));
  };
  auto add_value = [&](const std::string& long_name, std::string value) {
    if (value.empty()) {
      // CLI11 rejects "--name=" but takes an empty word as a value.
      out.words.push_back(long_name);
      out.words.push_back(std::move(value));
    } else {
      out.words.push_back(long_name + "=" + value);
    }
  };
  bool options_ended = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (options_ended || arg == "-" || arg.empty() || arg[0] != '-') {
      add_positional(std::move(arg));
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      out.words.push_back(std::move(arg));
      continue;
    }
    // "--regexp=" is an empty value, as in grep; CLI11 would take the next word instead.
    if (const std::size_t eq = arg.find('='); eq != std::string::npos && eq + 1 == arg.size() &&
                                               kValueOptions.count(arg.substr(0, eq))) {
      out.words.push_back(kValueOptions.at(arg.substr(0, eq)));
      out.words.emplace_back();
      continue;
    }
    if (arg == "--color" || arg == "--colour") {
      out.words.push_back("--color=auto");
      continue;
    }
    // A bundle of short flags may end in one that takes a value ("-ie PATTERN", "-nA2"), and its
    // digits are grep's -NUM, context on both sides ("-5", "-n2").
    if (arg[1] != '-') {
      std::string letters = "-", context;
      std::size_t k = 1;
      for (; k < arg.size() && std::strchr("efmABC", arg[k]) == nullptr; ++k) {
        (arg[k] >= '0' && arg[k] <= '9' ? context : letters) += arg[k];
      }
      if (!context.empty()) out.words.push_back("--context=" + context);
      if (letters.size() > 1) out.words.push_back(letters);
      if (k < arg.size()) {
        std::string value = arg.substr(k + 1);
        if (value.empty()) {
          if (i + 1 == argc) throw UsageError(fmt::format("option requires an argument -- '{}'", arg[k]));
          value = argv[++i];
        }
        add_value(kValueOptions.at(std::string{'-', arg[k]}), std::move(value));
      }
      continue;
    }
    if (auto it = kValueOptions.find(arg); it != kValueOptions.end()) {
      if (i + 1 == argc) {
        throw UsageError(fmt::format("{} needs {}", arg, is_numeric_option(it->second) ? "a number" : "a value"));
      }
      add_value(it->second, argv[++i]);
      continue;
    }
    out.words.push_back(std::move(arg));
  }
  return out;
}

// grep's numbers: decimal digits; a value too large to store means "as many as possible".
std::optional<std::uint64_t> parse_unsigned(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ptr != end) return std::nullopt;
  if (ec == std::errc::result_out_of_range) return std::numeric_limits<std::uint64_t>::max();
  if (ec != std::errc{}) return std::nullopt;
  return value;
}

std::uint64_t parse_number(std::string_view flag, const std::string& text) {
  std::optional<std::uint64_t> value = parse_unsigned(text);
  if (!value) throw bad_value(flag, text, "expected a non-negative whole number");
  return *value;
}

// A memory size: a whole number of bytes, or of K, M or G (KiB, MiB, GiB); at least 1 MiB.
std::uint64_t parse_size(std::string_view flag, const std::string& text) {
  const std::string_view units = "KMG";
  std::string digits = text;
  int shift = 0;
  if (!digits.empty()) {
    const std::size_t unit = units.find(static_cast<char>(std::toupper(static_cast<unsigned char>(digits.back()))));
    if (unit != std::string_view::npos) {
      shift = 10 * static_cast<int>(unit + 1);
      digits.pop_back();
    }
  }
  const std::optional<std::uint64_t> value = parse_unsigned(digits);
  if (!value || *value > (std::numeric_limits<std::uint64_t>::max() >> shift) || (*value << shift) < (1u << 20)) {
    throw bad_value(flag, text, "expected a size of at least 1M, like 256M or 2G");
  }
  return *value << shift;
}

// A histogram bucket: a positive number of s, m, h, d or w.
double parse_bucket(const std::string& text) {
  static const std::map<char, double> kUnits = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
  const auto unit = text.empty() ? kUnits.end() : kUnits.find(text.back());
  const std::optional<std::uint64_t> count =
      unit == kUnits.end() ? std::nullopt : parse_unsigned(text.substr(0, text.size() - 1));
  if (!count || *count == 0) {
    throw bad_value("--histogram", text, "expected a bucket like 30s, 5m, 1h or 1d");
  }
  return static_cast<double>(*count) * unit->second;
}

std::size_t parse_context(const std::string& text) {
  std::optional<std::uint64_t> value = parse_unsigned(text);
  if (!value) throw UsageError(fmt::format("{}: invalid context length argument", text));
  return static_cast<std::size_t>(std::min<std::uint64_t>(*value, std::numeric_limits<std::size_t>::max()));
}

std::optional<std::uint64_t> parse_max_count(const std::string& text) {
  // grep: a negative count means no limit.
  if (!text.empty() && text[0] == '-' && parse_unsigned(text.substr(1))) return std::nullopt;
  std::optional<std::uint64_t> value = parse_unsigned(text);
  if (!value) throw UsageError(fmt::format("invalid max count {}", quote(text)));
  return *value;
}

std::vector<std::string> read_pattern_file(const std::string& path) {
  std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (file == nullptr) throw UsageError(fmt::format("{}: {}", path, std::strerror(errno)));
  struct stat info {};
  if (::fstat(::fileno(file), &info) == 0 && S_ISDIR(info.st_mode)) {
    if (file != stdin) std::fclose(file);
    throw UsageError(fmt::format("{}: {}", path, std::strerror(EISDIR)));
  }
  std::string content;
  char chunk[65536];
  std::size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, file)) > 0) content.append(chunk, n);
  const bool failed = std::ferror(file) != 0;
  if (file != stdin) std::fclose(file);
  if (failed) throw UsageError(fmt::format("{}: read error", path));
  std::vector<std::string> patterns;
  std::size_t start = 0;
  while (start < content.size()) {
    std::size_t nl = content.find('\n', start);
    if (nl == std::string::npos) nl = content.size();
    patterns.push_back(content.substr(start, nl - start));
    start = nl + 1;
  }
  return patterns;
}

ColorMode parse_color(const std::string& when) {
  if (when == "always" || when == "yes" || when == "force") return ColorMode::always;
  if (when == "never" || when == "no" || when == "none") return ColorMode::never;
  if (when == "auto" || when == "tty" || when == "if-tty") return ColorMode::automatic;
  throw UsageError(fmt::format("invalid argument {} for --color (valid: always, never, auto)", quote(when)));
}

// Levenshtein distance, for suggesting the option a typo meant.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "unknown option --kep (did you mean --keep?)": the nearest long option within two edits.
std::string unknown_option_message(const CLI::App& app, const std::string& word) {
  const std::string name = word.substr(0, word.find('='));
  std::string best;
  std::size_t best_distance = 3;
  if (name.rfind("--", 0) == 0) {
    for (const CLI::Option* option : app.get_options()) {
      for (const std::string& long_name : option->get_lnames()) {
        const std::size_t distance = edit_distance(name.substr(2), long_name);
        if (distance < best_distance) {
          best_distance = distance;
          best = "--" + long_name;
        }
      }
    }
  }
  if (best.empty()) return fmt::format("unknown option {} (try --help)", quote(name));
  return fmt::format("unknown option {} (did you mean {}?)", quote(name), best);
}

// CLI11 messages can span lines; ours are one line.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace

// CLI11's generated usage line does not know that PATTERN comes first; ours does.
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App*, std::string) const override {
    return "\nUsage: logsift [OPTIONS] PATTERN [FILE...]\n       logsift [OPTIONS] -e PATTERN ... [FILE...]\n";
  }
};

CommandLine parse_command_line(int argc, const char* const* argv) {
  CommandLine result;
  Config& config = result.config;

  CLI::App app{"logsift: a streaming log grep with pipeline stages.", "logsift"};
  app.formatter(std::make_shared<HelpFormatter>());
  app.set_help_flag("--help", "Print this help and exit");
  app.footer(
      "Stages run in the order given, before PATTERN is matched. Output modes -c, -l/-L, --json,\n"
      "--format, --count-by and --histogram exclude each other, except -c with -l/-L (as grep) and\n"
      "--json with --count-by or --histogram; -q silences all. Exit status: 0 if a line was\n"
      "selected, 1 if none, 2 on an error. See README.md and docs/ for details.");

  std::vector<std::string> regexps, pattern_files, positionals;
  std::string max_count, after, before, context, color = "never";
  bool extended = false, basic = false, fixed = false, perl = false, with_filename = false, no_filename = false;
  bool files_with_matches = false, files_without_match = false, version = false;

  const std::string matching = "Matching";
  app.add_option("-e,--regexp", regexps, "Use PATTERN for matching (repeatable)")
      ->allow_extra_args(false)->group(matching)->type_name("PATTERN");
  app.add_option("-f,--file", pattern_files, "Take patterns from FILE, one per line")
      ->allow_extra_args(false)->group(matching)->type_name("FILE");
  app.add_flag("-E,--extended-regexp", extended, "PATTERN is an extended regex (default: RE2 syntax)")->group(matching);
  app.add_flag("-G,--basic-regexp", basic, "PATTERN is a POSIX basic regex")->group(matching);
  app.add_flag("-F,--fixed-strings", fixed, "PATTERN is a set of literal strings")->group(matching);
  app.add_flag("-P,--perl-regexp", perl, "PATTERN is one Perl-compatible regex (PCRE2; not linear-time)")
      ->group(matching);
  CLI::Option* ignore_case_option =
      app.add_flag("-i,-y,--ignore-case", config.ignore_case, "Ignore case distinctions")->group(matching);
  bool no_ignore_case = false;
  CLI::Option* no_ignore_case_option =
      app.add_flag("--no-ignore-case", no_ignore_case, "Do not ignore case distinctions (the default; undoes -i)")
          ->group(matching);
  app.add_flag("-v,--invert-match", config.invert, "Select non-matching lines")->group(matching);
  app.add_flag("-w,--word-regexp", config.word, "Match only whole words")->group(matching);
  app.add_flag("-x,--line-regexp", config.whole_line, "Match only whole lines")->group(matching);

  const std::string stages = "Stages (applied in the order given, before PATTERN)";
  std::map<std::string, std::vector<std::string>> stage_values;
  std::map<std::string, bool> stage_switch_values;
  std::map<const CLI::Option*, std::string> stage_options;
  // Declared from the stage-flag table; --help lists them in its order.
  for (const StageFlag& row : stage_flags()) {
    const std::string flag{row.name}, help{row.help};
    CLI::Option* option;
    if (row.is_switch()) {
      option = app.add_flag(flag, help);
    } else {
      option = app.add_option(flag, stage_values[flag], help)
                   ->allow_extra_args(false)
                   ->type_name(std::string{row.value_name});
    }
    option->group(stages);
    stage_options[option] = flag;
  }
  app.add_option("--time-format", config.time_format,
                 "strftime-style format of timestamps for --since/--until (default: detect common formats)")
      ->group(stages)->type_name("FORMAT");
  app.add_option("--field-sep", config.field_sep, "Literal field separator for --fields")->group(stages)->type_name("SEP");
  std::string input_format = "auto";
  app.add_option("--input-format", input_format, "How --where reads lines: auto (JSON if '{', else logfmt), json, logfmt")
      ->group(stages)->type_name("FORMAT");
  app.add_flag("--explain", config.explain, "Print the pipeline the flags build and exit")->group(stages);

  const std::string output = "Output";
  app.add_flag("-c,--count", config.count, "Print only a count of selected lines per file")->group(output);
  CLI::Option* with_matches_option = app.add_flag("-l,--files-with-matches", files_with_matches, "Print only names of files with selected lines")->group(output);
  CLI::Option* without_match_option = app.add_flag("-L,--files-without-match", files_without_match, "Print only names of files with no selected line")->group(output);
  app.add_flag("-o,--only-matching", config.only_matching, "Print only the matched parts of lines")->group(output);
  app.add_flag("-q,--quiet,--silent", config.quiet, "Print nothing; exit 0 at the first match")->group(output);
  app.add_flag("-n,--line-number", config.line_number, "Prefix each line with its line number")->group(output);
  app.add_flag("-b,--byte-offset", config.byte_offset, "Prefix each line with its byte offset")->group(output);
  CLI::Option* with_filename_option = app.add_flag("-H,--with-filename", with_filename, "Prefix each line with its file name")->group(output);
  CLI::Option* no_filename_option = app.add_flag("-h,--no-filename", no_filename, "Never prefix lines with file names")->group(output);
  app.add_option("--label", config.label, "Name to show for standard input")->group(output)->type_name("NAME");
  CLI::Option* max_count_option = app.add_option("-m,--max-count", max_count, "Stop after NUM selected lines per file")->group(output)->type_name("NUM");
  CLI::Option* after_option = app.add_option("-A,--after-context", after, "Print NUM lines of trailing context")->group(output)->type_name("NUM");
  CLI::Option* before_option = app.add_option("-B,--before-context", before, "Print NUM lines of leading context")->group(output)->type_name("NUM");
  CLI::Option* context_option = app.add_option("-C,--context", context, "Print NUM lines of context on both sides")->group(output)->type_name("NUM");
  app.add_option("--color,--colour", color, "Color matches: --color[=WHEN], WHEN always, never or auto")
      ->group(output)->type_name("[=WHEN]");
  app.add_flag("--line-buffered", config.line_buffered, "Flush output after every line")->group(output);
  app.add_flag("-Z,--null", config.null_after_name, "Print a NUL after each file name (-l, -L, -c, prefixes)")
      ->group(output);
  app.add_flag("-T,--initial-tab", config.initial_tab, "Put a tab after the prefix, numbers padded, as grep -T")
      ->group(output);
  app.add_flag("--json", config.json, "Print ripgrep-compatible JSON Lines (begin, match, context, end, summary)")
      ->group(output);
  std::string format;
  CLI::Option* format_option =
      app.add_option("--format", format, "Print each match through TEMPLATE ({path} {line_number} {column} "
                                         "{byte_offset} {line} {match} {1}..{9}), or 'github' for annotations")
          ->group(output)->type_name("TEMPLATE");
  std::string histogram;
  CLI::Option* histogram_option =
      app.add_option("--histogram", histogram, "Count selected lines per time bucket (30s, 1m, 1h, 1d) as a bar chart")
          ->group(output)->type_name("BUCKET");
  app.add_flag("--stats", config.stats, "Print a summary of the search on stderr at the end")->group(output);
  app.add_flag("--progress", config.progress, "Show a progress bar on stderr when it is a terminal")->group(output);
  std::string max_matches, top;
  CLI::Option* max_matches_option =
      app.add_option("--max-matches", max_matches, "CI gate: exit 1 if more than NUM lines matched, else 0")
          ->group(output)->type_name("NUM");
  CLI::Option* count_by_option = app.add_option("--count-by", config.count_by, "Count selected lines by RE's group 1 (or match), most first")
      ->group(output)->type_name("RE")->allow_extra_args(false);
  CLI::Option* count_by_field_option =
      app.add_option("--count-by-field", config.count_by_field, "Count selected lines by the JSON/logfmt field NAME, most first")
          ->group(output)->type_name("NAME")->allow_extra_args(false);
  CLI::Option* top_option = app.add_option("--top", top, "With --count-by or --count-by-field: print only the NUM most frequent keys")
      ->group(output)->type_name("NUM");

  const std::string input = "Input";
  app.add_flag("-r,--recursive", config.recursive, "Search directories recursively")->group(input);
  app.add_flag("-R,--dereference-recursive", config.follow_symlinks, "Like -r, following all symlinks")->group(input);
  app.add_option("--include", config.include, "Search only files whose name matches GLOB")->group(input)->allow_extra_args(false)->type_name("GLOB");
  app.add_option("--exclude", config.exclude, "Skip files whose name matches GLOB")->group(input)->allow_extra_args(false)->type_name("GLOB");
  std::vector<std::string> include_from, exclude_from;
  app.add_option("--include-from", include_from, "Search only files whose name matches a GLOB read from FILE")
      ->group(input)->allow_extra_args(false)->type_name("FILE");
  app.add_option("--exclude-from", exclude_from, "Skip files whose name matches a GLOB read from FILE")
      ->group(input)->allow_extra_args(false)->type_name("FILE");
  app.add_option("--exclude-dir", config.exclude_dir, "Skip directories whose name matches GLOB")->group(input)->allow_extra_args(false)->type_name("GLOB");
  CLI::Option* text_option =
      app.add_flag("-a,--text", config.text, "Process binary files as if they were text")->group(input);
  bool binary_without_match = false;
  CLI::Option* without_match_flag =
      app.add_flag("-I", binary_without_match, "Binary files match nothing (--binary-files=without-match)")->group(input);
  std::string binary_files;
  CLI::Option* binary_files_option =
      app.add_option("--binary-files", binary_files, "TYPE of binary files: binary (the default), text (-a) or without-match (-I)")
          ->group(input)->type_name("TYPE");
  app.add_flag("-z,--null-data", config.null_data, "Input and output records end in NUL, not newline")->group(input);
  app.add_flag("--crlf", config.crlf, "Lines end in \\r\\n as in \\n: $ matches before \\r\\n (as rg --crlf)")->group(input);
  bool decompress = false, no_decompress = false;
  CLI::Option* decompress_option =
      app.add_flag("--decompress", decompress, "Decode input as gzip, bzip2, xz or zstd (an error if it is not)")
          ->group(input);
  CLI::Option* no_decompress_option =
      app.add_flag("--no-decompress", no_decompress, "Never decode compressed input (default: by magic bytes)")
          ->group(input);
  std::string decompress_memory;
  CLI::Option* decompress_memory_option =
      app.add_option("--decompress-memory", decompress_memory,
                     "Most memory an xz dictionary or zstd window may take (default 128M)")
          ->group(input)->type_name("SIZE");
  app.add_flag("--follow", config.follow, "After the end of a file wait for more, across rotation and truncation")
      ->group(input);
  std::string follow_last;
  CLI::Option* follow_last_option =
      app.add_option("--follow-last", follow_last, "--follow, starting with the last N lines of each file (0: at its end)")
          ->group(input)->type_name("N");
  app.add_flag("-s,--no-messages", config.no_messages, "Suppress messages about unreadable files")->group(input);

  app.add_flag("-V,--version", version, "Print the version and exit");
  app.add_option("args", positionals, "PATTERN (unless -e or -f is given) and FILEs")->group("");
  // As in grep, a value option given twice takes the last value (shell aliases rely on it); the
  // options that collect values (-e, -f, --include, stages...) keep them all.
  for (CLI::Option* option : app.get_options()) {
    if (option->get_type_size_max() == 1 && option->get_items_expected_max() == 1) {
      option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
  }
  app.allow_extras();  // unknown options are reported below, with a suggestion

  const NormalisedArguments args = normalise_arguments(argc, argv);
  std::vector<std::string> reversed(args.words.rbegin(), args.words.rend());  // CLI11 takes them back to front
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    result.immediate_output = app.help();
    return result;
  } catch (const CLI::ParseError& error) {
    throw UsageError(one_line(fmt::format("{} (try --help)", error.what())));
  }
  for (const std::string& word : app.remaining()) {
    if (word != "--") throw UsageError(unknown_option_message(app, word));
  }
  for (std::string& positional : positionals) positional = args.restore(positional);
  if (version) {
    result.immediate_output = fmt::format("logsift {}\n", LOGSIFT_VERSION);
    return result;
  }

  // Stages in command-line order: parse_order() lists each option once per value given.
  std::map<std::string, std::size_t> used;
  for (const CLI::Option* option : app.parse_order()) {
    auto it = stage_options.find(option);
    if (it == stage_options.end()) continue;
    const std::string& flag = it->second;
    if (find_stage_flag(flag)->is_switch()) {
      config.stages.push_back({flag, ""});
    } else {
      config.stages.push_back({flag, stage_values[flag].at(used[flag]++)});
    }
  }

  if (fixed + basic + extended + perl > 1) throw UsageError("conflicting matchers specified");
  config.syntax = fixed ? Syntax::fixed : basic ? Syntax::basic : perl ? Syntax::perl : Syntax::extended;

  std::size_t next = 0;
  if (regexps.empty() && pattern_files.empty()) {
    if (positionals.empty()) throw UsageError("no PATTERN given (try --help)");
    config.patterns.push_back(positionals[next++]);
  } else {
    config.patterns = regexps;
    for (const std::string& path : pattern_files) {
      std::vector<std::string> from_file = read_pattern_file(path);
      config.patterns.insert(config.patterns.end(), from_file.begin(), from_file.end());
    }
  }
  config.files.assign(positionals.begin() + static_cast<std::ptrdiff_t>(next), positionals.end());

  // As in grep, the last of -H and -h wins, and the last of -l and -L.
  for (const CLI::Option* option : app.parse_order()) {
    if (option == with_filename_option) config.with_filename = true;
    if (option == no_filename_option) config.with_filename = false;
    if (option == with_matches_option) config.listing = FileListing::with_matches;
    if (option == without_match_option) config.listing = FileListing::without_match;
    if (option == decompress_option) config.decompress = Config::Decompress::always;
    if (option == ignore_case_option) config.ignore_case = true;
    if (option == no_ignore_case_option) config.ignore_case = false;
    if (option == no_decompress_option) config.decompress = Config::Decompress::never;
    // As in grep, the last of -a, -I and --binary-files decides (-a sets text above).
    if (option == text_option) config.text = true, config.binary_without_match = false;
    if (option == without_match_flag) config.binary_without_match = true, config.text = false;
    if (option == binary_files_option) {
      if (binary_files == "text") {
        config.text = true, config.binary_without_match = false;
      } else if (binary_files == "without-match") {
        config.binary_without_match = true, config.text = false;
      } else if (binary_files == "binary") {
        config.binary_without_match = false, config.text = false;
      } else {
        throw UsageError(fmt::format("invalid argument {} for --binary-files (valid: binary, text, without-match)",
                                     quote(binary_files)));
      }
    }
  }
  // One glob a line, as grep reads --exclude-from; empty lines name nothing.
  for (auto [files, globs] : {std::pair{&include_from, &config.include}, std::pair{&exclude_from, &config.exclude}}) {
    for (const std::string& path : *files) {
      for (std::string& glob : read_pattern_file(path)) {
        if (!glob.empty()) globs->push_back(std::move(glob));
      }
    }
  }
  if (max_count_option->count() > 0) config.max_count = parse_max_count(max_count);
  // An explicit 0 still asks for context handling: grep then separates groups with "--".
  if (context_option->count() > 0) config.before = config.after = parse_context(context);
  if (after_option->count() > 0) config.after = parse_context(after);
  if (before_option->count() > 0) config.before = parse_context(before);
  config.context_requested =
      context_option->count() > 0 || after_option->count() > 0 || before_option->count() > 0;
  config.color = parse_color(color);
  if (format_option->count() > 0) config.format = format;
  if (histogram_option->count() > 0) config.histogram_bucket = parse_bucket(histogram);
  if (count_by_option->count() > 0 && config.count_by.empty()) {
    throw UsageError("--count-by '': an empty RE gives every line the same empty key");
  }
  if (count_by_field_option->count() > 0 && config.count_by_field.empty()) {
    throw UsageError("--count-by-field '': a field needs a name");
  }
  check_output_modes(config);  // plan.hpp: the output modes that exclude each other
  if (max_matches_option->count() > 0) config.max_matches = parse_number("--max-matches", max_matches);
  if (top_option->count() > 0) config.top = static_cast<std::size_t>(parse_number("--top", top));  // 0: no key, like head -n 0
  if (decompress_memory_option->count() > 0) {
    config.decompress_memory = parse_size("--decompress-memory", decompress_memory);
  }
  if (top_option->count() > 0 && config.count_by.empty() && config.count_by_field.empty()) {
    throw UsageError("--top needs --count-by or --count-by-field");
  }
  if (config.follow_symlinks) config.recursive = true;
  if (follow_last_option->count() > 0) {
    config.follow_last = parse_number("--follow-last", follow_last);
    config.follow = true;
  }
  if (auto parsed = parse_input_format(input_format)) {
    config.input_format = *parsed;
  } else {
    throw bad_value("--input-format", input_format, "expected auto, json or logfmt");
  }
  return result;
}

}  // namespace logsift
