"""``site.yaml`` -> :class:`SiteConfig` and problems."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import fields
from .load import TextFile
from .markdown import RAW_HTML_MODES
from .model import SiteConfig
from .problems import Position, Problem, did_you_mean, error
from .yamlfile import parse_yaml

KEYS = ("title", "base_url", "description", "language", "timezone", "output_dir",
        "link_mentions", "raw_html", "page_size", "search")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


def read_config(file: TextFile | None) -> tuple[SiteConfig | None, list[Problem]]:
    if file is None:
        return None, []
    data, problems = parse_yaml(file.text, file.path)
    if data is None and problems:
        return None, problems
    mapping = fields.expect_mapping(data, Position(file.path, 1, 1), "site.yaml", problems)
    if mapping is None:
        return None, problems
    fields.check_keys(mapping, KEYS, ("title", "base_url"), "site.yaml", problems)
    title = fields.text(mapping, "title", problems)
    base_url = fields.text(mapping, "base_url", problems)
    if base_url is not None:
        if not re.match(r"^https?://[^/\s]+", base_url) or re.search(r'[\s"<>\\^`{|}]', base_url):
            problems.append(error(mapping.at("base_url"),
                                  f"base_url must be an absolute http(s) URL such as "
                                  f"'https://example.org/briefings/', not '{base_url}'."))
        elif not base_url.endswith("/"):
            base_url += "/"
    language = fields.text(mapping, "language", problems) or "en"
    if not _LANGUAGE.match(language):
        problems.append(error(mapping.at("language"),
                              f"language must be a BCP 47 tag such as 'en' or 'pt-BR', "
                              f"not '{language}'."))
    timezone = fields.text(mapping, "timezone", problems) or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(error(mapping.at("timezone"),
                              f"unknown time zone '{timezone}': use an IANA name such as "
                              "'UTC' or 'Europe/Moscow'."))
    output_dir = fields.text(mapping, "output_dir", problems) or "public"
    link_mentions = fields.boolean(mapping, "link_mentions", problems)
    raw_html = fields.text(mapping, "raw_html", problems) or "text"
    if raw_html not in RAW_HTML_MODES:
        problems.append(error(mapping.at("raw_html"),
                              f"raw_html must be 'text' (raw HTML in articles is shown as "
                              f"text) or 'sanitise' (a safe subset of it is kept), not "
                              f"'{raw_html}'.{did_you_mean(raw_html, RAW_HTML_MODES)}"))
    page_size = fields.positive_int(mapping, "page_size", problems) or 200
    search = fields.boolean(mapping, "search", problems)
    if any(p.is_error for p in problems) or title is None or base_url is None:
        return None, problems
    return SiteConfig(
        title=" ".join(title.split()),
        base_url=base_url,
        description=fields.text(mapping, "description", problems) or "",
        language=language,
        timezone=timezone,
        output_dir=output_dir,
        output_dir_at=mapping.at("output_dir") if "output_dir" in mapping else Position(file.path),
        link_mentions=True if link_mentions is None else link_mentions,
        raw_html=raw_html,
        page_size=page_size,
        search=True if search is None else search,
        search_at=mapping.at("search") if "search" in mapping else Position(file.path),
    ), problems
