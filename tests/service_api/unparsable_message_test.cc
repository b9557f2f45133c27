#include "api/unparsable_message.h"

#include <string>

#include "gtest/gtest.h"
#include "inkdex/v1/artist_search.pb.h"

namespace inkdex::api {
namespace {

// `message` serialized, with the one occurrence of `marker` replaced by
// bytes that are not UTF-8 (of the same length, so lengths stay right).
template <typename Message>
std::string WithBadBytes(const Message& message, const std::string& marker) {
  std::string bytes = message.SerializeAsString();
  const size_t at = bytes.find(marker);
  EXPECT_NE(at, std::string::npos);
  EXPECT_EQ(bytes.find(marker, at + 1), std::string::npos) << "marker not unique";
  bytes.replace(at, marker.size(), std::string(marker.size(), '\xff'));
  return bytes;
}

template <typename Message>
void ExpectParseFails(const std::string& bytes) {
  Message parsed;
  EXPECT_FALSE(parsed.ParseFromString(bytes)) << "the test's bytes must not parse";
}

TEST(WhyUnparsableTest, NamesATopLevelString) {
  v1::SearchRequest request;
  request.set_text("dragon MARK");
  request.set_limit(5);
  const std::string bytes = WithBadBytes(request, "MARK");
  ExpectParseFails<v1::SearchRequest>(bytes);
  EXPECT_EQ(WhyUnparsable(bytes, *v1::SearchRequest::descriptor()), "text: is not valid UTF-8");
}

TEST(WhyUnparsableTest, NamesTheElementOfARepeatedString) {
  v1::BatchGetArtistsRequest request;
  request.add_ids("a-1");
  request.add_ids("a-2");
  request.add_ids("MARK");
  const std::string bytes = WithBadBytes(request, "MARK");
  ExpectParseFails<v1::BatchGetArtistsRequest>(bytes);
  EXPECT_EQ(WhyUnparsable(bytes, *v1::BatchGetArtistsRequest::descriptor()),
            "ids[2]: is not valid UTF-8");
}

TEST(WhyUnparsableTest, NamesAStringInsideNestedMessages) {
  v1::UpsertArtistsRequest request;
  request.add_artists()->set_id("first");
  Artist* second = request.add_artists();
  second->set_id("second");
  second->mutable_studio()->set_name("Studio MARK");
  const std::string bytes = WithBadBytes(request, "MARK");
  ExpectParseFails<v1::UpsertArtistsRequest>(bytes);
  EXPECT_EQ(WhyUnparsable(bytes, *v1::UpsertArtistsRequest::descriptor()),
            "artists[1].studio.name: is not valid UTF-8");
}

TEST(WhyUnparsableTest, MalformedWireDataIsSaidToBeMalformed) {
  for (const std::string& bytes :
       {std::string("\xff\xff\xff", 3), std::string("\x0a\x05\x61", 3), std::string("\x0b", 1)}) {
    ExpectParseFails<v1::SearchRequest>(bytes);
    EXPECT_EQ(WhyUnparsable(bytes, *v1::SearchRequest::descriptor()),
              "request: is not a valid inkdex.v1.SearchRequest message (malformed protobuf wire "
              "format)");
  }
}

TEST(WhyUnparsableTest, UnknownFieldsAreSkipped) {
  // Field 999, unknown to SearchRequest, holding bytes that are not UTF-8
  // (proto3 keeps such a field without checking it), then a bad `text`.
  v1::SearchRequest request;
  request.set_text("MARK");
  const std::string bytes = std::string("\xba\x3e\x01\xff", 4) + WithBadBytes(request, "MARK");
  ExpectParseFails<v1::SearchRequest>(bytes);
  EXPECT_EQ(WhyUnparsable(bytes, *v1::SearchRequest::descriptor()), "text: is not valid UTF-8");
}

}  // namespace
}  // namespace inkdex::api
