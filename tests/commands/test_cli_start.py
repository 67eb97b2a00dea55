"""The command line starts fast: `kehu --help` lists every command from cli.COMMANDS without importing
one, and each line is what that command's own help says."""

from __future__ import annotations

import importlib
import subprocess
import sys

import click
import pytest
from kehu import helptext
from kehu.cli import COMMANDS


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_table_says_what_the_command_says(name, lang):
    command = importlib.import_module(f"kehu.commands.{COMMANDS[name]}").command
    assert command.name == name
    with click.Context(command) as ctx:
        helptext.localise(command, name, lang, ctx)
    assert command.get_short_help_str(limit=1000) == helptext.short_help(name, lang)


def test_help_imports_no_command_and_no_heavy_library():
    probe = ("import sys\nfrom kehu.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "print('LOADED', sorted(m for m in sys.modules if m.startswith('kehu.commands.') or m.split('.')[0] in "
             "('mkdocs', 'rich', 'ruamel', 'yaml', 'jsonschema', 'pypinyin', 'rapidfuzz')))\n")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "LOADED []" in run.stdout
    for name in COMMANDS:
        assert name in run.stdout
