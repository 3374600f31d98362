// cordon - `-c key=value` parsing.
#include "config/overrides.h"

#include "config/toml_guard.h"

#include <string>

namespace cordon::config {
namespace {

Error override_error(std::string_view text, const std::string& what) {
  return Error{"-c '" + std::string(text) + "': " + what};
}

// The single leaf of a table built from one "key = value" line.
toml::node* single_leaf(toml::table& t) {
  toml::table* cur = &t;
  for (;;) {
    if (cur->size() != 1) return nullptr;
    toml::node& n = cur->begin()->second;
    if (!n.is_table() || n.as_table()->is_inline()) return &n;
    cur = n.as_table();
  }
}

}  // namespace

Result<toml::table> parse_override(std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    return override_error(text, "expected key=value");
  }
  std::string key(text.substr(0, eq));
  std::string value(text.substr(eq + 1));
  // Like Codex: spaces around the value do not belong to it ("k = v" means "v").
  const auto first = value.find_first_not_of(" \t");
  value = first == std::string::npos
              ? ""
              : value.substr(first, value.find_last_not_of(" \t") - first + 1);
  if (key.find_first_of("\r\n#") != std::string::npos) {
    return override_error(text, "the key must be a dotted TOML key such as a.b.c");
  }
  // Parse the key alone first, with a placeholder value, so a bad key is reported as such.
  toml::table shape;
  const std::string key_doc = key + " = 0";
  if (toml_guard(key_doc)) {
    return override_error(text, "'" + key + "' is not a valid dotted TOML key such as a.b.c");
  }
  try {
    const std::string& doc = key_doc;
    shape = toml::parse(std::string_view(doc), std::string_view("-c"));
  } catch (const toml::parse_error&) {
    return override_error(text, "'" + key + "' is not a valid dotted TOML key such as a.b.c");
  }
  if (key.find_first_not_of(" \t") == std::string::npos || single_leaf(shape) == nullptr) {
    return override_error(text, "expected key=value");
  }
  // A value with a line break could smuggle in further keys: take it as a string.
  const std::string value_doc = key + " = " + value;
  if (value.find_first_of("\r\n") == std::string::npos && !toml_guard(value_doc)) {
    try {
      const std::string& doc = value_doc;
      toml::table parsed = toml::parse(std::string_view(doc), std::string_view("-c"));
      if (single_leaf(parsed) != nullptr) return parsed;
    } catch (const toml::parse_error&) {
      // not TOML: fall through to a plain string
    }
  }
  toml::node* leaf = single_leaf(shape);
  // Replace the placeholder with the string value.
  toml::table* holder = &shape;
  while (true) {
    auto it = holder->begin();
    if (&it->second == leaf) {
      const toml::key k = it->first;
      holder->insert_or_assign(k, value);
      break;
    }
    holder = it->second.as_table();
  }
  return shape;
}

}  // namespace cordon::config
