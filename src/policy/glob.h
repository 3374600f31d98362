// cordon - glob patterns of deny-read entries: matching a path, and expanding a pattern into
// the paths that exist when the command starts (over the FileSystem seam).
//
// Syntax (gitignore-style; the pattern and the path are both split on '/', empty components
// are dropped, so "a//b/" is "a/b"):
//   *        any run of bytes within one component, a leading dot included ("*.env" matches
//            ".env")
//   ?        one byte (never '/')
//   [abc] [a-z] [!a-z] [^a-z]
//            one byte of (or not of) the set; a ']' right after '[' (or '[!', '[^') is a member,
//            '-' first or last is a member, a reversed range ("z-a") is empty, "\x" inside is x;
//            a '[' without its closing ']' is a literal '['; POSIX classes ([:alpha:]) are not
//            supported
//   \x       the byte x itself (a '\' at the end of a component is a literal '\')
//   **       as a whole component: zero or more whole components ("**/*.env" matches ".env",
//            "a/.env", "a/b/c.env"; "a/**/b" matches "a/b"); a TRAILING "**" matches one or more,
//            so "a/**" matches everything inside a, not a itself (as gitignore). "**" within a
//            component ("a**b") is the same as "*".
// "." and ".." are ordinary names here (no lexical resolution). An absolute pattern matches only
// absolute paths, a relative one only relative paths. A trailing '/' does not restrict the match
// to directories. Bytes are compared exactly (no case folding, no UTF-8 decoding).
//
// Matching costs at most O(|pattern| * |path|) (no exponential backtracking, no recursion).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/filesystem.h"
#include "util/result.h"

namespace cordon::policy {

// True when the whole path matches the whole pattern.
bool glob_match(std::string_view pattern, std::string_view path);

// `literal` as a pattern that matches only itself ('*', '?', '[', ']', '\\' escaped), and
// the reverse for a pattern without glob characters (each "\\x" becomes x).
std::string glob_escape(std::string_view literal);
std::string glob_unescape(std::string_view text);

// True when s holds an unescaped '*', '?', '[' or ']' (an unclosed '[' counts too).
bool has_glob_chars(std::string_view s);

// The fixed directory a pattern's matches all lie strictly below: its components before the first
// one with a glob character, and never the last component, with escapes removed and empty
// components dropped. "/ws/a/**/*.env" -> "/ws/a", "/*.env" -> "/", "/ws/x[0-9]" -> "/ws",
// "/ws/a/b" -> "/ws/a", "/ws/a\*b/*" -> "/ws/a*b". A relative pattern gives a relative prefix
// ("" when there is none). (The patterns "/" and "", with no components, match only themselves.)
std::string glob_static_prefix(std::string_view absolute_pattern);

struct GlobLimits {
  // Only entries at most this many components below the static prefix are looked at (1: its
  // direct children), like `rg --max-depth N`. Unset: no cap. Must be >= 1.
  std::optional<int> max_depth;
  // More matches than this is an error.
  size_t max_matches = 8192;
  // More directory entries looked at than this is an error (a huge tree, or a bind mount
  // that loops back into itself, would otherwise stall every command start).
  size_t max_entries = 2'000'000;
};

// Every existing path (file, directory, symlink, other) that glob_match()es the absolute pattern,
// sorted. The walk starts at glob_static_prefix() (followed if it is itself a symlink), lists
// directories in sorted order, never descends into a symlink (a symlink can still match, as
// itself), skips directories it cannot read, and does not enter a directory below which no
// continuation of the pattern can match ("/ws/src/*.c" lists /ws/src only).
// A static prefix that does not exist gives no matches. Errors, each naming the pattern: the
// pattern is not absolute, has a "." or ".." component, its static prefix is "/"; max_depth < 1;
// more than max_matches matches or max_entries entries.
Result<std::vector<std::string>> expand_glob(const std::string& absolute_pattern,
                                             const GlobLimits& limits, const FileSystem& fs);

}  // namespace cordon::policy
