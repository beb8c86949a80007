"""The MCP server the Lambda runs: every request answered as FastMCP would, without FastMCP."""
