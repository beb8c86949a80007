"""Lambda entry for the MCP function: API Gateway (HTTP API v2) events through Mangum.

Module scope builds what warm invocations reuse; the handler only adapts the event.
"""

from mangum import Mangum

from wikibot.mcp.app import create_app
from wikibot.settings import from_env

app = create_app(from_env())
handler = Mangum(app, lifespan="auto")
