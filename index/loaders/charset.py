"""The text of a web page's bytes, whatever charset it was saved or served in.

Order (the WHATWG Encoding Standard's, so the BOM comes before the HTTP header):
1. a byte-order mark (UTF-8 / UTF-16): it is unambiguous, and browsers let it override any label;
2. the charset of the HTTP Content-Type header, when the caller fetched the page and passes it;
3. <meta charset>, <meta http-equiv="Content-Type" content="...; charset=...">, or an XML declaration;
4. detection on the page's text (tags stripped): UTF-8, else windows-1252 when that reads as Western European
   text, else charset-normalizer among the web's encodings (see `detect_codec`).
Two safety rules: a declared legacy charset loses to UTF-8 when the bytes are valid UTF-8 with non-ASCII characters
in them (a page re-saved as UTF-8 keeps its old <meta charset>, and legacy-encoded text is valid multi-byte UTF-8 by
accident practically never); a UTF-8 label on bytes that are mostly not UTF-8 is ignored and the charset
detected. Bytes the chosen charset cannot map become U+FFFD (browsers do the same): a page is never refused for its
charset.
"""

from __future__ import annotations

import codecs
import re

from index.errors import InputProblem

HEAD_SCAN_BYTES = 32_768  # <meta charset> belongs in <head>; saved pages often put it after long inline scripts
DETECT_SAMPLE_BYTES = 65_536  # text given to charset-normalizer: enough to tell code pages apart; its cost grows
DETECT_CONTEXT_BYTES = 1024  # the sample starts this far before the first non-ASCII byte (ASCII tells nothing)
FOREIGN_RUN_SHARE = 0.2  # Western text has few non-ASCII letters in runs of 3+ ("Ìîñêâà": Cyrillic read as cp1252)
BINARY_SCAN_BYTES = 8192  # NUL bytes this early (and no UTF-16 label) mean a binary file, as in decode_text

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml\b[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_TAG = re.compile(rb"<[^<>]*>")
_CP1252_LETTERS = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
_LETTER_RUN = re.compile(f"[{_CP1252_LETTERS}]{{3,}}")
# a windows-1252 symbol (¡-¿ × ÷ † ‰ ™ ...) between two letters: Central European letters in the wrong code page
_SYMBOL_IN_WORD = re.compile(f"(?<=[A-Za-z{_CP1252_LETTERS}])[\u00a1-\u00bf\u00d7\u00f7\u0192\u02c6\u02dc"
                             f"\u2020-\u2022\u2030\u2039\u203a\u20ac\u2122](?=[A-Za-z{_CP1252_LETTERS}])")
_BOMS = ((codecs.BOM_UTF8, "utf_8"), (codecs.BOM_UTF16_LE, "utf_16_le"), (codecs.BOM_UTF16_BE, "utf_16_be"))
# WHATWG Encoding Standard: these labels mean windows-1252 on the web (pages labelled Latin-1 use its 0x80-0x9f quotes)
_WEB_ALIASES = {"latin1": "cp1252", "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "l1": "cp1252", "ascii": "cp1252",
                "us-ascii": "cp1252", "iso_8859-1": "cp1252", "x-user-defined": "cp1252", "x-sjis": "shift_jis",
                "gb2312": "gbk", "x-gbk": "gbk", "tis-620": "cp874", "windows-874": "cp874", "iso-8859-9": "cp1254",
                "ks_c_5601-1987": "cp949", "x-mac-roman": "mac_roman", "x-mac-cyrillic": "mac_cyrillic"}
# the encodings web pages are written in (WHATWG Encoding Standard), as Python codecs: detection picks among these
WEB_CODECS = ("utf_8", "cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
              "cp874", "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_5", "iso8859_6", "iso8859_7", "iso8859_8",
              "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "koi8_r", "koi8_u", "mac_roman",
              "mac_cyrillic", "cp866", "gbk", "gb18030", "big5", "euc_jp", "iso2022_jp", "shift_jis", "cp932", "euc_kr")
_UTF16 = ("utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be")
# Python codecs that no web page is in (the web forbids UTF-7; "undefined" always fails; escapes are not charsets)
_NOT_WEB = frozenset({"utf_7", "undefined", "idna", "punycode", "unicode_escape", "raw_unicode_escape", "mbcs", "oem"})


def decode_page(data: bytes, charset: str | None = None) -> tuple[str, str]:
    """(text, Python codec used). `charset`: the HTTP Content-Type charset, when the page was fetched.

    Raises InputProblem for an empty or a binary input; never for a charset."""
    if not data.strip():
        raise InputProblem("the page is empty; give the saved article page")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace"), codec
    has_nul = b"\x00" in data[:BINARY_SCAN_BYTES]
    declared = web_codec(charset) if charset else None
    if declared in _UTF16:
        if has_nul:  # UTF-16 without a BOM: only a transport label can say so
            return data.decode(declared, errors="replace"), declared
        declared = None  # a UTF-16 label on a page without one NUL byte is wrong: read the page's own label
    if has_nul:
        raise InputProblem("looks like a binary file, not a web page; give the page's HTML")
    declared = declared or declared_in_page(data)
    if declared in _UTF16:  # WHATWG: a <meta> claiming UTF-16 in an ASCII-readable page means UTF-8
        declared = "utf_8"
    if declared and declared != "utf_8" and _is_utf8_with_non_ascii(data):
        declared = "utf_8"  # a page re-saved as UTF-8 under its old label
    elif declared == "utf_8" and not data.isascii() and not _mostly_utf8(data):
        declared = None  # labelled UTF-8 but written in a legacy charset (a common server/CMS mistake): detect it
    codec = declared or detect_codec(data)
    return data.decode(codec, errors="replace"), codec


def web_codec(label: str) -> str | None:
    """Python's codec for a charset label as the web means it, or None for an unknown label."""
    name = label.strip().strip("\"'").lower()
    name = _WEB_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    codec = info.name.replace("-", "_")
    is_text = getattr(info, "_is_text_encoding", True)  # False for base64, hex, zlib...
    return codec if is_text and codec not in _NOT_WEB else None


def declared_in_page(data: bytes) -> str | None:
    """The codec named by the page's own <meta> charset or XML declaration (first known one), else None."""
    head = data[:HEAD_SCAN_BYTES]
    xml = _XML_ENCODING.match(head)
    labels = ([xml.group(1)] if xml else []) + [m.group(1) for m in _META_CHARSET.finditer(head)]
    for label in labels:
        codec = web_codec(label.decode("ascii", errors="replace"))
        if codec:
            return codec
    return None


def detect_codec(data: bytes) -> str:
    """The most likely codec of an undeclared page, judged on its text between the tags.

    UTF-8 when the bytes are (nearly all) UTF-8; windows-1252, the web's default for unlabelled pages, when its
    reading of the text looks like Western European writing; otherwise charset-normalizer's pick among the web's
    encodings. (charset-normalizer alone reads English with a few curly quotes as a DOS code page, and rates
    windows-1250 and -1252 equal on French or German text, so it only decides what the first two rules leave.)
    """
    if data.isascii() or _mostly_utf8(data):
        return "utf_8"
    text = b" ".join(_TAG.sub(b" ", data).split())
    if _reads_as_western(text):
        return "cp1252"
    from charset_normalizer import from_bytes  # imported on first need: most pages declare their charset

    first = re.search(rb"[\x80-\xff]", text)
    start = max(0, first.start() - DETECT_CONTEXT_BYTES) if first else 0
    matches = list(from_bytes(text[start : start + DETECT_SAMPLE_BYTES], cp_isolation=list(WEB_CODECS)))
    if not matches:
        return "cp1252"  # nothing fits: the web default at least maps every byte to a visible character
    best = matches[0]
    tied = {name for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)
            for name in m.could_be_from_charset}
    return "cp1252" if "cp1252" in tied else web_codec(best.encoding) or "cp1252"


def _reads_as_western(text: bytes) -> bool:
    """True when windows-1252 maps every byte, and the non-ASCII characters it gives are letters standing alone
    in words (café, Zürich) or typographic punctuation, not runs of letters (Cyrillic or Greek bytes read as
    "Ìîñêâà") nor symbols inside words (Polish "w³adza")."""
    try:
        decoded = text.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d are unused in windows-1252
        return False
    non_ascii = len(decoded) - len(decoded.encode("ascii", errors="ignore"))
    if not non_ascii:
        return True
    in_runs = sum(len(run) for run in _LETTER_RUN.findall(decoded))
    odd = len(_SYMBOL_IN_WORD.findall(decoded))
    return in_runs <= FOREIGN_RUN_SHARE * non_ascii and odd <= FOREIGN_RUN_SHARE * non_ascii


def _mostly_utf8(data: bytes) -> bool:
    """Valid UTF-8 but for a few stray bytes: more well-formed non-ASCII characters than broken sequences."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    return len(text) - len(text.encode("ascii", errors="ignore")) - broken > broken


def _is_utf8_with_non_ascii(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
