// SourceTable: the DynamoDB table a server's artists come from, when it has
// one: --stream-table (its own stream reader) or --bootstrap-table
// (forwarder mode: scanned at first start, then fed by a Lambda through
// ApplyStreamRecords). Such a server's artists must equal the table's, so the
// services refuse what would make the index differ from it: direct writes
// (UpsertArtists, DeleteArtists) and stream records of another table. A
// re-sync (a rebuild from a table scan) or a new replica's bootstrap would
// not have those changes, though they were acknowledged.
//
// A plain value; thread-compatible.
#ifndef INKDEX_SERVICE_SERVER_SOURCE_TABLE_H_
#define INKDEX_SERVICE_SERVER_SOURCE_TABLE_H_

#include <string>

namespace inkdex::server {

struct SourceTable {
  std::string name;  // empty: none; every write is taken
  std::string flag;  // the flag that named it ("--stream-table"), for messages

  bool empty() const { return name.empty(); }
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_SOURCE_TABLE_H_
