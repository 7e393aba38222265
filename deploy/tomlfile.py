"""Write the box configuration back as TOML (Python reads TOML but cannot write it).

The configuration holds flat sections of text, numbers and booleans only
(sync/config.py), so a writer for exactly that is a dozen lines.
"""

import json


def dumps(sections):
    """TOML text for ``{"section": {"key": value}}`` with str, int, float or bool values."""
    lines = []
    for section, values in sections.items():
        if not values:
            continue
        lines.append(f"[{section}]")
        for key, value in values.items():
            lines.append(f"{key} = {_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)   # JSON's escapes are valid in TOML strings
    raise TypeError(f"cannot write {type(value).__name__} to TOML")
