"""Per-module services: Lana operator API methods, each a command through the owning actor."""
