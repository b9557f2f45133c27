#include "dynamodb/dynamodb_client.h"

#include "absl/strings/str_cat.h"
#include "dynamodb/json_fields.h"

namespace inkdex::dynamodb {

using nlohmann::json;

absl::StatusOr<std::unique_ptr<DynamoDbClient>> DynamoDbClient::Create(
    const ClientConfig& config, aws::HttpClient& http, aws::CredentialsProvider& credentials) {
  absl::StatusOr<std::unique_ptr<JsonProtocolClient>> protocol =
      JsonProtocolClient::Create(DynamoDbProtocolOptions(config), http, credentials);
  if (!protocol.ok()) return protocol.status();
  return std::unique_ptr<DynamoDbClient>(new DynamoDbClient(std::move(*protocol)));
}

absl::StatusOr<TableDescription> DynamoDbClient::DescribeTable(const std::string& table) {
  if (table.empty()) return absl::InvalidArgumentError("DescribeTable: table: empty");
  absl::StatusOr<json> answer = protocol_->Call("DescribeTable", json{{"TableName", table}});
  if (!answer.ok()) return answer.status();
  JsonFields root(*answer, "DescribeTable");
  absl::StatusOr<JsonFields> description = root.Object("Table");
  if (!description.ok()) return description.status();
  TableDescription result;
  result.table_name = description->String("TableName");
  result.table_status = description->String("TableStatus");
  result.item_count = description->Int("ItemCount");
  result.latest_stream_arn = description->String("LatestStreamArn");
  result.latest_stream_label = description->String("LatestStreamLabel");
  if (absl::StatusOr<JsonFields> stream = description->Object("StreamSpecification"); stream.ok()) {
    result.stream_enabled = stream->Bool("StreamEnabled");
    result.stream_view_type = stream->String("StreamViewType");
  }
  return result;
}

absl::StatusOr<ScanPage> DynamoDbClient::Scan(const ScanRequest& request,
                                              const JsonProtocolClient::AnswerParser& parse) {
  if (request.table.empty()) return absl::InvalidArgumentError("Scan: table: empty");
  if (request.total_segments < 1 || request.total_segments > 1000000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Scan: total_segments: must be in [1, 1000000], got ", request.total_segments));
  }
  if (request.segment < 0 || request.segment >= request.total_segments) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Scan: segment: must be in [0, ", request.total_segments, "), got ", request.segment));
  }
  if (!request.exclusive_start_key.is_null() && !request.exclusive_start_key.is_object()) {
    return absl::InvalidArgumentError("Scan: exclusive_start_key: must be null or an object");
  }
  json body{{"TableName", request.table}};
  if (request.total_segments > 1) {
    body["Segment"] = request.segment;
    body["TotalSegments"] = request.total_segments;
  }
  if (request.exclusive_start_key.is_object()) {
    body["ExclusiveStartKey"] = request.exclusive_start_key;
  }
  if (request.limit) body["Limit"] = *request.limit;
  if (request.consistent_read) body["ConsistentRead"] = true;
  absl::StatusOr<json> answer = protocol_->Call("Scan", body, parse);
  if (!answer.ok()) return answer.status();
  auto items = answer->find("Items");
  if (items == answer->end() || !items->is_array()) {
    return absl::DataLossError("Scan: the answer has no Items array");
  }
  ScanPage page;
  page.items.reserve(items->size());
  for (json& item : *items) {
    if (!item.is_object()) return absl::DataLossError("Scan: Items: an item is not an object");
    page.items.push_back(std::move(item));
  }
  if (auto key = answer->find("LastEvaluatedKey"); key != answer->end() && key->is_object()) {
    page.last_evaluated_key = std::move(*key);
  }
  page.scanned_count = JsonFields(*answer, "Scan").Int("ScannedCount");
  return page;
}

}  // namespace inkdex::dynamodb
