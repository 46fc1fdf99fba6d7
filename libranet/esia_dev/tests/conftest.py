from libranet.esia_dev.testing import esia_keys, esia_provider, esia_servers  # noqa: F401
