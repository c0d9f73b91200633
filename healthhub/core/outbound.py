"""Outgoing HTTP requests to URLs that someone else chose: only to the public internet (no SSRF).

A tenant's webhook URL could name our own network: the cloud metadata service (169.254.169.254), a
database on 127.0.0.1, an office host on 10.x. `check_url` refuses such URLs when they are registered.
DNS answers can change afterwards (DNS rebinding), so `public_only_client()` checks again when it
connects: it resolves the host itself, refuses unless every address is public, and connects to the
address it checked, while TLS still verifies the certificate against the host name. Hosts the operator
lists (`HEALTHHUB_WEBHOOK_ALLOWED_HOSTS`, e.g. an on-site clinic system) skip both rules.
"""
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class DestinationRefused(httpx.RequestError):
    """The URL points where we never send requests; permanent (retrying cannot help). The message is bilingual."""


class NotAnHttpUrl(DestinationRefused):
    """Not an http(s) URL at all (another scheme, no host, a malformed port)."""


class HostNotFound(httpx.ConnectError):
    """The host name does not resolve (now): a network condition, retried like any connection error."""


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (::ffff:a.b.c.d, 6to4, NAT64): it is what gets reached."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(address: IPAddress) -> bool:
    """Globally routable unicast: not private, loopback, link-local (incl. 169.254.169.254), multicast,
    reserved, unspecified, shared (100.64/10) or documentation space, in IPv4 or IPv6."""
    address = _embedded_ipv4(address) or address
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_unspecified
                                      or address.is_loopback or address.is_link_local or address.is_private)


def _is_allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    return host.lower().rstrip(".") in {allowed.lower().rstrip(".") for allowed in allowed_hosts}


def public_addresses(host: str, port: int) -> list[IPAddress]:
    """Resolves `host` (an IP literal resolves to itself) and returns its addresses, all public, or raises."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise HostNotFound(f"无法解析主机名 {host} / the host name {host} does not resolve") from exc
    # getaddrinfo may answer "fe80::1%eth0": the zone names an interface, the address is what we judge.
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos))
    refused = [str(address) for address in addresses if not is_public_address(address)]
    if refused or not addresses:
        raise DestinationRefused(f"目标地址 {host}（{', '.join(refused)}）不是公网地址 / "
                                 f"{host} resolves to a non-public address ({', '.join(refused)})")
    return addresses


def check_url(url: str, *, allowed_hosts: Iterable[str]) -> None:
    """Refuses (DestinationRefused / HostNotFound) anything but https to public addresses, unless the host
    is explicitly allowed (then http is fine too: an on-site system may have no certificate)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise NotAnHttpUrl("网址格式错误 / the URL is malformed") from exc
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise NotAnHttpUrl("地址须为 http(s) 网址 / the URL must be an http(s) URL")
    if _is_allowed(parts.hostname, allowed_hosts):
        return
    if parts.scheme != "https":
        raise DestinationRefused("地址必须使用 https / the URL must use https (medical data travels encrypted)")
    public_addresses(parts.hostname, port or _DEFAULT_PORTS[parts.scheme])


def same_origin(url: str, origin_url: str) -> bool:
    """True when `url` has exactly the scheme, host and port of `origin_url`."""
    def origin(value: str) -> tuple[str, str, int | None]:
        parts = urlsplit(value)
        return parts.scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(parts.scheme)

    try:
        return origin(url) == origin(origin_url)
    except ValueError:  # a port that is no number
        return False


class _PublicOnlyBackend(httpcore.SyncBackend):
    """Resolves and checks at connect time, then connects to the checked address (no rebinding window)."""

    def __init__(self, allowed_hosts: Iterable[str]):
        self._allowed_hosts = tuple(allowed_hosts)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options=None) -> httpcore.NetworkStream:
        if not _is_allowed(host, self._allowed_hosts):
            host = str(public_addresses(host, port)[0])
        return super().connect_tcp(host, port, timeout=timeout, local_address=local_address,
                                   socket_options=socket_options)


def public_only_client(*, allowed_hosts: Iterable[str], timeout: float) -> httpx.Client:
    """An httpx client that only ever connects to public addresses (or the allowed hosts); no proxies
    from the environment, no redirects followed."""
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx has no public hook for name resolution; its transport keeps the httpcore pool in `_pool`.
    # tests/core/test_outbound.py proves the check runs at connect time, so an httpx change cannot go unnoticed.
    transport._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),  # noqa: SLF001
                                              network_backend=_PublicOnlyBackend(allowed_hosts))
    return httpx.Client(transport=transport, timeout=timeout, follow_redirects=False, trust_env=False)
