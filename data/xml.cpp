#include "data/xml.h"

#include <algorithm>

#include "tensor/error.h"

namespace htp::data {
namespace {

constexpr int kMaxDepth = 256;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

std::string trimmed(const std::string& s) {
  const auto b = std::find_if_not(s.begin(), s.end(), is_space);
  const auto e = std::find_if_not(s.rbegin(), s.rend(), is_space).base();
  return b < e ? std::string(b, e) : std::string();
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& name) : s_(text), name_(name) {}

  XmlElement document() {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // UTF-8 byte-order mark
    if (starts_with("<?xml")) skip_past("?>", "the <?xml prolog");
    skip_misc();
    expect(pos_ < s_.size() && s_[pos_] == '<', "expected the root element");
    XmlElement root = element(1);
    skip_misc();
    expect(pos_ == s_.size(), "content after the root element </", root.name, ">");
    return root;
  }

 private:
  template <class... Parts>
  [[noreturn]] void fail(size_t at, Parts&&... parts) {
    throw Error(detail::concat(name_, ": line ", line_at(std::min(at, s_.size())), " (byte ", at, "): ",
                               std::forward<Parts>(parts)...));
  }
  template <class... Parts>
  void expect(bool cond, Parts&&... parts) {
    if (!cond) fail(pos_, std::forward<Parts>(parts)...);
  }

  bool starts_with(std::string_view p) const { return s_.substr(pos_, p.size()) == p; }
  // Counts newlines from the last position asked about (start tags come in order), so parsing stays linear.
  int64_t line_at(size_t at) {
    if (at < counted_to_) {
      counted_to_ = 0;
      line_ = 1;
    }
    line_ += std::count(s_.begin() + static_cast<std::ptrdiff_t>(counted_to_),
                        s_.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    counted_to_ = at;
    return line_;
  }

  void skip_space() {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }

  void skip_past(std::string_view end, const char* what) {
    const size_t start = pos_;
    const size_t e = s_.find(end, pos_);
    if (e == std::string_view::npos) fail(start, "unterminated ", what);
    pos_ = e + end.size();
  }

  // Whitespace and comments between markup outside the root; DOCTYPE and processing instructions are refused.
  void skip_misc() {
    for (;;) {
      skip_space();
      if (starts_with("<!--")) {
        skip_past("-->", "comment");
      } else if (starts_with("<!DOCTYPE")) {
        fail(pos_, "DOCTYPE declarations are not supported");
      } else if (starts_with("<?")) {
        fail(pos_, "processing instructions are not supported");
      } else {
        return;
      }
    }
  }

  std::string name() {
    const size_t start = pos_;
    expect(pos_ < s_.size() && is_name_start(s_[pos_]), "expected a name");
    while (pos_ < s_.size() && is_name_char(s_[pos_])) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  // Character data up to `stop` with entity and character references decoded.
  std::string chars(char stop, bool in_attribute) {
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != stop) {
      const char c = s_[pos_];
      if (c == '&') {
        out += reference();
        continue;
      }
      if (in_attribute) expect(c != '<', "'<' inside an attribute value");
      out += c;
      ++pos_;
    }
    return out;
  }

  std::string reference() {
    const size_t start = pos_;
    const size_t semi = s_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) fail(start, "unterminated entity reference");
    const std::string_view ref = s_.substr(pos_ + 1, semi - pos_ - 1);
    pos_ = semi + 1;
    if (ref == "lt") return "<";
    if (ref == "gt") return ">";
    if (ref == "amp") return "&";
    if (ref == "quot") return "\"";
    if (ref == "apos") return "'";
    if (ref.size() >= 2 && ref[0] == '#') {
      const bool hex = ref[1] == 'x';
      const std::string_view digits = ref.substr(hex ? 2 : 1);
      uint32_t cp = 0;
      bool ok = !digits.empty();
      for (char d : digits) {
        const int v = (d >= '0' && d <= '9') ? d - '0'
                      : hex && (d >= 'a' && d <= 'f') ? d - 'a' + 10
                      : hex && (d >= 'A' && d <= 'F') ? d - 'A' + 10
                                                      : -1;
        ok = ok && v >= 0 && cp <= 0x10FFFF;
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(std::max(v, 0));
      }
      if (!ok || cp == 0 || cp > 0x10FFFF) fail(start, "bad character reference &", ref, ";");
      std::string out;
      append_utf8(out, cp);
      return out;
    }
    fail(start, "unknown entity &", ref, ";");
  }

  XmlElement element(int depth) {
    const size_t start = pos_;
    if (depth > kMaxDepth) fail(start, "elements nested deeper than ", kMaxDepth, " levels");
    ++pos_;  // '<'
    XmlElement e;
    e.line = line_at(start);
    e.name = name();
    for (;;) {
      const size_t before = pos_;
      skip_space();
      expect(pos_ < s_.size(), "unclosed start tag <", e.name, "> (line ", e.line, ")");
      if (s_[pos_] == '>' || starts_with("/>")) break;
      expect(pos_ > before, "expected whitespace before an attribute in <", e.name, ">");
      const size_t attr_at = pos_;
      std::string key = name();
      skip_space();
      expect(pos_ < s_.size() && s_[pos_] == '=', "expected '=' after attribute ", key, " in <", e.name, ">");
      ++pos_;
      skip_space();
      expect(pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '\''), "expected a quoted value for attribute ", key);
      const char quote = s_[pos_++];
      std::string value = chars(quote, true);
      expect(pos_ < s_.size(), "unterminated value of attribute ", key);
      ++pos_;
      for (const auto& [k, v] : e.attributes) {
        if (k == key) fail(attr_at, "duplicate attribute ", key, " in <", e.name, ">");
      }
      e.attributes.emplace_back(std::move(key), std::move(value));
    }
    if (starts_with("/>")) {
      pos_ += 2;
      return e;
    }
    ++pos_;  // '>'
    std::string text;
    for (;;) {
      if (pos_ >= s_.size()) fail(start, "unclosed element <", e.name, ">");
      if (starts_with("</")) break;
      if (starts_with("<!--")) {
        skip_past("-->", "comment");
      } else if (starts_with("<![CDATA[")) {
        pos_ += 9;
        const size_t begin = pos_;
        skip_past("]]>", "CDATA section");
        text.append(s_.substr(begin, pos_ - 3 - begin));
      } else if (starts_with("<!") || starts_with("<?")) {
        fail(pos_, "declarations and processing instructions are not supported inside <", e.name, ">");
      } else if (s_[pos_] == '<') {
        e.children.push_back(element(depth + 1));
      } else {
        text += chars('<', false);
      }
    }
    const size_t close_at = pos_;
    pos_ += 2;
    const std::string closing = name();
    skip_space();
    expect(pos_ < s_.size() && s_[pos_] == '>', "unterminated end tag </", closing, ">");
    ++pos_;
    if (closing != e.name) fail(close_at, "</", closing, "> closes <", e.name, "> (line ", e.line, ")");
    e.text = trimmed(text);
    return e;
  }

  std::string_view s_;
  const std::string& name_;
  size_t pos_ = 0;
  size_t counted_to_ = 0;
  int64_t line_ = 1;
};

}  // namespace

const XmlElement* XmlElement::find(std::string_view child) const {
  for (const XmlElement& c : children) {
    if (c.name == child) return &c;
  }
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::find_all(std::string_view child) const {
  std::vector<const XmlElement*> out;
  for (const XmlElement& c : children) {
    if (c.name == child) out.push_back(&c);
  }
  return out;
}

XmlElement parse_xml(std::string_view text, const std::string& name) { return Parser(text, name).document(); }

}  // namespace htp::data
