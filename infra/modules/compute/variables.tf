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
  description = "VPC."
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR of the VPC."
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Private subnets."
}

variable "api_role_arn" {
  type        = string
  description = "Role of the API Lambdas (iam module)."
}

variable "api_package_path" {
  type        = string
  description = "Signed zip of the API Lambda."
}

variable "code_signing_config_arn" {
  type        = string
  description = "Code signing config."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for environments and queues."
}

variable "table_name" {
  type        = string
  description = "Directory table."
}

variable "search_backend" {
  type        = string
  description = "inkdex, opensearch or both."

  validation {
    condition     = contains(["inkdex", "opensearch", "both"], var.search_backend)
    error_message = "search_backend must be inkdex, opensearch or both."
  }
}

variable "search_environment" {
  type        = map(string)
  description = "Search endpoints for the API (INKDEX_ENDPOINT, OPENSEARCH_ENDPOINT)."
  default     = {}
}
