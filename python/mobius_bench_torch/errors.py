"""Errors a user can cause (a bad cell config, CUDA asked for but missing): the
worker reports them as `userError: true` with no stack trace."""


class UserError(Exception):
    """Bad input: says what was wrong and what to do."""
