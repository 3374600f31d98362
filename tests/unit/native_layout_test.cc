// The native backend's layout: where each op goes and which mount points it makes.
#include "sandbox/linux/native_layout.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_filesystem.h"

namespace cordon::sandbox::linux {
namespace {

using K = MountOp::Kind;
using Leaf = OpLayout::Leaf;
using Strings = std::vector<std::string>;
using ::testing::HasSubstr;

class NativeLayoutTest : public ::testing::Test {
 protected:
  NativeLayoutTest() {
    fs_.add_dir("/tmp").add_dir("/usr/bin").add_dir("/etc").add_dir("/home/u/ws/secrets/pub");
    fs_.add_file("/home/u/ws/.env").add_file("/home/u/ws/secrets/key");
    fs_.add_symlink("/bin", "usr/bin");
    links_["/bin"] = "usr/bin";
  }

  Result<NativeLayout> layout(std::vector<MountOp> ops) {
    plan_.mounts = std::move(ops);
    return native_layout(plan_, fs_, [this](const std::string& p) -> std::optional<std::string> {
      auto it = links_.find(p);
      if (it == links_.end()) return std::nullopt;
      return it->second;
    });
  }

  fakes::FakeFileSystem fs_;
  std::map<std::string, std::string> links_;
  SandboxPlan plan_;
};

TEST_F(NativeLayoutTest, ReadOnlyRootMountsEveryOpInPlaceAndMakesNothing) {
  auto l = layout({{K::RoBind, "/"},
                   {K::Bind, "/home/u/ws"},
                   {K::RoBind, "/home/u/ws/.env", true},
                   {K::StubMask, "/home/u/ws/.git"},
                   {K::Dev, "/dev"},
                   {K::Proc, "/proc"}});
  ASSERT_TRUE(l) << l.error().describe();
  EXPECT_FALSE(l->empty_root);
  EXPECT_EQ(l->scratch, "");  // neither an empty root nor a MaskFile needs one
  ASSERT_EQ(l->ops.size(), 6u);
  const Strings targets = {"/",    "/home/u/ws", "/home/u/ws/.env", "/home/u/ws/.git",
                           "/dev", "/proc"};
  for (size_t i = 0; i < l->ops.size(); ++i) {
    EXPECT_EQ(l->ops[i].target, targets[i]);
    EXPECT_TRUE(l->ops[i].parents.empty()) << targets[i];
    EXPECT_EQ(l->ops[i].leaf, Leaf::Existing) << targets[i];
    EXPECT_EQ(l->ops[i].container, -1) << targets[i];
  }
}

TEST_F(NativeLayoutTest, MaskFileNeedsTheScratchDirectoryButNoMountPointInABind) {
  auto l = layout({{K::RoBind, "/"}, {K::Bind, "/home/u/ws"}, {K::MaskFile, "/home/u/ws/.env"}});
  ASSERT_TRUE(l) << l.error().describe();
  EXPECT_EQ(l->scratch, "/tmp");
  EXPECT_EQ(l->mask_source, "/tmp/mask");
  EXPECT_EQ(l->ops[2].target, "/home/u/ws/.env");
  EXPECT_EQ(l->ops[2].leaf, Leaf::Existing);
}

TEST_F(NativeLayoutTest, ScratchIsTheFirstCandidateThatIsADirectory) {
  fs_.remove("/tmp");
  fs_.add_symlink("/mnt", "/tmp");  // a symlink is not taken
  fs_.add_dir("/run");
  auto l = layout({{K::EmptyRoot, "/"}});
  ASSERT_TRUE(l) << l.error().describe();
  EXPECT_EQ(l->scratch, "/run");
  EXPECT_EQ(l->ops[0].target, "/run");
}

TEST_F(NativeLayoutTest, NoScratchDirectoryIsAnError) {
  fs_.remove("/tmp");
  auto l = layout({{K::EmptyRoot, "/"}});
  ASSERT_FALSE(l);
  EXPECT_THAT(l.error().message, HasSubstr("none of /tmp, /mnt, /run, /var, /dev"));
  EXPECT_THAT(l.error().message, HasSubstr("--backend bwrap"));
}

TEST_F(NativeLayoutTest, EmptyRootPutsEveryOpUnderTheScratchDirectory) {
  fs_.add_file("/etc/hostname");
  auto l = layout({{K::EmptyRoot, "/"},
                   {K::RoBind, "/bin"},
                   {K::RoBind, "/usr"},
                   {K::RoBind, "/etc/hostname"},
                   {K::Bind, "/home/u/ws"},
                   {K::Dev, "/dev"},
                   {K::Proc, "/proc"}});
  ASSERT_TRUE(l) << l.error().describe();
  EXPECT_TRUE(l->empty_root);
  EXPECT_EQ(l->ops[0].target, "/tmp");

  // The host's symlink is recreated, not mounted.
  EXPECT_EQ(l->ops[1].target, "/tmp/bin");
  EXPECT_EQ(l->ops[1].leaf, Leaf::Symlink);
  EXPECT_EQ(l->ops[1].link, "usr/bin");

  EXPECT_EQ(l->ops[2].target, "/tmp/usr");
  EXPECT_EQ(l->ops[2].leaf, Leaf::Directory);
  EXPECT_EQ(l->ops[2].dir_mode, 0755u);
  EXPECT_EQ(l->ops[2].container, 0);

  // A file (the stat says so even without MountOp::file) under a directory made for it.
  EXPECT_EQ(l->ops[3].parents, Strings{"/tmp/etc"});
  EXPECT_EQ(l->ops[3].leaf, Leaf::File);

  EXPECT_EQ(l->ops[4].target, "/tmp/home/u/ws");
  EXPECT_EQ(l->ops[4].parents, (Strings{"/tmp/home", "/tmp/home/u"}));
  EXPECT_EQ(l->ops[4].leaf, Leaf::Directory);

  EXPECT_EQ(l->ops[5].target, "/tmp/dev");
  EXPECT_EQ(l->ops[5].leaf, Leaf::Directory);
  EXPECT_EQ(l->ops[6].target, "/tmp/proc");
  EXPECT_EQ(l->ops[6].leaf, Leaf::Directory);
}

TEST_F(NativeLayoutTest, ADirectoryIsMadeOnceForAllTheOpsBelowIt) {
  fs_.add_dir("/home/u/other");
  auto l = layout({{K::EmptyRoot, "/"}, {K::Bind, "/home/u/ws"}, {K::RoBind, "/home/u/other"}});
  ASSERT_TRUE(l) << l.error().describe();
  EXPECT_EQ(l->ops[1].parents, (Strings{"/tmp/home", "/tmp/home/u"}));
  EXPECT_TRUE(l->ops[2].parents.empty());
  EXPECT_EQ(l->ops[2].leaf, Leaf::Directory);
}

TEST_F(NativeLayoutTest, TheFileFlagMakesAFileMountPointWhateverTheHostSays) {
  auto l = layout({{K::EmptyRoot, "/"}, {K::RoBind, "/gone", true}, {K::RoBind, "/gone2"}});
  ASSERT_TRUE(l) << l.error().describe();
  EXPECT_EQ(l->ops[1].leaf, Leaf::File);
  EXPECT_EQ(l->ops[2].leaf, Leaf::Directory);  // missing: the copy will say so
}

TEST_F(NativeLayoutTest, OpsNestedInAMaskDirGetTheirPointsMadeInIt) {
  fs_.add_dir("/home/u/ws/secrets/pub/deep");
  auto l = layout({{K::RoBind, "/"},
                   {K::Bind, "/home/u/ws"},
                   {K::MaskDir, "/home/u/ws/secrets"},
                   {K::RoBind, "/home/u/ws/secrets/pub/deep"},
                   {K::MaskFile, "/home/u/ws/secrets/key"},
                   {K::MaskFile, "/home/u/ws/secrets/pub/deep/x"}});
  ASSERT_TRUE(l) << l.error().describe();
  // The mask itself lies in the bind of the workspace: nothing to make.
  EXPECT_EQ(l->ops[2].leaf, Leaf::Existing);
  EXPECT_TRUE(l->ops[2].parents.empty());

  EXPECT_EQ(l->ops[3].container, 2);
  EXPECT_EQ(l->ops[3].parents, Strings{"/home/u/ws/secrets/pub"});
  EXPECT_EQ(l->ops[3].leaf, Leaf::Directory);
  EXPECT_EQ(l->ops[3].dir_mode, 0555u);

  EXPECT_EQ(l->ops[4].container, 2);
  EXPECT_EQ(l->ops[4].leaf, Leaf::File);

  // Inside the read-only bind nested in the mask: the host's path is there.
  EXPECT_EQ(l->ops[5].container, -1);
  EXPECT_EQ(l->ops[5].leaf, Leaf::Existing);
}

TEST_F(NativeLayoutTest, AMaskDirInTheEmptyRootIsMadeThereFirst) {
  auto l = layout({{K::EmptyRoot, "/"}, {K::MaskDir, "/home"}, {K::Bind, "/home/u/ws"}});
  ASSERT_TRUE(l) << l.error().describe();
  EXPECT_EQ(l->ops[1].target, "/tmp/home");
  EXPECT_EQ(l->ops[1].container, 0);
  EXPECT_EQ(l->ops[1].leaf, Leaf::Directory);
  EXPECT_EQ(l->ops[1].dir_mode, 0755u);
  // Below the mask, in the mask's tmpfs (not the root's).
  EXPECT_EQ(l->ops[2].container, 1);
  EXPECT_EQ(l->ops[2].parents, Strings{"/tmp/home/u"});
  EXPECT_EQ(l->ops[2].dir_mode, 0555u);
}

TEST_F(NativeLayoutTest, ALaterShallowerMountCoversWhatWasMadeBelowIt) {
  fs_.add_dir("/a/b/c").add_dir("/a/b/d");
  auto l = layout(
      {{K::EmptyRoot, "/"}, {K::RoBind, "/a/b/c"}, {K::MaskDir, "/a"}, {K::RoBind, "/a/b/d"}});
  ASSERT_TRUE(l) << l.error().describe();
  EXPECT_EQ(l->ops[1].parents, (Strings{"/tmp/a", "/tmp/a/b"}));
  EXPECT_EQ(l->ops[2].leaf, Leaf::Existing);  // /a was made for /a/b/c already
  EXPECT_EQ(l->ops[3].container, 2);
  EXPECT_EQ(l->ops[3].parents, Strings{"/tmp/a/b"});  // again: in the mask this time
}

TEST_F(NativeLayoutTest, AnOpAtTheMasksOwnPathMakesNothing) {
  auto l = layout({{K::RoBind, "/"}, {K::MaskDir, "/home/u/ws"}, {K::RoBind, "/home/u/ws"}});
  ASSERT_TRUE(l) << l.error().describe();
  EXPECT_EQ(l->ops[2].leaf, Leaf::Existing);
  EXPECT_EQ(l->ops[2].container, -1);
}

TEST_F(NativeLayoutTest, ASymlinkInsideABindIsMountedAsBefore) {
  fs_.add_symlink("/home/u/ws/link", "/etc");
  auto l = layout({{K::EmptyRoot, "/"}, {K::Bind, "/home/u/ws"}, {K::RoBind, "/home/u/ws/link"}});
  ASSERT_TRUE(l) << l.error().describe();
  EXPECT_EQ(l->ops[2].leaf, Leaf::Existing);
  EXPECT_EQ(l->ops[2].link, "");
}

TEST_F(NativeLayoutTest, APathBelowARecreatedSymlinkResolvesThroughIt) {
  fs_.add_dir("/usr/bin/x");
  auto l =
      layout({{K::EmptyRoot, "/"}, {K::RoBind, "/bin"}, {K::RoBind, "/usr"}, {K::Bind, "/bin/x"}});
  ASSERT_TRUE(l) << l.error().describe();
  // /tmp/bin/x is /tmp/usr/bin/x once the link is made: in the bind of /usr.
  EXPECT_EQ(l->ops[3].target, "/tmp/bin/x");
  EXPECT_EQ(l->ops[3].leaf, Leaf::Existing);
  EXPECT_TRUE(l->ops[3].parents.empty());
}

TEST_F(NativeLayoutTest, AnUnreadableSymlinkIsAnError) {
  links_.clear();
  auto l = layout({{K::EmptyRoot, "/"}, {K::RoBind, "/bin"}});
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().message, "cannot read the symlink /bin to recreate it");
}

TEST_F(NativeLayoutTest, APlanThatDoesNotStartFromRootIsRefused) {
  for (const auto& ops : std::vector<std::vector<MountOp>>{
           {}, {{K::Bind, "/"}}, {{K::RoBind, "/usr"}}, {{K::EmptyRoot, "/tmp"}}}) {
    auto l = layout(ops);
    ASSERT_FALSE(l);
    EXPECT_THAT(l.error().message, HasSubstr("does not start from /"));
  }
}

TEST_F(NativeLayoutTest, AnEmptyRootAfterTheFirstOpIsRefused) {
  auto l = layout({{K::RoBind, "/"}, {K::EmptyRoot, "/"}});
  ASSERT_FALSE(l);
  EXPECT_THAT(l.error().message, HasSubstr("empty root after its first mount"));
}

TEST_F(NativeLayoutTest, ARelativePathIsRefused) {
  auto l = layout({{K::RoBind, "/"}, {K::Bind, "ws"}});
  ASSERT_FALSE(l);
  EXPECT_THAT(l.error().message, HasSubstr("relative path (ws)"));
}

}  // namespace
}  // namespace cordon::sandbox::linux
