"""The same digits written in other scripts, which Python's \\d and str.isdigit() accept as digits."""

_ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x0660 + digit) for digit in range(10)))
_FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + digit) for digit in range(10)))


def arabic_indic(value: str) -> str:
    """ "061234567" in Arabic-Indic digits (U+0660 to U+0669)."""
    return value.translate(_ARABIC_INDIC)


def fullwidth(value: str) -> str:
    """ "061234567" in fullwidth digits (U+FF10 to U+FF19), as some East Asian keyboards type them."""
    return value.translate(_FULLWIDTH)
