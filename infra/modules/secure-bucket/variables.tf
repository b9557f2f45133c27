variable "name" {
  type        = string
  description = "Bucket name (globally unique; callers add the account id)."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for default encryption."
}

variable "object_lock" {
  type        = bool
  description = "Create the bucket with object lock enabled (required of replication targets of locked objects)."
  default     = false
}

variable "object_lock_days" {
  type        = number
  description = "Default COMPLIANCE retention in days; null sets no default (replicas keep the source's retention)."
  default     = null
}

variable "lifecycle_days" {
  type = object({
    standard_ia = number
    glacier     = number
    expiration  = number
  })
  description = "Days to STANDARD_IA, to GLACIER and to expiry; null: no lifecycle."
  default     = null
}

variable "policy_documents" {
  type        = list(string)
  description = "Policy JSON documents merged into the bucket policy (writers of the bucket); the TLS-only deny is always added."
  default     = []
}

variable "tags" {
  type        = map(string)
  description = "Tags of the bucket."
  default     = {}
}
