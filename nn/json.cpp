// The JSON subset reader and string quoting (grammar: RFC 8259 §2-§7; UTF-8 well-formedness: RFC 3629 §4). A
// recursive-descent parser over the text; every error reports base + the index where it was found.
#include "nn/json.h"

#include "tensor/error.h"

namespace htp::nn::json {
namespace {

constexpr int kMaxDepth = 64;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Length of the well-formed UTF-8 sequence at p (n bytes available), or 0 if it is ill-formed (RFC 3629 §4).
size_t utf8_sequence_length(const unsigned char* p, size_t n) {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) lo = 0xa0;  // no overlong forms
    if (c == 0xed) hi = 0x9f;  // no UTF-16 surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (n < len || p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i < len; ++i)
    if (p[i] < 0x80 || p[i] > 0xbf) return 0;
  return len;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

class Parser {
 public:
  Parser(std::string_view text, size_t base, const std::string& name) : s_(text), base_(base), name_(name) {}

  Value parse_document() {
    skip_space();
    Value v = parse_value(0);
    skip_space();
    if (pos_ != s_.size()) fail("unexpected text after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail_at(size_t at, const std::string& what) const {
    throw Error(detail::concat(name_, ": ", what, " at byte ", base_ + at));
  }
  [[noreturn]] void fail(const std::string& what) const { fail_at(pos_, what); }

  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  void skip_space() {
    while (!at_end() && is_space(s_[pos_])) ++pos_;
  }
  void expect(char c, const char* what) {
    if (at_end()) fail(std::string("the JSON text ends early: ") + what);
    if (s_[pos_] != c) fail(what);
    ++pos_;
  }

  Value parse_value(int depth) {
    if (at_end()) fail("the JSON text ends early: expected a value");
    const char c = peek();
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') {
      Value v;
      v.kind = Value::Kind::string;
      v.at = base_ + pos_;
      v.string = parse_string();
      return v;
    }
    if (c == '-' || is_digit(c)) return parse_integer();
    if (s_.substr(pos_, 4) == "true" || s_.substr(pos_, 5) == "false" || s_.substr(pos_, 4) == "null")
      fail("true, false and null are not supported here (expected an object, array, string or integer)");
    fail(std::string("expected a JSON value, found '") + c + "'");
  }

  Value parse_object(int depth) {
    if (depth >= kMaxDepth) fail("JSON nesting deeper than 64 levels");
    Value v;
    v.kind = Value::Kind::object;
    v.at = base_ + pos_;
    ++pos_;  // '{'
    skip_space();
    if (peek() == '}') {
      ++pos_;
      return v;
    }
    while (true) {
      skip_space();
      if (peek() != '"') fail(at_end() ? "the JSON text ends early: expected a quoted key" : "expected a quoted key");
      Member m;
      m.key_at = base_ + pos_;
      m.key = parse_string();
      skip_space();
      expect(':', "expected ':' after the key");
      skip_space();
      m.value = parse_value(depth + 1);
      v.members.push_back(std::move(m));
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect('}', "expected ',' or '}' in an object");
      return v;
    }
  }

  Value parse_array(int depth) {
    if (depth >= kMaxDepth) fail("JSON nesting deeper than 64 levels");
    Value v;
    v.kind = Value::Kind::array;
    v.at = base_ + pos_;
    ++pos_;  // '['
    skip_space();
    if (peek() == ']') {
      ++pos_;
      return v;
    }
    while (true) {
      skip_space();
      v.items.push_back(parse_value(depth + 1));
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect(']', "expected ',' or ']' in an array");
      return v;
    }
  }

  Value parse_integer() {
    Value v;
    v.kind = Value::Kind::integer;
    v.at = base_ + pos_;
    const size_t start = pos_;
    const bool negative = peek() == '-';
    if (negative) ++pos_;
    if (!is_digit(peek())) fail("expected a digit");
    if (peek() == '0' && pos_ + 1 < s_.size() && is_digit(s_[pos_ + 1])) fail("leading zeros are not allowed in JSON");
    // Accumulate negatively so that INT64_MIN fits.
    int64_t acc = 0;
    while (is_digit(peek())) {
      if (__builtin_mul_overflow(acc, 10, &acc) || __builtin_sub_overflow(acc, peek() - '0', &acc))
        fail_at(start, "integer out of the int64 range");
      ++pos_;
    }
    if (peek() == '.' || peek() == 'e' || peek() == 'E')
      fail_at(start, "numbers with a fraction or an exponent are not supported here (expected an integer)");
    if (!negative && __builtin_mul_overflow(acc, -1, &acc)) fail_at(start, "integer out of the int64 range");
    v.integer = acc;
    return v;
  }

  uint32_t parse_hex4() {
    if (pos_ + 4 > s_.size()) fail("the JSON text ends early in a \\u escape");
    uint32_t cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      cp <<= 4;
      if (c >= '0' && c <= '9') cp |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') cp |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') cp |= static_cast<uint32_t>(c - 'A' + 10);
      else fail_at(pos_ - 1, "expected 4 hex digits after \\u");
    }
    return cp;
  }

  std::string parse_string() {
    const size_t open = pos_;
    ++pos_;  // '"'
    std::string out;
    while (true) {
      if (at_end()) fail_at(open, "unterminated string");
      const unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) fail("unescaped control character in a string");
      if (c == '\\') {
        const size_t esc = pos_++;
        if (at_end()) fail_at(open, "unterminated string");
        switch (s_[pos_++]) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            uint32_t cp = parse_hex4();
            if (cp >= 0xdc00 && cp <= 0xdfff) fail_at(esc, "unpaired UTF-16 low surrogate in a \\u escape");
            if (cp >= 0xd800 && cp <= 0xdbff) {
              if (s_.substr(pos_, 2) != "\\u") fail_at(esc, "unpaired UTF-16 high surrogate in a \\u escape");
              pos_ += 2;
              const uint32_t low = parse_hex4();
              if (low < 0xdc00 || low > 0xdfff) fail_at(esc, "unpaired UTF-16 high surrogate in a \\u escape");
              cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            }
            append_utf8(out, cp);
            break;
          }
          default: fail_at(esc, "invalid escape in a string");
        }
        continue;
      }
      const size_t len = utf8_sequence_length(reinterpret_cast<const unsigned char*>(s_.data()) + pos_,
                                              s_.size() - pos_);
      if (len == 0) fail("invalid UTF-8 in a string");
      out.append(s_.substr(pos_, len));
      pos_ += len;
    }
  }

  std::string_view s_;
  size_t base_;
  const std::string& name_;
  size_t pos_ = 0;
};

}  // namespace

const char* kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::object: return "an object";
    case Value::Kind::array: return "an array";
    case Value::Kind::string: return "a string";
    case Value::Kind::integer: return "an integer";
  }
  return "?";
}

Value parse(std::string_view text, size_t base, const std::string& name) {
  return Parser(text, base, name).parse_document();
}

bool is_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size();) {
    const size_t len = utf8_sequence_length(p + i, s.size() - i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string quote(std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

}  // namespace htp::nn::json
