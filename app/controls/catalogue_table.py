"""Strict reading of one catalogue TOML file: every problem names the file and the field.

`Table` wraps one TOML table and remembers where it sits (`checks[0]`, `mapping`), so
an error reads `nacls.toml: checks[0].id: missing` instead of a KeyError deep inside
the UI or the binder.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from app.controls.catalogue import CatalogueError

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

T = TypeVar("T")


class Table:
    """One TOML table being read: remembers the file and the path to it for messages."""

    def __init__(self, file: str, path: str, data: dict[str, Any]) -> None:
        self.file = file
        self.path = path
        self.data = data

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, problem: str) -> CatalogueError:
        return CatalogueError(self.file, self.where(key), problem)

    def expect_keys(self, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
        allowed = required + optional
        for key in self.data:
            if key not in allowed:
                raise self.fail(key, f"unknown key (expected {', '.join(allowed)})")
        for key in required:
            if key not in self.data:
                raise self.fail(key, "missing")

    def text(self, key: str, *, optional: bool = False) -> str:
        value = self.data.get(key, "" if optional else None)
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string, not {type_name(value)}")
        value = value.strip()
        if not value and not optional:
            raise self.fail(key, "must not be empty")
        return value

    def slug(self, key: str) -> str:
        value = self.text(key)
        if not SLUG.match(value):
            raise self.fail(key, f"{value!r} is not a lower-case slug like 'sg-no-ssh'")
        return value

    def integer(self, key: str) -> int | None:
        """An optional integer (None when absent); a boolean is not one."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(key, f"must be an integer, not {type_name(value)}")
        return value

    def strings(
        self,
        key: str,
        check: Callable[[str, str], str | None],
        *,
        may_be_empty: bool = False,
    ) -> tuple[str, ...]:
        values = self.data.get(key)
        if not isinstance(values, list):
            raise self.fail(key, f"must be a list of strings, not {type_name(values)}")
        if not values and not may_be_empty:
            raise self.fail(key, "must not be empty")
        seen: set[str] = set()
        for index, value in enumerate(values):
            where = f"{key}[{index}]"
            if not isinstance(value, str):
                raise self.fail(where, f"must be a string, not {type_name(value)}")
            problem = check(key, value)
            if problem:
                raise self.fail(where, problem)
            if value in seen:
                raise self.fail(where, f"{value!r} is listed twice")
            seen.add(value)
        return tuple(values)

    def table(self, key: str) -> Table:
        value = self.data.get(key)
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, not {type_name(value)}")
        return Table(self.file, self.where(key), value)

    def tables(self, key: str, read: Callable[[Table], T]) -> tuple[T, ...]:
        values = self.data.get(key)
        if not isinstance(values, list):
            raise self.fail(key, f"must be an array of tables ([[{key}]]), not {type_name(values)}")
        items: list[T] = []
        for index, value in enumerate(values):
            if not isinstance(value, dict):
                raise self.fail(f"{key}[{index}]", f"must be a table, not {type_name(value)}")
            items.append(read(Table(self.file, self.where(f"{key}[{index}]"), value)))
        return tuple(items)


def type_name(value: object) -> str:
    if value is None:
        return "nothing"
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number"}
    names.update({list: "a list", dict: "a table"})
    return names.get(type(value), type(value).__name__)


def parse_file(directory: Path, name: str) -> Table:
    """The top table of `directory/name`; unreadable, non-UTF-8 or invalid TOML refused."""
    path = directory / name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CatalogueError(name, "", "missing from the catalogue folder") from None
    except OSError as error:
        raise CatalogueError(name, "", f"cannot be read: {error.strerror}") from error
    try:
        return Table(name, "", tomllib.loads(raw.decode("utf-8")))
    except UnicodeDecodeError:
        raise CatalogueError(name, "", "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(name, "", f"invalid TOML: {error}") from error
