#include "stream/stream_record_test_util.h"

#include <gtest/gtest.h>

#include <iterator>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "dynamodb/fast_json.h"
#include "stream/item_mapping.h"

namespace inkdex::stream::testing {

using dynamodb::StreamRecord;
using nlohmann::json;

std::shared_ptr<const StyleTaxonomy> Taxonomy() {
  static const std::shared_ptr<const StyleTaxonomy> taxonomy =
      std::make_shared<const StyleTaxonomy>(StyleTaxonomy::Default().value());
  return taxonomy;
}

json ArtistImage(const std::string& id, const std::string& sk) {
  return json{{"PK", {{"S", "ARTIST#" + id}}},
              {"SK", {{"S", sk}}},
              {"artistId", {{"S", id}}},
              {"artistName", {{"S", "Sarah Mitchell"}}},
              {"latitude", {{"N", "51.5225"}}},
              {"longitude", {{"N", "-0.0786"}}},
              {"styles", {{"L", {{{"S", "neo-traditional"}}, {{"S", "koi-fish"}}}}}},
              {"rating", {{"N", "4.8"}}},
              {"gsi1pk", {{"S", "CITY#london"}}}};
}

json KeysOf(const json& image) { return json{{"PK", image["PK"]}, {"SK", image["SK"]}}; }

json LambdaRecord(const std::string& event, const std::string& seq, const json& keys,
                  const json& new_image, const json& old_image) {
  json dynamodb{{"SequenceNumber", seq},
                {"Keys", keys},
                {"SizeBytes", 321},
                {"ApproximateCreationDateTime", 1767225600},
                {"StreamViewType", "NEW_AND_OLD_IMAGES"}};
  if (!new_image.is_null()) dynamodb["NewImage"] = new_image;
  if (!old_image.is_null()) dynamodb["OldImage"] = old_image;
  return json{{"eventID", "ev-" + seq},        {"eventName", event},       {"eventVersion", "1.1"},
              {"eventSource", "aws:dynamodb"}, {"awsRegion", "us-east-1"}, {"dynamodb", dynamodb},
              {"eventSourceARN", kArn}};
}

json RandomJson(std::mt19937& rng, int depth) {
  static const char* const kNames[] = {"eventName",  "dynamodb",  "SequenceNumber",
                                       "Keys",       "NewImage",  "OldImage",
                                       "PK",         "SK",        "S",
                                       "N",          "M",         "L",
                                       "BOOL",       "latitude",  "longitude",
                                       "artistName", "opted_out", "isActive",
                                       "styles",     "artistId"};
  static const char* const kStrings[] = {"INSERT",  "MODIFY",   "REMOVE",  "ARTIST#a",
                                         "ARTIST#", "METADATA", "PROFILE", "12",
                                         "",        "51.5",     "true",    "\xc3\xa9"};
  std::uniform_int_distribution<int> kind(0, depth > 3 ? 4 : 6);
  switch (kind(rng)) {
    case 0:
      return nullptr;
    case 1:
      return std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    case 2:
      return std::uniform_int_distribution<int>(-1000, 1000)(rng) * 0.37;
    case 3:
    case 4:
      return kStrings[std::uniform_int_distribution<size_t>(0, std::size(kStrings) - 1)(rng)];
    case 5: {
      json array = json::array();
      for (int i = std::uniform_int_distribution<int>(0, 3)(rng); i > 0; --i) {
        array.push_back(RandomJson(rng, depth + 1));
      }
      return array;
    }
    default: {
      json object = json::object();
      for (int i = std::uniform_int_distribution<int>(0, 5)(rng); i > 0; --i) {
        object[kNames[std::uniform_int_distribution<size_t>(0, std::size(kNames) - 1)(rng)]] =
            RandomJson(rng, depth + 1);
      }
      return object;
    }
  }
}

std::string Outcome(const MappedRecord& r) {
  std::string artist;
  r.artist.SerializeToString(&artist);
  return absl::StrCat(static_cast<int>(r.action), "|", r.artist_id, "|", r.sequence_number, "|",
                      r.reason, "|", absl::StrJoin(r.warnings, ";"), "|", r.source_rank, "|",
                      artist);
}

std::vector<std::string> VariedRecordTexts() {
  const json image = ArtistImage("a-1");
  const json studio = json{{"PK", {{"S", "STUDIO#s"}}}, {"SK", {{"S", "METADATA"}}}};
  const json broken = [] {
    json b = ArtistImage("a-2");
    b.erase("latitude");
    b["opted_out"] = json{{"BOOL", true}};
    return b;
  }();
  std::vector<json> records;
  for (const char* event : {"INSERT", "MODIFY", "REMOVE", "UPDATE"}) {
    for (const json* keys : {&image, &studio, static_cast<const json*>(nullptr)}) {
      for (const json* new_image : {&image, &broken, static_cast<const json*>(nullptr)}) {
        for (const json* old_image :
             {&image, &studio, &broken, static_cast<const json*>(nullptr)}) {
          json raw = LambdaRecord(event, "100", keys ? KeysOf(*keys) : json(),
                                  new_image ? *new_image : json(), old_image ? *old_image : json());
          if (keys == nullptr) raw["dynamodb"].erase("Keys");
          records.push_back(std::move(raw));
        }
      }
    }
  }
  json rich = ArtistImage("rich-1");
  rich["instagramHandle"] = {{"S", " @Rich.Ink "}};
  rich["studioInfo"] = {{"M",
                         {{"studioId", {{"S", "st-9"}}},
                          {"studioName", {{"S", "Zürich Ink 東京"}}},
                          {"address", {{"S", "1 Main St"}}}}}};
  rich["specialties"] = {{"SS", {"koi", " roses ", ""}}};
  rich["pricing"] = {{"M", {{"hourlyRate", {{"N", "120"}}}, {"currency", {{"S", "gbp"}}}}}};
  rich["availability"] = {
      {"M", {{"bookingOpen", {{"BOOL", true}}}, {"nextAvailable", {{"S", "2026-12-24"}}}}}};
  rich["guestSpots"] = {{"L",
                         {{{"M",
                            {{"locationCity", {{"S", "Berlin"}}},
                             {"latitude", {{"N", "52.52"}}},
                             {"longitude", {{"N", "13.40"}}},
                             {"from", {{"S", "2027-01-01"}}},
                             {"to", {{"S", "2027-01-09"}}}}}}}}};
  rich["reviewCount"] = {{"N", "12"}};
  rich["isActive"] = {{"N", "1"}};
  rich["version"] = {{"N", "77"}};
  rich["streamSequence"] = {{"S", "999"}};
  rich["styles"] = {{"L", {{{"S", "Fine Line"}}, {{"S", "no-such-style"}}, {{"S", "irezumi"}}}}};
  rich["bio"] = {{"S", "Older spelling of biography"}};
  records.push_back(LambdaRecord("MODIFY", "5", KeysOf(rich), rich, image));
  records.push_back(LambdaRecord("INSERT", "6", KeysOf(ArtistImage("p-1", "PROFILE")),
                                 ArtistImage("p-1", "PROFILE"), nullptr));
  json other_id = image;
  other_id["artistId"] = {{"S", "someone-else"}};
  records.push_back(LambdaRecord("MODIFY", "7", KeysOf(image), other_id, image));
  json no_id = image;
  no_id.erase("artistId");
  records.push_back(LambdaRecord("MODIFY", "8", KeysOf(image), no_id, nullptr));
  json hidden = image;
  hidden["optedOut"] = {{"S", "yes"}};
  records.push_back(LambdaRecord("MODIFY", "9", KeysOf(image), hidden, nullptr));
  for (const char* seq : {"", "12a", "01234567890123456789012345678901234567890"}) {
    records.push_back(LambdaRecord("MODIFY", seq, KeysOf(image), image, nullptr));
  }
  json no_name = LambdaRecord("MODIFY", "7", KeysOf(image), image, studio);
  no_name.erase("eventName");
  records.push_back(no_name);
  json numeric_name = no_name;
  numeric_name["eventName"] = 3;
  records.push_back(numeric_name);
  json not_an_object = LambdaRecord("MODIFY", "7", KeysOf(image), image, nullptr);
  not_an_object["dynamodb"]["NewImage"] = json::array({1, 2});
  records.push_back(not_an_object);
  std::mt19937 rng(20261204);
  for (int i = 0; i < 3000; ++i) {
    json dynamodb = RandomJson(rng, 1);
    if (!dynamodb.is_object()) continue;
    dynamodb["SequenceNumber"] = std::to_string(i + 1);
    if (i % 2 == 0) dynamodb["OldImage"] = i % 4 == 0 ? image : RandomJson(rng, 2);
    if (i % 5 == 0) {
      json new_image = image;
      new_image["artistName"] = RandomJson(rng, 2);
      new_image["rating"] = RandomJson(rng, 3);
      dynamodb["NewImage"] = new_image;
      dynamodb["Keys"] = KeysOf(image);
    }
    records.push_back(
        json{{"eventName", i % 3 == 0 ? "REMOVE" : "MODIFY"}, {"dynamodb", dynamodb}});
  }

  std::vector<std::string> texts;
  for (const json& raw : records) texts.push_back(raw.dump());
  // What json cannot hold: repeated keys, invalid UTF-8, deep nesting.
  const std::string plain = LambdaRecord("MODIFY", "50", KeysOf(image), image, image).dump();
  std::string twice = plain;
  twice.replace(twice.find("\"artistName\""), 0, R"("artistName":{"S":"First"},)");
  texts.push_back(twice);
  std::string bad_utf8 = plain;
  bad_utf8.replace(bad_utf8.find("Sarah"), 5,
                   "Sa\xff"
                   "ah");
  texts.push_back(bad_utf8);
  for (int depth : {30, 70}) {
    json deep = json{{"S", "x"}};
    for (int d = 0; d < depth; ++d) deep = json{{"M", {{"k", deep}}}};
    json with_deep = image;
    with_deep["extra"] = deep;
    texts.push_back(LambdaRecord("MODIFY", "51", KeysOf(image), with_deep, nullptr).dump());
    texts.push_back(LambdaRecord("MODIFY", "52", KeysOf(image), image, with_deep).dump());
  }
  texts.push_back(
      R"({"eventName":"MODIFY","dynamodb":{"SequenceNumber":"1","Keys":{"PK":{"S":"ARTIST#n"}},"NewImage":{"n":123456789012345678901234567890}}})");
  // A repeated "dynamodb": the last one counts, OldImage and all.
  texts.push_back(
      R"({"eventName":"REMOVE","dynamodb":{"OldImage":{"PK":{"S":"ARTIST#a1"},"SK":{"S":"METADATA"}}},"dynamodb":{"SequenceNumber":"5"}})");
  texts.push_back(R"({"eventName":"REMOVE","dynamodb":{"OldImage":{}},"dynamodb":1})");
  texts.push_back(
      R"({"eventName":"MODIFY","dynamodb":{"SequenceNumber":"5","Keys":{"PK":{"S":"ARTIST#a1"},"SK":{"S":"METADATA"}}},"dynamodb":)" +
      LambdaRecord("MODIFY", "6", KeysOf(image), image, image)["dynamodb"].dump() + "}");
  // Key attributes named as artist fields (a mapping may name them so).
  for (const char* key : {"createdAt", "version", "location", "artistName", "isActive"}) {
    json keyed = image;
    keyed[key] = {{"S", "2026-01-01T00:00:00Z"}};
    texts.push_back(
        LambdaRecord("INSERT", "60", json{{"PK", image["PK"]}, {key, keyed[key]}}, keyed, nullptr)
            .dump());
    json attr_keyed = keyed;
    attr_keyed["PK"] = {{"S", "anything"}};
    texts.push_back(LambdaRecord("REMOVE", "61", json{{"PK", attr_keyed["PK"]}, {key, keyed[key]}},
                                 nullptr, attr_keyed)
                        .dump());
  }
  return texts;
}

std::vector<std::unique_ptr<RecordMapper>> OtherMappers() {
  std::vector<std::unique_ptr<RecordMapper>> out;
  for (const char* text : {R"({"artistId": {"from": "attribute", "attribute": "artistId"}})",
                           R"({"partitionKey": "PK", "sortKey": "createdAt",
            "artistItems": {"partitionKey": "ARTIST#*", "sortKey": "*"}})",
                           R"({"partitionKey": "PK", "sortKey": "version",
            "artistItems": {"partitionKey": "ARTIST#*", "sortKey": "*"}})",
                           R"({"partitionKey": "location", "sortKey": "SK",
            "artistItems": {"partitionKey": "ARTIST#*", "sortKey": "*"}})",
                           R"({"partitionKey": "PK", "sortKey": "artistName",
            "artistItems": {"partitionKey": "ARTIST#*", "sortKey": "*"}})",
                           R"({"fields": {"artistName": "displayName"}})"}) {
    absl::StatusOr<ItemMapping> mapping = ItemMapping::Parse(text, "other.json");
    EXPECT_TRUE(mapping.ok()) << mapping.status() << " " << text;
    if (mapping.ok())
      out.push_back(std::make_unique<RecordMapper>(*std::move(mapping), Taxonomy()));
  }
  return out;
}

std::string RecordFields(const StreamRecord& r) {
  return absl::StrCat(
      r.event_id, "|", r.event_name, "|", r.event_source_arn, "|", r.sequence_number, "|",
      r.stream_view_type, "|", r.size_bytes, "|",
      r.approximate_creation_time ? absl::FormatTime(*r.approximate_creation_time) : "-", "|",
      r.keys.dump());
}

std::vector<std::string> VariedItemTexts() {
  std::vector<std::string> items;
  for (const std::string& text : VariedRecordTexts()) {
    absl::StatusOr<json> record = dynamodb::ParseJson(text);
    if (!record.ok() || !record->is_object()) continue;
    const auto change = record->find("dynamodb");
    if (change == record->end() || !change->is_object()) continue;
    for (const char* name : {"NewImage", "OldImage"}) {
      if (auto image = change->find(name); image != change->end() && image->is_object()) {
        items.push_back(image->dump());
      }
    }
  }
  const std::string plain = ArtistImage("i1").dump();
  std::string twice = plain;
  twice.insert(1, R"("artistName":{"S":"Earlier"},)");
  items.push_back(twice);
  std::string later_twice = plain;
  later_twice.insert(later_twice.size() - 1, R"(,"artistName":{"S":"Later"})");
  items.push_back(later_twice);
  json wrapped = ArtistImage("i2");
  wrapped["Item"] = {{"M", ArtistImage("i3")}};
  items.push_back(wrapped.dump());
  items.push_back(json{{"Item", ArtistImage("i4")}}.dump());
  json sequenced = ArtistImage("i5");
  sequenced["streamSequence"] = {{"S", "12345"}};
  items.push_back(sequenced.dump());
  return items;
}

std::vector<const RecordMapper*> AllMappers(
    const RecordMapper& first, const std::vector<std::unique_ptr<RecordMapper>>& others) {
  std::vector<const RecordMapper*> mappers = {&first};
  for (const auto& other : others) mappers.push_back(other.get());
  return mappers;
}

CommitFunction RecordingCommit(std::vector<WriteBatch>* commits, int failures) {
  auto left = std::make_shared<int>(failures);
  return [commits, left](const WriteBatch& b) -> absl::StatusOr<std::vector<ChangeResult>> {
    commits->push_back(b);
    if ((*left)-- > 0) return absl::UnavailableError("injected");
    return std::vector<ChangeResult>(b.size(), ChangeResult{});
  };
}

}  // namespace inkdex::stream::testing
