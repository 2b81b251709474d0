"""The gateway's tests: real protocol peers on loopback (tests/bot/gateway_fakes), the real app."""
