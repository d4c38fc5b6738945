"""The start URL of a first connection: the forms AWS gives, nothing else, and one line
when it does not answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.aws.login_errors import SignInError
from app.aws.sso_start import (
    COMMON_SSO_REGIONS,
    StartUrlError,
    StartUrlUnreachable,
    UnknownSsoRegion,
    check_sso_region,
    parse_start_url,
    probe_start_url,
    sso_regions,
    sso_test_endpoint,
)
from tests.cli.helpers import closed_port, fake_web_server, silent_endpoint

ISSUER = "https://identitycenter.amazonaws.com/ssoins-1234567890abcdef"


@pytest.mark.parametrize(
    ("text", "url", "name"),
    [
        ("https://acme.awsapps.com/start", "https://acme.awsapps.com/start", "acme"),
        ("https://acme.awsapps.com/start/", "https://acme.awsapps.com/start", "acme"),
        (
            "  https://d-9067c1a2b3.awsapps.com/start#/ ",
            "https://d-9067c1a2b3.awsapps.com/start",
            "d-9067c1a2b3",
        ),
        ("https://ACME.awsapps.com/start#", "https://acme.awsapps.com/start", "acme"),
        ("https://acme.awsapps.cn/start", "https://acme.awsapps.cn/start", "acme"),
        (ISSUER, ISSUER, "ssoins-1234567890abcdef"),
        (ISSUER + "/", ISSUER, "ssoins-1234567890abcdef"),
    ],
)
def test_the_forms_aws_gives_are_accepted_in_one_normal_form(
    text: str, url: str, name: str
) -> None:
    start = parse_start_url(text)
    assert (start.url, start.name, start.region_hint) == (url, name, None)


def test_the_dual_stack_portal_names_its_region() -> None:
    start = parse_start_url("https://ssoins-1234567890abcdef.portal.eu-central-1.app.aws")
    assert start.region_hint == "eu-central-1"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("acme.awsapps.com/start", "https://"),
        ("http://acme.awsapps.com/start", "https://"),
        ("https://acme.awsapps.com/", "/start"),
        ("https://acme.awsapps.com/start?x=1", "parts"),
        ("https://acme.awsapps.com:8443/start", "parts"),
        ("https://user@acme.awsapps.com/start", "parts"),
        ("https://acme.awsapps.com/start#/instance", "parts"),
        ("https://evil.com/acme.awsapps.com/start", "evil.com"),
        ("https://acme.awsapps.com.evil.com/start", "not an AWS access portal host"),
        ("https://identitycenter.amazonaws.com/start", "ssoins-"),
        ("https://identitycenter.amazonaws.com/ssoins-123", "ssoins-"),
        ("https://127.0.0.1/start", "not an AWS access portal host"),
        ("http://127.0.0.1:8080/start", "https://"),
    ],
)
def test_anything_else_is_refused_with_the_forms_it_could_take(text: str, why: str) -> None:
    with pytest.raises(StartUrlError) as caught:
        parse_start_url(text)
    message = str(caught.value)
    assert why in message
    assert "https://YOUR-ORG.awsapps.com/start" in message and "\n" not in message


def test_a_loopback_url_only_through_the_explicit_test_endpoint() -> None:
    seam = "http://127.0.0.1:8080"
    assert parse_start_url("http://127.0.0.1:8080/start", test_endpoint=seam).url == (
        "http://127.0.0.1:8080/start"
    )
    for other in ("http://127.0.0.1:8081/start", "http://localhost:8080/start"):
        with pytest.raises(StartUrlError):
            parse_start_url(other, test_endpoint=seam)
    with pytest.raises(StartUrlError):
        parse_start_url("http://127.0.0.1:8080/start")  # no seam, no loopback


def test_the_test_endpoint_variable_takes_loopback_only() -> None:
    assert sso_test_endpoint({}) is None
    value = "http://127.0.0.1:9000/"
    assert sso_test_endpoint({"AUDIT_BINDER_TEST_SSO_ENDPOINT": value}) == value[:-1]
    for bad in ("https://acme.awsapps.com", "http://10.0.0.1:80", "http://127.0.0.1"):
        with pytest.raises(SignInError, match="loopback"):
            sso_test_endpoint({"AUDIT_BINDER_TEST_SSO_ENDPOINT": bad})


def test_regions_come_from_botocore_with_the_common_ones_first() -> None:
    regions = sso_regions()
    assert regions[: len(COMMON_SSO_REGIONS)] == list(COMMON_SSO_REGIONS)
    rest = regions[len(COMMON_SSO_REGIONS) :]
    assert rest == sorted(rest) and len(set(regions)) == len(regions)
    assert {"ap-south-1", "cn-north-1", "us-gov-west-1"} <= set(rest)
    assert check_sso_region(" EU-West-1 ") == "eu-west-1"
    with pytest.raises(UnknownSsoRegion, match="eu-west-9"):
        check_sso_region("eu-west-9")


def test_any_http_answer_means_the_url_answers() -> None:
    for status in (200, 302, 403, 404):
        with fake_web_server(status, b"portal") as endpoint:
            probe_start_url(f"{endpoint}/start")  # no error


@pytest.fixture
def silent() -> Iterator[str]:
    with silent_endpoint() as endpoint:
        yield endpoint


def _unreachable(url: str) -> str:
    with pytest.raises(StartUrlUnreachable) as caught:
        probe_start_url(url, timeout=0.3)
    message = str(caught.value)
    assert "\n" not in message and url in message
    return message


def test_refused_timeout_dns_and_proxy_are_one_line_each(
    silent: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    port = closed_port()
    refused = f"http://127.0.0.1:{port}/start"
    assert "127.0.0.1 refused the connection" in _unreachable(refused)
    assert "did not answer in time" in _unreachable(f"{silent}/start")
    assert "could not be resolved (DNS)" in _unreachable("http://portal.nowhere.invalid/start")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    assert f"the proxy (http://127.0.0.1:{port})" in _unreachable(refused)
