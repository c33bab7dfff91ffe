"""The README's standalone-sandbox section, run as written: every command, every answer shown.

The section's `sh` blocks run in order in one bash session, in an empty folder. A command
marked "keeps running" starts in the background and the next one waits for its port. A
`# → ...` line under a command is the answer it must print (`…` stands for any text); ports
8081 and 8000 become free ones, `.venv/bin/whmcs-bridge` this checkout's command.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.cli import ROOT, cli_env, free_port

SECTION = "### The standalone sandbox"
EXPECT = "# → "
BACKGROUND = "# keeps running"


@dataclass
class Step:
    command: str
    background: bool = False
    expected: list[str] = field(default_factory=list)


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    rest = text[start + len(SECTION) :]
    end = re.search(r"^##", rest, flags=re.MULTILINE)
    return rest[: end.start()] if end else rest


def _steps(section: str) -> list[Step]:
    steps: list[Step] = []
    for block in re.findall(r"^```sh\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL):
        pending = ""
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith(EXPECT):
                steps[-1].expected.append(line.removeprefix(EXPECT))
            elif line.endswith("\\"):
                pending += line[:-1] + " "
            elif line and not line.startswith("#"):
                command = pending + line
                pending = ""
                steps.append(Step(command, background=BACKGROUND in command))
    return steps


def _matches(expected: str, actual: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.split("…"))
    return re.fullmatch(pattern, actual) is not None


def test_the_readme_has_the_examples_this_test_runs() -> None:
    steps = _steps(_section())

    assert sum(s.background for s in steps) == 2  # the sandbox, then the bridge
    assert sum(bool(s.expected) for s in steps) >= 8
    assert any("push_fault" in s.command for s in steps)
    assert any("update_client" in s.command for s in steps)


def test_the_standalone_sandbox_examples_run_as_written(tmp_path: Path) -> None:
    ports = {"8081": str(free_port()), "8000": str(free_port())}
    command = f"{sys.executable} -m whmcs_bridge.cli"
    steps = _steps(_section())
    script = [
        "cd " + str(tmp_path),
        "trap 'kill $(jobs -p) 2>/dev/null' EXIT",
        "wait_port() { for _ in $(seq 1 600); do "
        '(echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }',
    ]
    for index, step in enumerate(steps):
        line = step.command.replace(".venv/bin/whmcs-bridge", command)
        for readme_port, port in ports.items():
            line = re.sub(rf"\b{readme_port}\b", port, line)
        script.append(f"echo '@@step {index}'")
        if step.background:
            port = re.search(r"--port (\d+)", line)
            assert port, step.command
            line = line.split(" #", 1)[0]
            script.append(f"{line} > background-{index}.log 2>&1 &")
            script.append(f"wait_port {port.group(1)}")
        else:
            script.append(line)
        script.append('rc=$?; echo; echo "@@rc $rc"')

    result = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        capture_output=True,
        text=True,
        env=cli_env({}),
        timeout=300,
        check=False,
    )

    outputs = re.split(r"^@@step \d+\n", result.stdout, flags=re.MULTILINE)[1:]
    assert len(outputs) == len(steps), result.stdout + result.stderr
    for step, output in zip(steps, outputs, strict=True):
        body, _, code = output.rpartition("@@rc ")
        lines = [line for line in body.splitlines() if line.strip()]
        failing = bool(step.expected) and step.expected[0].startswith("FAILED")
        assert int(code) == (1 if failing else 0), (step.command, output, result.stderr)
        if step.expected:
            assert len(lines) == len(step.expected), (step.command, lines)
            for expected, actual in zip(step.expected, lines, strict=True):
                assert _matches(expected, actual), (step.command, expected, actual)
