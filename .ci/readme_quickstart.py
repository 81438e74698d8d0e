"""Run the README's quick start verbatim, as a new user would after its install command.

Run with the Python of a fresh virtualenv (``.ci/run`` makes one): the first
``bash`` block of the README (pip upgrade, ``pip install -e .``, the report on
the restaurant) runs in a shell, then every ``python`` block of "Quick start
in Python" in one interpreter, then the ``bash`` block of "From data". Any
failure fails CI: the README must work after its own install command alone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def section(text: str, title: str) -> str:
    return text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def blocks(text: str, lang: str) -> list[str]:
    return [code for kind, code in FENCE.findall(text) if kind == lang]


def shell(code: str) -> None:
    print(f"$ {code.strip()}", flush=True)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=ROOT, check=True, env=env)


def main() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shell(blocks(section(readme, "Try it"), "bash")[0])
    code = "\n".join(blocks(section(readme, "Quick start in Python"), "python"))
    print(">>> the Python quick start", flush=True)
    subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, env={**os.environ, "MPLBACKEND": "Agg"}
    )
    for code in blocks(section(readme, "From data"), "bash"):
        shell(code)
    print("::: the README's quick start ran without an error")


if __name__ == "__main__":
    main()
