# Three Lambdas over one package: wiki (web UI + git smart HTTP) and mcp mount EFS inside the
# VPC; platform (login, management API, JWKS sync) stays outside it to reach WorkOS without NAT.

locals {
  functions = {
    wiki = {
      handler = "wikibot.web.handler.handler"
      in_vpc  = true
    }
    mcp = {
      handler = "wikibot.mcp.handler.handler"
      in_vpc  = true
    }
    platform = {
      handler = "wikibot.platform.handler.handler"
      in_vpc  = false
    }
  }

  mount_path = "/mnt/efs"

  common_env = {
    WIKIBOT_REGISTRY       = "dynamodb://${var.table_name}"
    WIKIBOT_TOKEN_KEY      = var.token_key
    WIKIBOT_SESSION_KEY    = var.session_key
    WIKIBOT_PUBLIC_URL     = var.public_url
    WIKIBOT_AUTHKIT_DOMAIN = var.authkit_domain
  }
}

# WorkOS client id and API key for web sign-in, as JSON {"client_id": "...", "api_key": "..."}.
# Terraform creates the empty secret only; its value is put once, outside Terraform, so it is in
# neither the variables nor the state:
#   aws secretsmanager put-secret-value --secret-id <workos_secret_arn output> \
#     --secret-string '{"client_id":"client_...","api_key":"sk_live_..."}'
resource "aws_secretsmanager_secret" "workos" {
  #checkov:skip=CKV2_AWS_57:WorkOS API keys are rotated in the WorkOS dashboard, then put here.
  name                    = "${var.name}/workos"
  description             = "WorkOS client id and API key for wikibot sign-in (platform Lambda only)"
  kms_key_id              = var.secrets_kms_key_arn
  recovery_window_in_days = var.secret_recovery_window_days

  tags = merge({ Name = "${var.name}-workos" }, var.tags)
}

# Lambdas with an EFS mount fail to create until the mount targets exist; this carries that
# ordering from the storage module without a module-wide depends_on.
resource "terraform_data" "efs_ready" {
  input = var.efs_mount_target_ids
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:Logs use CloudWatch's own encryption; a CMK adds $1/month per key.
  #checkov:skip=CKV_AWS_338:Short retention keeps cost at rest near zero; raise it per environment.
  for_each = local.functions

  name              = "/aws/lambda/${var.name}-${each.key}"
  retention_in_days = var.log_retention_days

  tags = merge({ Name = "${var.name}-${each.key}" }, var.tags)
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:Invoked synchronously (API Gateway) or by schedules; no async DLQ needed.
  #checkov:skip=CKV_AWS_115:Reserved concurrency would carve capacity out of a small account pool.
  #checkov:skip=CKV_AWS_173:Environment is encrypted at rest by Lambda's AWS managed key (design choice).
  #checkov:skip=CKV_AWS_272:Code signing is not used; artifacts come from a private, versioned bucket.
  #checkov:skip=CKV_AWS_117:The platform function stays outside the VPC by design (no NAT gateway).
  for_each = local.functions

  function_name = "${var.name}-${each.key}"
  description   = "wikibot ${each.key}"
  role          = aws_iam_role.this[each.key].arn
  runtime       = "python3.12"
  handler       = each.value.handler
  architectures = [var.architecture]
  s3_bucket     = var.artifacts_bucket
  s3_key        = var.artifact_keys[each.key]
  memory_size   = var.memory_mb[each.key]
  timeout       = var.timeout_seconds
  publish       = true

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this[each.key].name
  }

  environment {
    variables = merge(
      local.common_env,
      each.value.in_vpc ? { WIKIBOT_DATA = local.mount_path } : {},
      # Only the platform signs in with WorkOS; it reads the client id and API key from
      # Secrets Manager at INIT, so neither is a plain variable nor in the Lambda config.
      each.key == "platform" ? { WIKIBOT_WORKOS_SECRET_ARN = aws_secretsmanager_secret.workos.arn } : {},
    )
  }

  dynamic "vpc_config" {
    for_each = each.value.in_vpc ? [1] : []

    content {
      subnet_ids         = var.subnet_ids
      security_group_ids = var.security_group_ids
    }
  }

  dynamic "file_system_config" {
    for_each = each.value.in_vpc ? [1] : []

    content {
      arn              = var.efs_access_point_arn
      local_mount_path = local.mount_path
    }
  }

  tags = merge({ Name = "${var.name}-${each.key}" }, var.tags)

  depends_on = [terraform_data.efs_ready, aws_iam_role_policy.this]
}

# API Gateway and the schedules invoke `live`, so a deploy moves one pointer per function.
resource "aws_lambda_alias" "live" {
  for_each = local.functions

  name             = "live"
  function_name    = aws_lambda_function.this[each.key].function_name
  function_version = aws_lambda_function.this[each.key].version
}
