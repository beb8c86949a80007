variable "name" {
  description = "Name prefix for every resource, e.g. \"wikibot-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "subnet_ids" {
  description = "Private subnet IDs: one mount target is created in each."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1 && length(var.subnet_ids) <= 3
    error_message = "Give one to three subnet IDs (one per availability zone)."
  }
}

variable "security_group_id" {
  description = "Security group for the mount targets (allows NFS from the Lambdas only)."
  type        = string

  validation {
    condition     = startswith(var.security_group_id, "sg-")
    error_message = "security_group_id must be a security group ID (sg-...)."
  }
}

variable "root_path" {
  description = "Directory the access point exposes as the file system root."
  type        = string
  default     = "/wikibot"

  validation {
    condition     = can(regex("^/[A-Za-z0-9_-]+$", var.root_path))
    error_message = "root_path must be one absolute directory name, e.g. /wikibot."
  }
}

variable "posix_uid" {
  description = "POSIX user ID every access through the access point runs as."
  type        = number
  default     = 1000

  validation {
    condition     = var.posix_uid > 0 && floor(var.posix_uid) == var.posix_uid
    error_message = "posix_uid must be a positive integer (not root)."
  }
}

variable "posix_gid" {
  description = "POSIX group ID every access through the access point runs as."
  type        = number
  default     = 1000

  validation {
    condition     = var.posix_gid > 0 && floor(var.posix_gid) == var.posix_gid
    error_message = "posix_gid must be a positive integer (not root)."
  }
}

variable "transition_to_ia" {
  description = "Move files not read for this long to Infrequent Access (cheaper storage)."
  type        = string
  default     = "AFTER_30_DAYS"

  validation {
    condition     = contains(["AFTER_7_DAYS", "AFTER_14_DAYS", "AFTER_30_DAYS", "AFTER_60_DAYS", "AFTER_90_DAYS"], var.transition_to_ia)
    error_message = "transition_to_ia must be one of AFTER_7_DAYS, AFTER_14_DAYS, AFTER_30_DAYS, AFTER_60_DAYS, AFTER_90_DAYS."
  }
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
