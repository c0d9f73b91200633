"""The outgoing-request guard (SSRF): which addresses count as public, which URLs pass, and that the client
checks at connect time, after DNS resolution, so a name that turns inward is refused when it matters."""
import ipaddress
import socket

import httpx
import pytest

from healthhub.core import outbound
from tests.listeners import recording_listener


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "255.255.255.255", "224.0.0.1", "239.1.2.3", "192.0.2.10", "198.18.0.1", "240.0.0.1",
    "::1", "::", "fe80::1", "fd00::1", "ff02::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::1", "64:ff9b::a00:1", "::7f00:1",
])
def test_internal_and_special_addresses_are_not_public(address):
    assert not outbound.is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_global_unicast_addresses_are_public(address):
    assert outbound.is_public_address(ipaddress.ip_address(address))


def test_only_https_to_public_addresses_passes():
    outbound.check_url("https://93.184.215.14/hook", allowed_hosts=[])
    outbound.check_url("https://[2606:4700:4700::1111]:8443/hook", allowed_hosts=[])
    with pytest.raises(outbound.DestinationRefused, match="must use https"):
        outbound.check_url("http://93.184.215.14/hook", allowed_hosts=[])
    with pytest.raises(outbound.DestinationRefused, match="non-public"):
        outbound.check_url("https://localhost/hook", allowed_hosts=[])  # a name: judged by what it resolves to


@pytest.mark.parametrize("url", ["ftp://example.org/x", "https:///nohost", "https://example.org:99999/", "hook"])
def test_what_is_no_http_url_is_told_apart(url):
    with pytest.raises(outbound.NotAnHttpUrl):
        outbound.check_url(url, allowed_hosts=[])


def test_a_name_that_does_not_resolve_is_a_network_condition_not_a_refusal():
    with pytest.raises(outbound.HostNotFound):
        outbound.check_url("https://no-such-host.invalid/hook", allowed_hosts=[])


def test_allowed_hosts_match_by_name_only():
    outbound.check_url("http://127.0.0.1:9999/hook", allowed_hosts=["127.0.0.1"])
    outbound.check_url("http://His.Clinic.Local./x", allowed_hosts=["his.clinic.local"])
    with pytest.raises(outbound.DestinationRefused):
        outbound.check_url("http://127.0.0.2/hook", allowed_hosts=["127.0.0.1"])


def test_same_origin_compares_scheme_host_and_port():
    assert outbound.same_origin("http://127.0.0.1:8000/api/v1/x", "http://127.0.0.1:8000")
    assert outbound.same_origin("https://SHOP.example/cb", "https://shop.example:443/")
    assert not outbound.same_origin("http://127.0.0.1:9999/cb", "http://127.0.0.1:8000")
    assert not outbound.same_origin("https://127.0.0.1:8000/cb", "http://127.0.0.1:8000")
    assert not outbound.same_origin("http://127.0.0.1:bad/cb", "http://127.0.0.1:8000")


@pytest.fixture
def local_listener():
    with recording_listener(status=204) as listener:
        yield listener


def test_the_client_refuses_internal_targets_at_connect_time(local_listener):
    port = local_listener.port
    with outbound.public_only_client(allowed_hosts=[], timeout=5) as client:
        for url in (f"http://127.0.0.1:{port}/x", f"http://localhost:{port}/x"):
            with pytest.raises(outbound.DestinationRefused):
                client.post(url, content=b"{}")
    assert local_listener.paths == []
    with outbound.public_only_client(allowed_hosts=["127.0.0.1"], timeout=5) as client:
        assert client.post(f"http://127.0.0.1:{port}/ok", content=b"{}").status_code == 204
    assert local_listener.paths == ["/ok"]


def test_a_name_rebound_to_loopback_after_the_check_is_refused(local_listener, monkeypatch):
    """The name resolves to a public address when checked, then to loopback: the connection is refused."""
    port = local_listener.port
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["93.184.215.14", "127.0.0.1"])

    def rebinding_dns(host, *args, **kwargs):
        if host != "rebind.test":
            return real_getaddrinfo(host, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    outbound.check_url(f"https://rebind.test:{port}/x", allowed_hosts=[])  # registration: public, accepted
    with outbound.public_only_client(allowed_hosts=[], timeout=5) as client:
        with pytest.raises(outbound.DestinationRefused, match="127.0.0.1"):
            client.post(f"http://rebind.test:{port}/x", content=b"{}")
    assert local_listener.paths == []


def test_refusals_are_httpx_request_errors_so_senders_never_crash():
    assert issubclass(outbound.DestinationRefused, httpx.RequestError)
    assert issubclass(outbound.HostNotFound, httpx.ConnectError)
