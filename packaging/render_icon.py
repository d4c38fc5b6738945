"""Render resources/icons/audit-binder.svg to the PNG sizes the desktop entry and installers use.

Run after editing the SVG: `.venv/bin/python packaging/render_icon.py` (Qt renders it,
so no extra tool is needed).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (256,)


def render(svg: Path, size: int, out: Path) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"could not write {out}")


def main() -> int:
    QGuiApplication([*sys.argv[:1], "-platform", "offscreen"])
    svg = ICONS / "audit-binder.svg"
    for size in SIZES:
        suffix = "" if size == 256 else f"-{size}"
        render(svg, size, ICONS / f"audit-binder{suffix}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
