variable "region" {
  description = "AWS region for everything except CloudFront's global resources."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-\\d$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "release_version" {
  description = "Version folder of the zips in the artifacts bucket (wikibot/<version>/<function>.zip)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$", var.release_version))
    error_message = "release_version must be a version string or git sha (letters, digits, . _ + -)."
  }
}

variable "architecture" {
  description = "Lambda instruction set the zips were built for."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "budget_email" {
  description = "Address that receives the monthly budget alerts."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.budget_email))
    error_message = "budget_email must be an e-mail address."
  }
}

variable "token_key" {
  description = "Secret for hashing API tokens (WIKIBOT_TOKEN_KEY): 32+ random characters."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.token_key) >= 32
    error_message = "token_key must be at least 32 characters."
  }
}

variable "session_key" {
  description = "HS256 session-cookie key (WIKIBOT_SESSION_KEY and the edge KeyValueStore): 32+ random characters."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.session_key) >= 32
    error_message = "session_key must be at least 32 characters."
  }
}

variable "authkit_domain" {
  description = "WorkOS AuthKit domain, e.g. https://example.authkit.app (empty: bearer tokens only)."
  type        = string
  default     = ""

  validation {
    condition     = var.authkit_domain == "" || can(regex("^https://[^/]+$", var.authkit_domain))
    error_message = "authkit_domain must be empty or https://host."
  }
}

variable "public_url" {
  description = "Base URL users reach; after the first apply set it to the cloudfront_url output (or your domain)."
  type        = string
  default     = ""

  validation {
    condition     = var.public_url == "" || can(regex("^https://[^/]+$", var.public_url))
    error_message = "public_url must be empty or https://host."
  }
}

variable "aliases" {
  description = "Custom domain names for CloudFront, e.g. [\"wiki.example.com\"]; empty uses the CloudFront domain."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.aliases) <= 10
    error_message = "At most 10 aliases."
  }
}

variable "acm_certificate_arn" {
  description = "ACM certificate in us-east-1 covering the aliases (required with aliases)."
  type        = string
  default     = null

  validation {
    condition     = var.acm_certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:", var.acm_certificate_arn))
    error_message = "acm_certificate_arn must be an ACM certificate ARN in us-east-1."
  }
}

# Release and CI inputs.

variable "artifact_keys" {
  description = "Artifact keys by function from tools/release (content-hash keys); missing ones use release_version's layout."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([for fn, key in var.artifact_keys :
    contains(["wiki", "mcp", "platform"], fn) && can(regex("^wikibot/[A-Za-z0-9._+/-]+\\.zip$", key))])
    error_message = "artifact_keys maps wiki, mcp or platform to a wikibot/....zip key."
  }
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose deploy workflow may assume the deploy role; empty: no role."
  type        = string
  default     = ""

  validation {
    condition     = var.github_repository == "" || can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be empty or owner/name."
  }
}

variable "deploy_branch" {
  description = "The branch whose deploy workflow runs may assume the deploy role."
  type        = string
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]{1,200}$", var.deploy_branch)) && !strcontains(var.deploy_branch, "*")
    error_message = "deploy_branch must be a branch name without wildcards."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider; false for a second environment in the same account."
  type        = bool
  default     = true
}

variable "state_bucket" {
  description = "Terraform state bucket the deploy role may use; empty: wikibot-tfstate-<account id>."
  type        = string
  default     = ""

  validation {
    condition     = var.state_bucket == "" || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be empty or a valid S3 bucket name."
  }
}
