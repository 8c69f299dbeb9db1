"""Guarded HDF5 reading: a session file is untrusted input until every part of it has been checked.

`open_checked` opens a file read-only after checking that it is HDF5 at all; `check_structure`
walks every object once and accepts only plain groups, plain datasets and attributes (no soft or
external links, no objects reachable twice, no external storage, no virtual datasets, no filters
but the fletcher32 checksum, only numbers and UTF-8 text); the `read_*` functions then read one
dataset or attribute after checking its shape, size and type, so that a tiny file declaring a huge
array is refused before anything is allocated. Every problem is one `SessionFormatError`.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import h5py
import numpy as np

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
MAX_OBJECTS = 100_000            # groups + datasets in one file
MAX_ATTRIBUTES = 64              # per object
MAX_RANK = 2
MAX_TEXT_CHARS = 16 * 1024 * 1024
_ALLOWED_FILTERS = {h5py.h5z.FILTER_FLETCHER32: "fletcher32"}
_NUMBER_SIZES = {h5py.h5t.INTEGER: (1, 2, 4, 8), h5py.h5t.FLOAT: (4, 8)}
_PLAIN_LAYOUTS = (h5py.h5d.COMPACT, h5py.h5d.CONTIGUOUS, h5py.h5d.CHUNKED)


class SessionFormatError(ValueError):
    """A file is not a readable Workbench session; the message says which file and why."""


def _fail(where: str, problem: str) -> SessionFormatError:
    return SessionFormatError(f"{where}: {problem}")


def open_checked(path: str | os.PathLike) -> h5py.File:
    """Open `path` read-only, refusing (with a clear message) what is not an HDF5 file."""
    name = os.fspath(path)
    where = Path(name).name or name
    try:
        size = os.path.getsize(name)
        with open(name, "rb") as handle:
            head = handle.read(len(HDF5_SIGNATURE))
    except FileNotFoundError:
        raise _fail(name, "no such file") from None
    except IsADirectoryError:
        raise _fail(name, "is a folder, not a session file") from None
    except OSError as err:
        raise _fail(name, f"cannot be read ({err.strerror or err})") from None
    if size == 0:
        raise _fail(where, "the file is empty")
    if head != HDF5_SIGNATURE:
        raise _fail(where, "not an HDF5 file (a Workbench session is an .h5 file)")
    try:
        return h5py.File(name, "r", locking=False)
    except Exception as err:  # noqa: BLE001 - h5py raises many types for a damaged file
        raise _fail(where, f"the file is damaged or truncated and cannot be opened ({first_line(err)})") from None


def first_line(err: BaseException) -> str:
    """The first line of an h5py error, without the HDF5 error stack."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:200]


def file_label(h5: h5py.File) -> str:
    return Path(h5.filename).name


# --- the structure walk --------------------------------------------------------------------------
def check_structure(h5: h5py.File) -> None:
    """Accept only plain groups, datasets and attributes; each object reachable by one hard link."""
    where = file_label(h5)
    file_size = os.path.getsize(h5.filename)
    _check_attributes(h5, "/", where)
    pending: list[tuple[h5py.Group, str]] = [(h5, "/")]
    seen = 0
    while pending:
        group, group_path = pending.pop()
        for name in _member_names(group, group_path, where):
            path = f"{group_path.rstrip('/')}/{name}"
            seen += 1
            if seen > MAX_OBJECTS:
                raise _fail(where, f"more than {MAX_OBJECTS} objects; not a Workbench session")
            link_type = group.id.links.get_info(name.encode("utf-8")).type
            if link_type != h5py.h5l.TYPE_HARD:
                kind = {h5py.h5l.TYPE_SOFT: "a soft link", h5py.h5l.TYPE_EXTERNAL: "an external link"}
                raise _fail(where, f"{path} is {kind.get(link_type, 'a user-defined link')}; "
                                   "sessions hold only plain groups and datasets")
            info = h5py.h5o.get_info(group.id, name.encode("utf-8"))
            if info.rc != 1:
                raise _fail(where, f"{path} is linked from {info.rc} places; sessions hold each object once")
            if info.type == h5py.h5o.TYPE_GROUP:
                child = group[name]
                _check_attributes(child, path, where)
                pending.append((child, path))
            elif info.type == h5py.h5o.TYPE_DATASET:
                dataset = group[name]
                _check_dataset(dataset, path, where, file_size)
                _check_attributes(dataset, path, where)
            else:
                raise _fail(where, f"{path} is a named datatype or unknown object; not allowed in a session")


def _member_names(group: h5py.Group, group_path: str, where: str) -> list[str]:
    try:
        names = list(group)
    except UnicodeDecodeError:
        raise _fail(where, f"a name in {group_path} is not UTF-8 text") from None
    return names


def _check_type(tid: Any, what: str, where: str) -> None:
    """Numbers (integers, 4/8-byte floats) and strings only: no references, compounds or opaque data."""
    cls = tid.get_class()
    if cls in _NUMBER_SIZES:
        if tid.get_size() not in _NUMBER_SIZES[cls]:
            raise _fail(where, f"{what} has an unusual {tid.get_size()}-byte number type")
        return
    if cls == h5py.h5t.STRING:
        return
    names = {h5py.h5t.REFERENCE: "object references", h5py.h5t.COMPOUND: "compound records",
             h5py.h5t.OPAQUE: "opaque bytes", h5py.h5t.VLEN: "variable-length sequences",
             h5py.h5t.ENUM: "enumerations", h5py.h5t.ARRAY: "array elements"}
    raise _fail(where, f"{what} holds {names.get(cls, 'an unsupported type')}; sessions hold only numbers and text")


def _check_dataset(dataset: h5py.Dataset, path: str, where: str, file_size: int) -> None:
    dsid = dataset.id
    plist = dsid.get_create_plist()
    layout = plist.get_layout()
    if layout == h5py.h5d.VIRTUAL:
        raise _fail(where, f"{path} is a virtual dataset (its data lives in other files); not allowed")
    if layout not in _PLAIN_LAYOUTS:
        raise _fail(where, f"{path} has an unknown storage layout")
    if plist.get_external_count():
        raise _fail(where, f"{path} keeps its data in external files; not allowed")
    for index in range(plist.get_nfilters()):
        code = plist.get_filter(index)[0]
        if code not in _ALLOWED_FILTERS:
            raise _fail(where, f"{path} uses filter {code}; sessions use only the fletcher32 checksum")
    tid = dsid.get_type()
    _check_type(tid, path, where)
    if tid.get_class() == h5py.h5t.STRING and tid.is_variable_str():
        raise _fail(where, f"{path} holds variable-length text; session tables use fixed-length UTF-8")
    shape = dataset.shape
    if shape is None or len(shape) > MAX_RANK:
        raise _fail(where, f"{path} has {0 if shape is None else len(shape)} dimensions; at most {MAX_RANK}")
    declared = int(np.prod(shape, dtype=object)) * tid.get_size()
    stored = dsid.get_storage_size()
    if declared > file_size or stored < declared:
        raise _fail(where, f"{path} declares {declared:,} bytes of data but the file holds "
                           f"{min(stored, file_size):,} for it (damaged, truncated or hostile)")


def _check_attributes(obj: h5py.HLObject, path: str, where: str) -> None:
    count = obj.id.get_num_attrs() if hasattr(obj.id, "get_num_attrs") else h5py.h5a.get_num_attrs(obj.id)
    if count > MAX_ATTRIBUTES:
        raise _fail(where, f"{path} has {count} attributes; at most {MAX_ATTRIBUTES}")
    for index in range(count):
        attr = h5py.h5a.open(obj.id, index=index)
        name = attr.get_name().decode("utf-8", "replace")
        _check_type(attr.get_type(), f"attribute {name!r} of {path}", where)
        shape = attr.shape
        if shape is None or len(shape) > 1 or int(np.prod(shape, dtype=object)) > 1024:
            raise _fail(where, f"attribute {name!r} of {path} must be one value or a short list")


# --- guarded readers -----------------------------------------------------------------------------
def require_group(parent: h5py.Group, name: str, where: str) -> h5py.Group:
    if name not in parent or not isinstance(parent[name], h5py.Group):
        raise _fail(where, f"missing group {_join(parent, name)}")
    return parent[name]


def _join(parent: h5py.Group, name: str) -> str:
    return f"{parent.name.rstrip('/')}/{name}"


def read_array(parent: h5py.Group, name: str, where: str, shape: tuple[int, ...],
               kinds: str = "f") -> np.ndarray:
    """Read dataset `name` after checking its exact shape and number kind ('f' float, 'i' integer)."""
    path = _join(parent, name)
    if name not in parent or not isinstance(parent[name], h5py.Dataset):
        raise _fail(where, f"missing dataset {path}")
    dataset = parent[name]
    if dataset.shape != tuple(shape):
        raise _fail(where, f"{path}: expected shape {tuple(shape)}, file has {dataset.shape}")
    if dataset.dtype.kind not in kinds:
        wanted = " or ".join({"f": "floating-point", "i": "integer", "u": "integer"}[k] for k in kinds)
        raise _fail(where, f"{path}: expected {wanted} numbers, file has {dataset.dtype}")
    return _read(dataset, path, where)


def dataset_shape(parent: h5py.Group, name: str, where: str) -> tuple[int, ...]:
    path = _join(parent, name)
    if name not in parent or not isinstance(parent[name], h5py.Dataset):
        raise _fail(where, f"missing dataset {path}")
    return parent[name].shape


def read_strings(parent: h5py.Group, name: str, where: str, length: int) -> list[str]:
    """Read a 1-D fixed-length UTF-8 text dataset of `length` entries."""
    path = _join(parent, name)
    if name not in parent or not isinstance(parent[name], h5py.Dataset):
        raise _fail(where, f"missing dataset {path}")
    dataset = parent[name]
    if dataset.shape != (length,) or dataset.dtype.kind != "S":
        raise _fail(where, f"{path}: expected {length} text entries, file has {dataset.shape} {dataset.dtype}")
    raw = _read(dataset, path, where)
    try:
        return [item.decode("utf-8") for item in raw]
    except UnicodeDecodeError:
        raise _fail(where, f"{path}: text is not valid UTF-8") from None


def _read(dataset: h5py.Dataset, path: str, where: str) -> np.ndarray:
    try:
        return dataset[()] if dataset.size else np.empty(dataset.shape, dataset.dtype)
    except OSError as err:
        raise _fail(where, f"{path} is damaged ({first_line(err)})") from None


def read_attr(obj: h5py.HLObject, name: str, where: str) -> Any:
    """One attribute value; text comes back as `str`, numbers as Python numbers."""
    if name not in obj.attrs:
        raise _fail(where, f"{obj.name} lacks the attribute {name!r}")
    try:
        value = obj.attrs[name]
    except OSError as err:
        raise _fail(where, f"attribute {name!r} of {obj.name} is damaged ({first_line(err)})") from None
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise _fail(where, f"attribute {name!r} of {obj.name} is not UTF-8 text") from None
    if isinstance(value, np.generic):
        value = value.item()
    return value


def read_text(obj: h5py.HLObject, name: str, where: str) -> str:
    value = read_attr(obj, name, where)
    if not isinstance(value, str):
        raise _fail(where, f"attribute {name!r} of {obj.name} should be text")
    if len(value) > MAX_TEXT_CHARS:
        raise _fail(where, f"attribute {name!r} of {obj.name} is longer than {MAX_TEXT_CHARS:,} characters")
    return value


def read_int(obj: h5py.HLObject, name: str, where: str) -> int:
    value = read_attr(obj, name, where)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, f"attribute {name!r} of {obj.name} should be an integer")
    return value


def read_json(obj: h5py.HLObject, name: str, where: str, kind: type | tuple[type, ...]) -> Any:
    """A JSON text attribute whose top-level value is of `kind` (dict or list)."""
    text = read_text(obj, name, where)
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise _fail(where, f"attribute {name!r} of {obj.name} is not valid JSON") from None
    if not isinstance(value, kind):
        raise _fail(where, f"attribute {name!r} of {obj.name} has the wrong JSON type")
    return value


def read_text_list(obj: h5py.HLObject, name: str, where: str) -> list[str]:
    items = read_json(obj, name, where, list)
    if not all(isinstance(item, str) for item in items):
        raise _fail(where, f"attribute {name!r} of {obj.name} should be a list of text")
    return items

