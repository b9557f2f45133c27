// Stream records for the tests of RecordMapper and of the reading of
// GetRecords pages: artist images, records in the Lambda shape, records of
// every shape Map distinguishes, random JSON, mappings that read records
// differently from the default, and what to compare two readings by.
#ifndef INKDEX_TESTS_STREAM_STREAM_RECORD_TEST_UTIL_H_
#define INKDEX_TESTS_STREAM_STREAM_RECORD_TEST_UTIL_H_

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dynamodb/stream_record.h"
#include "inkdex/taxonomy.h"
#include "nlohmann/json.hpp"
#include "stream/record_batch.h"
#include "stream/record_mapper.h"

namespace inkdex::stream::testing {

// The stream ARN of LambdaRecord's records.
inline constexpr char kArn[] =
    "arn:aws:dynamodb:us-east-1:000000000000:table/directory/stream/2026";

// The default taxonomy, loaded once.
std::shared_ptr<const StyleTaxonomy> Taxonomy();

// An artist item of the data model (PK ARTIST#<id>, SK `sk`).
nlohmann::json ArtistImage(const std::string& id, const std::string& sk = "METADATA");

// The PK and SK of an item.
nlohmann::json KeysOf(const nlohmann::json& image);

// A record as a Lambda event delivers it; null images are left out.
nlohmann::json LambdaRecord(const std::string& event, const std::string& seq,
                            const nlohmann::json& keys, const nlohmann::json& new_image,
                            const nlohmann::json& old_image);

// Random JSON of the names and strings a stream record holds, nested from
// `depth` (deeper values are scalars more often).
nlohmann::json RandomJson(std::mt19937& rng, int depth);

// Everything Map reports of a record, to compare two readings of it.
std::string Outcome(const MappedRecord& r);

// Every field ParseStreamRecord reads but the images, to compare two
// readings of a record.
std::string RecordFields(const dynamodb::StreamRecord& r);

// Stream records of every shape Map distinguishes, as JSON text: every
// event x keys x images, a rich artist item, records that must not be read
// straight from simdjson's DOM (repeated keys, deep nesting, invalid UTF-8,
// ids that disagree), and 3,000 random ones.
std::vector<std::string> VariedRecordTexts();

// Scan items of every shape MapItem distinguishes, as JSON text: the images
// of VariedRecordTexts, and items only text can hold (repeated attributes,
// an "Item" attribute, a "streamSequence" attribute).
std::vector<std::string> VariedItemTexts();

// Mappings that read a record differently from the default: ids from an
// attribute (a REMOVE's id is then in its OldImage), key attributes named as
// artist fields, renamed fields.
std::vector<std::unique_ptr<RecordMapper>> OtherMappers();

// `first`, then each of `others`: every mapping a reading is checked under.
std::vector<const RecordMapper*> AllMappers(
    const RecordMapper& first, const std::vector<std::unique_ptr<RecordMapper>>& others);

// A commit function that keeps a copy of every batch in *commits, fails
// the first `failures` calls (UNAVAILABLE "injected") and applies nothing
// after (one default ChangeResult a change).
CommitFunction RecordingCommit(std::vector<WriteBatch>* commits, int failures);

}  // namespace inkdex::stream::testing

#endif  // INKDEX_TESTS_STREAM_STREAM_RECORD_TEST_UTIL_H_
