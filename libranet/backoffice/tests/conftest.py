import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The role fixtures create users with passwords; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
