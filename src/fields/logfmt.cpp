#include "logsift/logfmt.hpp"

#include <cstdint>

namespace logsift {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_hex4(std::string_view text, std::size_t at, std::uint32_t& out) {
  if (at + 4 > text.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    const int digit = hex_value(text[i]);
    if (digit < 0) return false;
    out = out * 16 + static_cast<std::uint32_t>(digit);
  }
  return true;
}

void append_utf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

}  // namespace

bool decode_escapes(std::string_view quoted, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < quoted.size(); ++i) {
    const char c = quoted[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i == quoted.size()) return false;
    switch (quoted[i]) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        std::uint32_t code = 0;
        if (!read_hex4(quoted, i + 1, code)) return false;
        i += 4;
        if (code >= 0xD800 && code < 0xDC00) {
          std::uint32_t low = 0;
          if (i + 2 < quoted.size() && quoted[i + 1] == '\\' && quoted[i + 2] == 'u' && read_hex4(quoted, i + 3, low) &&
              low >= 0xDC00 && low < 0xE000) {
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          } else {
            code = 0xFFFD;
          }
        } else if (code >= 0xDC00 && code < 0xE000) {
          code = 0xFFFD;
        }
        append_utf8(out, code);
        break;
      }
      default: return false;
    }
  }
  return true;
}

std::optional<std::string_view> logfmt_find(std::string_view line, std::string_view key, std::string& scratch) {
  std::size_t i = 0;
  const std::size_t n = line.size();
  for (;;) {
    while (i < n && is_blank(line[i])) ++i;
    if (i == n) return std::nullopt;
    const std::size_t key_begin = i;
    while (i < n && line[i] != '=' && !is_blank(line[i])) {
      if (line[i] == '"') return std::nullopt;  // a quote in a key: not logfmt from here on
      ++i;
    }
    const std::string_view name = line.substr(key_begin, i - key_begin);
    if (name.empty()) return std::nullopt;  // "=value"
    if (i == n || line[i] != '=') {         // a bare key
      if (name == key) return std::string_view{};
      continue;
    }
    ++i;  // '='
    if (i < n && line[i] == '"') {
      const std::size_t begin = ++i;
      bool escaped = false;
      while (i < n && line[i] != '"') {
        if (line[i] == '\\') {
          escaped = true;
          ++i;
        }
        ++i;
      }
      if (i >= n) return std::nullopt;  // no closing quote
      const std::string_view raw = line.substr(begin, i - begin);
      ++i;
      if (i < n && !is_blank(line[i])) return std::nullopt;  // `k="a"b`
      if (name != key) continue;
      if (!escaped) return raw;
      if (!decode_escapes(raw, scratch)) return std::nullopt;
      return std::string_view(scratch);
    }
    const std::size_t begin = i;
    while (i < n && !is_blank(line[i])) {
      if (line[i] == '"') return std::nullopt;  // `k=a"b`
      ++i;
    }
    if (name == key) return line.substr(begin, i - begin);
  }
}

}  // namespace logsift
