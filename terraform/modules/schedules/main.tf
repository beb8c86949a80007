# Scheduled invocations of the `live` aliases:
# - warm: every 5 minutes, wiki and mcp, so a user rarely meets a cold start;
# - jwks: hourly, platform, which copies AuthKit's JWKS into DynamoDB for the VPC Lambdas.
# Each target receives a constant JSON event {"wikibot": "<job>"} the handlers recognise.

locals {
  schedules = {
    warm = { expression = var.warm_schedule, functions = ["wiki", "mcp"] }
    jwks = { expression = var.jwks_schedule, functions = ["platform"] }
  }

  targets = merge([
    for job, s in local.schedules : {
      for fn in s.functions : "${job}-${fn}" => { job = job, function = fn }
    }
  ]...)
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each = local.schedules

  name                = "${var.name}-${each.key}"
  description         = "wikibot ${each.key}: ${join(", ", each.value.functions)}"
  schedule_expression = each.value.expression
  state               = var.enabled ? "ENABLED" : "DISABLED"

  tags = merge({ Name = "${var.name}-${each.key}" }, var.tags)
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = local.targets

  rule      = aws_cloudwatch_event_rule.this[each.value.job].name
  target_id = each.key
  arn       = var.functions[each.value.function].alias_arn
  input     = jsonencode({ wikibot = each.value.job })
}

resource "aws_lambda_permission" "this" {
  for_each = local.targets

  statement_id  = "AllowSchedule-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = var.functions[each.value.function].function_name
  qualifier     = var.functions[each.value.function].qualifier
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this[each.value.job].arn
}
