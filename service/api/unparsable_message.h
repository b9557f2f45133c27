// WhyUnparsable: what is wrong with bytes that do not parse as a message,
// in the words of the API's other errors ("text: is not valid UTF-8").
//
// gRPC's generated services parse a request before any inkdex code sees it,
// and answer one that does not parse with INTERNAL "Unable to parse request",
// whatever the reason: to a client, a server fault. The read methods take
// their requests as bytes instead (unary_read_call.h), parse them, and answer
// INVALID_ARGUMENT with this message when that fails. The commonest cause is
// a `string` field holding bytes that are not UTF-8, which proto3 refuses
// and clients in languages without checked strings can send.
//
// Cost: only on the failure path; one more parse of the bytes as unknown
// fields, per nested message.
// Thread safety: a free function.
#ifndef INKDEX_SERVICE_API_UNPARSABLE_MESSAGE_H_
#define INKDEX_SERVICE_API_UNPARSABLE_MESSAGE_H_

#include <string>
#include <string_view>

#include <google/protobuf/descriptor.h>

namespace inkdex::api {

// For bytes that failed to parse as a `type` message: the path of the first
// string field (in wire order) that is not valid UTF-8, as "text: is not valid
// UTF-8", "ids[2]: is not valid UTF-8" or "point.label: ..."; otherwise
// "request: is not a valid inkdex.v1.SearchRequest message (malformed
// protobuf wire format)".
std::string WhyUnparsable(std::string_view bytes, const google::protobuf::Descriptor& type);

}  // namespace inkdex::api

#endif  // INKDEX_SERVICE_API_UNPARSABLE_MESSAGE_H_
