"""client_address: X-Forwarded-For is believed only as far as trusted proxies wrote it."""

from __future__ import annotations

import ipaddress

import pytest

from campus_booking.adapters.http.client_address import UNKNOWN, client_address

PROXY = "10.0.0.5"
TRUSTED = (ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("::1/128"))


def test_without_trusted_proxies_a_forged_header_is_ignored() -> None:
    """The attack: a client naming a new address per request would escape per-client limits."""
    assert client_address("203.0.113.9", ["198.51.100.1"], ()) == "203.0.113.9"


def test_a_header_from_an_untrusted_peer_is_ignored() -> None:
    assert client_address("203.0.113.9", ["198.51.100.1"], TRUSTED) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_forwarded_client_counts() -> None:
    assert client_address(PROXY, ["198.51.100.1"], TRUSTED) == "198.51.100.1"


def test_what_the_client_wrote_left_of_its_own_address_is_ignored() -> None:
    """The proxy appends the peer it saw; anything before that came from the client."""
    assert client_address(PROXY, ["1.2.3.4, 198.51.100.1"], TRUSTED) == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_walked_from_the_nearest_hop() -> None:
    header = ["6.6.6.6, 198.51.100.1", "10.0.0.7"]
    assert client_address(PROXY, header, TRUSTED) == "198.51.100.1"


@pytest.mark.parametrize("garbage", ["not-an-ip", "", "198.51.100.1:443"])
def test_garbage_in_the_header_stops_at_the_last_trusted_hop(garbage: str) -> None:
    assert client_address(PROXY, [f"198.51.100.1, {garbage}"], TRUSTED) == PROXY


def test_a_trusted_peer_without_the_header_is_the_client() -> None:
    assert client_address("::1", [], TRUSTED) == "::1"


def test_no_peer_at_all_is_unknown() -> None:
    assert client_address(None, ["198.51.100.1"], TRUSTED) == UNKNOWN
