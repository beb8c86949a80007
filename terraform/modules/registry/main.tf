# Single-table registry: users, wikis, members, tokens and the JWKS cache. Key names are the
# contract with wikibot.registry's DynamoDB adapter: pk/sk, index gsi1 on gsi1pk/gsi1sk, TTL
# on expires_at.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_111:A key policy's "*" resource is the key itself; the account root administers it.
  #checkov:skip=CKV_AWS_356:A key policy's "*" resource is the key itself; the account root administers it.
  #checkov:skip=CKV_AWS_109:A key policy's "*" resource is the key itself; the account root administers it.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "dynamodb" {
  description             = "${var.name} DynamoDB registry encryption"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.kms.json

  tags = merge({ Name = "${var.name}-registry" }, var.tags)
}

resource "aws_kms_alias" "dynamodb" {
  name          = "alias/${var.name}-registry"
  target_key_id = aws_kms_key.dynamodb.key_id
}

resource "aws_dynamodb_table" "this" {
  name                        = "${var.name}-registry"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  attribute {
    name = "gsi1pk"
    type = "S"
  }

  attribute {
    name = "gsi1sk"
    type = "S"
  }

  global_secondary_index {
    name            = "gsi1"
    hash_key        = "gsi1pk"
    range_key       = "gsi1sk"
    projection_type = "ALL"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.dynamodb.arn
  }

  tags = merge({ Name = "${var.name}-registry" }, var.tags)
}
