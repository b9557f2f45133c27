#include "server/table_connection.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/json_log.h"

namespace inkdex::server {

absl::StatusOr<std::unique_ptr<stream::RecordMapper>> NewTableRecordMapper(
    const stream::ItemMapping& mapping) {
  absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
  if (!taxonomy.ok()) return taxonomy.status();
  return std::make_unique<stream::RecordMapper>(
      mapping, std::make_shared<const StyleTaxonomy>(*std::move(taxonomy)));
}

absl::StatusOr<std::unique_ptr<dynamodb::DynamoDbConnection>> OpenTableConnection(
    const TableConnectionOptions& options, std::shared_ptr<stream::StopSignal> stop,
    CallEnvironment& env) {
  dynamodb::ConnectionOptions connection_options;
  connection_options.sleep = [stop](absl::Duration d) { stop->WaitFor(d); };
  connection_options.cancelled = [stop] { return stop->raised(); };
  connection_options.endpoint = options.endpoint;
  connection_options.streams_endpoint = options.streams_endpoint;
  connection_options.env = options.env;
  connection_options.notes = [&env](const std::string& note) {
    env.log().Event(LogLevel::kWarn, "aws_config", {{"note", note}});
  };
  absl::StatusOr<std::unique_ptr<dynamodb::DynamoDbConnection>> connection =
      dynamodb::DynamoDbConnection::Open(std::move(connection_options));
  if (!connection.ok()) {
    return absl::Status(connection.status().code(),
                        absl::StrCat(options.flag, ": ", connection.status().message()));
  }
  return connection;
}

}  // namespace inkdex::server
