// Unit tests: the .rules Starlark subset (lexer, parser, evaluator), through a recording
// builtin, with every error message at its exact position.
#include "rules/starlark.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cordon::rules::starlark {
namespace {

// What one call of the recording builtin saw: each argument rendered, "-" when not given.
struct Seen {
  std::string function;
  Pos pos;
  std::vector<std::string> args;
};

std::string render(const Value& v) {
  switch (v.kind) {
    case Value::Kind::None:
      return "None";
    case Value::Kind::Bool:
      return v.boolean ? "True" : "False";
    case Value::Kind::String:
      return quote(v.str);
    case Value::Kind::List:
    case Value::Kind::Tuple: {
      std::string out = v.kind == Value::Kind::List ? "[" : "(";
      for (size_t k = 0; k < v.elements().size(); ++k) {
        if (k > 0) out += ", ";
        out += render(v.elements()[k]);
      }
      return out + (v.kind == Value::Kind::List ? "]" : ")");
    }
  }
  return "?";
}

struct Outcome {
  Status status = Ok{};
  std::vector<Seen> calls;
  std::string error() const { return status.ok() ? "" : status.error().message; }
};

// Builtins: rec(a, b=None, c=None) records its call; need(x) requires x; fail(at) reports an
// error at its argument's position.
Outcome run(std::string_view text, const Limits& limits = {}) {
  Outcome r;
  auto record = [&r](const Call& c, Budget&) -> std::optional<Diag> {
    Seen s{std::string(c.function), c.pos, {}};
    for (const auto& a : c.args) s.args.push_back(a ? render(*a) : "-");
    r.calls.push_back(std::move(s));
    return std::nullopt;
  };
  std::vector<Builtin> builtins = {
      {"rec", {{"a", false}, {"b", false}, {"c", false}}, record},
      {"need", {{"x", true}}, record},
      {"fail",
       {{"at", true}},
       [](const Call& c, Budget&) -> std::optional<Diag> {
         return Diag{c.args[0]->pos, "failed here"};
       }},
  };
  r.status = evaluate(text, "t.rules", builtins, limits);
  return r;
}

std::vector<std::string> args_of(const Outcome& r, size_t k = 0) {
  if (k >= r.calls.size()) return {"<no call>"};
  return r.calls[k].args;
}

using Args = std::vector<std::string>;

TEST(RulesStarlark, EmptyAndCommentsOnly) {
  EXPECT_EQ(run("").error(), "");
  EXPECT_EQ(run("# only a comment\n\n   \n# another\n").error(), "");
  EXPECT_EQ(run("\xEF\xBB\xBFrec()").error(), "");  // a byte order mark
  EXPECT_TRUE(run("# x").calls.empty());
}

TEST(RulesStarlark, KeywordAndPositionalArguments) {
  Outcome r = run("rec('x', c=['y'], b=('z',))\nrec()\n");
  ASSERT_EQ(r.error(), "");
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0].args, (Args{"\"x\"", "(\"z\")", "[\"y\"]"}));
  EXPECT_EQ(r.calls[0].pos.line, 1);
  EXPECT_EQ(r.calls[0].pos.column, 1);
  EXPECT_EQ(r.calls[1].args, (Args{"-", "-", "-"}));
  EXPECT_EQ(r.calls[1].pos.line, 2);
}

TEST(RulesStarlark, StringLiterals) {
  struct Case {
    const char* src;
    std::string value;
  };
  const Case cases[] = {
      {R"(rec("double"))", "double"},
      {R"(rec('single'))", "single"},
      {R"(rec("it's"))", "it's"},
      {R"(rec('say "hi"'))", "say \"hi\""},
      {R"(rec("a\nb\tc\\d\'e\"f"))", "a\nb\tc\\d'e\"f"},
      {R"(rec("\x41\x7e"))", "A~"},
      {R"(rec("\xff"))", "\xff"},
      {R"(rec("\u00e9\u20ac"))", "\xc3\xa9\xe2\x82\xac"},
      {R"(rec("\U0001F600"))", "\xf0\x9f\x98\x80"},
      {R"(rec("\101\0"))", std::string("A\0", 2)},
      {R"(rec("\r\a\b\f\v"))", "\r\a\b\f\v"},
      {R"(rec(r"C:\dir\n"))", "C:\\dir\\n"},
      {R"(rec(R'\d+\'x'))", "\\d+\\'x"},
      {"rec(\"\"\"line1\nline2 \"quoted\" ''\"\"\")", "line1\nline2 \"quoted\" ''"},
      {"rec('''a\\\nb''')", "ab"},  // backslash-newline continues the line
      {"rec(r'''raw\\n\n''')", "raw\\n\n"},
      {"rec(\"caf\xc3\xa9\")", "caf\xc3\xa9"},
      {"rec(\"\")", ""},
      {"rec('''''')", ""},
      {"rec('a' + \"b\" + '''c''')", "abc"},
  };
  for (const auto& c : cases) {
    Outcome r = run(c.src);
    ASSERT_EQ(r.error(), "") << c.src;
    EXPECT_EQ(args_of(r)[0], quote(c.value)) << c.src;
  }
}

TEST(RulesStarlark, ListsTuplesAndNames) {
  Outcome r = run(R"(
GIT = ["git"]
SUBS = (
    "status",
    "log",  # trailing comma and comments inside brackets
)
ALL = GIT + ["x"]
ALL += ["y",]
EMPTY = ()
ONE = ("one",)
PAREN = ("just a string")
rec(ALL, SUBS + ONE, [EMPTY, PAREN, None, True, False])
)");
  ASSERT_EQ(r.error(), "");
  EXPECT_EQ(args_of(r), (Args{R"(["git", "x", "y"])", R"(("status", "log", "one"))",
                              R"([(), "just a string", None, True, False])"}));
}

TEST(RulesStarlark, StatementsAndLineContinuation) {
  Outcome r = run("A = 'x'; rec(A);\nrec(A + \\\n  'y')\n");
  ASSERT_EQ(r.error(), "");
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(args_of(r, 1)[0], "\"xy\"");
  EXPECT_EQ(r.calls[1].pos.line, 2);
}

TEST(RulesStarlark, NamesKeepTheirValueAndReassignmentWorks) {
  Outcome r = run("A = ['1']\nB = A\nA = ['2']\nrec(A, B)\n");
  ASSERT_EQ(r.error(), "");
  EXPECT_EQ(args_of(r), (Args{R"(["2"])", R"(["1"])", "-"}));
}

TEST(RulesStarlark, ValuePositionsPointAtTheirExpression) {
  // An error reported at an argument points at the argument as written at the call (a name
  // used there), and at an element where the element was written.
  EXPECT_EQ(run("X = 'a'\nfail(X)").error(), "t.rules:2:6: failed here");
  EXPECT_EQ(run("fail(  ['a'] + ['b'])").error(), "t.rules:1:8: failed here");
  EXPECT_EQ(run("fail(r'x')").error(), "t.rules:1:6: failed here");
  EXPECT_EQ(run("fail((\n  'a'))").error(), "t.rules:2:3: failed here");
  // Columns count characters, not bytes.
  EXPECT_EQ(run("A = '\xc3\xa9\xc3\xa9'; fail(A)").error(), "t.rules:1:16: failed here");
  EXPECT_EQ(run("X = '''a\nb'''; fail(X)").error(), "t.rules:2:12: failed here");
}

struct ErrorCase {
  const char* src;
  const char* error;
};

void expect_errors(const std::vector<ErrorCase>& cases) {
  for (const auto& c : cases) {
    Outcome r = run(c.src);
    EXPECT_EQ(r.error(), c.error) << "source: " << c.src;
  }
}

TEST(RulesStarlark, LexerErrors) {
  expect_errors({
      {"  rec()", "t.rules:1:3: unexpected indentation (statements start in column 1)"},
      {"rec()\n\trec()", "t.rules:2:2: unexpected indentation (statements start in column 1)"},
      {"rec(f'x')", "t.rules:1:5: f-strings are not supported in .rules files"},
      {"rec(F\"{x}\")", "t.rules:1:5: f-strings are not supported in .rules files"},
      {"rec(rf'x')", "t.rules:1:5: f-strings are not supported in .rules files"},
      {"rec(b'x')", "t.rules:1:5: bytes literals are not supported in .rules files"},
      {"rec(1)",
       "t.rules:1:5: numbers are not supported in .rules files (only strings, lists and "
       "tuples)"},
      {"X = .5",
       "t.rules:1:5: numbers are not supported in .rules files (only strings, lists and "
       "tuples)"},
      {"rec('a' == 'b')", "t.rules:1:9: '==' is not supported in .rules files"},
      {"X = {}", "t.rules:1:5: dicts are not supported in .rules files"},
      {"X = 'a'.upper()", "t.rules:1:8: '.' is not supported in .rules files"},
      {"X = -'a'", "t.rules:1:5: '-' is not supported in .rules files"},
      {"rec(*X)", "t.rules:1:5: '*' is not supported in .rules files"},
      {"rec(a=1 if 2 else 3)",
       "t.rules:1:7: numbers are not supported in .rules files (only "
       "strings, lists and tuples)"},
      {"X = $", "t.rules:1:5: unexpected character '$'"},
      {"X = \xc3\xa9", "t.rules:1:5: unexpected character '\xc3\xa9'"},
      {"X = 'a\x01'\x01", "t.rules:1:9: unexpected character '\\x01'"},
      {"rec('abc", "t.rules:1:5: unterminated string"},
      {"rec(\n  '''abc\n", "t.rules:2:3: unterminated string"},
      {"rec('ab\nc')",
       "t.rules:1:5: unterminated string (a line break inside '...' or \"...\"; use triple quotes "
       "or \\n)"},
      {"rec('ab\\", "t.rules:1:5: unterminated string"},
      {"rec(r'ab\\')", "t.rules:1:5: unterminated string"},
      {"rec('\\400')", "t.rules:1:6: octal escape out of range (at most \\377)"},
      {"rec('ok \\xZ1')", "t.rules:1:9: invalid \\x escape: expected 2 hexadecimal digits"},
      {"rec('\\u12')", "t.rules:1:6: invalid \\u escape: expected 4 hexadecimal digits"},
      {"rec('\\ud800')", "t.rules:1:6: invalid \\u escape: not a Unicode scalar value"},
      {"rec('\\U00110000')", "t.rules:1:6: invalid \\U escape: not a Unicode scalar value"},
      {"rec('\\d')", "t.rules:1:6: invalid escape sequence '\\d'"},
      {"rec('x')\nrec('\xff')", "t.rules:2:6: the file is not valid UTF-8"},
      {"rec('\xc0\xaf')", "t.rules:1:6: the file is not valid UTF-8"},  // overlong
  });
}

TEST(RulesStarlark, ParserErrors) {
  expect_errors({
      {"rec('a' 'b')", "t.rules:1:9: expected ')' or ',', found a string"},
      {"'a' 'b'", "t.rules:1:5: adjacent strings are not joined in Starlark; use '+'"},
      {"rec() = 'x'", "t.rules:1:7: only a plain name can be assigned to"},
      {"A, B = 'x', 'y'", "t.rules:1:2: expected the end of the statement, found ','"},
      {"rec() rec()", "t.rules:1:7: expected the end of the statement, found 'rec'"},
      {"load('//x.star', 'y')", "t.rules:1:1: load() is not supported in .rules files"},
      {"def f():\n  pass",
       "t.rules:1:1: defining functions ('def') is not supported in .rules "
       "files"},
      {"X = lambda: 'x'",
       "t.rules:1:5: defining functions ('lambda') is not supported in .rules "
       "files"},
      {"if X:\n  rec()", "t.rules:1:1: 'if' is not supported in .rules files"},
      {"for x in []:\n  rec()", "t.rules:1:1: 'for' is not supported in .rules files"},
      {"X = not None", "t.rules:1:5: 'not' is not supported in .rules files"},
      {"rec(a = )", "t.rules:1:9: expected a value, found ')'"},
      {"X =", "t.rules:1:4: expected a value, found the end of the file"},
      {"X = \n'a'", "t.rules:1:5: expected a value, found the end of the line"},
      {"rec(\n  ['a',\n", "t.rules:2:3: '[' is never closed"},
      {"rec(('a'", "t.rules:1:5: '(' is never closed"},
      {"rec('a'", "t.rules:1:4: '(' is never closed"},
      {"X = ['a' 'b']", "t.rules:1:10: expected ']' or ',', found a string"},
      {"X = ('a', 'b']", "t.rules:1:14: expected ')' or ',', found ']'"},
      {"rec(a='x', 'y')", "t.rules:1:12: positional argument after keyword arguments"},
      {"X = +", "t.rules:1:5: expected a value, found '+'"},
      {"X = 'a' +", "t.rules:1:10: expected a value, found the end of the file"},
      {"; rec()", "t.rules:1:1: expected a value, found ';'"},
  });
}

TEST(RulesStarlark, EvaluationErrors) {
  expect_errors({
      {"prefix_rule = 'x'", ""},  // not a builtin here: an ordinary name
      {"rec = 'x'", "t.rules:1:1: cannot assign to the builtin 'rec'"},
      {"None = 'x'", "t.rules:1:1: cannot assign to 'None'"},
      {"True += ['x']", "t.rules:1:1: cannot assign to 'True'"},
      {"rec(UNDEFINED)", "t.rules:1:5: name 'UNDEFINED' is not defined"},
      {"PATTERN = ['x']\nrec(PATERN)",
       "t.rules:2:5: name 'PATERN' is not defined; did you mean 'PATTERN'?"},
      {"X += ['a']", "t.rules:1:1: name 'X' is not defined"},
      {"X = rec", "t.rules:1:5: 'rec' is a builtin function: call it as rec(...)"},
      {"X = ['a'] + 'b'", "t.rules:1:11: unsupported operand types for +: list and string"},
      {"X = ['a'] + ('b',)", "t.rules:1:11: unsupported operand types for +: list and tuple"},
      {"X = 'a'\nX += ['b']", "t.rules:2:3: unsupported operand types for +: string and list"},
      {"X = None + None", "t.rules:1:10: unsupported operand types for +: NoneType and NoneType"},
      {"X = True + 'a'", "t.rules:1:10: unsupported operand types for +: bool and string"},
      {"X = 'a'\nX('b')", "t.rules:2:1: 'X' is not a function"},
      {"None()", "t.rules:1:1: 'None' is not a function"},
      {"prefixrule(pattern=['x'])", "t.rules:1:1: unknown function 'prefixrule'"},
      {"rek()", "t.rules:1:1: unknown function 'rek'; did you mean 'rec'?"},
      {"rec('a', 'b', 'c', 'd')", "t.rules:1:20: rec() takes at most 3 positional arguments"},
      {"rec(d='x')", "t.rules:1:5: rec() has no parameter 'd'; did you mean 'a'?"},
      {"rec(pattern='x')", "t.rules:1:5: rec() has no parameter 'pattern'"},
      {"need(y='x')", "t.rules:1:6: need() has no parameter 'y'; did you mean 'x'?"},
      {"rec(a='x', a='y')", "t.rules:1:12: rec() got more than one value for 'a'"},
      {"rec('x', a='y')", "t.rules:1:10: rec() got more than one value for 'a'"},
      {"need()", "t.rules:1:1: need() is missing the required argument 'x'"},
      {"rec()\n\nfail('x')", "t.rules:3:6: failed here"},
  });
}

TEST(RulesStarlark, CallsRunInOrderAndStopAtTheFirstError) {
  Outcome r = run("rec('1')\nrec('2')\nfail('3')\nrec('4')\n");
  EXPECT_EQ(r.error(), "t.rules:3:6: failed here");
  EXPECT_EQ(r.calls.size(), 2u);
}

TEST(RulesStarlark, NestingIsBounded) {
  // 64 levels are fine, 65 are not: the error points at the 65th bracket.
  const std::string ok = "X = " + std::string(64, '[') + std::string(64, ']');
  EXPECT_EQ(run(ok).error(), "");
  const std::string deep = "X = " + std::string(65, '[') + std::string(65, ']');
  EXPECT_EQ(run(deep).error(), "t.rules:1:69: nested more than 64 levels deep");
  // A call counts as a level.
  const std::string call = "rec(" + std::string(64, '(') + "'x'" + std::string(64, ')') + ")";
  EXPECT_EQ(run(call).error(), "t.rules:1:68: nested more than 64 levels deep");
  // A deep input far beyond the limit stops at the limit (no deep recursion).
  const std::string huge = "X = " + std::string(1000000, '[');
  EXPECT_EQ(run(huge).error(), "t.rules:1:69: nested more than 64 levels deep");
  // Values built up statement by statement are bounded too.
  std::string wrap = "X = []\n";
  for (int k = 0; k < 70; ++k) wrap += "X = [X]\n";
  EXPECT_EQ(run(wrap).error(), "t.rules:65:5: value nested more than 64 levels deep");
}

TEST(RulesStarlark, WorkIsBounded) {
  // Doubling a list 40 times would make 2^40 elements: the work limit stops it.
  std::string text = "X = ['a']\n";
  for (int k = 0; k < 40; ++k) text += "X = X + X\n";
  Outcome r = run(text);
  EXPECT_NE(r.error().find(kTooComplex), std::string::npos) << r.error();
  EXPECT_EQ(r.error().rfind("t.rules:", 0), 0u) << r.error();
  // The same with strings.
  std::string s = "S = 'abcdefgh'\n";
  for (int k = 0; k < 40; ++k) s += "S += S\n";
  EXPECT_NE(run(s).error().find(kTooComplex), std::string::npos);
  // A small limit stops even a plain file.
  Limits tiny;
  tiny.max_work = 700;  // one call costs about 330 units
  EXPECT_NE(run("rec('a')\nrec('b')\nrec('c')\nrec('d')\n", tiny).error().find(kTooComplex),
            std::string::npos);
  EXPECT_EQ(run("rec('a')\n", tiny).error(), "");
}

TEST(RulesStarlark, ErrorNamesArePrintable) {
  std::vector<Builtin> none;
  Status s = evaluate("1", "evil\n\x1b[31m.rules", none);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "evil\\x0a\\x1b[31m.rules:1:1: numbers are not supported in .rules files (only "
            "strings, lists and tuples)");
}

TEST(RulesStarlark, QuoteRoundTrips) {
  const std::string samples[] = {
      "",
      "plain",
      "with \"double\" and 'single' quotes",
      "back\\slash\\",
      "new\nline\ttab\rcr",
      std::string("nul\0byte", 8),
      "\x01\x1f\x7f",
      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
      "invalid \xff\xfe utf-8 \xc3",
      "$(rm -rf /) `x` ${HOME}",
  };
  for (const auto& s : samples) {
    const std::string q = quote(s);
    Outcome r = run("rec(" + q + ")");
    ASSERT_EQ(r.error(), "") << q;
    ASSERT_EQ(r.calls.size(), 1u);
    EXPECT_EQ(r.calls[0].args[0], q);  // render() quotes the value read back the same way
    // And the value itself, byte for byte.
    std::string seen;
    std::vector<Builtin> b = {
        {"take", {{"s", true}}, [&seen](const Call& c, Budget&) -> std::optional<Diag> {
           seen = c.args[0]->str;
           return std::nullopt;
         }}};
    ASSERT_TRUE(evaluate("take(" + q + ")", "q", b).ok()) << q;
    EXPECT_EQ(seen, s) << q;
  }
  EXPECT_EQ(quote("a\"b\\c\nd\x01\xff"), "\"a\\\"b\\\\c\\nd\\x01\\xff\"");
}

}  // namespace
}  // namespace cordon::rules::starlark
