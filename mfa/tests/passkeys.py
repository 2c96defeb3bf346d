"""A passkey authenticator in software, standing in for the outside world (a phone, a security key).

It answers the options the portal sends exactly as a browser would pass on an authenticator's answer: an
EC P-256 key, attestation "none" when it registers, an ECDSA signature over the authenticator data and
the client data when it is used. Only ``py_webauthn``'s JSON shapes are assumed.
"""

import hashlib
import json
import secrets

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import bytes_to_base64url

ORIGIN = "http://localhost:8000"  # the test settings' OTP_WEBAUTHN_ALLOWED_ORIGINS

# Authenticator-data flags (WebAuthn 6.1): user present, user verified, attested credential data.
USER_PRESENT, USER_VERIFIED, ATTESTED_CREDENTIAL_DATA = 0x01, 0x04, 0x40


class SoftwareAuthenticator:
    def __init__(self, *, origin: str = ORIGIN):
        self.origin = origin
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.sign_count = 0

    def _cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        # COSE_Key: kty EC2, alg ES256, crv P-256, x, y.
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, ceremony: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": ceremony, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict, *, origin: str | None = None, challenge: str | None = None) -> dict:
        """navigator.credentials.create(): a new passkey for ``options`` (the portal's creation options)."""
        rp_id_hash = hashlib.sha256(options["rp"]["id"].encode()).digest()
        flags = USER_PRESENT | USER_VERIFIED | ATTESTED_CREDENTIAL_DATA
        attested = bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id
        authenticator_data = rp_id_hash + bytes([flags]) + self.sign_count.to_bytes(4, "big")
        attestation = cbor2.dumps(
            {"fmt": "none", "attStmt": {}, "authData": authenticator_data + attested + self._cose_public_key()}
        )
        client_data = self._client_data("webauthn.create", challenge or options["challenge"], origin)
        return {
            "id": bytes_to_base64url(self.credential_id),
            "rawId": bytes_to_base64url(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {"credProps": {"rk": True}},
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "attestationObject": bytes_to_base64url(attestation),
                "transports": ["internal"],
            },
        }

    def get(self, options: dict, *, origin: str | None = None) -> dict:
        """navigator.credentials.get(): this passkey signs the challenge in ``options``."""
        self.sign_count += 1
        rp_id_hash = hashlib.sha256(options["rpId"].encode()).digest()
        authenticator_data = rp_id_hash + bytes([USER_PRESENT | USER_VERIFIED]) + self.sign_count.to_bytes(4, "big")
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.private_key.sign(
            authenticator_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": bytes_to_base64url(self.credential_id),
            "rawId": bytes_to_base64url(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "authenticatorData": bytes_to_base64url(authenticator_data),
                "signature": bytes_to_base64url(signature),
            },
        }
