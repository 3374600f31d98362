// cordon - lexical path helpers (pure: no syscalls).
#pragma once

#include <string>
#include <string_view>

namespace cordon::paths {

bool is_absolute(std::string_view p);

// Lexically normalises an absolute path: collapses "//", removes "." and
// resolves ".." without touching the filesystem. "/a/b/../c/" -> "/a/c".
std::string normalize(std::string_view p);

// Joins base and rel (rel absolute wins), then normalises.
std::string join(std::string_view base, std::string_view rel);

// True when p equals root or lies below it (both normalised, absolute).
bool is_within(std::string_view p, std::string_view root);

// Number of components: "/" -> 0, "/a/b" -> 2.
int depth(std::string_view p);

std::string parent(std::string_view p);

}  // namespace cordon::paths
