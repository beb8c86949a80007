"""Lambda entry for the MCP function: API Gateway (HTTP API v2) events through Mangum.

Module scope (Lambda's INIT, which runs at full CPU) builds the app and sends it one internal
`tools/list`, so lazy imports and schema building are paid before the first user request. The
EventBridge warming ping (`{"wikibot": "warm"}`) is answered without touching the app.
"""

from mangum import Mangum

from wikibot.mcp.app import create_app, warm_up
from wikibot.settings import from_env

app = create_app(from_env())
_asgi = Mangum(app, lifespan="auto")
warm_up(app)


def handler(event: dict, context: object) -> dict:
    """Serve one API Gateway event, or answer a warming ping."""
    if event.get("wikibot") == "warm":
        return {"warm": True}
    return _asgi(event, context)
