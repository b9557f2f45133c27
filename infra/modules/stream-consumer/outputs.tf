output "function_arn" {
  description = "ARN of the stream-fed function."
  value       = aws_lambda_function.this.arn
}

output "function_name" {
  description = "Name of the stream-fed function (for IteratorAge alarms)."
  value       = aws_lambda_function.this.function_name
}

output "role_arn" {
  description = "Execution role of the function."
  value       = aws_iam_role.this.arn
}

output "on_failure_queue_arn" {
  description = "SQS queue that receives the records the function could not process."
  value       = aws_sqs_queue.on_failure.arn
}

output "on_failure_queue_name" {
  description = "Name of the on-failure queue (for depth alarms)."
  value       = aws_sqs_queue.on_failure.name
}

output "event_source_mapping_uuid" {
  description = "UUID of the stream event source mapping."
  value       = aws_lambda_event_source_mapping.stream.uuid
}
