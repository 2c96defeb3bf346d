from django.apps import AppConfig


class P2PConfig(AppConfig):
    """Peer-to-peer consultation scheduling."""

    name = "p2p"
    verbose_name = "Peer to Peer"
