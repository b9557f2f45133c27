// RecordMapper::ParseRecordsPage: a GetRecords page read by the stream
// reader, its records mapped straight from simdjson's DOM where the direct
// path serves (StreamRecord::premapped), and everything else read as
// ParseRecordsPageForMapping reads it; AttachPremapped; StreamsClientSource
// with a mapper, through the real StreamsClient.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "aws/http_client.h"
#include "dynamodb/client_config.h"
#include "dynamodb/fast_json.h"
#include "dynamodb/streams_client.h"
#include "stream/fake_stream_source_util.h"
#include "stream/record_batch.h"
#include "stream/record_mapper.h"
#include "stream/stream_applier.h"
#include "stream/stream_record_test_util.h"
#include "stream/stream_source.h"

namespace inkdex::stream {
namespace {

using dynamodb::RecordsPage;
using dynamodb::RecordsPageOfAnswer;
using dynamodb::StreamRecord;
using nlohmann::json;
using testing::ArtistImage;
using testing::KeysOf;
using testing::LambdaRecord;
using testing::OtherMappers;
using testing::Outcome;
using testing::RecordFields;
using testing::Taxonomy;
using testing::VariedItemTexts;
using testing::VariedRecordTexts;

using Premapped = std::vector<std::shared_ptr<const MappedRecord>>;

// An answer whose array `array_key` holds `elements` (JSON texts), after
// `members` (JSON text of other members, each followed by a comma).
std::string AnswerText(std::string_view members, std::string_view array_key,
                       const std::vector<std::string>& elements) {
  std::string page = "{";
  page.append(members).append("\"").append(array_key).append("\":[");
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) page += ",";
    page += elements[i];
  }
  return page + "]}";
}

// A GetRecords answer holding `records` (JSON texts).
std::string PageText(const std::vector<std::string>& records, const std::string& next = "it") {
  return AnswerText(next.empty() ? "" : R"("NextShardIterator":")" + next + "\",", "Records",
                    records);
}

// The page as the reader reads it with `mapper` (premapped), or without.
absl::StatusOr<RecordsPage> ReadPage(const RecordMapper* mapper, const std::string& text,
                                     Premapped* premapped) {
  absl::StatusOr<json> answer = mapper != nullptr ? mapper->ParseRecordsPage(text, premapped)
                                                  : ParseRecordsPageForMapping(text);
  if (!answer.ok()) return answer.status();
  absl::StatusOr<RecordsPage> page = RecordsPageOfAnswer(*std::move(answer));
  if (!page.ok()) return page.status();
  if (absl::Status s = AttachPremapped(*premapped, *page); !s.ok()) return s;
  return page;
}

class RecordPageTest : public ::testing::Test {
 protected:
  RecordMapper mapper_{ItemMapping::Default(), Taxonomy()};
};

// Every record of every page reads and maps as the general path reads and
// maps it, whether the direct path took it or not, under the default
// mapping and mappings it does not serve.
TEST_F(RecordPageTest, PagesMapAsTheGeneralPath) {
  const std::vector<std::unique_ptr<RecordMapper>> others = OtherMappers();
  const std::vector<const RecordMapper*> mappers = testing::AllMappers(mapper_, others);
  const std::vector<std::string> texts = VariedRecordTexts();
  int premapped_records = 0, general_records = 0, pages = 0;
  for (size_t first = 0; first < texts.size(); first += 20) {
    const std::string page = PageText(std::vector<std::string>(
        texts.begin() + first, texts.begin() + std::min(texts.size(), first + 20)));
    for (const RecordMapper* mapper : mappers) {
      Premapped premapped, none;
      const absl::StatusOr<RecordsPage> got = ReadPage(mapper, page, &premapped);
      const absl::StatusOr<RecordsPage> want = ReadPage(nullptr, page, &none);
      ASSERT_EQ(got.status(), want.status()) << page;
      if (!got.ok()) continue;  // the page with invalid UTF-8: both refuse it
      ++pages;
      EXPECT_EQ(got->next_shard_iterator, want->next_shard_iterator);
      ASSERT_EQ(got->records.size(), want->records.size());
      if (mapper != &mapper_) {
        EXPECT_TRUE(premapped.empty()) << "a mapping the direct path does not serve";
      }
      for (size_t i = 0; i < got->records.size(); ++i) {
        const StreamRecord& a = got->records[i];
        const StreamRecord& b = want->records[i];
        EXPECT_EQ(RecordFields(a), RecordFields(b)) << texts[first + i];
        EXPECT_EQ(Outcome(mapper->Map(a)), Outcome(mapper->Map(b))) << texts[first + i];
        if (a.premapped != nullptr) {
          ++premapped_records;
          EXPECT_EQ(a.premapped->action, RecordAction::kUpsert);
          EXPECT_TRUE(a.new_image.is_null() && a.old_image.is_null()) << "never copied";
        } else {
          ++general_records;
        }
      }
    }
  }
  EXPECT_GE(pages, static_cast<int>(texts.size() / 20));
  // The INSERTs and MODIFYs of an artist with Keys and a NewImage that maps
  // (2 x 4 in the grid), the rich item and the PROFILE item, at least.
  EXPECT_GE(premapped_records, 2 * 4 + 2);
  EXPECT_GT(general_records, premapped_records);
}

// What only the general reading can read the way nlohmann does, and what
// the reader must report as before.
TEST_F(RecordPageTest, PagesTheDirectPathCannotReadAreReadWhole) {
  const json image = ArtistImage("a1");
  const std::string record = LambdaRecord("MODIFY", "42", KeysOf(image), image, image).dump();
  Premapped premapped, none;

  // A plain page: its record is mapped as read.
  absl::StatusOr<RecordsPage> plain = ReadPage(&mapper_, PageText({record}), &premapped);
  ASSERT_TRUE(plain.ok()) << plain.status();
  ASSERT_EQ(premapped.size(), 1u);
  ASSERT_NE(plain->records[0].premapped, nullptr);
  EXPECT_EQ(plain->records[0].premapped->artist.name(), "Sarah Mitchell");

  // "Records" twice: nlohmann keeps the last, so the page is read whole.
  const std::string twice = R"({"Records":[)" + record + R"(],"Records":[)" +
                            LambdaRecord("MODIFY", "43", KeysOf(image), image, nullptr).dump() +
                            "]}";
  absl::StatusOr<RecordsPage> got = ReadPage(&mapper_, twice, &premapped);
  absl::StatusOr<RecordsPage> want = ReadPage(nullptr, twice, &none);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(premapped.empty());
  ASSERT_EQ(got->records.size(), 1u);
  EXPECT_EQ(got->records[0].sequence_number, "43");
  EXPECT_EQ(RecordFields(got->records[0]), RecordFields(want->records[0]));
  EXPECT_EQ(got->records[0].premapped, nullptr);

  // Not JSON, no Records array, Records not an array, a record without a
  // sequence number: the errors of the general reading.
  for (const std::string& text :
       {std::string(R"({"Records":[)"), std::string(R"({"NextShardIterator":"x"})"),
        std::string(R"({"Records":{"a":1}})"), std::string(R"({"Records":[{"dynamodb":{}}]})"),
        std::string("[1,2]")}) {
    got = ReadPage(&mapper_, text, &premapped);
    want = ReadPage(nullptr, text, &none);
    EXPECT_EQ(got.status(), want.status()) << text;
    EXPECT_FALSE(got.ok()) << text;
  }

  // A page of the general reading's records only: nothing premapped, but a
  // slot for each record.
  const std::string remove = LambdaRecord("REMOVE", "44", KeysOf(image), nullptr, image).dump();
  got = ReadPage(&mapper_, PageText({remove, record}), &premapped);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(premapped.size(), 2u);
  EXPECT_EQ(premapped[0], nullptr);
  EXPECT_NE(premapped[1], nullptr);
  EXPECT_TRUE(got->records[0].old_image.is_object()) << "a REMOVE keeps its OldImage";
  EXPECT_EQ(mapper_.Map(got->records[0]).action, RecordAction::kDelete);
}

// Repeated keys at any depth of the parts the direct path reads send the
// record to the general path; repeated keys in the OldImage it never reads
// do not.
TEST_F(RecordPageTest, RepeatedKeysAreLeftToTheGeneralReading) {
  json wide = ArtistImage("w1");
  for (int i = 0; i < 140; ++i) wide[absl::StrCat("extra", i)] = {{"S", "x"}};
  json middling = ArtistImage("m1");
  for (int i = 0; i < 40; ++i) middling[absl::StrCat("extra", i)] = {{"S", "x"}};
  const json small = ArtistImage("s1");
  for (const json* image : std::vector<const json*>{&small, &middling, &wide}) {
    const std::string plain = LambdaRecord("MODIFY", "7", KeysOf(*image), *image, *image).dump();
    // The NewImage's first attribute named again: the general reading
    // keeps the last, the DOM would read the first.
    std::string repeated = plain;
    const size_t new_image = repeated.find(R"("NewImage":{)") + 12;
    repeated.insert(new_image, R"("artistName":{"S":"Earlier"},)");
    // The same in the OldImage, which neither reading maps.
    std::string in_old = plain;
    const size_t old_image = in_old.find(R"("OldImage":{)") + 12;
    in_old.insert(old_image, R"("artistName":{"S":"Earlier"},)");
    for (const std::string* text : std::vector<const std::string*>{&plain, &repeated, &in_old}) {
      Premapped premapped, none;
      absl::StatusOr<RecordsPage> got = ReadPage(&mapper_, PageText({*text}), &premapped);
      absl::StatusOr<RecordsPage> want = ReadPage(nullptr, PageText({*text}), &none);
      ASSERT_TRUE(got.ok() && want.ok()) << got.status() << want.status();
      EXPECT_EQ(got->records[0].premapped != nullptr, text != &repeated)
          << image->size() << " attributes";
      EXPECT_EQ(Outcome(mapper_.Map(got->records[0])), Outcome(mapper_.Map(want->records[0])));
      EXPECT_EQ(mapper_.Map(got->records[0]).artist.name(), "Sarah Mitchell");
    }
  }
}

TEST(AttachPremappedTest, SetsEachRecordByPositionAndRefusesOtherCounts) {
  RecordsPage page;
  page.records.resize(2);
  EXPECT_TRUE(AttachPremapped({}, page).ok());
  EXPECT_EQ(page.records[0].premapped, nullptr);
  MappedRecord x;
  x.artist_id = "x";
  auto mapped = std::make_shared<const MappedRecord>(x);
  absl::Status mismatch = AttachPremapped({mapped}, page);
  EXPECT_EQ(mismatch.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(page.records[0].premapped, nullptr);
  ASSERT_TRUE(AttachPremapped({nullptr, mapped}, page).ok());
  EXPECT_EQ(page.records[0].premapped, nullptr);
  EXPECT_EQ(page.records[1].premapped, mapped);
}

// Map returns a premapped record's mapping as it is, without reading the
// record (whose images were never copied).
TEST_F(RecordPageTest, MapReturnsThePremappedMapping) {
  StreamRecord record;
  record.sequence_number = "5";
  record.event_name = "MODIFY";
  MappedRecord mapped;
  mapped.action = RecordAction::kUpsert;
  mapped.artist_id = "p1";
  mapped.artist.set_id("p1");
  mapped.artist.set_name("Mapped While Read");
  mapped.sequence_number = "5";
  record.premapped = std::make_shared<const MappedRecord>(mapped);
  EXPECT_EQ(Outcome(mapper_.Map(record)), Outcome(mapped));
  record.premapped = nullptr;
  EXPECT_EQ(mapper_.Map(record).action, RecordAction::kReject) << "no keys, no images";
}

// A premapped batch commits its mappings, and a retry after a failed commit
// commits them whole again (the first commit moved its artists away).
TEST_F(RecordPageTest, PremappedRecordsCommitAndSurviveARetry) {
  const json image = ArtistImage("a1");
  Premapped premapped;
  absl::StatusOr<RecordsPage> page = ReadPage(
      &mapper_,
      PageText(
          {LambdaRecord("INSERT", "000000000000000000042", KeysOf(image), image, nullptr).dump()}),
      &premapped);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_NE(page->records[0].premapped, nullptr);
  ShardBatch batch;
  batch.stream_arn = testing::kArn;
  batch.shard_id = "shardId-1";
  batch.records = std::move(page->records);
  batch.last_sequence_number = "000000000000000000042";
  std::vector<WriteBatch> commits;
  StreamApplier applier(mapper_, testing::RecordingCommit(&commits, /*failures=*/1), nullptr);
  applier.Prepare(batch);
  EXPECT_EQ(applier.Apply(batch).code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(applier.Apply(batch).ok());
  ASSERT_EQ(commits.size(), 2u);
  for (const WriteBatch& b : commits) {
    ASSERT_EQ(b.changes().size(), 1u);
    EXPECT_EQ(b.changes()[0].artist.id(), "a1");
    EXPECT_EQ(b.changes()[0].artist.name(), "Sarah Mitchell");
    EXPECT_EQ(b.changes()[0].artist.stream_sequence(), "000000000000000000042");
  }
  EXPECT_EQ(batch.records[0].premapped->artist.name(), "Sarah Mitchell") << "left whole";
}

// Answers every request with one GetRecords body.
class GetRecordsHttp final : public aws::HttpClient {
 public:
  explicit GetRecordsHttp(std::string body) : body_(std::move(body)) {}
  absl::StatusOr<aws::HttpResponse> Send(const aws::HttpRequest&) override {
    aws::HttpResponse response;
    response.status_code = 200;
    response.body = body_;
    return response;
  }

 private:
  const std::string body_;
};

// StreamsClientSource maps the records as it reads a page when given the
// mapper, and leaves them to the sink without one.
TEST_F(RecordPageTest, AStreamsClientSourceWithAMapperMapsAsItReads) {
  const json image = ArtistImage("a1");
  const json studio = json{{"PK", {{"S", "STUDIO#s"}}}, {"SK", {{"S", "METADATA"}}}};
  GetRecordsHttp http(
      PageText({LambdaRecord("MODIFY", "42", KeysOf(image), image, image).dump(),
                LambdaRecord("INSERT", "43", KeysOf(studio), studio, nullptr).dump()},
               "next-1"));
  testing::StaticCredentials credentials;
  dynamodb::ClientConfig config;
  config.region = "eu-west-1";
  config.endpoint_override = "http://127.0.0.1:9";  // never contacted: the answer is canned
  config.retry.max_attempts = 1;
  absl::StatusOr<std::unique_ptr<dynamodb::StreamsClient>> client =
      dynamodb::StreamsClient::Create(config, http, credentials);
  ASSERT_TRUE(client.ok()) << client.status();

  StreamsClientSource mapping(**client, &mapper_);
  absl::StatusOr<RecordsPage> page = mapping.GetRecords("it-0", 1000);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->records.size(), 2u);
  EXPECT_EQ(page->next_shard_iterator, "next-1");
  ASSERT_NE(page->records[0].premapped, nullptr);
  EXPECT_EQ(page->records[0].premapped->artist_id, "a1");
  EXPECT_EQ(page->records[1].premapped, nullptr);
  EXPECT_EQ(mapper_.Map(page->records[1]).action, RecordAction::kIgnore);

  StreamsClientSource plain(**client);
  absl::StatusOr<RecordsPage> whole = plain.GetRecords("it-0", 1000);
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(whole->records[0].premapped, nullptr);
  EXPECT_TRUE(whole->records[0].new_image.is_object());
  EXPECT_EQ(Outcome(mapper_.Map(whole->records[0])), Outcome(mapper_.Map(page->records[0])));
}

// A Scan page's items map as MapItem maps them from the whole page, whether
// mapped as read or not, under the default mapping and others.
TEST_F(RecordPageTest, ScanPagesMapAsMapItem) {
  const std::vector<std::unique_ptr<RecordMapper>> others = OtherMappers();
  const std::vector<const RecordMapper*> mappers = testing::AllMappers(mapper_, others);
  const std::vector<std::string> items = VariedItemTexts();
  int direct = 0, general = 0, pages = 0;
  for (size_t first = 0; first < items.size(); first += 20) {
    const std::string page =
        AnswerText(R"("Count":3,"ScannedCount":20,"LastEvaluatedKey":{"PK":{"S":"x"}},)", "Items",
                   std::vector<std::string>(items.begin() + first,
                                            items.begin() + std::min(items.size(), first + 20)));
    for (const RecordMapper* mapper : mappers) {
      std::vector<std::optional<MappedRecord>> premapped;
      absl::StatusOr<json> got = mapper->ParseScanPage(page, &premapped);
      absl::StatusOr<json> want = dynamodb::ParseJson(page);
      ASSERT_EQ(got.status(), want.status()) << page;
      if (!got.ok()) continue;
      ++pages;
      ASSERT_EQ((*got)["Items"].size(), (*want)["Items"].size());
      for (const char* member : {"Count", "ScannedCount", "LastEvaluatedKey"}) {
        EXPECT_EQ((*got)[member], (*want)[member]) << member;
      }
      if (mapper != &mapper_) {
        EXPECT_TRUE(premapped.empty());
      }
      for (size_t i = 0; i < (*got)["Items"].size(); ++i) {
        const bool mapped = i < premapped.size() && premapped[i].has_value();
        const MappedRecord m = mapped ? *premapped[i] : mapper->MapItem((*got)["Items"][i]);
        EXPECT_EQ(Outcome(m), Outcome(mapper->MapItem((*want)["Items"][i]))) << items[first + i];
        if (mapped) {
          ++direct;
          EXPECT_EQ((*got)["Items"][i], json::object()) << "a stand-in";
          EXPECT_EQ(m.artist.stream_sequence(), "") << "never an attribute's";
        } else {
          ++general;
        }
      }
    }
  }
  EXPECT_GE(pages, static_cast<int>(items.size() / 20));
  EXPECT_GE(direct, 10);
  EXPECT_GT(general, direct);

  // Pages read whole: nothing mapped as read, the answer ParseJson's.
  for (const std::string& text :
       {std::string(R"({"Items":[)" + ArtistImage("w").dump() + R"(],"Items":[]})"),
        std::string(R"({"Count":0})"), std::string(R"({"Items":{}})"), std::string("[]"),
        std::string(R"({"Items":[)")}) {
    std::vector<std::optional<MappedRecord>> premapped;
    absl::StatusOr<json> got = mapper_.ParseScanPage(text, &premapped);
    absl::StatusOr<json> want = dynamodb::ParseJson(text);
    ASSERT_EQ(got.status(), want.status()) << text;
    EXPECT_TRUE(premapped.empty()) << text;
    if (got.ok()) {
      EXPECT_EQ(*got, *want) << text;
    }
  }
}

}  // namespace
}  // namespace inkdex::stream
