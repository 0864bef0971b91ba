"""The client's address: the peer's, or, behind proxies we trust, the one they forwarded.

Throttling counts per client address. Behind a reverse proxy every peer is the proxy, so
everyone would share one count; but `X-Forwarded-For` is written by whoever sends the
request, so it is believed only as far as the hops that added it are proxies listed in
`CAMPUS_BOOKING_TRUSTED_PROXIES`. Read from the right (the nearest hop), the first address
that is not a trusted proxy is the client; anything to its left is the client's own say.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from campus_booking.settings import Network

UNKNOWN = "unknown"


def client_address(
    peer: str | None, forwarded_for: Iterable[str], trusted: Sequence[Network]
) -> str:
    if peer is None:
        return UNKNOWN
    hop = _address(peer)
    if hop is None or not _is_trusted(hop, trusted):
        return peer
    hops = [item.strip() for header in forwarded_for for item in header.split(",")]
    for raw in reversed(hops):
        forwarded = _address(raw)
        if forwarded is None:
            break  # garbage written by someone: the last hop we trust saw the client
        hop = forwarded
        if not _is_trusted(hop, trusted):
            break
    return str(hop)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, trusted: Sequence[Network]
) -> bool:
    return any(address in network for network in trusted)
