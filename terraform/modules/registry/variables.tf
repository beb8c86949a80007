variable "name" {
  description = "Name prefix for every resource, e.g. \"wikibot-dev\"; the table is \"<name>-registry\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "deletion_protection" {
  description = "Refuse DeleteTable (turn off deliberately before destroying an environment)."
  type        = bool
  default     = true
}

variable "kms_deletion_window_days" {
  description = "Days a scheduled KMS key deletion waits (a safety net against losing the data)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be between 7 and 30."
  }
}

variable "tags" {
  description = "Extra tags for every resource (the provider's default_tags add project and environment)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) <= 128 && length(v) <= 256])
    error_message = "Tag keys are limited to 128 characters and values to 256."
  }
}
