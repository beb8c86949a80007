# The whole wikibot platform: every module wired together. The environment roots
# (terraform/envs/*) call this once with their handful of per-environment values.

locals {
  name  = "wikibot-${var.environment}"
  roles = ["wiki", "mcp", "platform"]
  # Key layout written by `tools/release --version`; content-hash keys from tools/release
  # (wikibot/<function>/<sha256>.zip) arrive in var.artifact_keys and take precedence.
  artifact_keys = merge(
    { for fn in local.roles : fn => "wikibot/${var.release_version}/${fn}.zip" },
    var.artifact_keys,
  )
}

data "aws_caller_identity" "current" {}

module "network" {
  source = "../network"

  name     = local.name
  az_count = var.az_count
}

module "storage" {
  source = "../storage"

  name              = local.name
  subnet_ids        = module.network.private_subnet_ids
  security_group_id = module.network.efs_security_group_id
}

module "registry" {
  source = "../registry"

  name                = local.name
  deletion_protection = var.deletion_protection
}

module "artifacts" {
  source = "../artifacts"

  bucket_name = "${local.name}-artifacts-${data.aws_caller_identity.current.account_id}"
}

module "functions" {
  source = "../functions"

  name                 = local.name
  artifacts_bucket     = module.artifacts.bucket_name
  artifact_keys        = local.artifact_keys
  architecture         = var.architecture
  log_retention_days   = var.log_retention_days
  subnet_ids           = module.network.private_subnet_ids
  security_group_ids   = [module.network.lambda_security_group_id]
  efs_file_system_arn  = module.storage.file_system_arn
  efs_access_point_arn = module.storage.access_point_arn
  efs_mount_target_ids = module.storage.mount_target_ids
  table_name           = module.registry.table_name
  table_arn            = module.registry.table_arn
  table_kms_key_arn    = module.registry.kms_key_arn
  token_key            = var.token_key
  session_key          = var.session_key
  public_url           = var.public_url
  authkit_domain       = var.authkit_domain

  secrets_kms_key_arn         = module.registry.kms_key_arn
  secret_recovery_window_days = var.deletion_protection ? 30 : 0
}

module "api" {
  source = "../api"

  name               = local.name
  log_retention_days = var.log_retention_days
  functions = {
    for fn in local.roles : fn => {
      function_name = module.functions.function_names[fn]
      qualifier     = "live"
      invoke_arn    = module.functions.alias_invoke_arns[fn]
    }
  }
}

module "edge" {
  source = "../edge"

  name                = local.name
  api_endpoint        = module.api.api_endpoint
  session_key         = var.session_key
  aliases             = var.aliases
  acm_certificate_arn = var.acm_certificate_arn
  static_bucket_name  = "${local.name}-static-${data.aws_caller_identity.current.account_id}"
}

module "schedules" {
  source = "../schedules"

  name = local.name
  functions = {
    for fn in local.roles : fn => {
      function_name = module.functions.function_names[fn]
      qualifier     = "live"
      alias_arn     = module.functions.alias_arns[fn]
    }
  }
}

module "ci" {
  source = "../ci"

  name                 = local.name
  environment          = var.environment
  github_repository    = var.github_repository
  deploy_branch        = var.deploy_branch
  create_oidc_provider = var.create_github_oidc_provider
  state_bucket         = coalesce(var.state_bucket, "wikibot-tfstate-${data.aws_caller_identity.current.account_id}")
  artifacts_bucket_arn = module.artifacts.bucket_arn
  static_bucket_arn    = module.edge.static_bucket_arn
}

module "budget" {
  source = "../budget"

  name      = local.name
  limit_usd = 50
  emails    = [var.budget_email]
}
