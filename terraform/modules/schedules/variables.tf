variable "name" {
  description = "Name prefix for the rules, e.g. \"wikibot-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "functions" {
  description = "The functions by role (wiki, mcp, platform): name, alias qualifier and alias ARN."
  type = map(object({
    function_name = string
    qualifier     = string
    alias_arn     = string
  }))

  validation {
    condition     = alltrue([for k in ["wiki", "mcp", "platform"] : contains(keys(var.functions), k)])
    error_message = "functions must include wiki, mcp and platform."
  }
}

variable "warm_schedule" {
  description = "Schedule of the warming ping to wiki and mcp."
  type        = string
  default     = "rate(5 minutes)"

  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.warm_schedule))
    error_message = "warm_schedule must be an EventBridge rate(...) or cron(...) expression."
  }
}

variable "jwks_schedule" {
  description = "Schedule of the AuthKit JWKS refresh on the platform function."
  type        = string
  default     = "rate(1 hour)"

  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.jwks_schedule))
    error_message = "jwks_schedule must be an EventBridge rate(...) or cron(...) expression."
  }
}

variable "enabled" {
  description = "Turn all schedules on or off (off: no warming, JWKS refreshed only on demand)."
  type        = bool
  default     = true
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
