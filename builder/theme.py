"""Where the templates are: the site's own ``templates/``, then the default theme.

Kept apart from :mod:`builder.render` so that the build cache can list the
theme's files without loading the template engine.
"""

from __future__ import annotations

from pathlib import Path


def default_theme() -> Path:
    """The default theme: packaged beside the code, or the repository's ``templates/``."""
    here = Path(__file__).resolve().parent
    packaged = here / "templates"
    return packaged if packaged.is_dir() else here.parent / "templates"


def theme_dirs(site_templates: str | None) -> list[Path]:
    """Where templates are looked up, first match wins: the site's, then the default."""
    dirs = [Path(site_templates)] if site_templates else []
    default = default_theme()
    if not dirs or dirs[0].resolve() != default.resolve():
        dirs.append(default)
    return dirs
