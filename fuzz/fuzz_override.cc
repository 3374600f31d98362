// cordon fuzz target: the input is the text of one `-c key=value`.
//
// Checked:
//   - parse_override never crashes; an error names the override ("-c '<text>': ...");
//   - on success the table holds exactly one leaf, at the key path the text's key
//     names (a value can never add a key of its own, e.g. through a line break), and
//     a value holding a line break is kept as the literal string (at most trimmed of
//     the spaces and tabs around it);
//   - load() with the text as an override (above config files that define profiles)
//     never crashes; its errors name the override or a config file; a success is
//     consistent.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "config/load.h"
#include "config/overrides.h"
#include "fuzz_common.h"
#include "util/printable.h"

using namespace cordon::fuzzing;

namespace {

constexpr const char* kUserText = R"(model = "o3"
sandbox_mode = "workspace-write"
approval_policy = { granular = { sandbox_approval = true, rules = false } }

[sandbox_workspace_write]
writable_roots = ["/srv/data"]

[profiles.strict]
sandbox_mode = "read-only"

[profiles.net]
sandbox_mode = "workspace-write"
sandbox_workspace_write = { network_access = true }
)";

// The keys from the root to the single leaf, or an empty vector when the table does
// not hold exactly one leaf (an inline table counts as a leaf value, as in
// parse_override).
std::vector<std::string> leaf_path(const toml::table& root, const toml::node** leaf) {
  std::vector<std::string> keys;
  const toml::table* cur = &root;
  for (;;) {
    if (cur->size() != 1) return {};
    const auto it = cur->begin();  // operator* refers into the iterator: keep it alive
    const auto& [k, v] = *it;
    keys.emplace_back(k.str());
    if (!v.is_table() || v.as_table()->is_inline()) {
      *leaf = &v;
      return keys;
    }
    cur = v.as_table();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string name = "-c '" + text + "'";
  // load() escapes control characters in its messages (util/printable.h).
  const std::string shown_name = cordon::printable(name);

  auto parsed = cordon::config::parse_override(text);
  if (!parsed.ok()) {
    FUZZ_CHECK(starts_with(parsed.error().message, name + ": "), parsed.error().message);
  } else {
    const toml::node* leaf = nullptr;
    const std::vector<std::string> path = leaf_path(*parsed, &leaf);
    FUZZ_CHECK(!path.empty() && leaf != nullptr, "not exactly one leaf: " + text);

    // The key path is the one the key alone names.
    const size_t eq = text.find('=');
    FUZZ_CHECK(eq != std::string::npos, "accepted without '=': " + text);
    const std::string key = text.substr(0, eq);
    const std::string value = text.substr(eq + 1);
    toml::table shape;
    try {
      shape = toml::parse(std::string_view(key + " = 0"));
    } catch (const toml::parse_error&) {
      invariant_failed("accepted a key that does not parse alone", text);
    }
    const toml::node* shape_leaf = nullptr;
    FUZZ_CHECK(leaf_path(shape, &shape_leaf) == path, "leaf path differs from the key's: " + text);

    // A line break in the value: the literal string, never TOML (spaces and tabs
    // around it may be dropped, as Codex does for "k = v").
    if (value.find_first_of("\r\n") != std::string::npos) {
      FUZZ_CHECK(leaf->is_string(), "multi-line value parsed as TOML: " + text);
      const std::string got = *leaf->value<std::string>();
      const size_t b = value.find_first_not_of(" \t");
      const std::string trimmed =
          b == std::string::npos ? "" : value.substr(b, value.find_last_not_of(" \t") - b + 1);
      FUZZ_CHECK(got == value || got == trimmed, "multi-line value altered: " + text);
    }
  }

  // load() with the override above config files.
  static FakeFileSystem fs = [] {
    FakeFileSystem f = make_host();
    f.add_file(kUserConfig, kUserText);
    f.add_file(kSystemConfig,
               "approval_policy = \"on-request\"\n[profiles.sys]\nsandbox_mode = "
               "\"danger-full-access\"\n");
    return f;
  }();
  for (bool strict : {false, true}) {
    cordon::config::LoadInputs in;
    in.system_config = kSystemConfig;
    in.user_config = kUserConfig;
    in.process_cwd = kCwd;
    in.cli.overrides = {text};
    in.cli.strict_config = strict;
    auto loaded = cordon::config::load(in, fs);
    if (loaded.ok()) {
      check_loaded(*loaded, {kSystemConfig, kUserConfig, shown_name}, kCwd);
      FUZZ_CHECK(parsed.ok(), "load accepted an override parse_override refused");
    } else {
      FUZZ_CHECK(!loaded.error().message.empty(), "empty error message");
      FUZZ_CHECK(names_source(loaded.error().message, {kSystemConfig, kUserConfig, shown_name}),
                 loaded.error().message);
    }
  }
  return 0;
}
