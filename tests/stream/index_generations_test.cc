#include "stream/index_generations.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"

namespace inkdex::stream {
namespace {

namespace fs = std::filesystem;
using ::inkdex::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::SizeIs;

std::string Touch(const fs::path& dir, const std::string& name) {
  fs::create_directories(dir);
  std::ofstream(dir / name) << name;
  return (dir / name).string();
}

TEST(IndexGenerationsTest, MissingPathBecomesALinkToAnEmptyGeneration) {
  TempDir tmp;
  const std::string path = tmp.path() + "/index";
  ASSERT_TRUE(EnsureGenerationLayout(path).ok());
  EXPECT_TRUE(fs::is_symlink(path));
  auto gen = CurrentGeneration(path);
  ASSERT_TRUE(gen.ok()) << gen.status();
  EXPECT_THAT(*gen, HasSubstr("/index.gen-"));
  EXPECT_TRUE(fs::is_empty(*gen));
  // Idempotent: a second call keeps the same generation.
  ASSERT_TRUE(EnsureGenerationLayout(path).ok());
  EXPECT_EQ(*CurrentGeneration(path), *gen);
}

TEST(IndexGenerationsTest, RealDirectoryIsMovedIntoTheFirstGenerationWithItsFiles) {
  TempDir tmp;
  const std::string path = tmp.path() + "/index";
  Touch(path, "CURRENT");
  ASSERT_TRUE(EnsureGenerationLayout(path + "/").ok());
  EXPECT_TRUE(fs::is_symlink(path));
  EXPECT_TRUE(fs::exists(fs::path(path) / "CURRENT"));
}

TEST(IndexGenerationsTest, PointAtSwitchesAndStaleGenerationsAreRemoved) {
  TempDir tmp;
  const std::string path = tmp.path() + "/index";
  ASSERT_TRUE(EnsureGenerationLayout(path).ok());
  const std::string first = *CurrentGeneration(path);
  const std::string second = NewGenerationDir(path);
  ASSERT_NE(first, second);
  Touch(second, "marker");
  ASSERT_TRUE(PointAt(path, second).ok());
  EXPECT_TRUE(fs::exists(fs::path(path) / "marker"));
  EXPECT_EQ(*CurrentGeneration(path), fs::canonical(second).string());
  // A half-built third generation (a re-sync cut short) and the replaced
  // first one are stale; unrelated siblings are not touched.
  const std::string third = NewGenerationDir(path);
  Touch(third, "partial");
  Touch(tmp.path() + "/other", "keep");
  auto removed = RemoveStaleGenerations(path);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_THAT(*removed, SizeIs(2));
  EXPECT_FALSE(fs::exists(first));
  EXPECT_FALSE(fs::exists(third));
  EXPECT_TRUE(fs::exists(second));
  EXPECT_TRUE(fs::exists(tmp.path() + "/other/keep"));
}

TEST(IndexGenerationsTest, KeepProtectsAGenerationBeingBuilt) {
  TempDir tmp;
  const std::string path = tmp.path() + "/index";
  ASSERT_TRUE(EnsureGenerationLayout(path).ok());
  const std::string building = NewGenerationDir(path);
  Touch(building, "partial");
  auto removed = RemoveStaleGenerations(path, {building});
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_TRUE(removed->empty());
  EXPECT_TRUE(fs::exists(building));
}

TEST(IndexGenerationsTest, AFileAtThePathIsAnError) {
  TempDir tmp;
  const std::string path = Touch(tmp.path(), "index");
  absl::Status s = EnsureGenerationLayout(path);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("neither a directory nor a symlink"));
}

}  // namespace
}  // namespace inkdex::stream
