// A small, strict reader for the XML of annotation files (PASCAL VOC): the XML 1.0 subset those files use.
//
// Accepted: an optional prolog (<?xml …?>), comments (<!-- … -->), one root element, nested elements with
// attributes (name="value" or name='value'), self-closing tags, character data with the five predefined entities
// (&lt; &gt; &amp; &quot; &apos;) and decimal/hex character references, and CDATA sections. Rejected with an error
// naming the file, line and byte offset: DOCTYPE declarations, processing instructions after the prolog, unclosed or
// mismatched tags, duplicate attributes, unknown entities, text outside the root element, and nesting deeper than
// 256 levels. An element's text is its character data (children excluded) with surrounding whitespace trimmed.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace htp::data {

struct XmlElement {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;
  std::vector<XmlElement> children;
  int64_t line = 0;  // 1-based line of the start tag

  const XmlElement* find(std::string_view child) const;  // the first child so named, or null
  std::vector<const XmlElement*> find_all(std::string_view child) const;
};

// The root element. `name` (the file) prefixes every error message.
XmlElement parse_xml(std::string_view text, const std::string& name);

}  // namespace htp::data
