output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "CIDR of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "private_subnet_ids" {
  description = "Private subnets, one per AZ."
  value       = aws_subnet.private[*].id
}

output "public_subnet_ids" {
  description = "Public subnets, one per AZ."
  value       = aws_subnet.public[*].id
}

output "gateway_prefix_list_ids" {
  description = "Prefix lists of the S3 and DynamoDB gateway endpoints."
  value       = [for e in aws_vpc_endpoint.gateway : e.prefix_list_id]
}

output "endpoints_security_group_id" {
  description = "Security group of the interface endpoints."
  value       = aws_security_group.endpoints.id
}

output "dynamodb_streams_endpoint_url" {
  description = "HTTPS URL of the DynamoDB Streams interface endpoint (its regional DNS name), or null without one."
  value       = var.dynamodb_streams_endpoint ? "https://${aws_vpc_endpoint.dynamodb_streams[0].dns_entry[0].dns_name}" : null
}
