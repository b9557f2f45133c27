variable "environment" {
  type        = string
  description = "dev or prod."

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
  }
}

variable "region" {
  type        = string
  description = "Primary region."
  default     = "eu-west-2"
}

variable "accounts" {
  type = object({
    management     = string
    infrastructure = string
    audit          = string
    log_archive    = string
  })
  description = "Account ids of the four Control Tower accounts."
}

variable "deploy_role_name" {
  type        = string
  description = "Role assumed in every account to deploy."
  default     = "TerraformDeploy"
}

variable "search_backend" {
  type        = string
  description = "Search backend: inkdex, opensearch or both."
  default     = "inkdex"

  validation {
    condition     = contains(["inkdex", "opensearch", "both"], var.search_backend)
    error_message = "search_backend must be inkdex, opensearch or both."
  }
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR of the app VPC."
  default     = "10.20.0.0/16"
}

variable "flow_logs_bucket_arn" {
  type        = string
  description = "Log archive bucket for VPC flow logs."
}

variable "access_logs_bucket" {
  type        = string
  description = "Log archive bucket for S3 access logs."
}

variable "alert_emails" {
  type        = list(string)
  description = "Alarm recipients."
  default     = []
}

variable "api_security_group_ids" {
  type        = list(string)
  description = "Security groups of the API Lambdas allowed to query inkdex."
  default     = []
}

variable "inkdex_certificate_arn" {
  type        = string
  description = "ACM certificate of inkdex's internal load balancer."
}

variable "inkdex_image_tag" {
  type        = string
  description = "inkdex-server image tag (git SHA)."
}

variable "inkdex_min_tasks" {
  type        = number
  description = "Minimum inkdex replicas."
  default     = 2
}

variable "inkdex_max_tasks" {
  type        = number
  description = "Maximum inkdex replicas (above 2 the forwarder feeds them)."
  default     = 2
}
