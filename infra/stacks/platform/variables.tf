variable "environment" {
  type        = string
  description = "dev or prod: names, sizes and protections follow it."

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
  }
}

variable "accounts" {
  type = object({
    management     = string
    infrastructure = string
    audit          = string
    log_archive    = string
  })
  description = "Account ids of the four Control Tower accounts."

  validation {
    condition     = alltrue([for id in values(var.accounts) : can(regex("^[0-9]{12}$", id))])
    error_message = "every account id must be 12 digits."
  }
}

variable "organization_id" {
  type        = string
  description = "AWS Organizations id (o-...)."
}

variable "regions" {
  type        = list(string)
  description = "Regions the SCP allows: the primary and DR regions (us-east-1 is allowed for global services)."
}

variable "target_ou_ids" {
  type        = list(string)
  description = "OUs the environment's guardrail SCP attaches to."
  default     = []
  nullable    = false
}

variable "deploy_role_name" {
  type        = string
  description = "Deployment role in every account (also the OpenSearch master role unless opensearch_master_role_arn is set)."
}

variable "audit_baseline" {
  type        = bool
  description = "Deploy the account-wide audit services (GuardDuty, Security Hub, Config, Inspector, Macie, Config rules, security alerts). They exist once per account: true in exactly one environment per audit account."
  default     = true
  nullable    = false
}

variable "search_backend" {
  type        = string
  description = "Search backend: inkdex, opensearch or both."
  default     = "inkdex"
  nullable    = false

  validation {
    condition     = contains(["inkdex", "opensearch", "both"], var.search_backend)
    error_message = "search_backend must be inkdex, opensearch or both."
  }
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR of the app VPC."
  default     = "10.20.0.0/16"
  nullable    = false
}

variable "alert_emails" {
  type        = list(string)
  description = "Recipients of app alarms and security alerts."
  default     = []
  nullable    = false
}

variable "log_replication" {
  type        = bool
  description = "Replicate the log archive buckets to the DR region."
  default     = true
  nullable    = false
}

variable "api_package_path" {
  type        = string
  description = "Signed zip of the API Lambda."
}

variable "scraper_image" {
  type        = string
  description = "Scraper container image (repository:tag)."
}

variable "inkdex_certificate_arn" {
  type        = string
  description = "ACM certificate of inkdex's internal load balancer."
  default     = null

  validation {
    condition     = var.inkdex_certificate_arn != null || var.search_backend == "opensearch"
    error_message = "search_backend {inkdex, both} needs an inkdex certificate."
  }
}

variable "inkdex_image_tag" {
  type        = string
  description = "inkdex-server image tag (git SHA)."
  default     = null

  validation {
    condition     = var.inkdex_image_tag != null || var.search_backend == "opensearch"
    error_message = "search_backend {inkdex, both} needs an inkdex image tag."
  }
}

variable "inkdex_tasks" {
  type        = object({ min = number, max = number })
  description = "inkdex replicas; above 2 the forwarder Lambda feeds them."
  default     = { min = 2, max = 2 }
  nullable    = false
}

variable "opensearch" {
  type = object({
    instance_type   = string
    instance_count  = number
    volume_size_gib = number
  })
  description = "OpenSearch domain size (search_backend opensearch or both)."
  default     = { instance_type = "t3.small.search", instance_count = 1, volume_size_gib = 10 }
  nullable    = false
}

variable "opensearch_master_role_arn" {
  type        = string
  description = "Fine-grained access control master role; null: the deployment role of the app account."
  default     = null
}

variable "opensearch_sync_package_path" {
  type        = string
  description = "Signed zip of the stream-to-OpenSearch sync Lambda; null deploys no sync function."
  default     = null
}

variable "inkdex_forwarder_package_path" {
  type        = string
  description = "Signed zip of inkdex's stream-forwarder Lambda, as infra/lambda/stream-forwarder/build.sh makes it (handler, gRPC stubs, grpcio and protobuf for arm64); required when inkdex_tasks.max > 2 (forwarder feed)."
  default     = null
}
