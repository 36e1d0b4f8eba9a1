#include "cli/json_dump.hpp"

#include "cli/json_line.hpp"

namespace dkimdoctor::cli {
// Strings go through json_line's writer (append_json_string): it escapes as nlohmann does (ensure_ascii
// off) and replaces invalid UTF-8 with U+FFFD as error_handler_t::replace does, octet for octet (the
// CompactJson tests compare the two over hostile strings and every octet).
void append_compact_json(std::string& out, const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const nlohmann::json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, key);
        out += ':';
        append_compact_json(out, member);
      }
      out += '}';
      return;
    }
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& element : value) {
        if (!first) out += ',';
        first = false;
        append_compact_json(out, element);
      }
      out += ']';
      return;
    }
    case nlohmann::json::value_t::string: append_json_string(out, value.get_ref<const std::string&>()); return;
    case nlohmann::json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
    case nlohmann::json::value_t::null: out += "null"; return;
    case nlohmann::json::value_t::number_integer: out += std::to_string(value.get<std::int64_t>()); return;
    case nlohmann::json::value_t::number_unsigned: out += std::to_string(value.get<std::uint64_t>()); return;
    default:  // floating point (nlohmann's shortest round-trip form), binary, discarded
      out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
  }
}

std::string numbered_json_line(std::uint64_t number, const nlohmann::json& object) {
  // "line" first, so a person (or `sort -n`) reads the file by input order.
  std::string text = "{\"line\":" + std::to_string(number);
  const std::size_t prefix = text.size();
  append_compact_json(text, object);  // "{...}": its '{' becomes the ',' after "line"
  if (text.size() - prefix > 2) {
    text[prefix] = ',';
  } else {
    text.resize(prefix);
    text += '}';
  }
  return text;
}

}  // namespace dkimdoctor::cli
