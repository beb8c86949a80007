variable "name" {
  description = "Prefix of every name, e.g. \"wikibot-dev\"; the role is \"<name>-deploy\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name))
    error_message = "name must be 1-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "GitHub environment the deploy job runs in (\"dev\", \"prod\"); part of the trusted subject."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,22}$", var.environment))
    error_message = "environment must be 1-23 lowercase letters, digits or hyphens."
  }
}

variable "github_repository" {
  description = "owner/name of the GitHub repository allowed to deploy; empty creates nothing."
  type        = string
  default     = ""

  validation {
    condition     = var.github_repository == "" || can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be empty or owner/name."
  }
}

variable "deploy_branch" {
  description = "The one branch whose workflow runs may assume the role."
  type        = string
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]{1,200}$", var.deploy_branch)) && !strcontains(var.deploy_branch, "*")
    error_message = "deploy_branch must be a branch name without wildcards."
  }
}

variable "create_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (false when another environment in the account created it)."
  type        = bool
  default     = true
}

variable "state_bucket" {
  description = "S3 bucket holding the Terraform state (bootstrapped by hand, see terraform/README.md)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be a valid S3 bucket name."
  }
}

variable "artifacts_bucket_arn" {
  description = "ARN of the artifacts bucket tools/release uploads to."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::", var.artifacts_bucket_arn))
    error_message = "artifacts_bucket_arn must be an S3 bucket ARN."
  }
}

variable "static_bucket_arn" {
  description = "ARN of the bucket CloudFront serves /_static/* from; tools/release uploads Otterwiki's files there."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::", var.static_bucket_arn))
    error_message = "static_bucket_arn must be an S3 bucket ARN."
  }
}

variable "max_session_seconds" {
  description = "Longest a deploy session may last (a full apply with CloudFront takes ~15 minutes)."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_seconds >= 900 && var.max_session_seconds <= 43200
    error_message = "max_session_seconds must be between 900 and 43200."
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
