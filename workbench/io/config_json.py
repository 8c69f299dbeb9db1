"""Hyperparameters as a JSON file: what `workbench train --config` reads and the app's File →
Export / Import hyperparameters write and read (the shape of a session's `config` attribute).

Reading checks the size first and parses JSON only (nothing in the file runs); every problem is
one `ConfigFileError` whose message starts with the file's name and says what is wrong (the field
and the allowed values for a bad hyperparameter). Writing is atomic like every file we save.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from workbench.core.config import Config, ConfigError
from workbench.io.atomic import replacing

MAX_CONFIG_BYTES = 1 << 20      # a config is a few KiB; anything this large is another file


class ConfigFileError(ValueError):
    """A hyperparameter file that cannot be used; the message is for a person."""


def read_config_file(path: str | os.PathLike) -> Config:
    """The validated `Config` a JSON file holds (sections or keys it leaves out take defaults)."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigFileError(f"{path}: {size:,} bytes is too large for a hyperparameter file "
                                  f"(at most {MAX_CONFIG_BYTES:,})")
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigFileError(f"{path}: cannot read ({err.__class__.__name__}: {err})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigFileError(f"{path}: not valid JSON (line {err.lineno}, column {err.colno})") from None
    except RecursionError:
        raise ConfigFileError(f"{path}: not a hyperparameter file (nested too deeply)") from None
    try:
        return Config.from_dict(data)
    except ConfigError as err:
        raise ConfigFileError(f"{path}: {err}") from None


def write_config_file(path: str | os.PathLike, config: Config) -> None:
    """Write `config` as indented JSON, readable by `read_config_file` and `--config`."""
    with replacing(path) as tmp:
        Path(tmp).write_text(config.to_json(indent=2) + "\n", encoding="utf-8")
