#include "aws/shared_credentials_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aws/aws_test_util.h"

namespace inkdex::aws {
namespace {

using ::inkdex::aws::testing::MapEnvironment;
using ::inkdex::aws::testing::TempDir;
using ::testing::HasSubstr;

constexpr char kFile[] =
    "# a comment\n"
    "[default]\n"
    "aws_access_key_id=AKIDDEFAULT\n"
    "aws_secret_access_key = default/secret+key\r\n"
    "\n"
    "; another comment\n"
    "[  work  ]\n"
    "AWS_Access_Key_Id   =   AKIDWORK   \n"
    "aws_secret_access_key = work-secret\n"
    "aws_session_token = work-token==\n"
    "region = eu-west-1\n"
    "s3 =\n"
    "    max_concurrent_requests = 20\n"
    "[no-secret]\n"
    "aws_access_key_id = AKIDHALF\n";

// Reads kFile through AWS_SHARED_CREDENTIALS_FILE, with AWS_PROFILE when
// `profile` is not empty.
absl::StatusOr<Credentials> FromSampleFile(const std::string& profile) {
  TempDir dir;
  std::map<std::string, std::string> variables = {
      {"AWS_SHARED_CREDENTIALS_FILE", dir.WriteFile("credentials", kFile)}};
  if (!profile.empty()) variables["AWS_PROFILE"] = profile;
  return SharedCredentialsFileProvider(MapEnvironment(variables)).GetCredentials();
}

TEST(SharedCredentialsFileTest, DefaultProfile) {
  absl::StatusOr<Credentials> credentials = FromSampleFile("");
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(credentials->secret_access_key, "default/secret+key");
  EXPECT_EQ(credentials->session_token, "");
  EXPECT_FALSE(credentials->expiration.has_value());
  EXPECT_THAT(credentials->source, HasSubstr("profile default"));
}

TEST(SharedCredentialsFileTest, ProfileFromAwsProfileWithToken) {
  absl::StatusOr<Credentials> credentials = FromSampleFile("work");
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->access_key_id, "AKIDWORK");
  EXPECT_EQ(credentials->secret_access_key, "work-secret");
  EXPECT_EQ(credentials->session_token, "work-token==");
}

TEST(SharedCredentialsFileTest, HomeFallback) {
  TempDir dir;
  dir.WriteFile(".aws/credentials", kFile);
  SharedCredentialsFileProvider provider(MapEnvironment({{"HOME", dir.path()}}));
  absl::StatusOr<Credentials> credentials = provider.GetCredentials();
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->access_key_id, "AKIDDEFAULT");
}

TEST(SharedCredentialsFileTest, MissingFileIsNotFound) {
  TempDir dir;
  SharedCredentialsFileProvider provider(
      MapEnvironment({{"AWS_SHARED_CREDENTIALS_FILE", dir.path() + "/nope"}}));
  absl::StatusOr<Credentials> credentials = provider.GetCredentials();
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(credentials.status().message(), HasSubstr(dir.path() + "/nope: cannot be opened"));
}

TEST(SharedCredentialsFileTest, MissingDefaultProfileIsNotFound) {
  TempDir dir;
  SharedCredentialsFileProvider provider(
      MapEnvironment({{"AWS_SHARED_CREDENTIALS_FILE", dir.WriteFile("credentials", "[other]\n")}}));
  EXPECT_EQ(provider.GetCredentials().status().code(), absl::StatusCode::kNotFound);
}

TEST(SharedCredentialsFileTest, MissingNamedProfileIsAnError) {
  absl::StatusOr<Credentials> credentials = FromSampleFile("prod");
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(credentials.status().message(),
              HasSubstr("no profile [prod] (named by AWS_PROFILE)"));
}

TEST(SharedCredentialsFileTest, ProfileWithoutSecretNamesTheKey) {
  absl::StatusOr<Credentials> credentials = FromSampleFile("no-secret");
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(credentials.status().message(),
              HasSubstr("profile [no-secret] has no aws_secret_access_key"));
}

TEST(ParseIniTest, MalformedLinesNameTheLine) {
  EXPECT_THAT(ParseIni("[default]\njust words\n", "f").status().message(),
              HasSubstr("f line 2: expected \"key = value\""));
  EXPECT_THAT(ParseIni("key = value\n", "f").status().message(),
              HasSubstr("f line 1: \"key = value\" before any [section]"));
  EXPECT_THAT(ParseIni("[default\n", "f").status().message(),
              HasSubstr("line 1: section header without closing ']'"));
  EXPECT_THAT(ParseIni("[ ]\n", "f").status().message(), HasSubstr("empty section name"));
}

TEST(ParseIniTest, LaterValuesWinAndNestedLinesAreSkipped) {
  absl::StatusOr<IniSections> sections =
      ParseIni("[a]\nk = 1\nK = 2\nnested =\n  inner = 3\n[b]\n", "f");
  ASSERT_TRUE(sections.ok());
  EXPECT_EQ(sections->at("a").at("k"), "2");
  EXPECT_EQ(sections->at("a").at("nested"), "");
  EXPECT_FALSE(sections->at("a").contains("inner"));
  EXPECT_TRUE(sections->at("b").empty());
}

}  // namespace
}  // namespace inkdex::aws
