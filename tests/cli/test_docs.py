"""docs/cli.md shows every command with an example and names every option (it fails when one is added)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from labelworks.cli.main import app

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")


def _commands(command: Any, path: str) -> Iterator[tuple[str, Any]]:
    subcommands = getattr(command, "commands", None)  # a group
    if subcommands is None:
        yield path, command
        return
    for name, sub in subcommands.items():
        yield from _commands(sub, f"{path} {name}")


def test_every_command_and_option_is_documented() -> None:
    commands = dict(_commands(typer.main.get_command(app), "labelworks"))
    assert {"labelworks serve", "labelworks db upgrade", "labelworks db current", "labelworks user create",
            "labelworks token create", "labelworks project types", "labelworks project create",
            "labelworks project list", "labelworks import", "labelworks export", "labelworks worker",
            "labelworks demo"} <= commands.keys()
    for path, command in commands.items():
        assert f"\n{path}" in DOCS or f"$({path}" in DOCS, f"{path} has no example in docs/cli.md"
        for param in command.params:
            if param.param_type_name == "option":
                for option in param.opts:
                    assert option in DOCS, f"{path} {option} is not in docs/cli.md"
