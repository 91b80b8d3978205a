// Stage arguments come straight from the command line, so build_stages must reject anything
// malformed with a UsageError and nothing else (no other exception, no crash, no hang), and a
// chain it accepts must run over arbitrary lines without failing.
//
// Input: records separated by '\n', each "FLAG VALUE" (FLAG up to the first space; a record
// without a space is a flag with an empty value). "-G", "-F", "-E" records pick the stage regex
// syntax and "--field-sep VALUE" sets the separator. A byte 0x01 in a value stands for '\n', which
// the record format cannot hold. After the chain is built, it is run over a few fixed log lines
// and the record values themselves.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "logsift/config.hpp"
#include "logsift/error.hpp"
#include "logsift/generator.hpp"
#include "logsift/line.hpp"
#include "logsift/matcher.hpp"
#include "logsift/stage.hpp"

namespace {

logsift::generator<logsift::Line> lines_of(const std::vector<std::string>& texts) {
  std::uint64_t number = 0, offset = 0;
  for (const std::string& text : texts) {
    co_yield logsift::Line{text, ++number, offset};
    offset += text.size() + 1;
  }
}

const std::vector<std::string> kSampleLines = {
    "",
    "2024-03-01T12:00:00Z INFO  server started port=8080",
    "2024-03-01T12:00:01Z ERROR payment failed: timeout after 30s user=alice password=hunter2",
    "\t  leading blanks and trailing   \t",
    "a:b::c:::d",
    "caf\xc3\xa9 na\xc3\xafve \xe2\x82\xac \xf0\x9f\x98\x80",
    "invalid \xff\xfe utf-8 \xc3 tail",
    std::string("nul \0 inside", 12),
    "crlf line\r",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<logsift::StageSpec> specs;
  logsift::Syntax syntax = logsift::Syntax::extended;
  std::string field_sep;
  std::vector<std::string> values;

  std::size_t start = 0;
  while (start <= input.size() && specs.size() < 16) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view record = input.substr(start, end - start);
    start = end + 1;
    if (record.empty()) continue;
    const std::size_t space = record.find(' ');
    std::string flag(record.substr(0, space));
    std::string value(space == std::string_view::npos ? std::string_view{} : record.substr(space + 1));
    for (char& c : value) {
      if (c == '\x01') c = '\n';
    }
    if (flag == "-G") {
      syntax = logsift::Syntax::basic;
    } else if (flag == "-F") {
      syntax = logsift::Syntax::fixed;
    } else if (flag == "-E") {
      syntax = logsift::Syntax::extended;
    } else if (flag == "--field-sep") {
      field_sep = value;
    } else {
      values.push_back(value);
      specs.push_back({std::move(flag), std::move(value)});
    }
  }

  std::vector<std::unique_ptr<logsift::Stage>> stages;
  try {
    stages = logsift::build_stages(specs, syntax, field_sep);
  } catch (const logsift::UsageError& error) {
    // The contract for the message: one line, naming what was wrong.
    const std::string_view message = error.what();
    if (message.empty()) {
      std::fprintf(stderr, "fuzz_sub_parser: empty UsageError message\n");
      std::abort();
    }
    return 0;
  }

  std::vector<std::string> texts = kSampleLines;
  texts.insert(texts.end(), values.begin(), values.end());
  logsift::generator<logsift::Line> chain = lines_of(texts);
  for (const auto& stage : stages) {
    (void)stage->describe();
    chain = stage->apply(std::move(chain));
  }
  std::uint64_t previous_number = 0;
  static volatile std::size_t checksum = 0;
  for (const logsift::Line& line : chain) {
    // Stages pass input numbers through unchanged and never reorder (--last keeps order too).
    if (line.number <= previous_number || line.number > texts.size()) {
      std::fprintf(stderr, "fuzz_sub_parser: line number %llu after %llu\n",
                   static_cast<unsigned long long>(line.number), static_cast<unsigned long long>(previous_number));
      std::abort();
    }
    previous_number = line.number;
    // Read every byte of the view: ASan checks that what it points into is still alive.
    std::size_t sum = 0;
    for (const char c : line.text) sum += static_cast<unsigned char>(c);
    checksum = checksum + sum;
  }
  return 0;
}
