"""Package discovery for the wheel: `app`, with `migrations/` and `resources/` inside it.

The checkout keeps `migrations/` and `resources/` at the top level (the layout the team
works in), but a wheel must not install packages with such generic top-level names
into site-packages. So they are mapped into the package as `app/migrations` and
`app/resources` (every file in them, whatever its type); `app.paths` looks there
first. Everything else is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

SHIPPED = {"app.migrations": "migrations", "app.resources": "resources"}
_NOT_PACKAGES = ["__pycache__", "*.__pycache__"]
# Data files that may sit beside modules inside app/ (icons, Qt resources, templates).
_APP_DATA = ["*.toml", "*.json", "*.ini", "*.mako", "*.png", "*.svg", "*.ttf", "*.txt", "*.desktop"]


def _subfolders(folder: str) -> list[str]:
    # Data folders (resources/controls, migrations/versions) have no __init__.py.
    return find_namespace_packages(where=folder, exclude=_NOT_PACKAGES)


def _layout() -> tuple[list[str], dict[str, str], dict[str, list[str]]]:
    packages = find_namespace_packages(include=["app", "app.*"], exclude=_NOT_PACKAGES)
    package_dir: dict[str, str] = {}
    package_data: dict[str, list[str]] = {"app": _APP_DATA, "app.*": _APP_DATA}
    for package, folder in SHIPPED.items():
        names = {package: folder}
        names.update(
            {f"{package}.{sub}": f"{folder}/{sub.replace('.', '/')}" for sub in _subfolders(folder)}
        )
        packages += names
        package_dir.update(names)
        package_data.update({name: ["*"] for name in names})
    return packages, package_dir, package_data


_packages, _package_dir, _package_data = _layout()
setup(packages=_packages, package_dir=_package_dir, package_data=_package_data)
