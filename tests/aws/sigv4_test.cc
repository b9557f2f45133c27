#include "aws/sigv4.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "aws/crypto.h"

namespace inkdex::aws {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// The credentials and clock of AWS's Signature Version 4 test suite.
Credentials SuiteCredentials() {
  Credentials credentials;
  credentials.access_key_id = "AKIDEXAMPLE";
  credentials.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  return credentials;
}

absl::Time SuiteTime() { return absl::FromUnixSeconds(1440938160); }  // 20150830T123600Z

SigningParams SuiteParams(std::string service = "service") {
  SigningParams params;
  params.service = std::move(service);
  params.region = "us-east-1";
  params.time = SuiteTime();
  return params;
}

absl::StatusOr<SignedRequest> SuiteSign(const SignableRequest& request) {
  return SignRequest(request, SuiteCredentials(), SuiteParams());
}

std::string HeaderValue(const SignedRequest& signed_request, const std::string& name) {
  for (const auto& [key, value] : signed_request.headers_to_add) {
    if (key == name) return value;
  }
  return "<absent>";
}

std::string SignatureOf(const SignedRequest& signed_request) {
  const std::string authorization = HeaderValue(signed_request, "Authorization");
  return authorization.substr(authorization.find("Signature=") + 10);
}

TEST(SigV4Test, SuiteGetVanilla) {
  SignableRequest request{"GET", "https://example.amazonaws.com/", {}, ""};
  absl::StatusOr<SignedRequest> signed_request = SuiteSign(request);
  ASSERT_TRUE(signed_request.ok()) << signed_request.status();
  EXPECT_EQ(signed_request->canonical_request,
            absl::StrCat("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                         "host;x-amz-date\n",
                         kEmptySha256));
  EXPECT_EQ(signed_request->string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_THAT(
      signed_request->headers_to_add,
      ElementsAre(
          Pair("X-Amz-Date", "20150830T123600Z"),
          Pair("Authorization",
               "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
               "aws4_request, SignedHeaders=host;x-amz-date, "
               "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")));
}

struct SuiteCase {
  const char* name;
  const char* method;
  const char* url;
  HeaderList headers;
  const char* payload;
  const char* service;
  const char* signature;  // as published by AWS
};

TEST(SigV4Test, PublishedSignatures) {
  const SuiteCase cases[] = {
      {"get-vanilla-query-order-key-case",
       "GET",
       "https://example.amazonaws.com/?Param2=value2&Param1=value1",
       {},
       "",
       "service",
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"get-vanilla-empty-query-key",
       "GET",
       "https://example.amazonaws.com/?Param1=value1",
       {},
       "",
       "service",
       "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
      {"post-vanilla",
       "POST",
       "https://example.amazonaws.com/",
       {},
       "",
       "service",
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"get-utf8",
       "GET",
       "https://example.amazonaws.com/\xe1\x88\xb4",
       {},
       "",
       "service",
       "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
      {"post-x-www-form-urlencoded",
       "POST",
       "https://example.amazonaws.com/",
       {{"Content-Type", "application/x-www-form-urlencoded"}},
       "Param1=value1",
       "service",
       "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
      // The IAM ListUsers example of the SigV4 documentation.
      {"iam-list-users",
       "GET",
       "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
       {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
       "",
       "iam",
       "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"},
  };
  for (const SuiteCase& c : cases) {
    SignableRequest request{c.method, c.url, c.headers, c.payload};
    absl::StatusOr<SignedRequest> signed_request =
        SignRequest(request, SuiteCredentials(), SuiteParams(c.service));
    ASSERT_TRUE(signed_request.ok()) << c.name << ": " << signed_request.status();
    EXPECT_EQ(SignatureOf(*signed_request), c.signature) << c.name << "\n"
                                                         << signed_request->canonical_request;
  }
}

TEST(SigV4Test, IamExampleCanonicalRequestHash) {
  SignableRequest request{"GET",
                          "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
                          {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
                          ""};
  absl::StatusOr<SignedRequest> signed_request =
      SignRequest(request, SuiteCredentials(), SuiteParams("iam"));
  ASSERT_TRUE(signed_request.ok()) << signed_request.status();
  EXPECT_EQ(Sha256Hex(signed_request->canonical_request),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
}

TEST(SigV4Test, DerivesTheDocumentedSigningKeys) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  EXPECT_EQ(HexEncode(DeriveSigningKey(secret, "20120215", "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
  EXPECT_EQ(HexEncode(DeriveSigningKey(secret, "20150830", "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigV4Test, SessionTokenIsSentAndSigned) {
  Credentials credentials = SuiteCredentials();
  credentials.session_token = "FQoGZXIvYXdzE/token+with=chars";
  SignableRequest request{
      "GET", "https://example.amazonaws.com/", {{"X-Amz-Security-Token", "stale"}}, ""};
  absl::StatusOr<SignedRequest> signed_request = SignRequest(request, credentials, SuiteParams());
  ASSERT_TRUE(signed_request.ok()) << signed_request.status();
  EXPECT_EQ(HeaderValue(*signed_request, "X-Amz-Security-Token"), credentials.session_token);
  EXPECT_THAT(HeaderValue(*signed_request, "Authorization"),
              HasSubstr("SignedHeaders=host;x-amz-date;x-amz-security-token,"));
  EXPECT_THAT(signed_request->canonical_request,
              HasSubstr("\nx-amz-security-token:FQoGZXIvYXdzE/token+with=chars\n"));
  EXPECT_THAT(signed_request->canonical_request, ::testing::Not(HasSubstr("stale")));

  absl::StatusOr<SignedRequest> without_token = SuiteSign(request);
  ASSERT_TRUE(without_token.ok());
  EXPECT_NE(SignatureOf(*without_token), SignatureOf(*signed_request));
}

TEST(SigV4Test, DynamoDbStylePost) {
  const std::string body = R"({"TableName":"artists","Key":{"PK":{"S":"ARTIST#1"}}})";
  SignableRequest request{"POST",
                          "https://dynamodb.eu-west-1.amazonaws.com/",
                          {{"Content-Type", "application/x-amz-json-1.0"},
                           {"X-Amz-Target", "DynamoDB_20120810.GetItem"}},
                          body};
  SigningParams params = SuiteParams("dynamodb");
  params.region = "eu-west-1";
  params.add_content_sha256_header = true;
  absl::StatusOr<SignedRequest> signed_request = SignRequest(request, SuiteCredentials(), params);
  ASSERT_TRUE(signed_request.ok()) << signed_request.status();
  EXPECT_EQ(HeaderValue(*signed_request, "x-amz-content-sha256"), Sha256Hex(body));
  EXPECT_THAT(HeaderValue(*signed_request, "Authorization"),
              HasSubstr("Credential=AKIDEXAMPLE/20150830/eu-west-1/dynamodb/aws4_request, "
                        "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;"
                        "x-amz-target,"));
  EXPECT_TRUE(signed_request->canonical_request.ends_with("\n" + Sha256Hex(body)));
}

TEST(SigV4Test, CallersPayloadHashIsUsed) {
  SignableRequest request{"PUT",
                          "https://example.amazonaws.com/x",
                          {{"X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"}},
                          "some body"};
  absl::StatusOr<SignedRequest> signed_request = SuiteSign(request);
  ASSERT_TRUE(signed_request.ok());
  EXPECT_TRUE(signed_request->canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
  EXPECT_EQ(HeaderValue(*signed_request, "x-amz-content-sha256"), "<absent>");
}

TEST(SigV4Test, EquivalentsOfGetVanilla) {
  // A lower-case method, stale signing headers (replaced) and hop-by-hop or
  // proxy headers (not signed) leave the get-vanilla signature unchanged.
  SignableRequest request{"get",
                          "https://example.amazonaws.com/",
                          {{"Authorization", "old"},
                           {"x-amz-date", "19990101T000000Z"},
                           {"User-Agent", "inkdex/1"},
                           {"Expect", "100-continue"},
                           {"X-Amzn-Trace-Id", "Root=1"}},
                          ""};
  absl::StatusOr<SignedRequest> signed_request = SuiteSign(request);
  ASSERT_TRUE(signed_request.ok()) << signed_request.status();
  EXPECT_EQ(SignatureOf(*signed_request),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(CanonicalHeadersTest, LowerCasesTrimsCollapsesJoinsAndSorts) {
  absl::StatusOr<CanonicalHeaderSet> set = CanonicalHeaders({{"X-Zeta", "  last  "},
                                                             {"My-Header1", "    a   b   c  "},
                                                             {"my-header1", "\tsecond\t value "},
                                                             {"My-Header2", "\"a   b   c\""},
                                                             {"Empty", ""}},
                                                            "example.amazonaws.com");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->canonical,
            "empty:\n"
            "host:example.amazonaws.com\n"
            "my-header1:a b c,second value\n"
            "my-header2:\"a b c\"\n"
            "x-zeta:last\n");
  EXPECT_EQ(set->signed_names, "empty;host;my-header1;my-header2;x-zeta");
}

TEST(CanonicalHeadersTest, CallersHostWins) {
  absl::StatusOr<CanonicalHeaderSet> set =
      CanonicalHeaders({{"HOST", "Example.com:8000"}}, "ignored");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->canonical, "host:Example.com:8000\n");
}

TEST(CanonicalHeadersTest, HostFromUrlKeepsOnlyANonDefaultPort) {
  auto signed_host = [](const std::string& url) {
    SignableRequest request{"GET", url, {}, ""};
    absl::StatusOr<SignedRequest> signed_request = SuiteSign(request);
    if (!signed_request.ok()) return std::string("error");
    const std::string& canonical = signed_request->canonical_request;
    const size_t start = canonical.find("host:") + 5;
    return canonical.substr(start, canonical.find('\n', start) - start);
  };
  EXPECT_EQ(signed_host("https://Example.COM:443/"), "example.com");
  EXPECT_EQ(signed_host("http://example.com:80/"), "example.com");
  EXPECT_EQ(signed_host("http://localhost:8000/"), "localhost:8000");
  EXPECT_EQ(signed_host("https://example.com:80/"), "example.com:80");
  EXPECT_EQ(signed_host("http://user:pw@[::1]:9000/"), "[::1]:9000");
}

TEST(CanonicalHeadersTest, RejectsInjectionAndBadNames) {
  EXPECT_THAT(CanonicalHeaders({{"X-A", "a\r\nX-B: b"}}, "h").status().message(),
              HasSubstr("header \"X-A\": value contains CR, LF or NUL"));
  EXPECT_THAT(CanonicalHeaders({{"Bad Name", "v"}}, "h").status().message(),
              HasSubstr("is not an HTTP token"));
  EXPECT_THAT(CanonicalHeaders({{"", "v"}}, "h").status().message(),
              HasSubstr("is not an HTTP token"));
}

TEST(CanonicalQueryTest, SortsByEncodedNameThenValue) {
  EXPECT_EQ(*CanonicalQueryString("b=2&a=1&A=0&a=0"), "A=0&a=0&a=1&b=2");
  EXPECT_EQ(*CanonicalQueryString("Param-3=Value3&Param=Value2&%E1%88%B4=Value1"),
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3");
}

TEST(CanonicalQueryTest, EncodesPerRfc3986) {
  // Space is %20 (never '+'); a literal '+' becomes %2B; unreserved
  // characters are decoded even when the client escaped them.
  EXPECT_EQ(*CanonicalQueryString("q=a%20b&p=1+1&t=%7e~&s=*&e=%3D%26"),
            "e=%3D%26&p=1%2B1&q=a%20b&s=%2A&t=~~");
  EXPECT_EQ(*CanonicalQueryString("u=\xc3\xa9&v=%c3%a9"), "u=%C3%A9&v=%C3%A9");
  EXPECT_EQ(*CanonicalQueryString("x==y"), "x=%3Dy");
}

TEST(CanonicalQueryTest, EmptyValuesBareKeysAndEmptyComponents) {
  EXPECT_EQ(*CanonicalQueryString(""), "");
  EXPECT_EQ(*CanonicalQueryString("flag&k="), "flag=&k=");
  EXPECT_EQ(*CanonicalQueryString("a=1&&b=2&"), "a=1&b=2");
  EXPECT_EQ(*CanonicalQueryString("=v"), "=v");
}

TEST(CanonicalQueryTest, MalformedEscapeIsAnError) {
  absl::StatusOr<std::string> query = CanonicalQueryString("ok=1&bad=%zz");
  EXPECT_EQ(query.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(query.status().message(), HasSubstr("url query parameter \"bad\": malformed"));
  EXPECT_FALSE(CanonicalQueryString("a=%4").ok());
  EXPECT_FALSE(CanonicalQueryString("a%=1").ok());
}

TEST(CanonicalUriTest, StandardRulesNormaliseAndEncodeTwice) {
  EXPECT_EQ(*CanonicalUri("", UriPathRules::kStandard), "/");
  EXPECT_EQ(*CanonicalUri("/", UriPathRules::kStandard), "/");
  EXPECT_EQ(*CanonicalUri("/example/..", UriPathRules::kStandard), "/");
  EXPECT_EQ(*CanonicalUri("/example1/example2/../..", UriPathRules::kStandard), "/");
  EXPECT_EQ(*CanonicalUri("/./a/./b/", UriPathRules::kStandard), "/a/b/");
  EXPECT_EQ(*CanonicalUri("//a///b", UriPathRules::kStandard), "/a/b");
  EXPECT_EQ(*CanonicalUri("/../..", UriPathRules::kStandard), "/");
  // An escape on the wire is escaped again.
  EXPECT_EQ(*CanonicalUri("/a%20b/c%2Fd", UriPathRules::kStandard), "/a%2520b/c%252Fd");
  // Raw bytes are escaped once; '~' never is.
  EXPECT_EQ(*CanonicalUri("/\xe1\x88\xb4/a b~*", UriPathRules::kStandard), "/%E1%88%B4/a%20b~%2A");
}

TEST(CanonicalUriTest, S3RulesKeepThePathAndEncodeOnce) {
  EXPECT_EQ(*CanonicalUri("/bucket//key/../x%20y", UriPathRules::kS3), "/bucket//key/../x%20y");
  EXPECT_EQ(*CanonicalUri("/a b/%7e", UriPathRules::kS3), "/a%20b/~");
  EXPECT_FALSE(CanonicalUri("/%", UriPathRules::kS3).ok());
}

TEST(UriEncodeTest, UnreservedAndSlash) {
  EXPECT_EQ(UriEncode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("a/b c", false), "a%2Fb%20c");
  EXPECT_EQ(UriEncode("a/b c", true), "a/b%20c");
  EXPECT_EQ(UriEncode(std::string("\0\xff", 2), false), "%00%FF");
  EXPECT_EQ(*UriDecode("a%2fb+c%41", "x"), "a/b+cA");
}

TEST(SignRequestTest, ErrorsNameTheField) {
  SignableRequest request{"GET", "https://example.amazonaws.com/", {}, ""};
  auto error_of = [](const SignableRequest& r, const Credentials& c, const SigningParams& p) {
    absl::StatusOr<SignedRequest> s = SignRequest(r, c, p);
    return s.ok() ? std::string("ok") : std::string(s.status().message());
  };
  SigningParams no_service = SuiteParams("");
  EXPECT_EQ(error_of(request, SuiteCredentials(), no_service), "sigv4: service is empty");
  SigningParams no_region = SuiteParams();
  no_region.region = "";
  EXPECT_EQ(error_of(request, SuiteCredentials(), no_region), "sigv4: region is empty");
  EXPECT_EQ(error_of({"", request.url, {}, ""}, SuiteCredentials(), SuiteParams()),
            "sigv4: method is empty");
  EXPECT_EQ(error_of(request, Credentials{}, SuiteParams()),
            "sigv4: credentials access key id is empty");
  Credentials no_secret = SuiteCredentials();
  no_secret.secret_access_key.clear();
  EXPECT_EQ(error_of(request, no_secret, SuiteParams()),
            "sigv4: credentials secret access key is empty");
  EXPECT_THAT(error_of({"GET", "example.com/", {}, ""}, SuiteCredentials(), SuiteParams()),
              HasSubstr("no scheme"));
  EXPECT_THAT(
      error_of({"GET", "https://example.com/?a=%G0", {}, ""}, SuiteCredentials(), SuiteParams()),
      HasSubstr("malformed percent-escape"));
  EXPECT_THAT(
      error_of({"GET", request.url, {{"X", "a\nb"}}, ""}, SuiteCredentials(), SuiteParams()),
      HasSubstr("CR, LF or NUL"));
}

TEST(SignRequestTest, FormatsTheDate) {
  EXPECT_EQ(FormatAmzDate(SuiteTime()), "20150830T123600Z");
  EXPECT_EQ(FormatAmzDate(absl::FromUnixSeconds(951868799)), "20000229T235959Z");
}

}  // namespace
}  // namespace inkdex::aws
