# Declarations only: descriptions, defaults and validation live in
# infra/stacks/platform/variables.tf (optional variables there are
# nullable = false, so a null from here means "the stack's default").
variable "region" {
  type        = string
  description = "Primary region."
  default     = "eu-west-2"
}

variable "dr_region" {
  type        = string
  description = "DR region: log replicas and the DR backup vault."
  default     = "eu-west-1"
}

variable "deploy_role_name" {
  type        = string
  description = "Role assumed in every account to deploy."
  default     = "TerraformDeploy"
}

variable "environment" {
  type        = string
  description = "See infra/stacks/platform."
}

variable "accounts" {
  type = object({
    management     = string
    infrastructure = string
    audit          = string
    log_archive    = string
  })
  description = "See infra/stacks/platform."
}

variable "organization_id" {
  type        = string
  description = "See infra/stacks/platform."
}

variable "target_ou_ids" {
  type        = list(string)
  description = "See infra/stacks/platform."
  default     = null
}

variable "audit_baseline" {
  type        = bool
  description = "See infra/stacks/platform."
  default     = null
}

variable "search_backend" {
  type        = string
  description = "See infra/stacks/platform."
  default     = null
}

variable "vpc_cidr" {
  type        = string
  description = "See infra/stacks/platform."
  default     = null
}

variable "alert_emails" {
  type        = list(string)
  description = "See infra/stacks/platform."
  default     = null
}

variable "log_replication" {
  type        = bool
  description = "See infra/stacks/platform."
  default     = null
}

variable "api_package_path" {
  type        = string
  description = "See infra/stacks/platform."
}

variable "scraper_image" {
  type        = string
  description = "See infra/stacks/platform."
}

variable "inkdex_certificate_arn" {
  type        = string
  description = "See infra/stacks/platform."
  default     = null
}

variable "inkdex_image_tag" {
  type        = string
  description = "See infra/stacks/platform."
  default     = null
}

variable "inkdex_tasks" {
  type        = object({ min = number, max = number })
  description = "See infra/stacks/platform."
  default     = null
}

variable "opensearch" {
  type = object({
    instance_type   = string
    instance_count  = number
    volume_size_gib = number
  })
  description = "See infra/stacks/platform."
  default     = null
}

variable "opensearch_sync_package_path" {
  type        = string
  description = "See infra/stacks/platform."
  default     = null
}

variable "inkdex_forwarder_package_path" {
  type        = string
  description = "See infra/stacks/platform."
  default     = null
}
