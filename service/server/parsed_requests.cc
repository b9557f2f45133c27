#include "server/parsed_requests.h"

#include <vector>

#include <grpcpp/support/proto_buffer_reader.h>

#include "api/unparsable_message.h"

namespace inkdex::server {

grpc::Status ParseRequest(grpc::ByteBuffer& bytes, google::protobuf::Message* request) {
  if (bytes.Valid()) {
    grpc::ProtoBufferReader reader(&bytes);  // reads without consuming
    if (reader.status().ok() && request->ParseFromZeroCopyStream(&reader)) {
      return grpc::Status::OK;
    }
  }
  std::string flat;
  std::vector<grpc::Slice> slices;
  if (bytes.Valid() && bytes.Dump(&slices).ok()) {
    for (const grpc::Slice& slice : slices) {
      flat.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
  }
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      api::WhyUnparsable(flat, *request->GetDescriptor()));
}

}  // namespace inkdex::server
