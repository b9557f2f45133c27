// Stream records as GetRecords and Lambda events give them, and the table a
// stream ARN names.
#include "dynamodb/stream_record.h"

#include <gtest/gtest.h>

namespace inkdex::dynamodb {
namespace {

using nlohmann::json;

TEST(StreamRecordTest, ParsesALambdaRecord) {
  const json raw = json::parse(R"({
    "eventID": "e1", "eventName": "MODIFY",
    "eventSourceARN": "arn:aws:dynamodb:eu-west-2:123456789012:table/directory/stream/2026-01-01T00:00:00.000",
    "dynamodb": {"SequenceNumber": "000000000000000000042", "SizeBytes": 120,
                 "ApproximateCreationDateTime": 1767225600.5,
                 "StreamViewType": "NEW_AND_OLD_IMAGES",
                 "Keys": {"PK": {"S": "ARTIST#1"}}, "NewImage": {"PK": {"S": "ARTIST#1"}}}})");
  absl::StatusOr<StreamRecord> record = ParseStreamRecord(raw);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->event_name, "MODIFY");
  EXPECT_EQ(record->sequence_number, "000000000000000000042");
  EXPECT_EQ(record->size_bytes, 120);
  EXPECT_EQ(record->approximate_creation_time, absl::FromUnixMillis(1767225600500));
  EXPECT_TRUE(record->old_image.is_null());
  EXPECT_EQ(record->new_image["PK"]["S"], "ARTIST#1");
  EXPECT_EQ(TableOfStreamArn(record->event_source_arn), "directory");
}

// The maps are moved out of the record, not copied; the rest stays in raw.
TEST(StreamRecordTest, TheMapsAreMovedOutOfTheRawRecord) {
  json raw = json::parse(R"({"eventID": "e2", "eventName": "MODIFY",
    "dynamodb": {"SequenceNumber": "7", "Keys": {"PK": {"S": "ARTIST#2"}},
                 "NewImage": {"PK": {"S": "ARTIST#2"}, "rating": {"N": "4"}},
                 "OldImage": {"PK": {"S": "ARTIST#2"}, "rating": {"N": "3"}}}})");
  const json given = raw;
  absl::StatusOr<StreamRecord> record = ParseStreamRecord(std::move(raw));
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->keys, given["dynamodb"]["Keys"]);
  EXPECT_EQ(record->new_image, given["dynamodb"]["NewImage"]);
  EXPECT_EQ(record->old_image, given["dynamodb"]["OldImage"]);
  EXPECT_EQ(record->raw["eventID"], "e2");
  EXPECT_EQ(record->raw["dynamodb"]["SequenceNumber"], "7");
  EXPECT_TRUE(record->raw["dynamodb"]["NewImage"].is_null());

  // Given by reference, the caller's record is left whole.
  record = ParseStreamRecord(given);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->new_image, given["dynamodb"]["NewImage"]);
  EXPECT_EQ(given["dynamodb"]["NewImage"]["rating"]["N"], "4");
}

TEST(StreamRecordTest, NeedsASequenceNumber) {
  EXPECT_EQ(ParseStreamRecord(json::array()).status().message(), "record: must be an object");
  EXPECT_EQ(ParseStreamRecord(json::object()).status().message(),
            "dynamodb: missing or not an object");
  EXPECT_EQ(ParseStreamRecord(json{{"dynamodb", json::object()}}).status().message(),
            "dynamodb.SequenceNumber: missing");
}

TEST(StreamRecordTest, TableOfStreamArnReadsOnlyStreamArns) {
  EXPECT_EQ(TableOfStreamArn("arn:aws:dynamodb:us-east-1:000000000000:table/directory/stream/2026"),
            "directory");
  EXPECT_EQ(TableOfStreamArn("arn:aws-cn:dynamodb:cn-north-1:1:table/a.b-c_d/stream/x:y"),
            "a.b-c_d");
  for (const char* arn :
       {"", "directory", "arn:aws:dynamodb:us-east-1:000000000000:table/directory",
        "arn:aws:dynamodb:us-east-1:000000000000:table/directory/index/byCity",
        "arn:aws:dynamodb:us-east-1:000000000000:table//stream/2026",
        "arn:aws:dynamodb:us-east-1:000000000000:table/directory/stream/",
        "arn:aws:kinesis:us-east-1:000000000000:table/directory/stream/2026",
        "arn:aws:dynamodb:us-east-1:table/directory/stream/2026"}) {
    EXPECT_EQ(TableOfStreamArn(arn), std::nullopt) << arn;
  }
}

}  // namespace
}  // namespace inkdex::dynamodb
