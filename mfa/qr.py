"""What an authenticator app needs to add the portal: a QR code (inline SVG) and the key as text."""

from base64 import b32encode
from xml.etree import ElementTree

import qrcode
from django.utils.safestring import SafeString, mark_safe
from qrcode.image.svg import SvgPathFillImage


def authenticator_qr_svg(device) -> SafeString:
    """The device's otpauth:// URL as an inline SVG QR code (no data: URL, no inline style: CSP-clean)."""
    code = qrcode.QRCode(border=4, image_factory=SvgPathFillImage)
    code.add_data(device.config_url)
    svg = code.make_image().get_image()
    svg.set("width", "240")
    svg.set("height", "240")
    svg.set("role", "img")
    svg.set("aria-label", "QR code to add the EviCore Provider Portal to your authenticator app")
    svg.set("focusable", "false")
    # Built by qrcode from our own URL: no user-supplied markup reaches the page.
    return mark_safe(ElementTree.tostring(svg, encoding="unicode"))  # noqa: S308


def authenticator_secret(device) -> str:
    """The key in base32, in groups of four, as apps ask for it when typed by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
