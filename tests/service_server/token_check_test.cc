#include "server/token_check.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "index/test_util.h"

namespace inkdex::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

constexpr char kWriteSecret[] = "w-0123456789abcdef";
constexpr char kReadSecret[] = "r-fedcba9876543210";

std::string Bearer(const std::string& token) { return "Bearer " + token; }

TEST(ParseBearerTokenTest, AcceptsBearerScheme) {
  EXPECT_THAT(ParseBearerToken("Bearer abc"), Optional(std::string_view("abc")));
  EXPECT_THAT(ParseBearerToken("bearer abc"), Optional(std::string_view("abc")));
  EXPECT_THAT(ParseBearerToken("BEARER   abc"), Optional(std::string_view("abc")));
}

TEST(ParseBearerTokenTest, RejectsOtherShapes) {
  EXPECT_EQ(ParseBearerToken(""), std::nullopt);
  EXPECT_EQ(ParseBearerToken("Bearer"), std::nullopt);
  EXPECT_EQ(ParseBearerToken("Bearer "), std::nullopt);
  EXPECT_EQ(ParseBearerToken("Bearer    "), std::nullopt);
  EXPECT_EQ(ParseBearerToken("Bearerabc"), std::nullopt);
  EXPECT_EQ(ParseBearerToken("Basic dXNlcjpwYXNz"), std::nullopt);
  EXPECT_EQ(ParseBearerToken("abc"), std::nullopt);
}

TEST(TokenCheckTest, WritesRefusedWithoutWriteToken) {
  TokenCheck check("", "");
  EXPECT_FALSE(check.writes_enabled());
  absl::Status status = check.Check(Access::kWrite, Bearer(kWriteSecret));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("--write-token-file"));
  EXPECT_EQ(check.Check(Access::kWrite, std::nullopt).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(TokenCheckTest, WriteNeedsTheWriteToken) {
  TokenCheck check(kWriteSecret, "");
  EXPECT_TRUE(check.Check(Access::kWrite, Bearer(kWriteSecret)).ok());
  EXPECT_EQ(check.Check(Access::kWrite, std::nullopt).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(check.Check(Access::kWrite, "Token abc").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(check.Check(Access::kWrite, Bearer("nope")).code(),
            absl::StatusCode::kPermissionDenied);
  // A prefix or an extension of the token is not the token.
  EXPECT_EQ(check.Check(Access::kWrite, Bearer(std::string(kWriteSecret).substr(0, 5))).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(check.Check(Access::kWrite, Bearer(std::string(kWriteSecret) + "x")).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(TokenCheckTest, ReadTokenDoesNotGrantWrites) {
  TokenCheck check(kWriteSecret, kReadSecret);
  EXPECT_EQ(check.Check(Access::kWrite, Bearer(kReadSecret)).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(TokenCheckTest, ReadsOpenWithoutReadToken) {
  TokenCheck check(kWriteSecret, "");
  EXPECT_TRUE(check.reads_open());
  EXPECT_TRUE(check.Check(Access::kRead, std::nullopt).ok());
  EXPECT_TRUE(check.Check(Access::kRead, Bearer("anything")).ok());
  EXPECT_TRUE(check.Check(Access::kRead, "garbage").ok());
}

TEST(TokenCheckTest, ReadTokenAcceptsReadOrWriteToken) {
  TokenCheck check(kWriteSecret, kReadSecret);
  EXPECT_FALSE(check.reads_open());
  EXPECT_TRUE(check.Check(Access::kRead, Bearer(kReadSecret)).ok());
  EXPECT_TRUE(check.Check(Access::kRead, Bearer(kWriteSecret)).ok());
  EXPECT_EQ(check.Check(Access::kRead, std::nullopt).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(check.Check(Access::kRead, Bearer("nope")).code(), absl::StatusCode::kPermissionDenied);
}

TEST(TokenCheckTest, ReadTokenWorksWithWritesDisabled) {
  TokenCheck check("", kReadSecret);
  EXPECT_TRUE(check.Check(Access::kRead, Bearer(kReadSecret)).ok());
  EXPECT_EQ(check.Check(Access::kRead, Bearer(kWriteSecret)).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(TokenCheckTest, MessagesNeverContainTokens) {
  TokenCheck check(kWriteSecret, kReadSecret);
  const std::string presented = "presented-secret-value";
  for (Access access : {Access::kRead, Access::kWrite}) {
    for (const std::optional<std::string>& header :
         {std::optional<std::string>(), std::optional<std::string>(Bearer(presented)),
          std::optional<std::string>("Basic " + presented)}) {
      absl::Status status =
          check.Check(access, header ? std::optional<std::string_view>(*header) : std::nullopt);
      ASSERT_FALSE(status.ok());
      EXPECT_THAT(std::string(status.message()), Not(HasSubstr(presented)));
      EXPECT_THAT(std::string(status.message()), Not(HasSubstr(kWriteSecret)));
      EXPECT_THAT(std::string(status.message()), Not(HasSubstr(kReadSecret)));
    }
  }
}

class TokenFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& content) {
    std::string path = dir_.path() + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  inkdex::testing::TempDir dir_;
};

TEST_F(TokenFileTest, TrimsTrailingNewline) {
  EXPECT_THAT(ReadTokenFile(Write("a", "secret\n"), "--write-token-file"),
              ::testing::Eq(absl::StatusOr<std::string>("secret")));
  EXPECT_EQ(*ReadTokenFile(Write("b", "secret\r\n"), "--write-token-file"), "secret");
  EXPECT_EQ(*ReadTokenFile(Write("c", "secret"), "--write-token-file"), "secret");
  EXPECT_EQ(*ReadTokenFile(Write("d", "secret\n\n  \t"), "--write-token-file"), "secret");
}

TEST_F(TokenFileTest, RefusesEmptyFile) {
  for (const std::string& content : {std::string(), std::string("\n"), std::string("  \n")}) {
    absl::StatusOr<std::string> token = ReadTokenFile(Write("empty", content), "--read-token-file");
    ASSERT_FALSE(token.ok());
    EXPECT_THAT(token.status().message(), HasSubstr("--read-token-file"));
    EXPECT_THAT(token.status().message(), HasSubstr("empty"));
  }
}

TEST_F(TokenFileTest, RefusesMissingFileNamingFlagAndPath) {
  const std::string path = dir_.path() + "/missing";
  absl::StatusOr<std::string> token = ReadTokenFile(path, "--write-token-file");
  ASSERT_FALSE(token.ok());
  EXPECT_THAT(token.status().message(), HasSubstr("--write-token-file"));
  EXPECT_THAT(token.status().message(), HasSubstr(path));
  EXPECT_THAT(token.status().message(), HasSubstr("No such file"));
}

TEST_F(TokenFileTest, RefusesDirectory) {
  absl::StatusOr<std::string> token = ReadTokenFile(dir_.path(), "--write-token-file");
  ASSERT_FALSE(token.ok());
  EXPECT_THAT(token.status().message(), HasSubstr("cannot read"));
}

TEST_F(TokenFileTest, RefusesUnreadableFile) {
  // A directory cannot be read as a file even by root (chmod 0 would not
  // stop root, who runs the tests in CI).
  const std::string path = Write("locked", "secret\n") + ".d";
  ASSERT_EQ(::mkdir(path.c_str(), 0700), 0);
  absl::StatusOr<std::string> token = ReadTokenFile(path, "--write-token-file");
  ASSERT_FALSE(token.ok());
  EXPECT_THAT(token.status().message(), HasSubstr("--write-token-file"));
  EXPECT_THAT(token.status().message(), HasSubstr(path));
  ::rmdir(path.c_str());
}

TEST_F(TokenFileTest, RefusesTokensGrpcCannotCarry) {
  for (const std::string& content :
       {std::string("two words\n"), std::string("line1\nline2\n"), std::string("caf\xc3\xa9")}) {
    absl::StatusOr<std::string> token = ReadTokenFile(Write("bad", content), "--write-token-file");
    ASSERT_FALSE(token.ok()) << content;
    EXPECT_THAT(token.status().message(), HasSubstr("printable ASCII"));
    EXPECT_THAT(token.status().message(), Not(HasSubstr("line1")));
  }
}

TEST_F(TokenFileTest, RefusesHugeFile) {
  absl::StatusOr<std::string> token =
      ReadTokenFile(Write("huge", std::string(100000, 'x')), "--write-token-file");
  ASSERT_FALSE(token.ok());
  EXPECT_THAT(token.status().message(), HasSubstr("longer than"));
}

TEST(CleanTokenTest, TrimsAndChecks) {
  EXPECT_EQ(*CleanToken("abc\n", "INKDEX_WRITE_TOKEN"), "abc");
  absl::StatusOr<std::string> empty = CleanToken(" \n", "INKDEX_WRITE_TOKEN");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("INKDEX_WRITE_TOKEN"));
}

}  // namespace
}  // namespace inkdex::server
