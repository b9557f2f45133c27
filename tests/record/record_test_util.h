// Shared fixtures of the record tests: the default taxonomy, the data-model
// example record in both input formats, and an Artist comparison.
#ifndef INKDEX_TESTS_RECORD_RECORD_TEST_UTIL_H_
#define INKDEX_TESTS_RECORD_RECORD_TEST_UTIL_H_

#include <string>

#include "gtest/gtest.h"
#include "inkdex/artist.pb.h"
#include "inkdex/record.h"
#include "inkdex/taxonomy.h"

namespace inkdex::testing {

const StyleTaxonomy& DefaultTaxonomy();

// The example line of data-model.md, verbatim.
extern const char kExampleLine[];
// The same record as the S3 export writes it ({"Item": {...}}), with the
// table's key and GSI attributes the parser must ignore.
extern const char kExampleDynamoDbLine[];

// Success with a message that prints the parse error otherwise.
ParsedRecord ParseOk(std::string_view json, RecordFormat format = RecordFormat::kAuto);
// The error message of a record that must fail.
std::string ParseError(std::string_view json, RecordFormat format = RecordFormat::kAuto);

// Field-by-field equality with a readable diff on failure.
::testing::AssertionResult ArtistsEqual(const Artist& expected, const Artist& actual);

}  // namespace inkdex::testing

#endif  // INKDEX_TESTS_RECORD_RECORD_TEST_UTIL_H_
