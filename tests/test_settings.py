import pytest

from claimscope.errors import SettingsError
from claimscope.settings import Settings


def test_settings_defaults_are_valid():
    assert Settings().max_bytes == 20_000_000


@pytest.mark.parametrize(
    "changes",
    [{"max_bytes": 0}, {"input_format": "pdf"}, {"anchor_date": "May 5"}, {"claim_threshold": 2}],
)
def test_settings_rejects_invalid_values(changes):
    with pytest.raises(SettingsError):
        Settings(**changes)


def test_settings_from_toml_with_section_and_overrides(tmp_path):
    path = tmp_path / "claimscope.toml"
    path.write_text('[claimscope]\ntext_field = "body"\nmax_bytes = 1000\n')
    settings = Settings.from_toml(path, max_bytes=2000)
    assert settings.text_field == "body"
    assert settings.max_bytes == 2000


def test_settings_from_toml_rejects_unknown_keys(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("txt_field = 'body'\n")
    with pytest.raises(SettingsError, match="unknown setting"):
        Settings.from_toml(path)


def test_settings_from_toml_reports_missing_file(tmp_path):
    with pytest.raises(SettingsError, match="not found"):
        Settings.from_toml(tmp_path / "nope.toml")
