"""Staff sign-in: password with lockout and slow-down, the second factor (TOTP), password reset.

A package of its own inside ``accounts`` (which holds the user model): nothing here knows roles;
which roles must use a second factor is the permission module's rule (``network.permissions``).
"""
