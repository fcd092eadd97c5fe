// A JSON reader for the subset that safetensors headers use (RFC 8259 restricted to objects, arrays, strings and
// integers), with the byte offset of every value and key kept for error messages, plus string quoting for writers.
//
// Accepted: objects (members kept in file order; duplicate keys are kept, so the caller can report them), arrays,
// strings (all RFC 8259 escapes, \uXXXX surrogate pairs decoded to UTF-8; raw bytes must be valid UTF-8; control
// characters must be escaped), integers in the int64 range (an optional '-', no leading zeros), and whitespace
// (space, tab, CR, LF) around tokens. Rejected with an htp::Error naming the document and the byte offset: numbers
// with a fraction or exponent, true/false/null, nesting deeper than 64 levels, and anything after the top value.
//
//   json::Value v = json::parse(text, 8, "model.safetensors");  // offsets reported as 8 + index into text
//   for (const json::Member& m : v.members) ...
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace htp::nn::json {

struct Member;

struct Value {
  enum class Kind { object, array, string, integer };
  Kind kind = Kind::object;
  size_t at = 0;              // byte offset of the value's first character (base + index into the parsed text)
  std::string string;         // Kind::string, decoded
  int64_t integer = 0;        // Kind::integer
  std::vector<Value> items;   // Kind::array
  std::vector<Member> members;  // Kind::object, in document order
};

struct Member {
  std::string key;
  size_t key_at = 0;  // byte offset of the key's opening quote
  Value value;
};

const char* kind_name(Value::Kind kind);  // "an object", "an array", "a string", "an integer"

// Parses `text`, a whole document. `base` is added to every reported offset (the text's position in its file);
// `name` (a file name) starts every error message: "<name>: <what> at byte <offset>".
Value parse(std::string_view text, size_t base, const std::string& name);

// Whether `s` is well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or code points above U+10FFFF).
bool is_utf8(std::string_view s);

// `s` as a JSON string literal: quotes, backslash escapes for '"' and '\\', \n \r \t \b \f, \u00XX for other
// control characters; other bytes (UTF-8) are copied.
std::string quote(std::string_view s);

}  // namespace htp::nn::json
