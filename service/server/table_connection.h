// What the server's readers of the DynamoDB table share (StreamSupervisor,
// TableBootstrapper): the record mapper over the built-in taxonomy, and a
// DynamoDB connection whose retry waits end when `stop` is raised and whose
// configuration notes go to the log.
//
// Thread safety: plain functions; the results are the callers'.
#ifndef INKDEX_SERVICE_SERVER_TABLE_CONNECTION_H_
#define INKDEX_SERVICE_SERVER_TABLE_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "aws/credentials.h"
#include "dynamodb/connection.h"
#include "server/call_environment.h"
#include "stream/item_mapping.h"
#include "stream/record_mapper.h"
#include "stream/shard_reader.h"

namespace inkdex::server {

absl::StatusOr<std::unique_ptr<stream::RecordMapper>> NewTableRecordMapper(
    const stream::ItemMapping& mapping);

struct TableConnectionOptions {
  std::string flag;  // names the flag in errors ("--stream-table")
  std::string endpoint;
  std::string streams_endpoint;
  aws::Environment env;
};

// Errors name `options.flag`. `stop` and `env` must outlive the connection.
absl::StatusOr<std::unique_ptr<dynamodb::DynamoDbConnection>> OpenTableConnection(
    const TableConnectionOptions& options, std::shared_ptr<stream::StopSignal> stop,
    CallEnvironment& env);

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_TABLE_CONNECTION_H_
