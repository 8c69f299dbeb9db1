"""Hostile, damaged and foreign files each give one SessionFormatError that a person understands."""
import json
import os
import time

import h5py
import numpy as np
import pytest

from session_builders import build_contents
from workbench.core.config import Config
from workbench.io import migrations
from workbench.io.session import SessionFormatError, load_session, read_contents, validate_in_child, write_contents
from workbench.io.text_checksum import ATTRIBUTE, store_text_crc32, text_crc32


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "run.h5"
    write_contents(path, build_contents())
    return path


def edit(path, change):
    """Change a saved file as a crafted one would be: with a checksum that matches its text."""
    with h5py.File(path, "r+") as f:
        change(f)
        store_text_crc32(f)
    return path


def refused(path, *fragments):
    with pytest.raises(SessionFormatError) as info:
        read_contents(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(os.path.basename(path))
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_a_valid_file_reads_back(saved):
    back = read_contents(saved)
    assert back.epochs_trained == 3 and back.layer_names == ["dense_0", "dense_1", "dense_2"]
    assert back.tuning["trials"][1]["score"] is None and back.tuning["trials"][1]["message"] == "diverged é"


@pytest.mark.parametrize("content, fragment", [
    (b"", "empty"),
    (b"x,y\n1,2\n", "not an HDF5 file"),
    (b"\x89HDF\r\n\x1a\n" + b"\x00" * 40, "damaged or truncated"),
])
def test_foreign_and_empty_files(tmp_path, content, fragment):
    path = tmp_path / "bad.h5"
    path.write_bytes(content)
    refused(path, fragment)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(SessionFormatError, match="no such file"):
        read_contents(tmp_path / "nothing.h5")
    with pytest.raises(SessionFormatError, match="folder"):
        read_contents(tmp_path)


def test_other_hdf5_files_are_not_sessions(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.arange(3)
    refused(path, "not a Workbench session")


def test_newer_version_is_refused_with_advice(saved):
    edit(saved, lambda f: f.attrs.__setitem__("format_version", 2))
    refused(saved, "newer Workbench", "update")


def test_unknown_older_version_is_refused(saved):
    edit(saved, lambda f: f.attrs.__setitem__("format_version", 0))
    refused(saved, "format 0 is unknown")


@pytest.mark.parametrize("change", [
    lambda f: f.attrs.__setitem__("config", f.attrs["config"].replace('"batch_size": 16', '"batch_size": 36')),
    lambda f: f["data"].attrs.__setitem__("class_names", '["class 0", "class 1", "class 9"]'),
    lambda f: f.attrs.__setitem__("status", "stopped"),
])
def test_text_changed_behind_the_checksum_is_damage(saved, change):
    """h5py keeps text attributes in HDF5's global heap, which has no checksum of its own."""
    with h5py.File(saved, "r+") as f:
        assert f.attrs[ATTRIBUTE] == text_crc32(f)
        change(f)
    refused(saved, "damaged", "does not match its checksum")


def test_a_file_from_before_the_checksum_still_reads(saved):
    with h5py.File(saved, "r+") as f:
        del f.attrs[ATTRIBUTE]
    assert read_contents(saved).epochs_trained == 3


def test_older_version_goes_through_the_migration_chain(saved, monkeypatch):
    """A v0 file whose history group had another name is upgraded on a copy; the file stays as it was."""
    def v0_to_v1(f):
        f.move("curves", "history")

    edit(saved, lambda f: (f.move("history", "curves"), f.attrs.__setitem__("format_version", 0)))
    before = saved.read_bytes()
    monkeypatch.setitem(migrations.MIGRATIONS, 0, v0_to_v1)
    assert read_contents(saved).epochs_trained == 3
    assert saved.read_bytes() == before

    def v0_renames_status(f):                  # a step that changes text: the copy gets a new checksum
        f.move("curves", "history")
        f.attrs["status"] = "stopped"

    monkeypatch.setitem(migrations.MIGRATIONS, 0, v0_renames_status)
    assert read_contents(saved).status == "stopped"


@pytest.mark.parametrize("make_link, fragment", [
    (lambda f: f.__setitem__("extra", h5py.SoftLink("/model")), "soft link"),
    (lambda f: f.__setitem__("extra", h5py.ExternalLink("/etc/passwd", "/x")), "external link"),
    (lambda f: f.__setitem__("extra", f["model"]), "linked from 2 places"),
])
def test_links_are_refused(saved, make_link, fragment):
    refused(edit(saved, make_link), fragment)


def test_external_storage_is_refused(saved, tmp_path):
    (tmp_path / "raw.bin").write_bytes(b"\x00" * 64)
    edit(saved, lambda f: f.create_dataset("extra", shape=(8,), dtype="f8",
                                           external=[(str(tmp_path / "raw.bin"), 0, 64)]))
    refused(saved, "external files")


def test_virtual_datasets_are_refused(saved, tmp_path):
    layout = h5py.VirtualLayout(shape=(4,), dtype="f8")
    layout[:] = h5py.VirtualSource(str(tmp_path / "elsewhere.h5"), "x", shape=(4,))
    edit(saved, lambda f: f.create_virtual_dataset("extra", layout))
    refused(saved, "virtual dataset")


@pytest.mark.parametrize("make, fragment", [
    (lambda f: f.create_dataset("extra", data=[f["model"].ref], dtype=h5py.ref_dtype), "object references"),
    (lambda f: f.create_dataset("extra", data=np.zeros(2, dtype=[("a", "f8"), ("b", "i4")])), "compound"),
    (lambda f: f.create_dataset("extra", data=["a", "b"], dtype=h5py.string_dtype()), "variable-length text"),
    (lambda f: f.create_dataset("extra", data=np.zeros(100), compression="gzip"), "filter"),
    (lambda f: f["model"].attrs.__setitem__("evil", np.void(b"\x00" * 8)), "opaque"),
])
def test_unusual_types_and_filters_are_refused(saved, make, fragment):
    refused(edit(saved, make), fragment)


def test_a_tiny_file_declaring_a_huge_dataset_is_refused_without_allocating(tmp_path):
    contents = build_contents()
    path = tmp_path / "bomb.h5"
    write_contents(path, contents)

    def bomb(f):
        del f["data/X"]
        f["data"].create_dataset("X", shape=(5 * 10**9, 2), dtype="f8")   # declared, never written

    edit(path, bomb)
    assert path.stat().st_size < 100_000
    started = time.perf_counter()
    refused(path, "/data/X", "declares 80,000,000,000 bytes")
    assert time.perf_counter() - started < 2


def test_a_malicious_activation_name_is_an_error_not_a_lookup(saved):
    def evil(f):
        config = json.loads(f.attrs["config"])
        config["layers"][0]["activation"] = "os.system"
        f.attrs["config"] = json.dumps(config)

    refused(edit(saved, evil), "config", "'os.system' is not one of")


@pytest.mark.parametrize("change, fragment", [
    (lambda f: (f["model/dense_1"].__delitem__("weight"),
                f["model/dense_1"].create_dataset("weight", data=np.zeros((8, 2), "f4"))),
     "layer dense_1: expected weight (8, 8), file has (8, 2)"),
    (lambda f: f["model/dense_0"].attrs.__setitem__("activation", "relu"), "does not match the config"),
    (lambda f: f["optimizer"].attrs.__setitem__("name", "sgd"), "/optimizer is 'sgd'"),
    (lambda f: f["rng"].attrs.__setitem__("state", '{"bit_generator": "MT19937"}'), "/rng"),
    (lambda f: f.attrs.__setitem__("config", "{not json"), "not valid JSON"),
    (lambda f: f["data"].attrs.__setitem__("class_names", '["a"]'), "at least 2 class names"),
    (lambda f: f.__delitem__("history"), "missing group /history"),
    (lambda f: f.attrs.__setitem__("trained_config", "{not json"), "trained_config"),
    (lambda f: f.attrs.__setitem__("trained_config", Config().updated({"layers": []}).to_json()),
     "trained_config: differs from config in more than the training knobs"),
])
def test_content_that_contradicts_the_config_is_refused(saved, change, fragment):
    refused(edit(saved, change), fragment)


def test_bit_flip_in_stored_data_is_caught_by_the_checksum(saved):
    with h5py.File(saved, "r") as f:
        offset = f["data/X"].id.get_chunk_info(0).byte_offset
    raw = bytearray(saved.read_bytes())
    raw[offset + 3] ^= 0x10
    saved.write_bytes(bytes(raw))
    refused(saved, "/data/X is damaged")


def test_isolated_validation_reports_the_problem(saved):
    edit(saved, lambda f: f.attrs.__setitem__("format_version", 9))
    with pytest.raises(SessionFormatError, match="newer Workbench"):
        validate_in_child(saved)


def test_a_crash_while_validating_cannot_take_down_the_caller(saved, tmp_path, monkeypatch):
    """Simulate h5py crashing on a crafted file: the child segfaults, the caller gets an error."""
    (tmp_path / "sitecustomize.py").write_text("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    with pytest.raises(SessionFormatError, match="crashed the HDF5 reader"):
        load_session(saved, isolated=True)


def test_a_stopped_open_ends_the_validating_child(saved, tmp_path, monkeypatch):
    """Cancel in the GUI sets the stop event: the child is killed, not waited for to the end."""
    import subprocess
    import threading

    from workbench.core.data import ReadStopped
    from workbench.io import session

    (tmp_path / "sitecustomize.py").write_text("import time\ntime.sleep(30)\n")    # a child that takes long
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    children = []

    class Recorded(subprocess.Popen):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            children.append(self)
    monkeypatch.setattr(session.subprocess, "Popen", Recorded)
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    with pytest.raises(ReadStopped):
        load_session(saved, isolated=True, stop=stop)
    assert len(children) == 1 and children[0].returncode == -9      # killed (SIGKILL)
    load_session(saved, isolated=False, stop=threading.Event())       # an unset stop changes nothing


def test_reading_never_changes_the_file(saved):
    before = saved.read_bytes()
    read_contents(saved)
    assert saved.read_bytes() == before
