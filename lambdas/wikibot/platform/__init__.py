"""The platform Lambda: web sign-in (WorkOS AuthKit), the management API, the JWKS sync."""
