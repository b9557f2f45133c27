#include "aws/url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace inkdex::aws {
namespace {

using ::testing::HasSubstr;

TEST(ParseUrlTest, Parts) {
  absl::StatusOr<ParsedUrl> url = ParseUrl("HTTPS://User:pw@Example.COM:8443/a%20b/c?x=1&y#frag");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->path, "/a%20b/c");
  EXPECT_EQ(url->query, "x=1&y");
  EXPECT_TRUE(url->has_query);
  EXPECT_TRUE(url->has_userinfo);
  EXPECT_EQ(url->HostHeader(), "example.com:8443");
}

TEST(ParseUrlTest, DefaultsAndIpv6) {
  absl::StatusOr<ParsedUrl> bare = ParseUrl("http://localhost");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->path, "/");
  EXPECT_FALSE(bare->has_query);
  EXPECT_EQ(bare->port, std::nullopt);
  absl::StatusOr<ParsedUrl> query_only = ParseUrl("http://h?a=b");
  ASSERT_TRUE(query_only.ok());
  EXPECT_EQ(query_only->path, "/");
  EXPECT_EQ(query_only->query, "a=b");
  absl::StatusOr<ParsedUrl> v6 = ParseUrl("http://[::1]:8000/x");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "[::1]");
  EXPECT_EQ(v6->port, 8000);
  EXPECT_EQ(ParseUrl("https://h:443/")->HostHeader(), "h");
  EXPECT_EQ(ParseUrl("http://h:80/")->HostHeader(), "h");
  EXPECT_EQ(ParseUrl("http://h:443/")->HostHeader(), "h:443");
}

TEST(ParseUrlTest, Errors) {
  EXPECT_THAT(ParseUrl("example.com/x").status().message(), HasSubstr("no scheme"));
  EXPECT_THAT(ParseUrl("ftp://x/").status().message(), HasSubstr("scheme \"ftp\""));
  EXPECT_THAT(ParseUrl("http:///path").status().message(), HasSubstr("empty host"));
  EXPECT_THAT(ParseUrl("http://h:0/").status().message(), HasSubstr("port \"0\""));
  EXPECT_THAT(ParseUrl("http://h:99999/").status().message(), HasSubstr("port \"99999\""));
  EXPECT_THAT(ParseUrl("http://h:x/").status().message(), HasSubstr("port \"x\""));
  EXPECT_THAT(ParseUrl("http://[::1/").status().message(), HasSubstr("unterminated IPv6"));
}

TEST(IsLoopbackHostTest, Hosts) {
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("[::1]"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1.evil.com"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.256"));
  EXPECT_FALSE(IsLoopbackHost("169.254.170.2"));
}

}  // namespace
}  // namespace inkdex::aws
