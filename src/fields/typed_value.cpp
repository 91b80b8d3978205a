#include "logsift/typed_value.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>

namespace logsift {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Length of the longest prefix of `text` that is a decimal number without sign or exponent
// ("12", "1.5", ".5", "5."), 0 if none.
std::size_t decimal_length(std::string_view text) {
  std::size_t i = 0;
  std::size_t digits = 0;
  while (i < text.size() && is_digit(text[i])) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && is_digit(text[i])) ++i, ++digits;
  }
  return digits == 0 ? 0 : i;
}

std::optional<double> to_double(std::string_view text) {
  double value = 0;
  // from_chars takes no '+': the callers strip it.
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range) {
    // Overflow is an infinite value and underflow zero, as jq reads them; either still compares.
    bool negative = !text.empty() && text[0] == '-';
    std::size_t e = text.find_first_of("eE");
    bool tiny = e != std::string_view::npos && e + 1 < text.size() && text[e + 1] == '-';
    if (tiny) return negative ? -0.0 : 0.0;
    return negative ? -HUGE_VAL : HUGE_VAL;
  }
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> parse_number(std::string_view text) {
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  const std::size_t mantissa = decimal_length(text.substr(i));
  if (mantissa == 0) return std::nullopt;
  i += mantissa;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    const std::size_t start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i == start) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  if (text[0] == '+') text.remove_prefix(1);
  return to_double(text);
}

std::optional<double> parse_duration(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return 0.0;
  if (text.empty()) return std::nullopt;
  double total = 0;
  while (!text.empty()) {
    const std::size_t length = decimal_length(text);
    if (length == 0) return std::nullopt;
    const std::optional<double> amount = to_double(text.substr(0, length));
    if (!amount) return std::nullopt;
    text.remove_prefix(length);
    std::size_t unit_length = 0;
    while (unit_length < text.size() && !is_digit(text[unit_length]) && text[unit_length] != '.') ++unit_length;
    const std::string_view unit = text.substr(0, unit_length);
    double scale = 0;
    if (unit == "ns") scale = 1e-9;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") scale = 1e-6;  // us, µs (micro sign), μs (mu)
    else if (unit == "ms") scale = 1e-3;
    else if (unit == "s") scale = 1;
    else if (unit == "m") scale = 60;
    else if (unit == "h") scale = 3600;
    else return std::nullopt;
    total += *amount * scale;
    text.remove_prefix(unit_length);
  }
  return negative ? -total : total;
}

std::optional<double> parse_bytes(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (is_digit(text[i]) || text[i] == '.')) ++i;
  const std::optional<double> amount = i == 0 ? std::nullopt : to_double(text.substr(0, i));
  if (!amount || decimal_length(text.substr(0, i)) != i) return std::nullopt;
  while (i < text.size() && text[i] == ' ') ++i;
  std::string unit;
  for (char c : text.substr(i)) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (unit.empty() || unit == "b") return *amount;
  static constexpr std::string_view kPrefixes = "kmgtpe";
  const std::size_t power = kPrefixes.find(unit[0]);
  if (power == std::string_view::npos) return std::nullopt;
  const std::string_view rest = std::string_view(unit).substr(1);
  double base = 0;
  if (rest.empty() || rest == "b") base = 1000;
  else if (rest == "i" || rest == "ib") base = 1024;
  else return std::nullopt;
  return *amount * std::pow(base, static_cast<double>(power + 1));
}

}  // namespace logsift
