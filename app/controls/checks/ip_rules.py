"""How security-group permissions and network-ACL entries admit traffic.

Shared by default-vpcs, no-ssh, sg-inbound and nacls, so "admits TCP 22" or
"denies everything" mean the same thing in every check.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from app.aws.inventory.model import IpPermission, NetworkAcl, NetworkAclEntry

ALL_PROTOCOLS = frozenset({"-1", "all"})
TCP = frozenset({"tcp", "6"})
EPHEMERAL_PORTS = (49152, 65535)  # the range the article says NACLs must let back in
WORLD_V4 = "0.0.0.0/0"
WORLD_V6 = "::/0"


def prefix_length(cidr: str) -> int | None:
    """The prefix length of a CIDR, None when it does not parse."""
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen
    except ValueError:
        return None


def is_world(cidr: str | None) -> bool:
    return cidr is not None and prefix_length(cidr) == 0


def permission_admits_tcp_port(permission: IpPermission, port: int) -> bool:
    """True if the permission lets TCP `port` through: all protocols, or TCP with a
    range that covers it (a TCP rule without ports covers every port)."""
    protocol = permission.ip_protocol.lower()
    if protocol in ALL_PROTOCOLS:
        return True
    if protocol not in TCP:
        return False
    low = 0 if permission.from_port is None or permission.from_port < 0 else permission.from_port
    high = 65535 if permission.to_port is None or permission.to_port < 0 else permission.to_port
    return low <= port <= high


def describe_permission(permission: IpPermission) -> str:
    """`tcp 20-23` / `all traffic` / `udp 53`: the protocol and ports of a permission."""
    protocol = permission.ip_protocol.lower()
    if protocol in ALL_PROTOCOLS:
        return "all traffic"
    name = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}.get(protocol, protocol)
    if permission.from_port is None or permission.from_port < 0:
        return f"{name} all ports"
    if permission.from_port == permission.to_port:
        return f"{name} {permission.from_port}"
    return f"{name} {permission.from_port}-{permission.to_port}"


def permission_sources(permission: IpPermission, own_account: str = "") -> list[str]:
    """Every source a permission names: CIDRs, prefix lists, referenced groups (with the
    account and VPC peering connection of a group across a peering)."""
    return [
        *permission.ipv4_ranges,
        *permission.ipv6_ranges,
        *(f"prefix list {p}" for p in permission.prefix_list_ids),
        *(g.describe(own_account) for g in permission.group_references),
    ]


# --- network ACLs -------------------------------------------------------------------


def entry_source(entry: NetworkAclEntry) -> str:
    return entry.cidr_block or entry.ipv6_cidr_block or "?"


def entry_is_all_traffic(entry: NetworkAclEntry) -> bool:
    """Protocol "-1" covers every protocol and port, whatever PortRange says."""
    return entry.protocol.lower() in ALL_PROTOCOLS


def describe_entry(entry: NetworkAclEntry) -> str:
    """`#100 allow all traffic from 0.0.0.0/0` in words."""
    direction = "to" if entry.egress else "from"
    if entry_is_all_traffic(entry):
        what = "all traffic"
    else:
        name = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}.get(
            entry.protocol, f"protocol {entry.protocol}"
        )
        if entry.port_from is None:
            what = f"{name} all ports"
        elif entry.port_from == entry.port_to:
            what = f"{name} {entry.port_from}"
        else:
            what = f"{name} {entry.port_from}-{entry.port_to}"
    number = "*" if entry.rule_number >= 32767 else str(entry.rule_number)
    return f"#{number} {entry.rule_action} {what} {direction} {entry_source(entry)}"


def ordered_entries(acl: NetworkAcl, egress: bool) -> list[NetworkAclEntry]:
    """One direction's entries in evaluation order (lowest rule number first)."""
    return sorted((e for e in acl.entries if e.egress == egress), key=lambda e: e.rule_number)


def _contains(outer: str, inner: str) -> bool:
    try:
        a = ipaddress.ip_network(outer, strict=False)
        b = ipaddress.ip_network(inner, strict=False)
    except ValueError:
        return False
    return a.version == b.version and b.subnet_of(a)  # type: ignore[arg-type]


def reachable_allows(acl: NetworkAcl, egress: bool) -> list[NetworkAclEntry]:
    """Allow entries some packet can still reach: first match wins, so an allow is dead
    only if an earlier all-traffic deny covers its whole source range."""
    live: list[NetworkAclEntry] = []
    denies: list[str] = []
    for entry in ordered_entries(acl, egress):
        source = entry_source(entry)
        if entry.rule_action == "deny":
            if entry_is_all_traffic(entry):
                denies.append(source)
        elif not any(_contains(deny, source) for deny in denies):
            live.append(entry)
    return live


def world_open_entry(acl: NetworkAcl, egress: bool, world: str) -> NetworkAclEntry | None:
    """The entry that decides traffic from `world` (0.0.0.0/0 or ::/0) when it is an
    all-traffic allow: the first all-traffic entry for the whole address space wins."""
    version = 6 if ":" in world else 4
    for entry in ordered_entries(acl, egress):
        source = entry_source(entry)
        if (":" in source) != (version == 6):
            continue
        if is_world(source) and entry_is_all_traffic(entry):
            return entry if entry.rule_action == "allow" else None
    return None


def allows_port_range(entries: Iterable[NetworkAclEntry], low: int, high: int) -> bool:
    """True if some live allow entry lets TCP through on the whole of `low..high`."""
    for entry in entries:
        if entry_is_all_traffic(entry):
            return True
        if entry.protocol in TCP and (
            entry.port_from is None or (entry.port_from <= low and (entry.port_to or 65535) >= high)
        ):
            return True
    return False


def summarize(items: Sequence[str], limit: int = 5) -> str:
    """`a, b, c` or `a, b, c, d, e and 3 more`: keeps details readable in the binder."""
    shown = ", ".join(items[:limit])
    rest = len(items) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown
