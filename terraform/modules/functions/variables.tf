variable "name" {
  description = "Name prefix; functions are \"<name>-wiki\", \"<name>-mcp\" and \"<name>-platform\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "artifacts_bucket" {
  description = "S3 bucket holding the function zips (uploaded by tools/release)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.artifacts_bucket))
    error_message = "artifacts_bucket must be a valid S3 bucket name."
  }
}

variable "artifact_keys" {
  description = "S3 key of each function's zip, by convention wikibot/<version>/<function>.zip."
  type = object({
    wiki     = string
    mcp      = string
    platform = string
  })

  validation {
    condition     = alltrue([for k in values(var.artifact_keys) : endswith(k, ".zip")])
    error_message = "Every artifact key must name a .zip object."
  }
}

variable "architecture" {
  description = "Instruction set of all three functions (the zips must be built for it)."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_mb" {
  description = "Memory per function in MB (CPU scales with it, and so does cold-start speed)."
  type = object({
    wiki     = optional(number, 1024)
    mcp      = optional(number, 1024)
    platform = optional(number, 512)
  })
  default = {}

  validation {
    condition     = alltrue([for m in values(var.memory_mb) : m >= 128 && m <= 10240])
    error_message = "Each memory size must be between 128 and 10240 MB."
  }
}

variable "timeout_seconds" {
  description = "Function timeout; API Gateway HTTP APIs stop waiting after 30 s."
  type        = number
  default     = 29

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 30
    error_message = "timeout_seconds must be between 1 and 30 (the HTTP API integration limit)."
  }
}

variable "log_retention_days" {
  description = "CloudWatch log retention for the functions."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts, e.g. 7, 14, 30 or 90."
  }
}

variable "subnet_ids" {
  description = "Private subnets for the VPC functions (wiki, mcp)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "Give at least one private subnet."
  }
}

variable "security_group_ids" {
  description = "Security groups for the VPC functions (egress to EFS and the gateway endpoints)."
  type        = list(string)

  validation {
    condition     = length(var.security_group_ids) >= 1
    error_message = "Give at least one security group."
  }
}

variable "efs_file_system_arn" {
  description = "ARN of the EFS file system (scope of the ClientMount/ClientWrite grant)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:elasticfilesystem:", var.efs_file_system_arn))
    error_message = "efs_file_system_arn must be an EFS file system ARN."
  }
}

variable "efs_access_point_arn" {
  description = "ARN of the EFS access point mounted at /mnt/efs."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:elasticfilesystem:.*:access-point/", var.efs_access_point_arn))
    error_message = "efs_access_point_arn must be an EFS access point ARN."
  }
}

variable "efs_mount_target_ids" {
  description = "EFS mount target IDs; the functions are created only after these exist."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.efs_mount_target_ids : startswith(id, "fsmt-")])
    error_message = "efs_mount_target_ids must be EFS mount target IDs (fsmt-...)."
  }
}

variable "table_name" {
  description = "Registry DynamoDB table name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.table_name))
    error_message = "table_name must be a valid DynamoDB table name."
  }
}

variable "table_arn" {
  description = "Registry DynamoDB table ARN."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:dynamodb:", var.table_arn))
    error_message = "table_arn must be a DynamoDB table ARN."
  }
}

variable "table_kms_key_arn" {
  description = "ARN of the KMS key encrypting the registry table."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.table_kms_key_arn))
    error_message = "table_kms_key_arn must be a KMS key ARN."
  }
}

variable "token_key" {
  description = "Secret for the keyed SHA-256 that stores API tokens (WIKIBOT_TOKEN_KEY)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.token_key) >= 32
    error_message = "token_key must be at least 32 characters."
  }
}

variable "session_key" {
  description = "HS256 key for session cookies (WIKIBOT_SESSION_KEY); the same string is in the edge KeyValueStore."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.session_key) >= 32
    error_message = "session_key must be at least 32 characters."
  }
}

variable "public_url" {
  description = "Base URL users reach (WIKIBOT_PUBLIC_URL), e.g. https://wiki.example.com."
  type        = string
  default     = ""

  validation {
    condition     = var.public_url == "" || can(regex("^https://[^/]+$", var.public_url))
    error_message = "public_url must be empty or https://host with no trailing slash."
  }
}

variable "authkit_domain" {
  description = "WorkOS AuthKit domain (WIKIBOT_AUTHKIT_DOMAIN), e.g. https://example.authkit.app."
  type        = string
  default     = ""

  validation {
    condition     = var.authkit_domain == "" || can(regex("^https://[^/]+$", var.authkit_domain))
    error_message = "authkit_domain must be empty or https://host with no trailing slash."
  }
}

variable "secrets_kms_key_arn" {
  description = "KMS key that encrypts the WorkOS secret (the platform decrypts it through Secrets Manager only)."
  type        = string

  validation {
    condition     = can(regex("^arn:[^:]+:kms:", var.secrets_kms_key_arn))
    error_message = "secrets_kms_key_arn must be a KMS key ARN."
  }
}

variable "secret_recovery_window_days" {
  description = "Days a deleted WorkOS secret can be restored (0 deletes at once, for throwaway environments)."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or 7-30."
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
