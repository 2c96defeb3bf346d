"""The two navigation bars of the portal, as data.

A link appears once the page behind it exists (its URL name resolves), so later issues add pages
and the bars grow with them; nothing links to a page that is not there.
"""

from dataclasses import dataclass
from functools import cache

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str


# The UPX dashboard header (seed 001: "Authorization Lookup, Request An Authorization, Worklist,
# Portals, Help / Contact, User Access", then the user's name with Profile), with seed 004's Message Center and its
# Settings & Preferences.
UPX_LINKS = (
    NavLink("Authorization Lookup", "cases:authorization_lookup"),
    NavLink("Request An Authorization", "cases:request_authorization"),
    NavLink("Worklist", "cases:worklist"),
    NavLink("Message Center", "correspondence:message_center"),
    NavLink("Help / Contact", "resources:contacts"),
    NavLink("User Access", "practices:user_access"),
)
# Under the user's name in the header.
USER_MENU = (NavLink("Profile", "accounts:profile"), NavLink("Settings & Preferences", "correspondence:preferences"))
# ECRM is open to every signed-in user, with the same account.
PORTALS_MENU = (NavLink("CareCore", "cases:carecore_home"), NavLink("ECRM", "ecrm:landing"))
# The CareCore portal's bar on the case pages (SPEC, CASE section).
CARECORE_LINKS = (
    NavLink("Home", "portal:home"),
    NavLink("Certification Summary", "cases:worklist"),  # My Worklist, under CareCore's name for it
    NavLink("Authorization Lookup", "cases:authorization_lookup"),
    NavLink("Eligibility Lookup", "reference:eligibility_lookup"),
    NavLink("Clinical Certification", "cases:request_authorization"),
    NavLink("Certification Requests In Progress", "cases:in_progress"),
    NavLink("My P2P Requests", "p2p:my_requests"),  # the P2P scheduling tool's booked calls (seed 002)
    NavLink("Resources", "resources:index"),
    NavLink("Manage Your Account", "practices:manage_account"),
    NavLink("Help / Contact Us", "resources:contacts"),
)
VISITOR_LINKS = (
    NavLink("Home", "portal:home"),
    NavLink("Resources", "resources:index"),
    NavLink("Help / Contact", "resources:contacts"),
    NavLink("ECRM", "ecrm:landing"),
)

# ECRM (seed 000): "Submit Case" and "My Cases" in the upper right of every ECRM page.
ECRM_LINKS = (
    NavLink("Submit Case", "ecrm:submit_case"),
    NavLink("My Cases", "ecrm:my_cases"),
)
# An account registered for ECRM only sees ECRM in the header: the provider portal's pages are not theirs.
ECRM_ONLY_PORTALS_MENU = (NavLink("ECRM", "ecrm:landing"),)


@cache
def resolved(links: tuple[NavLink, ...]) -> tuple[tuple[str, str], ...]:
    """(label, url) for each link whose page exists; URL patterns are fixed for a process's life."""
    return tuple((link.label, url) for link in links if (url := url_if_exists(link.url_name)))


@cache
def url_if_exists(url_name: str) -> str:
    """The page's URL, or "" while that page is not built."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return ""
