// ClientConfig: where and how the DynamoDB and DynamoDB Streams clients
// talk to AWS, and the endpoints they derive from it:
//   DynamoDB          https://dynamodb.<region>.amazonaws.com
//   DynamoDB Streams  https://streams.dynamodb.<region>.amazonaws.com
// An endpoint override (--dynamodb-endpoint URL, e.g. DynamoDB Local, which
// serves both APIs on one port) replaces both; a streams endpoint override
// (--dynamodb-streams-endpoint: a DynamoDB Streams interface VPC endpoint,
// which has no private DNS and must be named) replaces the latter and wins
// over it. Both are signed for the service "dynamodb" in `region`.
//
// Thread safety: plain value types and pure functions.
#ifndef INKDEX_SERVICE_DYNAMODB_CLIENT_CONFIG_H_
#define INKDEX_SERVICE_DYNAMODB_CLIENT_CONFIG_H_

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "dynamodb/json_protocol_client.h"
#include "dynamodb/retry_policy.h"

namespace inkdex::dynamodb {

struct ClientConfig {
  std::string region;                     // required: signed for, and names the endpoints
  std::string endpoint_override;          // empty: the regional AWS endpoints
  std::string streams_endpoint_override;  // empty: endpoint_override, else regional
  RetryPolicy retry;
  absl::Duration request_timeout = absl::Seconds(10);
  absl::Duration connect_timeout = absl::Seconds(2);
  std::function<void(absl::Duration)> sleep;  // see JsonProtocolOptions
  std::function<double()> uniform01;          // see JsonProtocolOptions
  std::function<bool()> cancelled;            // see JsonProtocolOptions
};

std::string DynamoDbEndpoint(const ClientConfig& config);
std::string StreamsEndpoint(const ClientConfig& config);

// The transport options of each API.
JsonProtocolOptions DynamoDbProtocolOptions(const ClientConfig& config);
JsonProtocolOptions StreamsProtocolOptions(const ClientConfig& config);

}  // namespace inkdex::dynamodb

#endif  // INKDEX_SERVICE_DYNAMODB_CLIENT_CONFIG_H_
