"""Checks of the torch worker that the TypeScript tests run (not part of the
worker): parity fixtures of its networks, and the bytes autograd saves."""
