# The role GitHub Actions assumes (OIDC, no stored keys) to release and apply one environment.
# Trusted only for this repository's deploy job in the GitHub environment of the same name on
# one branch; see README.md for the subject-claim template that puts the branch in `sub`.

locals {
  enabled = var.github_repository != ""
  issuer  = "token.actions.githubusercontent.com"
  # With the repository's sub template set to ["repo", "context", "ref"].
  subject = "repo:${var.github_repository}:environment:${var.environment}:ref:refs/heads/${var.deploy_branch}"
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

resource "aws_iam_openid_connect_provider" "this" {
  count = local.enabled && var.create_oidc_provider ? 1 : 0

  url            = "https://${local.issuer}"
  client_id_list = ["sts.amazonaws.com"]

  tags = merge({ Name = "github-actions" }, var.tags)
}

locals {
  account       = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  provider_arn  = "arn:${local.partition}:iam::${local.account}:oidc-provider/${local.issuer}"
  wikibot_roles = "arn:${local.partition}:iam::${local.account}:role/wikibot-*"
}

data "aws_iam_policy_document" "trust" {
  #checkov:skip=CKV_AWS_358:The sub is repo:<owner/name>:environment:<env>:ref:refs/heads/<branch> from validated, wildcard-free variables; checkov cannot resolve them.
  statement {
    sid     = "GitHubDeployJob"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Written out (not local.subject) so reviewers and checkov see the whole claim.
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["repo:${var.github_repository}:environment:${var.environment}:ref:refs/heads/${var.deploy_branch}"]
    }
  }
}

data "aws_iam_policy_document" "deploy" {
  #checkov:skip=CKV_AWS_356:Terraform creates the platform's resources, whose ARNs do not exist before the apply.
  #checkov:skip=CKV_AWS_111:Terraform must write every platform resource; the trust policy limits who can.
  #checkov:skip=CKV_AWS_109:Role and policy writes are limited to wikibot-* roles; see the Roles statement.
  #checkov:skip=CKV_AWS_107:The deploy job reads Lambda configuration that carries the app secrets it sets.
  #checkov:skip=CKV_AWS_108:The deploy job reads the platform's S3 and DynamoDB data only as Terraform does.
  #checkov:skip=CKV_AWS_110:Role creation is limited to wikibot-* roles, which the platform needs.
  statement {
    sid    = "Platform"
    effect = "Allow"
    # The services of the platform's resources (terraform/modules/*), nothing else.
    actions = [
      "apigateway:*", "budgets:*", "cloudfront:*", "cloudfront-keyvaluestore:*", "dynamodb:*",
      "ec2:*", "elasticfilesystem:*", "events:*", "kms:*", "lambda:*", "logs:*",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "Identity"
    effect    = "Allow"
    actions   = ["sts:GetCallerIdentity", "iam:ListRoles", "iam:ListOpenIDConnectProviders"]
    resources = ["*"]
  }

  statement {
    sid    = "Roles"
    effect = "Allow"
    actions = [
      "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole",
      "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags",
      "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies",
      "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:PassRole",
    ]
    resources = [local.wikibot_roles]
  }

  statement {
    sid    = "GitHubProvider"
    effect = "Allow"
    actions = [
      "iam:CreateOpenIDConnectProvider", "iam:GetOpenIDConnectProvider",
      "iam:DeleteOpenIDConnectProvider", "iam:TagOpenIDConnectProvider",
      "iam:UntagOpenIDConnectProvider", "iam:ListOpenIDConnectProviderTags",
      "iam:AddClientIDToOpenIDConnectProvider", "iam:RemoveClientIDFromOpenIDConnectProvider",
      "iam:UpdateOpenIDConnectProviderThumbprint",
    ]
    resources = [local.provider_arn]
  }

  statement {
    sid       = "ServiceLinkedRoles"
    effect    = "Allow"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["elasticfilesystem.amazonaws.com", "lambda.amazonaws.com", "ops.apigateway.amazonaws.com"]
    }
  }

  statement {
    sid     = "Buckets"
    effect  = "Allow"
    actions = ["s3:*"]
    resources = [
      var.artifacts_bucket_arn, "${var.artifacts_bucket_arn}/*",
      var.static_bucket_arn, "${var.static_bucket_arn}/*",
    ]
  }

  statement {
    sid       = "TerraformState"
    effect    = "Allow"
    actions   = ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["arn:${local.partition}:s3:::${var.state_bucket}", "arn:${local.partition}:s3:::${var.state_bucket}/*"]
  }
}

resource "aws_iam_role" "this" {
  count = local.enabled ? 1 : 0

  name                 = "${var.name}-deploy"
  description          = "GitHub Actions deploys of ${var.github_repository} (${var.environment}, ${var.deploy_branch})"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_seconds

  tags = merge({ Name = "${var.name}-deploy" }, var.tags)
}

resource "aws_iam_role_policy" "this" {
  count = local.enabled ? 1 : 0

  name   = "deploy"
  role   = aws_iam_role.this[0].id
  policy = data.aws_iam_policy_document.deploy.json
}
