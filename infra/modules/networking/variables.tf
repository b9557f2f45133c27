variable "name_prefix" {
  type        = string
  description = "Prefix for every resource name, e.g. tattoo-dev."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every taggable resource."
  default     = {}
}

variable "cidr_block" {
  type        = string
  description = "CIDR of the VPC; split into 2 public and 2 private subnets over two AZs."
  default     = "10.20.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) <= 20
    error_message = "cidr_block must be a CIDR of /20 or larger."
  }
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway for both AZs (dev) instead of one per AZ (prod)."
  default     = false
}

variable "dynamodb_streams_endpoint" {
  type        = bool
  description = "Create an interface endpoint for DynamoDB Streams (the DynamoDB gateway endpoint does not serve streams.dynamodb), for stream readers in the private subnets."
  default     = false
}

variable "service_discovery_endpoint" {
  type        = bool
  description = "Create an interface endpoint for Cloud Map's discovery API (com.amazonaws.REGION.data-servicediscovery: DiscoverInstances), for the inkdex stream forwarder in the private subnets."
  default     = false
}

variable "search_endpoint_services" {
  type        = list(string)
  description = "Extra interface endpoint services for the search backend, e.g. [\"es\"] when OpenSearch is deployed."
  default     = []
}

variable "flow_logs_bucket_arn" {
  type        = string
  description = "ARN of the log archive account's VPC flow logs bucket."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::", var.flow_logs_bucket_arn))
    error_message = "flow_logs_bucket_arn must be an S3 bucket ARN."
  }
}
