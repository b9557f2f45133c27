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

variable "web_acl_arn" {
  type        = string
  description = "WAF web ACL (CLOUDFRONT scope)."
}

variable "site_bucket_id" {
  type        = string
  description = "Static-site bucket."
}

variable "site_bucket_arn" {
  type        = string
  description = "Static-site bucket ARN."
}

variable "site_bucket_regional_domain_name" {
  type        = string
  description = "Regional domain of the site bucket."
}

variable "api_endpoint" {
  type        = string
  description = "HTTP API endpoint (https://...)."
}
