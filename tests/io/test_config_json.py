"""Hyperparameter JSON files: what is written reads back equal, and each bad file is one message
that starts with its name."""
import pytest

from workbench.core.config import Config
from workbench.io.config_json import ConfigFileError, read_config_file, write_config_file


def test_written_hyperparameters_read_back_equal(tmp_path):
    config = Config().updated({"data.dataset": "iris", "layers": [{"units": 5, "dropout": 0.25}],
                               "data.exclude": ["id"], "optimizer.name": "rmsprop"})
    write_config_file(tmp_path / "h.json", config)
    assert read_config_file(tmp_path / "h.json") == config
    write_config_file(tmp_path / "h.json", Config())             # replaced whole
    assert read_config_file(tmp_path / "h.json") == Config()


def test_a_partial_file_takes_defaults(tmp_path):
    (tmp_path / "p.json").write_text('{"training": {"epochs": 3}}', encoding="utf-8")
    assert read_config_file(tmp_path / "p.json") == Config().updated({"training.epochs": 3})


@pytest.mark.parametrize("content, fragment", [
    (None, "cannot read (FileNotFoundError"),
    ("[1, 2]", "config: expected an object, got list"),
    ('{"layers": {"units": 3}}', "layers: expected a list of layers"),
    ('{"training": {"dtype": "float16"}}', "training.dtype"),
    ("[" * 200_000 + "]" * 200_000, "nested too deeply"),
])
def test_each_bad_file_is_one_message_naming_it(tmp_path, content, fragment):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigFileError) as caught:
        read_config_file(path)
    assert str(caught.value).startswith(str(path)) and fragment in str(caught.value)


def test_a_folder_is_not_a_hyperparameter_file(tmp_path):
    with pytest.raises(ConfigFileError, match="cannot read"):
        read_config_file(tmp_path)
