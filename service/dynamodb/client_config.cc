#include "dynamodb/client_config.h"

#include "absl/strings/str_cat.h"

namespace inkdex::dynamodb {

namespace {

JsonProtocolOptions ProtocolOptions(const ClientConfig& config, std::string endpoint,
                                    std::string target_prefix) {
  JsonProtocolOptions options;
  options.endpoint_url = std::move(endpoint);
  options.region = config.region;
  options.signing_service = "dynamodb";
  options.target_prefix = std::move(target_prefix);
  options.retry = config.retry;
  options.request_timeout = config.request_timeout;
  options.connect_timeout = config.connect_timeout;
  options.sleep = config.sleep;
  options.cancelled = config.cancelled;
  options.uniform01 = config.uniform01;
  return options;
}

}  // namespace

std::string DynamoDbEndpoint(const ClientConfig& config) {
  if (!config.endpoint_override.empty()) return config.endpoint_override;
  return absl::StrCat("https://dynamodb.", config.region, ".amazonaws.com");
}

std::string StreamsEndpoint(const ClientConfig& config) {
  if (!config.streams_endpoint_override.empty()) return config.streams_endpoint_override;
  if (!config.endpoint_override.empty()) return config.endpoint_override;
  return absl::StrCat("https://streams.dynamodb.", config.region, ".amazonaws.com");
}

JsonProtocolOptions DynamoDbProtocolOptions(const ClientConfig& config) {
  return ProtocolOptions(config, DynamoDbEndpoint(config), "DynamoDB_20120810");
}

JsonProtocolOptions StreamsProtocolOptions(const ClientConfig& config) {
  return ProtocolOptions(config, StreamsEndpoint(config), "DynamoDBStreams_20120810");
}

}  // namespace inkdex::dynamodb
