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

variable "table_arn" {
  type        = string
  description = "Directory table."
}

variable "data_kms_key_arn" {
  type        = string
  description = "KMS key of the table."
}

variable "queue_kms_key_arn" {
  type        = string
  description = "KMS key of the scrape queue."
}

variable "ecr_kms_key_arn" {
  type        = string
  description = "KMS key of the ECR repositories (scraper image pulls)."
}

variable "scraper_secret_arns" {
  type        = list(string)
  description = "Secrets the scrapers read (app-security); empty: any secret under <prefix>/scraper/."
  default     = []
}

variable "opensearch_enabled" {
  type        = bool
  description = "Let the API query the OpenSearch domain (search_backend opensearch or both)."
  default     = false
}
