"""The gateway's tests: real protocol peers on loopback (scripts/fakes), the real app."""
