# CloudFront in front of the HTTP API. Page HTML goes through the session-check function and
# a short, per-session cache; static assets cache long; MCP, git, auth, API and discovery
# traffic is never cached and passes every method, header, cookie and query through.

locals {
  origin_id     = "api"
  origin_domain = trimprefix(var.api_endpoint, "https://")
  custom_domain = length(var.aliases) > 0
  all_methods   = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]

  # Path patterns that are never cached.
  uncached_paths = ["/*/mcp", "/*.git/*", "/api/*", "/auth/*", "/.well-known/*"]
  # CloudFront's `*` also matches "/", so "/*/mcp" matches /{user}/{wiki}/mcp and also a deeper
  # page named "mcp" (/{user}/{wiki}/Projects/mcp); "/*.git/*" likewise. A path pattern cannot
  # say "exactly two segments", so these behaviours run the session-check function too: it
  # passes exactly /{user}/{wiki}/mcp and /{user}/{wiki}.git/... and checks the session for
  # everything else. The root prefixes (/api, /auth, /.well-known) cannot be wiki pages (the
  # user ids "api" and "auth" are reserved; ".well-known" is not a valid id).
  session_checked_paths = ["/*/mcp", "/*.git/*"]

  # Otterwiki's static files, from S3 at one versioned path for every wiki: tools/release
  # uploads /_static/otterwiki-<version>/... and the web app links there (STATIC_ROOT in
  # lambdas/wikibot/web/app.py). "_" cannot start a user id, so no wiki page matches.
  static_origin_id = "static"
  static_path      = "/_static/*"
}

data "aws_cloudfront_cache_policy" "disabled" {
  name = "Managed-CachingDisabled"
}

data "aws_cloudfront_origin_request_policy" "all_viewer" {
  # API Gateway routes by its own Host name, so forward everything except Host.
  name = "Managed-AllViewerExceptHostHeader"
}

data "aws_cloudfront_response_headers_policy" "security" {
  name = "Managed-SecurityHeadersPolicy"
}

resource "aws_cloudfront_key_value_store" "this" {
  name    = "${var.name}-edge"
  comment = "wikibot session-signing key for the viewer-request function"
}

# The same string the Lambdas get as WIKIBOT_SESSION_KEY (it is also kept in Terraform state).
resource "aws_cloudfrontkeyvaluestore_key" "session_key" {
  key_value_store_arn = aws_cloudfront_key_value_store.this.arn
  key                 = "session_key"
  value               = var.session_key
}

resource "aws_cloudfront_function" "session_check" {
  name                         = "${var.name}-session-check"
  runtime                      = "cloudfront-js-2.0"
  comment                      = "Require a valid wikibot_session cookie on private wiki pages"
  code                         = file("${path.module}/session_check.js")
  publish                      = true
  key_value_store_associations = [aws_cloudfront_key_value_store.this.arn]
}

# Page HTML: honours the origin's Cache-Control up to max_ttl; nothing is cached without it.
# The session cookie is part of the key, so one user's cached page never reaches another.
resource "aws_cloudfront_cache_policy" "pages" {
  name        = "${var.name}-pages"
  comment     = "wikibot page HTML: short, per-session"
  min_ttl     = 0
  default_ttl = 0
  max_ttl     = var.page_max_ttl_seconds

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = true
    enable_accept_encoding_brotli = true

    cookies_config {
      cookie_behavior = "whitelist"

      cookies {
        items = ["wikibot_session"]
      }
    }

    headers_config {
      header_behavior = "none"
    }

    query_strings_config {
      query_string_behavior = "all"
    }
  }
}

resource "aws_cloudfront_cache_policy" "static" {
  name        = "${var.name}-static"
  comment     = "wikibot /_static/* (S3): long-lived, shared"
  min_ttl     = 0
  default_ttl = var.static_ttl_seconds
  max_ttl     = 31536000

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = true
    enable_accept_encoding_brotli = true

    cookies_config {
      cookie_behavior = "none"
    }

    headers_config {
      header_behavior = "none"
    }

    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

# Static files: private bucket, read only by this distribution (origin access control).
resource "aws_s3_bucket" "static" {
  #checkov:skip=CKV_AWS_18:Server access logs need a second bucket and cost at rest; CloudFront serves every read.
  #checkov:skip=CKV_AWS_144:Cross-region replication doubles storage; tools/release uploads the files again.
  #checkov:skip=CKV2_AWS_62:No consumer for event notifications; uploads are driven by tools/release.
  #checkov:skip=CKV_AWS_145:Public CSS/JS/fonts under SSE-S3: CloudFront's origin access control cannot decrypt the AWS managed KMS key.
  bucket        = var.static_bucket_name
  force_destroy = false

  tags = merge({ Name = var.static_bucket_name }, var.tags)
}

resource "aws_s3_bucket_public_access_block" "static" {
  bucket                  = aws_s3_bucket.static.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "static" {
  bucket = aws_s3_bucket.static.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "static" {
  bucket = aws_s3_bucket.static.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "static" {
  bucket = aws_s3_bucket.static.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "static" {
  bucket = aws_s3_bucket.static.id

  rule {
    id     = "expire-old-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 30
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_cloudfront_origin_access_control" "static" {
  name                              = "${var.name}-static"
  description                       = "wikibot static files (S3) for CloudFront"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

data "aws_iam_policy_document" "static" {
  statement {
    sid       = "CloudFrontReadsStaticFiles"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.static.arn}/_static/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.this.arn]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.static.arn, "${aws_s3_bucket.static.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "static" {
  bucket = aws_s3_bucket.static.id
  policy = data.aws_iam_policy_document.static.json

  depends_on = [aws_s3_bucket_public_access_block.static]
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_305:"/" is served by the wiki Lambda (landing page), not a root object.
  #checkov:skip=CKV_AWS_68:WAF costs at least $5/month at rest; throttling is on the HTTP API stage.
  #checkov:skip=CKV_AWS_86:Standard logging costs at rest; enable when investigating.
  #checkov:skip=CKV_AWS_310:Single origin (the HTTP API); there is nothing to fail over to.
  #checkov:skip=CKV_AWS_374:No geo restriction: the service is for users anywhere.
  #checkov:skip=CKV2_AWS_47:No WAF (see CKV_AWS_68), so no Log4j rule group.
  #checkov:skip=CKV2_AWS_42:A custom certificate is optional; without one the default domain is used.
  #checkov:skip=CKV_AWS_174:The default certificate's TLS policy is fixed by CloudFront; custom domains use TLSv1.2_2021.
  enabled         = true
  is_ipv6_enabled = true
  http_version    = "http2and3"
  price_class     = var.price_class
  comment         = var.name
  aliases         = var.aliases

  origin {
    origin_id   = local.origin_id
    domain_name = local.origin_domain

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  origin {
    origin_id                = local.static_origin_id
    domain_name              = aws_s3_bucket.static.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.static.id
  }

  default_cache_behavior {
    target_origin_id           = local.origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = local.all_methods
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.pages.id
    origin_request_policy_id   = data.aws_cloudfront_origin_request_policy.all_viewer.id
    response_headers_policy_id = data.aws_cloudfront_response_headers_policy.security.id

    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.session_check.arn
    }
  }

  # Versioned, immutable paths: the objects carry `public, max-age=31536000, immutable`.
  ordered_cache_behavior {
    path_pattern               = local.static_path
    target_origin_id           = local.static_origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.static.id
    response_headers_policy_id = data.aws_cloudfront_response_headers_policy.security.id
  }

  dynamic "ordered_cache_behavior" {
    for_each = local.uncached_paths

    content {
      path_pattern               = ordered_cache_behavior.value
      target_origin_id           = local.origin_id
      viewer_protocol_policy     = "https-only"
      allowed_methods            = local.all_methods
      cached_methods             = ["GET", "HEAD"]
      compress                   = true
      cache_policy_id            = data.aws_cloudfront_cache_policy.disabled.id
      origin_request_policy_id   = data.aws_cloudfront_origin_request_policy.all_viewer.id
      response_headers_policy_id = data.aws_cloudfront_response_headers_policy.security.id

      dynamic "function_association" {
        for_each = contains(local.session_checked_paths, ordered_cache_behavior.value) ? [1] : []

        content {
          event_type   = "viewer-request"
          function_arn = aws_cloudfront_function.session_check.arn
        }
      }
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = !local.custom_domain
    acm_certificate_arn            = local.custom_domain ? var.acm_certificate_arn : null
    ssl_support_method             = local.custom_domain ? "sni-only" : null
    minimum_protocol_version       = local.custom_domain ? "TLSv1.2_2021" : "TLSv1"
  }

  tags = merge({ Name = var.name }, var.tags)
}
