// cordon fuzz target: deny-read glob patterns (src/policy/glob.h).
//
// Input: PATTERN NUL PATH [NUL FLAGS]; the first byte of FLAGS picks the walk's depth cap
// (low 3 bits, 0: none) and what the last component of PATH is on the fake host (file,
// directory, symlink to itself, FIFO). Checked:
//   - glob_match, has_glob_chars, glob_static_prefix never crash, hang or hit UB, whatever the
//     bytes (no recursion: a 4 KB pattern of "**/" or "[" is fine);
//   - has_glob_chars of the pattern is true iff one of its components has a glob character;
//   - a pattern without glob characters matches exactly the paths with the same components
//     (its own components, escapes removed, always);
//   - every path a pattern matches lies strictly below glob_static_prefix (same
//     absoluteness, the prefix's components first; "/" and "" match only themselves); an absolute
//     pattern has an absolute prefix, and without '\' or empty components the prefix is a textual
//     prefix of the pattern;
//   - when P matches X: "**/" + P matches "x/" + X (and X itself when P is relative and not
//     empty), P + "/" matches X + "/", P + "/**" matches X + "/y";
//   - expand_glob over a fake host holding only PATH (and its parent directories) agrees with
//     glob_match on every one of those paths below the static prefix and within the depth cap
//     (the walk's matcher is a separate NFA), returns them sorted, and its errors name the
//     pattern.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "policy/glob.h"

using cordon::FileType;
using cordon::fakes::FakeFileSystem;
using cordon::fuzzing::starts_with;
using cordon::policy::expand_glob;
using cordon::policy::glob_match;
using cordon::policy::glob_static_prefix;
using cordon::policy::GlobLimits;
using cordon::policy::has_glob_chars;

namespace {

std::vector<std::string> components(std::string_view p) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) out.emplace_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool is_abs(std::string_view p) {
  return !p.empty() && p[0] == '/';
}

std::string unescape(std::string_view c) {
  std::string out;
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i] == '\\' && i + 1 < c.size()) ++i;
    out += c[i];
  }
  return out;
}

std::string rejoin(bool absolute, const std::vector<std::string>& comps) {
  std::string out;
  for (size_t k = 0; k < comps.size(); ++k) {
    if (absolute || k > 0) out += '/';
    out += comps[k];
  }
  if (absolute && out.empty()) out = "/";
  return out;
}

std::string show(std::string_view pattern, std::string_view path) {
  return "pattern '" + std::string(pattern) + "'\npath    '" + std::string(path) + "'";
}

// The walk over a host that holds PATH only.
void check_expand(const std::string& pattern, const std::string& path, uint8_t flags) {
  const auto pcomps = components(pattern);
  const auto comps = components(path);
  if (!is_abs(pattern) || !is_abs(path) || comps.empty()) return;
  for (const auto& c : comps) {
    if (c == "." || c == "..") return;  // the fake resolves them; the walk never sees them
  }
  const std::string leaf = rejoin(true, comps);
  FakeFileSystem fs;
  switch ((flags >> 3) & 3) {
    case 0:
      fs.add_file(leaf);
      break;
    case 1:
      fs.add_dir(leaf);
      break;
    case 2:
      fs.add_symlink(leaf, leaf);  // a loop: a symlinked prefix leads nowhere
      break;
    default:
      fs.add_other(leaf);
      break;
  }
  GlobLimits limits;
  if ((flags & 7) != 0) limits.max_depth = flags & 7;
  auto r = expand_glob(pattern, limits, fs);
  const std::string what = show(pattern, path);
  if (!r.ok()) {
    FUZZ_CHECK(starts_with(r.error().message, "deny-read glob '"), r.error().message);
    const std::string prefix = glob_static_prefix(pattern);
    bool dotted = false;
    for (const auto& c : pcomps) dotted = dotted || c == "." || c == "..";
    FUZZ_CHECK(prefix == "/" || dotted, what + "\n" + r.error().message);
    return;
  }
  const auto& got = *r;
  FUZZ_CHECK(std::is_sorted(got.begin(), got.end()), what);
  FUZZ_CHECK(std::adjacent_find(got.begin(), got.end()) == got.end(), what);
  const auto prefix_comps = components(glob_static_prefix(pattern));
  size_t found = 0;
  for (size_t n = 1; n <= comps.size(); ++n) {
    const std::vector<std::string> head(comps.begin(), comps.begin() + static_cast<long>(n));
    const std::string node = rejoin(true, head);
    const bool below = n > prefix_comps.size() &&
                       std::equal(prefix_comps.begin(), prefix_comps.end(), head.begin());
    const bool in_reach =
        below &&
        (!limits.max_depth || n - prefix_comps.size() <= static_cast<size_t>(*limits.max_depth));
    const bool want = in_reach && glob_match(pattern, node);
    const bool in = std::binary_search(got.begin(), got.end(), node);
    FUZZ_CHECK(want == in, what + "\nnode    '" + node + "' expected " + (want ? "in" : "out"));
    found += in ? 1 : 0;
  }
  FUZZ_CHECK(found == got.size(), what + "\na result that is not on the host");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string pattern(input.substr(0, nul));
  std::string path;
  uint8_t flags = 0;
  if (nul != std::string_view::npos) {
    const std::string_view rest = input.substr(nul + 1);
    const size_t nul2 = rest.find('\0');
    path = std::string(rest.substr(0, nul2));
    if (nul2 != std::string_view::npos && nul2 + 1 < rest.size()) {
      flags = static_cast<uint8_t>(rest[nul2 + 1]);
    }
  }
  const std::string what = show(pattern, path);

  const bool matched = glob_match(pattern, path);
  const auto pcomps = components(pattern);
  const auto comps = components(path);

  // has_glob_chars: the whole pattern, or any one component.
  bool any_glob = false;
  for (const auto& c : pcomps) any_glob = any_glob || has_glob_chars(c);
  FUZZ_CHECK(has_glob_chars(pattern) == any_glob, what);

  // Without glob characters: a literal path.
  if (!any_glob) {
    std::vector<std::string> literal;
    for (const auto& c : pcomps) literal.push_back(unescape(c));
    const std::string own = rejoin(is_abs(pattern), literal);
    FUZZ_CHECK(glob_match(pattern, own), what + "\nits own path '" + own + "'");
    if (pattern.find('\\') == std::string::npos) {
      const bool same = is_abs(pattern) == is_abs(path) && pcomps == comps;
      FUZZ_CHECK(matched == same, what);
    }
  }

  // The static prefix.
  const std::string prefix = glob_static_prefix(pattern);
  if (is_abs(pattern)) FUZZ_CHECK(is_abs(prefix), what + "\nprefix '" + prefix + "'");
  if (pattern.find('\\') == std::string::npos && pattern.find("//") == std::string::npos) {
    FUZZ_CHECK(starts_with(pattern, prefix), what + "\nprefix '" + prefix + "'");
  }
  if (matched) {
    const auto prefix_comps = components(prefix);
    FUZZ_CHECK(is_abs(path) == is_abs(pattern), what);
    FUZZ_CHECK(comps.size() > prefix_comps.size() || pcomps.empty(),
               what + "\nnot strictly below the prefix '" + prefix + "'");
    FUZZ_CHECK(std::equal(prefix_comps.begin(), prefix_comps.end(), comps.begin()),
               what + "\nnot below the prefix '" + prefix + "'");

    // Derived patterns.
    FUZZ_CHECK(glob_match("**/" + pattern, "x/" + path), what);
    if (!is_abs(pattern) && !pcomps.empty()) FUZZ_CHECK(glob_match("**/" + pattern, path), what);
    FUZZ_CHECK(glob_match(pattern + "/", path + "/"), what);
    FUZZ_CHECK(glob_match(pattern + "/**", path + "/y"), what);
  }

  if (pattern.size() <= 1024 && comps.size() <= 64) check_expand(pattern, path, flags);
  return 0;
}
