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

variable "allowed_regions" {
  type        = list(string)
  description = "Regions the workload accounts may use (plus us-east-1 for global services)."
}

variable "target_ou_ids" {
  type        = list(string)
  description = "Organizational units the guardrails attach to."
}
