// StreamIngestServiceImpl: the inkdex.v1.StreamIngest RPC of inkdex-server
// (proto/inkdex/v1/stream_ingest.proto): the records of a Lambda DynamoDB
// stream event, applied to the served index.
//
// ApplyStreamRecords admits the call like every write (CallGuard, write
// token), checks the request limits (INVALID_ARGUMENT naming the field),
// parses each record (dynamodb/stream_record.h) and maps it
// (stream/record_mapper.h), then hands all the resulting changes to the
// WriteCommitter as ONE Write, so the call's changes land in one atomic
// commit. Versions are the records' sequence numbers, which makes the call
// idempotent (duplicates and older records come back STALE). A record that
// cannot be parsed or indexed is REJECTED with its reason (logged, at most
// kLoggedRejects per call, and counted); it never fails the call. When the
// commit fails, every record that had a change is FAILED with the error and
// the call still returns OK, so the caller retries exactly those.
//
// On a server whose artists come from a table (--stream-table, or
// --bootstrap-table in forwarder mode; source_table.h), the call must carry
// that table's records: a request whose event_source_arn, or a record whose
// eventSourceARN, names another table (or is no DynamoDB stream ARN) fails
// with FAILED_PRECONDITION and nothing is applied, since a re-sync or a new
// replica's bootstrap (a scan of the source table) would not have those
// changes. Records of the source table are safe beside the server's own
// reader: their versions make duplicates STALE.
//
// Metrics: inkdex_stream_records_total{source="lambda", outcome, reason}
// (server/metrics.h).
//
// Thread safety: gRPC calls the handler concurrently; the service holds no
// per-call state. Ownership: the environment, holder and committer are not
// owned and must outlive the service.
#ifndef INKDEX_SERVICE_SERVER_STREAM_INGEST_SERVICE_H_
#define INKDEX_SERVICE_SERVER_STREAM_INGEST_SERVICE_H_

#include <cstddef>
#include <string>

#include <grpcpp/grpcpp.h>

#include "inkdex/v1/stream_ingest.grpc.pb.h"
#include "server/index_holder.h"
#include "server/parsed_requests.h"
#include "server/source_table.h"
#include "server/write_committer.h"
#include "stream/item_mapping.h"

namespace inkdex::server {

class CallEnvironment;  // call_environment.h

// Request limits of ApplyStreamRecords. A Lambda event source mapping
// delivers at most 10,000 records and 6 MB per invocation; a record holds at
// most two 400 KB item images.
inline constexpr int kMaxStreamRecordsPerCall = 10000;
inline constexpr size_t kMaxStreamRecordBytes = size_t{1} << 20;
inline constexpr size_t kMaxStreamRequestBytes = size_t{16} << 20;
inline constexpr size_t kMaxEventSourceArnBytes = 2048;
// Rejected records logged one by one per call; the rest are counted.
inline constexpr int kLoggedRejects = 10;

class StreamIngestServiceImpl final : public WithParsedRequests<inkdex::v1::StreamIngest::Service> {
 public:
  // `mapping` says which items are artists (stream/item_mapping.h);
  // `source` is the table the artists come from (empty: none, any table's
  // records are taken).
  StreamIngestServiceImpl(CallEnvironment& env, IndexHolder& holder, WriteCommitter& committer,
                          stream::ItemMapping mapping = stream::ItemMapping::Default(),
                          SourceTable source = {});

  grpc::Status ApplyStreamRecords(grpc::ServerContext* context,
                                  const v1::ApplyStreamRecordsRequest* request,
                                  v1::ApplyStreamRecordsResponse* response) override;

 private:
  CallEnvironment& env_;
  IndexHolder& holder_;
  WriteCommitter& committer_;
  const stream::ItemMapping mapping_;
  const SourceTable source_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_STREAM_INGEST_SERVICE_H_
