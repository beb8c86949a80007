"""The MCP cold path: stateless methods answered from a manifest, without fastmcp."""
