variable "name" {
  description = "Name prefix for every resource, e.g. \"wikibot-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "api_endpoint" {
  description = "HTTP API endpoint used as the origin, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com."
  type        = string

  validation {
    condition     = can(regex("^https://[^/]+$", var.api_endpoint))
    error_message = "api_endpoint must be https://host with no path."
  }
}

variable "static_bucket_name" {
  description = "Name of the S3 bucket CloudFront serves /_static/* from (Otterwiki's CSS, JS and fonts; tools/release uploads them)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.static_bucket_name))
    error_message = "static_bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "session_key" {
  description = "HS256 session-signing key, stored in the KeyValueStore as `session_key` (same string as WIKIBOT_SESSION_KEY)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.session_key) >= 32
    error_message = "session_key must be at least 32 characters."
  }
}

variable "aliases" {
  description = "Alternate domain names, e.g. [\"wiki.example.com\", \"*.wiki.example.com\"]; empty uses the CloudFront domain."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.aliases : can(regex("^(\\*\\.)?([a-z0-9-]+\\.)+[a-z]{2,}$", a))])
    error_message = "Each alias must be a lowercase host name, optionally starting with \"*.\"."
  }
}

variable "acm_certificate_arn" {
  description = "ACM certificate (in us-east-1) covering the aliases; required when aliases are set."
  type        = string
  default     = null

  validation {
    condition     = length(var.aliases) == 0 || can(regex("^arn:aws[a-z-]*:acm:us-east-1:", var.acm_certificate_arn))
    error_message = "With aliases, acm_certificate_arn must be an ACM certificate ARN in us-east-1."
  }
}

variable "price_class" {
  description = "CloudFront price class (edge locations used)."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "page_max_ttl_seconds" {
  description = "Longest time page HTML may be cached when the origin's Cache-Control allows it."
  type        = number
  default     = 60

  validation {
    condition     = var.page_max_ttl_seconds >= 0 && var.page_max_ttl_seconds <= 3600
    error_message = "page_max_ttl_seconds must be between 0 and 3600."
  }
}

variable "static_ttl_seconds" {
  description = "Default cache time for /_static/* when an object carries no Cache-Control."
  type        = number
  default     = 86400

  validation {
    condition     = var.static_ttl_seconds >= 3600 && var.static_ttl_seconds <= 31536000
    error_message = "static_ttl_seconds must be between one hour and one year."
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
