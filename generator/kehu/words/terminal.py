"""THE rule for text that goes to a terminal: what a customer file, team.yaml, git or an argument holds
is shown, never obeyed.

Escape sequences (ESC, CSI, OSC …) can retitle the window, clear the screen, fake earlier output or plant
a link; a carriage return or backspace overwrites what was printed; bidirectional overrides reorder what
is read. Every such character is printed as a visible stand-in (U+241B ␛ for ESC, "�" for the rest), so
the output still shows that something odd is in the data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional embeddings/overrides/isolates
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _stand_in(m: re.Match[str]) -> str:
    ch = m.group()
    if ch < "\x20":
        return chr(0x2400 + ord(ch))  # the Control Pictures block: ␛ ␍ ␈ ␊ …
    return "\N{REPLACEMENT CHARACTER}"


def terminal_text(text: object, one_line: bool = False) -> str:
    """``text`` safe to print: control characters shown as ␛ ␍ … (newlines too with ``one_line``)."""
    s = str(text)
    return (_UNSAFE_LINE if one_line else _UNSAFE).sub(_stand_in, s)


def has_control(text: str) -> bool:
    """Whether ``text`` holds a character terminal_text would replace (tab and newline are fine)."""
    return _UNSAFE.search(text) is not None


# what may hide text: control, format (zero-width, bidi, BOM) and separator characters; written as regex escapes
# (raw strings), never as the characters themselves, which no one could see in the source
SUSPECT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f"
                     r"\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0]")
_INVISIBLE = re.compile(r"[\s\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
                        r"\u3164\ufeff\uffa0\x00-\x1f\x7f-\x9f]+")


def text_fault(text: str, one_line: bool = False) -> tuple[str, str] | None:
    """THE rule for a value people read: ``("control-character", "U+202E")`` when it holds a character a
    terminal would obey (an escape, a carriage return, a bidirectional override that shows "\\u202e霞李" as
    李霞 — with ``one_line`` also a line break or tab, for a name or an address), ``("invisible-text", "")`` when
    it is made only of invisible characters (a name of zero-width spaces is no name), else None. The checker
    applies it to every value of a customer file and of team.yaml."""
    bad = (_UNSAFE_LINE if one_line else _UNSAFE).search(text)
    if bad is not None:
        return "control-character", f"U+{ord(bad.group()):04X}"
    if text and not _INVISIBLE.sub("", text):
        return "invisible-text", ""
    return None


def console(**options: Any) -> Console:
    """A rich Console whose every rendered text goes through terminal_text (its own styling is kept)."""
    from rich.console import Console
    from rich.segment import Segment

    class SafeConsole(Console):
        def render(self, renderable: Any, options: Any = None) -> Iterable[Segment]:
            for seg in super().render(renderable, options):
                if seg.control or not _UNSAFE.search(seg.text):
                    yield seg
                else:
                    yield Segment(terminal_text(seg.text), seg.style)

    return SafeConsole(**options)


def echo(message: object = "", err: bool = False, nl: bool = True) -> None:
    """click.echo of terminal_text(message): how commands print what holds data from files or arguments."""
    import click

    click.echo(terminal_text(message), err=err, nl=nl)
