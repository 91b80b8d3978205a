#include "logsift/where_stage.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "logsift/matcher.hpp"
#include "logsift/where_predicate.hpp"

namespace logsift {
namespace {

generator<Line> where_filter(generator<Line> input, std::shared_ptr<const WherePredicate> predicate, InputFormat format) {
  FieldReader reader(format);
  for (const Line& line : input) {
    reader.load(line.text);
    if (predicate->test(reader)) co_yield line;
  }
}

std::string_view format_name(InputFormat format) {
  switch (format) {
    case InputFormat::automatic: return "JSON if it starts with '{', else logfmt";
    case InputFormat::json: return "JSON";
    case InputFormat::logfmt: return "logfmt";
  }
  return "";
}

// Lines that can satisfy the predicate: those holding one of its required literals as written, or
// an escape that could spell one. JSON and logfmt spell a character other than " \ / and control
// characters either as itself or as \uXXXX, so a line that holds an escaped form of an ASCII
// literal holds "\u00" and the hex of one of its characters ("\u0065" or "\u006F" for "error");
// a non-ASCII literal needs "\u", and one with " \ / or a control character "\".
std::vector<std::string> escape_needles(const std::string& literal) {
  bool ascii = true;
  for (const char c : literal) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\' || c == '/' || byte < 0x20) return {"\\"};
    if (byte >= 0x80) ascii = false;
  }
  if (!ascii) return {"\\u"};
  std::vector<std::string> needles;
  for (const char c : literal) {
    for (const char* digits : {"{:04x}", "{:04X}"}) {
      std::string needle = "\\u" + fmt::format(fmt::runtime(digits), static_cast<unsigned>(static_cast<unsigned char>(c)));
      if (std::find(needles.begin(), needles.end(), needle) == needles.end()) needles.push_back(std::move(needle));
    }
  }
  return needles;
}

std::shared_ptr<const Matcher> make_prefilter(const WherePredicate& predicate) {
  const std::optional<std::vector<std::string>> literals = predicate.required_literals();
  if (!literals) return nullptr;
  std::vector<std::string> needles = *literals;
  for (const std::string& literal : *literals) {
    for (std::string& needle : escape_needles(literal)) {
      if (std::find(needles.begin(), needles.end(), needle) == needles.end()) needles.push_back(std::move(needle));
    }
  }
  MatcherOptions options;
  options.syntax = Syntax::fixed;
  return std::make_shared<const Matcher>(std::move(needles), options);
}

class WhereStage final : public Stage {
 public:
  WhereStage(const StageSpec& spec, InputFormat format)
      : predicate_(std::make_shared<const WherePredicate>(spec.value, spec.flag)),
        format_(format),
        head_(fmt::format("{} {}", spec.flag, spec.value)),
        prefilter_(make_prefilter(*predicate_)) {}

  std::shared_ptr<const Matcher> prefilter() const override { return prefilter_; }

  generator<Line> apply(generator<Line> input) const override { return where_filter(std::move(input), predicate_, format_); }

  std::string describe() const override {
    return fmt::format("{}: keep lines whose fields satisfy {} (each line read as {}; a line without a field, "
                       "or not JSON or logfmt, fails every comparison on it)",
                       head_, predicate_->describe(), format_name(format_));
  }

 private:
  std::shared_ptr<const WherePredicate> predicate_;
  InputFormat format_;
  std::string head_;
  std::shared_ptr<const Matcher> prefilter_;
};

}  // namespace

std::unique_ptr<Stage> make_where_stage(const StageSpec& spec, InputFormat format) {
  return std::make_unique<WhereStage>(spec, format);
}

}  // namespace logsift
