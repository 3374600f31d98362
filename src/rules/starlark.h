// cordon - the Starlark subset that .rules files are written in: a lexer, a parser and an
// evaluator, written by hand for untrusted input.
//
// Supported: comments, string literals ('..', "..", triple-quoted, r-prefixed raw, the usual
// escapes), lists and tuples (trailing commas, newlines inside brackets), None, True, False,
// top-level `NAME = expr` / `NAME += expr` and uses of such names, `+` between two lists, two
// tuples or two strings, `;` between statements, and calls of the builtins the caller
// registers (keyword arguments, or positional ones in the declared order). Everything else
// (numbers, f-strings, def, if, for, load(), dicts, attribute access, ...) is an error.
//
// Every error is one message "NAME:LINE:COLUMN: ..." (1-based; columns count characters)
// pointing at the offending token. Nesting is bounded, and so is the work one text may cause,
// so that no input crashes, exhausts memory or runs for long.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace cordon::rules::starlark {

struct Pos {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in characters
};

// A value of the subset. Lists and tuples share their elements (values are immutable).
struct Value {
  enum class Kind { None, Bool, String, List, Tuple };
  Kind kind = Kind::None;
  bool boolean = false;                             // Bool
  std::string str;                                  // String
  std::shared_ptr<const std::vector<Value>> items;  // List, Tuple: never null
  int depth = 0;                                    // nesting: 0 for scalars, 1 + deepest element
  Pos pos;  // where the expression that produced it (or the name that was used) starts

  bool is_sequence() const { return kind == Kind::List || kind == Kind::Tuple; }
  const std::vector<Value>& elements() const;  // empty for a non-sequence
};

// "NoneType", "bool", "string", "list", "tuple".
const char* type_name(Value::Kind k);

// An error found at a position of the text.
struct Diag {
  Pos pos;
  std::string message;
};

// The work one text may cause (tokens, elements created, bytes copied, ...).
class Budget {
 public:
  explicit Budget(uint64_t units) : left_(units) {}
  // False (and nothing left) when `n` is more than what remains.
  bool spend(uint64_t n) {
    if (n > left_) {
      left_ = 0;
      return false;
    }
    left_ -= n;
    return true;
  }

 private:
  uint64_t left_;
};

struct Limits {
  int max_depth = 64;  // brackets, parentheses and calls open at once; value nesting
  // Budget units for one text: about a byte of memory allocated (tokens, syntax tree,
  // values), or a step of work. A file of 10,000 rules (1.3 MB) needs about 25 million.
  uint64_t max_work = 1ULL << 28;
};

// The message of a Budget that ran out.
inline constexpr const char* kTooComplex =
    "the file is too large or too complex to evaluate (work limit reached)";

// One call of a builtin, with its arguments bound to the declared parameters.
struct Call {
  std::string_view function;
  Pos pos;                                 // the function's name at the call
  std::vector<std::optional<Value>> args;  // one per parameter; nullopt when not given
};

struct Builtin {
  struct Param {
    std::string name;
    bool required = false;
  };
  std::string name;
  std::vector<Param> params;  // declared order (positional arguments bind in this order)
  // Called with the bound arguments (each already charged to the budget by its size);
  // returns the error to report, if any. A builtin call evaluates to None.
  std::function<std::optional<Diag>(const Call&, Budget&)> fn;
};

// Parses and evaluates `text`, calling the builtins as the calls are reached. `name`
// (usually the file's path) prefixes every error position: "name:line:column: message".
// Never throws.
Status evaluate(std::string_view text, const std::string& name,
                const std::vector<Builtin>& builtins, const Limits& limits = {});

// "name:line:column: message", with `name` and `message` made printable.
std::string format_error(const std::string& name, const Diag& d);

// `s` as a double-quoted literal the lexer reads back to exactly `s` (any bytes).
std::string quote(std::string_view s);

}  // namespace cordon::rules::starlark
