"""Every module of the app (and of the benches, migrations and packaging) stays under
400 lines, so each can be read whole: a module that grows past it is split along its
seams (as `app/store/models/` is by area), not squeezed."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("app", "bench", "migrations", "packaging")
LIMIT = 400


def line_counts(root: Path = ROOT) -> dict[str, int]:
    """Each checked module (path relative to `root`) and its number of lines."""
    return {
        str(path.relative_to(root)): len(path.read_text(encoding="utf-8").splitlines())
        for folder in CHECKED
        for path in sorted((root / folder).rglob("*.py"))
    }


def test_every_module_is_under_400_lines() -> None:
    counts = line_counts()
    assert "app/cli.py" in counts  # the walk found the app (a wrong root would pass)
    too_long = {path: lines for path, lines in counts.items() if lines >= LIMIT}
    listed = "\n".join(
        f"  {path}: {lines} lines" for path, lines in sorted(too_long.items(), key=lambda i: -i[1])
    )
    assert not too_long, f"modules of {LIMIT} lines or more (split them by their parts):\n{listed}"


def test_a_long_module_is_reported_with_its_line_count(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "short.py").write_text("x = 1\n" * 399)
    (tmp_path / "app" / "long.py").write_text("x = 1\n" * 400)
    assert line_counts(tmp_path) == {"app/long.py": 400, "app/short.py": 399}
