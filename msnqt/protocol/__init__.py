"""The sans-IO MSNP2 codec (stdlib only)."""
