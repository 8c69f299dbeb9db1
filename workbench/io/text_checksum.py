"""The checksum of a session's text attributes: the root's number attribute `text_crc32`.

HDF5 checksums its object headers, and every dataset of a session carries fletcher32, but h5py
keeps a text attribute as a variable-length string whose bytes sit in the file's global heap,
which has no checksum: a flipped bit there (a batch size of 16 read as 36) went unnoticed. So the
writer stores the CRC-32 of every text attribute in a number attribute, which sits in the
checksummed root header, and the reader recomputes it before it trusts any text. A file written
before the checksum existed has none and is read as before.
"""
from __future__ import annotations

import zlib

import h5py

from workbench.io.h5safe import SessionFormatError, read_attr, read_int

ATTRIBUTE = "text_crc32"


def text_crc32(h5: h5py.File, where: str = "") -> int:
    """CRC-32 over every text attribute, objects by path and attributes by name, each as
    path NUL name NUL text NUL in UTF-8 (the text as `h5safe.read_attr` gives it)."""
    objects: dict[str, h5py.HLObject] = {"/": h5}

    def collect(name: str, obj: h5py.HLObject) -> None:
        objects["/" + name] = obj

    h5.visititems(collect)
    crc = 0
    for path in sorted(objects):
        obj = objects[path]
        for name in sorted(obj.attrs):
            value = read_attr(obj, name, where)
            if isinstance(value, str):
                record = "\0".join((path, name, value)) + "\0"
                crc = zlib.crc32(record.encode("utf-8", "surrogatepass"), crc)
    return crc


def store_text_crc32(h5: h5py.File) -> None:
    """The writer's last step: the checksum of everything written."""
    h5.attrs[ATTRIBUTE] = text_crc32(h5)


def check_text_crc32(h5: h5py.File, where: str) -> None:
    """Refuse a file whose text attributes do not match its checksum (one SessionFormatError)."""
    if ATTRIBUTE not in h5.attrs:
        return
    if read_int(h5, ATTRIBUTE, where) != text_crc32(h5, where):
        raise SessionFormatError(f"{where}: the file is damaged (its text does not match its checksum)")
