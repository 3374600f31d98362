// cordon - the native backend's layout of a plan's mounts.
#include "sandbox/linux/native_layout.h"

#include <set>
#include <utility>

#include "util/paths.h"

namespace cordon::sandbox::linux {
namespace {

using Kind = MountOp::Kind;
using Leaf = OpLayout::Leaf;

// What op m's own path is made of when it has to be created.
Result<Leaf> leaf_for(const MountOp& m, const FileSystem& fs, const ReadLink& read_link,
                      std::string* link) {
  switch (m.kind) {
    case Kind::Bind:
    case Kind::RoBind: {
      const FileType t = fs.lstat_type(m.path);
      if (t == FileType::Symlink) {
        auto text = read_link(m.path);
        if (!text) return Error{"cannot read the symlink " + m.path + " to recreate it"};
        *link = *text;
        return Leaf::Symlink;
      }
      return m.file || t == FileType::Regular || t == FileType::Other ? Leaf::File
                                                                      : Leaf::Directory;
    }
    case Kind::MaskFile:
      return Leaf::File;
    case Kind::StubMask:
    case Kind::MaskDir:
    case Kind::Dev:
    case Kind::Proc:
    case Kind::EmptyRoot:
      return Leaf::Directory;
  }
  return Leaf::Directory;
}

}  // namespace

Result<NativeLayout> native_layout(const SandboxPlan& plan, const FileSystem& fs,
                                   const ReadLink& read_link) {
  const std::vector<MountOp>& ops = plan.mounts;
  if (ops.empty() || ops[0].path != "/" ||
      (ops[0].kind != Kind::RoBind && ops[0].kind != Kind::EmptyRoot)) {
    return Error{
        "this plan does not start from / (read-only or empty); the native backend cannot "
        "build it"};
  }
  NativeLayout out;
  out.empty_root = ops[0].kind == Kind::EmptyRoot;
  bool mask_files = false;
  for (size_t i = 1; i < ops.size(); ++i) {
    if (!paths::is_absolute(ops[i].path)) {
      return Error{"the plan mounts a relative path (" + ops[i].path + ")"};
    }
    if (ops[i].kind == Kind::EmptyRoot) {
      return Error{"the plan has an empty root after its first mount (at " + ops[i].path + ")"};
    }
    if (ops[i].kind == Kind::MaskFile) mask_files = true;
  }
  if (out.empty_root || mask_files) {
    for (const char* c : kScratchCandidates) {
      if (fs.lstat_type(c) == FileType::Directory) {
        out.scratch = c;
        break;
      }
    }
    if (out.scratch.empty()) {
      return Error{
          "the native backend stages the empty root and the masks of deny-read files on a "
          "directory of the host, and none of /tmp, /mnt, /run, /var, /dev is one; create "
          "/tmp or use --backend bwrap"};
    }
    out.mask_source = out.scratch + "/mask";
  }
  auto target = [&out](const std::string& path) {
    if (!out.empty_root) return path;
    return path == "/" ? out.scratch : out.scratch + path;
  };

  out.ops.resize(ops.size());
  out.ops[0].target = target("/");
  // Points already made, per tmpfs they were made in.
  std::set<std::pair<size_t, std::string>> made;
  for (size_t i = 1; i < ops.size(); ++i) {
    const MountOp& m = ops[i];
    OpLayout& l = out.ops[i];
    l.target = target(m.path);
    // The mount the path lies in is the latest earlier op at the path or above it (a later
    // mount covers an earlier one). Below a recreated symlink, the path resolves through
    // the link as on the host, so nothing is made there either.
    size_t holder = 0;
    for (size_t j = i; j-- > 0;) {
      if (paths::is_within(m.path, ops[j].path)) {
        holder = j;
        break;
      }
    }
    const Kind hk = ops[holder].kind;
    if ((hk != Kind::EmptyRoot && hk != Kind::MaskDir) || ops[holder].path == m.path) continue;
    l.container = static_cast<int>(holder);
    l.dir_mode = hk == Kind::EmptyRoot ? 0755 : 0555;
    const std::string& base = ops[holder].path;
    std::string cur = base == "/" ? "" : base;
    size_t pos = cur.size() + 1;  // past the '/' that follows base in m.path
    while (true) {
      const size_t slash = m.path.find('/', pos);
      if (slash == std::string::npos) break;
      cur = m.path.substr(0, slash);
      if (made.insert({holder, cur}).second) l.parents.push_back(target(cur));
      pos = slash + 1;
    }
    if (!made.insert({holder, m.path}).second) continue;  // made already, for a deeper op
    auto leaf = leaf_for(m, fs, read_link, &l.link);
    if (!leaf) return leaf.error();
    l.leaf = *leaf;
  }
  return out;
}

}  // namespace cordon::sandbox::linux
