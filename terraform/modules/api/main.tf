# HTTP API (payload 2.0) in front of the three `live` aliases. HTTP APIs cannot emit X-Ray
# traces; tracing starts at the Lambdas (active tracing).

locals {
  # Route key => function role. Everything else ($default) is the wiki: the web UI at
  # /{user}/{wiki}/... and git smart HTTP at /{user}/{wiki}.git/...
  routes = {
    "ANY /{user}/{wiki}/mcp"    = "mcp"
    "ANY /.well-known/{proxy+}" = "mcp"
    "ANY /auth/{proxy+}"        = "platform"
    "ANY /api/{proxy+}"         = "platform"
    "$default"                  = "wiki"
  }
}

resource "aws_apigatewayv2_api" "this" {
  name          = var.name
  protocol_type = "HTTP"
  description   = "wikibot: web UI, git smart HTTP, MCP and platform API"

  tags = merge({ Name = var.name }, var.tags)
}

resource "aws_apigatewayv2_integration" "this" {
  for_each = var.functions

  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = each.value.invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 30000
}

resource "aws_apigatewayv2_route" "this" {
  #checkov:skip=CKV_AWS_309:Authentication happens in the Lambdas (sessions, API tokens, OAuth).
  for_each = local.routes

  api_id    = aws_apigatewayv2_api.this.id
  route_key = each.key
  target    = "integrations/${aws_apigatewayv2_integration.this[each.value].id}"
}

resource "aws_cloudwatch_log_group" "access" {
  #checkov:skip=CKV_AWS_158:Logs use CloudWatch's own encryption; a CMK adds $1/month per key.
  #checkov:skip=CKV_AWS_338:Short retention keeps cost at rest near zero; raise it per environment.
  name              = "/aws/apigateway/${var.name}"
  retention_in_days = var.log_retention_days

  tags = merge({ Name = "${var.name}-access" }, var.tags)
}

resource "aws_apigatewayv2_stage" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId      = "$context.requestId"
      ip             = "$context.identity.sourceIp"
      requestTime    = "$context.requestTime"
      httpMethod     = "$context.httpMethod"
      routeKey       = "$context.routeKey"
      path           = "$context.path"
      status         = "$context.status"
      responseLength = "$context.responseLength"
      latencyMs      = "$context.responseLatency"
      integrationMs  = "$context.integrationLatency"
      error          = "$context.integrationErrorMessage"
    })
  }

  default_route_settings {
    throttling_burst_limit = var.throttling_burst_limit
    throttling_rate_limit  = var.throttling_rate_limit
  }

  tags = merge({ Name = var.name }, var.tags)
}

resource "aws_lambda_permission" "this" {
  for_each = var.functions

  statement_id  = "AllowHttpApi"
  action        = "lambda:InvokeFunction"
  function_name = each.value.function_name
  qualifier     = each.value.qualifier
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/*/*"
}
