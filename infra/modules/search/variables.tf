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

variable "vpc_id" {
  type        = string
  description = "VPC of the domain."
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Private subnets (two AZs)."

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "give two private subnets."
  }
}

variable "client_security_group_ids" {
  type        = list(string)
  description = "Security groups allowed to reach the domain."
}

variable "engine_version" {
  type        = string
  description = "OpenSearch engine version."
  default     = "OpenSearch_2.19"
}

variable "instance_type" {
  type        = string
  description = "Data node instance type."
  default     = "t3.small.search"
}

variable "instance_count" {
  type        = number
  description = "Data nodes; zone awareness is enabled only with 2 or more."
  default     = 2

  validation {
    condition     = var.instance_count >= 1
    error_message = "instance_count must be at least 1."
  }
}

variable "volume_size_gib" {
  type        = number
  description = "EBS volume per node."
  default     = 10
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for encryption at rest."
}

variable "logs_kms_key_arn" {
  type        = string
  description = "KMS key for the domain log group."
}

variable "master_role_arn" {
  type        = string
  description = "IAM role mapped as the fine-grained access control master user."
}
