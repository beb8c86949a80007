variable "name" {
  description = "Name prefix; the budget is \"<name>-monthly\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "limit_usd" {
  description = "Monthly budget in USD."
  type        = number
  default     = 50

  validation {
    condition     = var.limit_usd > 0
    error_message = "limit_usd must be positive."
  }
}

variable "emails" {
  description = "Addresses notified when spend passes 80% (actual) or 100% (forecast)."
  type        = list(string)

  validation {
    condition     = length(var.emails) >= 1 && alltrue([for e in var.emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "Give at least one valid e-mail address."
  }
}

variable "tags" {
  description = "Extra tags (the provider's default_tags add project and environment)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) <= 128 && length(v) <= 256])
    error_message = "Tag keys are limited to 128 characters and values to 256."
  }
}
