variable "name" {
  description = "Name of the HTTP API, e.g. \"wikibot-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "functions" {
  description = "The three functions by role: name, alias (qualifier) and the alias invoke ARN."
  type = map(object({
    function_name = string
    qualifier     = string
    invoke_arn    = string
  }))

  validation {
    condition     = toset(keys(var.functions)) == toset(["wiki", "mcp", "platform"])
    error_message = "functions must have exactly the keys wiki, mcp and platform."
  }
}

variable "log_retention_days" {
  description = "Retention of the access log group."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts, up to 365."
  }
}

variable "throttling_burst_limit" {
  description = "Stage-wide burst limit (requests), a guard on cost and on runaway clients."
  type        = number
  default     = 200

  validation {
    condition     = var.throttling_burst_limit >= 1
    error_message = "throttling_burst_limit must be positive."
  }
}

variable "throttling_rate_limit" {
  description = "Stage-wide steady-state limit (requests per second)."
  type        = number
  default     = 100

  validation {
    condition     = var.throttling_rate_limit >= 1
    error_message = "throttling_rate_limit must be positive."
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
