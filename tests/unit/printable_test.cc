// printable() and its use in config errors: one line, no terminal escapes.
#include "util/printable.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/load.h"
#include "fake_filesystem.h"

namespace cordon {
namespace {

TEST(Printable, EscapesControlCharactersOnly) {
  EXPECT_EQ(printable("plain /path é"), "plain /path é");
  EXPECT_EQ(printable("a\nb\x1b[32m\x7f"), "a\\x0ab\\x1b[32m\\x7f");
  EXPECT_EQ(printable(std::string("\0x", 2)), "\\x00x");
}

TEST(Printable, ConfigErrorsAndWarningsStayOnOneLine) {
  fakes::FakeFileSystem fs;
  fs.add_dir("/w");
  fs.add_file("/u/config.toml", "sandbox_mode = \"x\\ny\\u001b[32m\"\n");
  config::LoadInputs in;
  in.user_config = "/u/config.toml";
  in.process_cwd = "/w";
  auto r = config::load(in, fs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  EXPECT_EQ(r.error().message.find('\x1b'), std::string::npos);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("'x\\x0ay\\x1b[32m'"));

  fs.add_file("/u/config.toml", "\"bad\\u001bkey\" = 1\n");
  auto w = config::load(in, fs);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->warnings.size(), 1u);
  EXPECT_EQ(w->warnings[0].find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace cordon
