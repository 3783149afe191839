"""Content checks that need more than the first bytes of an upload: archives, the
names inside a zip, Windows executables embedded anywhere, and format polyglots.

Office documents (OOXML, OpenDocument) are zip files; they are told apart from other
zips by their entries (``[Content_Types].xml``, or ``mimetype`` first). Every other
archive is refused unless the node allows archives (``LIAISON_EXCHANGE_ALLOW_ARCHIVES``);
a zip holding an executable, or any file carrying a Windows executable (the DOS stub)
or a PDF header behind another format's, is refused either way.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

_ARCHIVE_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"PK\x07\x08", "zip"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"MSCF", "cab"),
)
_LOCAL_HEADER = b"PK\x03\x04"
_LOCAL_HEADER_SIZE = 30
_NAME_LENGTH = struct.Struct("<H")
_DOS_STUB = b"This program cannot be run in DOS mode"
_KEEP = _LOCAL_HEADER_SIZE + 0xFFFF  # enough to finish a header cut at a chunk boundary
_MAX_NAMES = 10_000


def archive_kind(head: bytes) -> str | None:
    for magic, kind in _ARCHIVE_MAGIC:
        if head.startswith(magic):
            return kind
    if head[257:262] == b"ustar":
        return "tar"
    return None


def is_polyglot(head: bytes) -> bool:
    """A PDF header after the start (PDF readers look in the first 1 KiB): the file is
    also something else, e.g. a Windows executable that opens as a PDF."""
    return head.find(b"%PDF-", 1, 1024) > 0


@dataclass
class ContentScan:
    """Fed every byte of an upload, in chunks; remembers what it saw."""

    names: list[str] = field(default_factory=list)
    embedded_executable: bool = False
    _window: bytes = b""
    _offset: int = 0  # absolute offset of _window[0]
    _done_until: int = 0  # absolute offset up to which local headers were read

    def feed(self, data: bytes) -> None:
        window = self._window + data
        if _DOS_STUB in window:
            self.embedded_executable = True
        start = max(self._done_until - self._offset, 0)
        while len(self.names) < _MAX_NAMES:
            found = window.find(_LOCAL_HEADER, start)
            if found < 0 or found + _LOCAL_HEADER_SIZE > len(window):
                break
            (length,) = _NAME_LENGTH.unpack_from(window, found + 26)
            end = found + _LOCAL_HEADER_SIZE + length
            if end > len(window):
                break
            self.names.append(window[found + _LOCAL_HEADER_SIZE : end].decode("utf-8", "replace"))
            start = found + 4
        self._done_until = self._offset + start
        cut = max(len(window) - _KEEP, 0)  # a header cut at the boundary is in what is kept
        self._window = window[cut:]
        self._offset += cut

    def is_office_document(self) -> bool:
        return bool(self.names) and (
            self.names[0] == "mimetype" or "[Content_Types].xml" in self.names
        )
