"""Running OncoPRO: the CLI, the demo clinic, production settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from oncopro.accounts.models import Role, User
from oncopro.alerts.models import Alert, AlertOutbox
from oncopro.care.access import visible_patients
from oncopro.care.models import CarePhase, Patient
from oncopro.checkins.models import CheckIn
from oncopro.ops.demo_data import DEMO_PASSWORD, demo_logins

ROOT = Path(__file__).resolve().parent.parent


def run(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oncopro", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **(env or {}),
        },
        timeout=120,
        check=False,
    )


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("demo", "serve", "worker", "migrate"):
        assert f"  {command} " in result.stdout


def test_demo_builds_a_clinic_across_the_three_phases(db: None, capsys) -> None:
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    for login in demo_logins():
        assert login.email in out
    phases = set(Patient.objects.values_list("care_phase", flat=True))
    assert phases == {CarePhase.ACTIVE_TREATMENT, CarePhase.PALLIATIVE, CarePhase.HOSPICE}
    assert Patient.objects.count() == 12
    assert all(p.care_team.kind == "hospice" for p in Patient.objects.filter(care_phase="hospice"))
    assert len({tuple(p.therapies) for p in Patient.objects.all()}) >= 10
    carol = User.objects.get(email=demo_logins()[1].email)
    assert carol.role == Role.CAREGIVER
    assert [p.full_name for p in visible_patients(carol)] == ["Alice Moreau"]
    alice = Patient.objects.get(user__email=demo_logins()[0].email)
    checkins = CheckIn.objects.filter(patient=alice)
    assert checkins.count() == 4
    assert checkins.first().urgency == "urgent"  # type: ignore[union-attr]  # fever on chemo
    # Earlier weeks' alerts were resolved; this week's wait for the worker.
    assert Alert.objects.filter(resolved_at__isnull=False).exists()
    assert not Alert.objects.filter(resolved_at=None).exists()
    assert AlertOutbox.objects.filter(processed_at=None).exists()
    # A second run keeps what is there.
    call_command("demo", "--no-serve")
    assert "already set up" in capsys.readouterr().out
    assert Patient.objects.count() == 12


def test_deploy_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = run(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "SITE_ROOT": "https://oncopro.example.org",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ONCOPRO_DATA_DIR": str(tmp_path),
            "DEBUG": "false",
            "EMAIL_HOST": "smtp.example.org",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_plain_http_settings_are_not_called_production_ready(tmp_path: Path) -> None:
    result = run(
        "check", "--deploy", "--fail-level", "WARNING", env={"ONCOPRO_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stderr + result.stdout


def test_old_python_is_refused_in_plain_words() -> None:
    old = "/root/.pyenv/versions/3.11.7/bin/python3"
    script = ROOT / "scripts" / "check_python.py"
    if Path(old).exists():
        result = subprocess.run([old, str(script)], capture_output=True, text=True, check=False)
        assert result.returncode == 1
        assert "OncoPRO needs Python 3.12 or newer" in result.stderr
    ok = subprocess.run([sys.executable, str(script)], capture_output=True, check=False)
    assert ok.returncode == 0


def test_demo_serves_a_login_page_that_takes_the_printed_logins(tmp_path: Path) -> None:
    """The README's promise, for real: `oncopro demo` on an empty data folder,
    gunicorn and the worker started, a printed login accepted over HTTP."""
    import http.cookiejar
    import re
    import signal
    import socket
    import time
    import urllib.parse
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)}
    env["ONCOPRO_DATA_DIR"] = str(tmp_path)
    demo = subprocess.Popen(
        [sys.executable, "-m", "oncopro", "demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        printed = ""
        assert demo.stdout is not None
        for line in demo.stdout:
            printed += line
            if "Press Ctrl-C" in line:
                break
        password = re.search(r"password: (\S+)", printed)
        email = re.search(r"(\S+@\S+)\s+patient", printed)
        assert password, printed
        assert email, printed
        base = f"http://127.0.0.1:{port}"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for _ in range(100):
            try:
                login_page = opener.open(f"{base}/accounts/login/").read().decode()
                break
            except OSError:
                time.sleep(0.2)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)
        assert token
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": email.group(1),
                "password": password.group(1),
            }
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"}
        )
        page = opener.open(request).read().decode()  # follows the redirects
        assert "Hello, Alice Moreau" in page
        assert (tmp_path / "oncopro.sqlite3").exists()
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=30)


def test_a_yes_no_setting_takes_the_documented_spellings_only(monkeypatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from oncopro.settings import FALSE_SPELLINGS, TRUE_SPELLINGS, envbool

    for spelled in TRUE_SPELLINGS:
        for variant in (spelled, spelled.upper(), f" {spelled.title()} "):
            monkeypatch.setenv("ONCOPRO_SOME_SWITCH", variant)
            assert envbool("ONCOPRO_SOME_SWITCH", False) is True
    for spelled in FALSE_SPELLINGS:
        monkeypatch.setenv("ONCOPRO_SOME_SWITCH", spelled.upper())
        assert envbool("ONCOPRO_SOME_SWITCH", True) is False
    for unset in ("", "  "):
        monkeypatch.setenv("ONCOPRO_SOME_SWITCH", unset)
        assert envbool("ONCOPRO_SOME_SWITCH", True) is True
    for typo in ("ture", "enabled", "2", "y"):
        monkeypatch.setenv("ONCOPRO_SOME_SWITCH", typo)
        with pytest.raises(ImproperlyConfigured, match=f"SWITCH='{typo}' is neither true nor"):
            envbool("ONCOPRO_SOME_SWITCH", False)


def test_a_mistyped_switch_stops_start_up_in_one_plain_line(tmp_path: Path) -> None:
    result = run("check", env={"BEHIND_PROXY": "ture", "ONCOPRO_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "oncopro: BEHIND_PROXY='ture' is neither true nor false. Use one of: "
        "true, yes, on, 1 (for true) or false, no, off, 0 (for false)."
    )
