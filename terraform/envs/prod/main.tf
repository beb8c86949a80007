# wikibot, prod environment: two AZs, registry protected, a month of logs.
# A thin root, and an example of calling the platform; every resource lives in ../../modules.

locals {
  environment = "prod"
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = "wikibot"
      environment = local.environment
    }
  }
}

module "platform" {
  source = "../../modules/platform"

  environment         = local.environment
  az_count            = 2
  deletion_protection = true
  log_retention_days  = 30

  release_version     = var.release_version
  architecture        = var.architecture
  budget_email        = var.budget_email
  token_key           = var.token_key
  session_key         = var.session_key
  authkit_domain      = var.authkit_domain
  public_url          = var.public_url
  aliases             = var.aliases
  acm_certificate_arn = var.acm_certificate_arn

  artifact_keys               = var.artifact_keys
  github_repository           = var.github_repository
  deploy_branch               = var.deploy_branch
  create_github_oidc_provider = var.create_github_oidc_provider
  state_bucket                = var.state_bucket
}
