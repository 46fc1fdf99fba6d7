"""Shared fixtures: one per role (as Zulip's test base does), a small registry, the browser."""

import itertools

import pytest
from django.core.cache import cache
from django.core.signals import setting_changed
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from libranet.accounts.models import User
from libranet.network.models import Center, Country, Institution, Region, StaffRole
from libranet.network.services import center_create, institution_create, staff_role_assign

pytest_plugins = [
    "libranet.tests.browser",
    "libranet.resources.search.testing",
    "libranet.usage.testing",
    "libranet.tests.servers",  # Redis and an S3-compatible store on the loopback
]

PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105 (test accounts only)
_codes = itertools.count(1)


@pytest.fixture(autouse=True, scope="session")
def _test_settings():
    """Static files straight from the apps (no collectstatic before tests) and fast hashing."""
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # A test module that imports ``default_storage`` has it set up while pytest collects
    # (before this fixture): drop the storages built from the old setting.
    setting_changed.send(sender=None, setting="STORAGES", value=settings.STORAGES, enter=True)
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached pages are keyed by the registry's version, which starts over in each test's
    database: no test may see another's pages."""
    cache.clear()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Services speak the active language; tests read their messages in English (pages pick
    theirs from the URL, as for users)."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a downloaded browser; the flags keep it off the closed network.
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def institution(db):
    return institution_create(
        actor=None,
        name_ru="Тверская областная научная библиотека",
        name_en="Tver Regional Scientific Library",
        kind="library",
    )


@pytest.fixture
def make_center(db, institution):
    """Register a center through the service, with defaults for what the test does not care."""

    def make(**fields):
        kind = fields.setdefault("kind", Center.Kind.REMOTE)
        if kind == Center.Kind.FOREIGN:
            fields.setdefault("country", Country.objects.get(code="MN"))
        else:
            fields.setdefault("region", Region.objects.get(code="RU-TVE"))
        fields.setdefault("code", f"TEST-{next(_codes):04d}")
        fields.setdefault("name_ru", f"Центр {fields['code']}")
        fields.setdefault("name_en", f"Center {fields['code']}")
        fields.setdefault("institution", institution)
        fields.setdefault("status", Center.Status.OPEN)
        return center_create(actor=None, **fields)

    return make


@pytest.fixture
def tver_rc(make_center):
    return make_center(
        code="RU-TVE-RC",
        kind=Center.Kind.REGIONAL,
        name_ru="Региональный центр в Тверской области",
        name_en="Regional center in Tver Region",
        networks=["192.0.2.0/26"],
    )


@pytest.fixture
def penza_rc(make_center):
    return make_center(
        code="RU-PNZ-RC", kind=Center.Kind.REGIONAL, region=Region.objects.get(code="RU-PNZ")
    )


@pytest.fixture
def make_staff(db):
    def make(username, role=None, *, center=None, region=None, superuser=False):
        user = User.objects.create_user(
            username=username, password=PASSWORD, is_superuser=superuser
        )
        if role:
            staff_role_assign(actor=None, user=user, role=role, center=center, region=region)
        return user

    return make


def with_authenticator(user):
    """Give ``user`` a confirmed authenticator (TOTP), as the roles that require one have."""
    TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)
    return user


@pytest.fixture
def admin_user(make_staff):
    return with_authenticator(make_staff("admin", StaffRole.Role.ADMINISTRATOR, superuser=True))


@pytest.fixture
def network_user(make_staff):
    return with_authenticator(make_staff("network", StaffRole.Role.NETWORK_DEPARTMENT))


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(monkeypatch):
    """``client.force_login`` stands for a finished sign-in: for a user with an authenticator,
    the code step is taken too. Tests of the second factor itself sign in through the pages."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def smtp_server():
    """A real SMTP server on the loopback (aiosmtpd), with Django's SMTP backend pointed at it;
    ``smtp_server.messages`` holds what it received, parsed. Setting ``smtp_server.refusals``
    makes it refuse that many next messages as a busy server does (451, try again later).
    Setting ``smtp_server.hold`` makes it hold the next message, received whole, without an
    answer (``holding`` is set meanwhile) until ``released`` is set: kept on receipt (with
    ``keep_held``, the default) or refused then."""
    import asyncio
    import email
    import email.policy
    import socket
    import threading

    from aiosmtpd.controller import Controller
    from django.test import override_settings

    class Inbox:
        def __init__(self):
            self.messages = []
            self.refusals = 0
            self.hold = False
            self.holding = threading.Event()
            self.released = threading.Event()
            self.keep_held = True

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
            if self.hold:
                self.hold = False
                if self.keep_held:  # kept on receipt, as a server commits before its answer
                    self.messages.append(
                        email.message_from_bytes(envelope.content, policy=email.policy.default)
                    )
                self.holding.set()
                while not self.released.is_set():
                    await asyncio.sleep(0.01)
                return "250 Message accepted" if self.keep_held else "451 4.3.0 Busy, try again"
            if self.refusals > 0:
                self.refusals -= 1
                return "451 4.3.0 Busy, try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(message)
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_TIMEOUT=5,
        ):
            yield inbox
    finally:
        controller.stop()


@pytest.fixture
def run_worker(monkeypatch):
    """``run_worker()``: `manage.py run_worker --batch` in the test's transaction, running what
    the database queue holds that is due (and taking over the tasks of silent workers, as it
    does at start). The worker closes "old" connections between tasks, which would end the
    transaction the test runs in; and it sets its own signal handlers."""
    import signal

    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        signals = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
        handlers = {s: signal.getsignal(s) for s in signals}
        try:
            call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        finally:
            for signum, handler in handlers.items():
                signal.signal(signum, handler)

    return run


@pytest.fixture
def run_import(client, settings, tmp_path, django_capture_on_commit_callbacks, run_worker):
    """``run_import(url, data)``: post an upload to a back-office import page as the signed-in
    ``client``; when the page took it (a redirect to the import's page), the task worker runs
    the job it queued. Returns the answer to the post; the import's page is its Location."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.MEDIA_ROOT = tmp_path / "media"

    def run(url, data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)
        if response.status_code == 302:
            run_worker()
        return response

    return run


@pytest.fixture
def international_user(make_staff):
    return make_staff("international", StaffRole.Role.INTERNATIONAL)


@pytest.fixture
def head_tver(make_staff):
    return make_staff(
        "head.tver", StaffRole.Role.REGIONAL_HEAD, region=Region.objects.get(code="RU-TVE")
    )


@pytest.fixture
def operator_user(make_staff, tver_rc):
    return make_staff("operator", StaffRole.Role.CENTER_OPERATOR, center=tver_rc)


@pytest.fixture
def reader_user(make_staff):
    return make_staff("reader")


@pytest.fixture
def other_institution(db):
    return Institution.objects.create(name_ru="Музей", name_en="Museum", kind="museum")
