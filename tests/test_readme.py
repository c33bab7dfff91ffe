"""README.md is a test: its examples run, in order, against a fresh demo, as a new user types them.

The conventions (README.md's fenced blocks):

- A ```graphql block runs: each operation in it is POSTed to /graphql, in order, with the demo
  token. A ```sh block runs through `bash -euo pipefail` in the demo's folder, with
  `whmcs-bridge` (and `.venv/bin/whmcs-bridge`) on hand and `localhost:8000` /
  `127.0.0.1:8000` replaced by the demo's own address (here, not in the README). Every run block
  must succeed: HTTP 200 without GraphQL `errors`, exit status 0.
- A ```json block is the answer of the block right before it, and is compared with what that
  block received: for a GraphQL block, the response (`{"data": ...}`), or a list of responses,
  one per operation, when the block holds several; for a shell block, its stdout parsed as JSON.
  A ```text block after a shell block is its stdout, line by line. Comparison is exact, except
  that a value `"…"` stands for any value, and `…` inside a string for any text (timestamps,
  durations, tokens).
- A GraphQL block without an answer must not receive an `Error` member anywhere: an example
  that fails must show that it does.
- Any other block, or one of those kinds that cannot run here, is marked on the line right
  before its fence with `<!-- not run: REASON -->`. A block of any other kind without that mark
  fails the test, so a new block is never skipped silently.

One demo server (`whmcs-bridge migrate` then `serve`, as `make run` does: SQLite and the
sandbox in a fresh folder, a free loopback port) serves the whole walk.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from graphql import DocumentNode, FragmentDefinitionNode, OperationDefinitionNode, parse, print_ast

from tests.support.processes import free_port, stop

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RUN_KINDS = {"graphql", "sh"}
ANSWER_KINDS = {"json", "text"}
NOT_RUN = re.compile(r"^<!-- not run: (?P<reason>\S.*?) -->$")
FENCE = re.compile(r"^(?P<indent> *)```(?P<kind>[\w-]*)[^\n]*$")
ANY = "…"
SHELL_TIMEOUT_S = 60


@dataclass
class Block:
    line: int  # 1-based line of the opening fence
    kind: str
    body: str
    not_run: str | None  # the reason, when marked

    @property
    def where(self) -> str:
        return f"README.md:{self.line} ({self.kind})"


def blocks(text: str) -> list[Block]:
    lines = text.split("\n")
    found: list[Block] = []
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if fence is None:
            index += 1
            continue
        start, indent = index, fence["indent"]  # a block in a list item is indented
        index += 1
        body: list[str] = []
        while index < len(lines) and lines[index] != indent + "```":
            body.append(lines[index].removeprefix(indent))
            index += 1
        assert index < len(lines), f"README.md:{start + 1}: the fence is never closed"
        index += 1
        mark = NOT_RUN.match(lines[start - 1].strip()) if start else None
        reason = mark["reason"] if mark else None
        found.append(Block(start + 1, fence["kind"], "\n".join(body) + "\n", reason))
    return found


@dataclass
class Step:
    block: Block
    answer: Block | None


def steps(found: list[Block]) -> Iterator[Step]:
    """The blocks to run, each with its answer; fails on a block nobody runs or marked."""
    index = 0
    while index < len(found):
        block = found[index]
        index += 1
        if block.not_run is not None:
            continue
        assert block.kind in RUN_KINDS, (
            f"{block.where}: a {block.kind or 'plain'} block is run by nobody: answer a block "
            "that runs (```json/```text right after it) or mark it <!-- not run: REASON -->"
        )
        answer = None
        if index < len(found) and found[index].kind in ANSWER_KINDS:
            answer = found[index]
            index += 1
            assert answer.not_run is None, f"{answer.where}: an answer is never 'not run'"
            assert answer.kind == "json" or block.kind == "sh", (
                f"{answer.where}: a GraphQL answer is JSON"
            )
        yield Step(block, answer)


def mismatches(expected: Any, received: Any, path: str = "$") -> list[str]:
    """Where `received` differs from `expected` (`"…"` any value, `…` in a string any text)."""
    if expected == ANY:
        return []
    if isinstance(expected, str) and ANY in expected and isinstance(received, str):
        pattern = ".*".join(re.escape(part) for part in expected.split(ANY))
        ok = re.fullmatch(pattern, received, re.DOTALL) is not None
        return [] if ok else [f"{path}: expected {expected!r}, received {received!r}"]
    if isinstance(expected, dict) and isinstance(received, dict):
        problems = [f"{path}.{key}: not received" for key in expected if key not in received]
        problems += [f"{path}.{key}: received, not shown" for key in received.keys() - expected]
        for key in expected.keys() & received.keys():
            problems += mismatches(expected[key], received[key], f"{path}.{key}")
        return problems
    if isinstance(expected, list) and isinstance(received, list):
        if len(expected) != len(received):
            return [f"{path}: {len(expected)} items shown, {len(received)} received: {received}"]
        return [
            problem
            for number, (shown, got) in enumerate(zip(expected, received, strict=True))
            for problem in mismatches(shown, got, f"{path}[{number}]")
        ]
    if type(expected) is not type(received) or expected != received:
        return [f"{path}: expected {expected!r}, received {received!r}"]
    return []


def text_mismatches(expected: str, received: str) -> list[str]:
    shown, got = expected.rstrip("\n").split("\n"), received.rstrip("\n").split("\n")
    if len(shown) != len(got):
        return [f"{len(shown)} lines shown, {len(got)} received:\n{received}"]
    return [problem for a, b in zip(shown, got, strict=True) for problem in mismatches(a, b)]


def error_members(value: Any, path: str = "$") -> list[str]:
    if isinstance(value, dict):
        found = []
        if str(value.get("__typename", "")).endswith("Error"):
            found.append(f"{path}: {value['__typename']} {value.get('message', '')}")
        for key, item in value.items():
            found += error_members(item, f"{path}.{key}")
        return found
    if isinstance(value, list):
        return [hit for n, item in enumerate(value) for hit in error_members(item, f"{path}[{n}]")]
    return []


# --- the demo -----------------------------------------------------------------------------------


@dataclass
class Demo:
    folder: Path
    url: str
    token: str
    env: dict[str, str]


def _clean_environment() -> dict[str, str]:
    """This process's environment without any of the server's settings (.env.example's)."""
    example = (ROOT / ".env.example").read_text()
    settings = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.M))
    return {k: v for k, v in os.environ.items() if k not in settings and not k.startswith("WHMCS_")}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("readme-demo")
    bin_dir = folder / ".venv" / "bin"  # what the README's `.venv/bin/whmcs-bridge` finds
    bin_dir.mkdir(parents=True)
    command = bin_dir / "whmcs-bridge"
    command.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m whmcs_bridge.cli "$@"\n')
    command.chmod(0o755)
    env = {
        **_clean_environment(),
        "PYTHONPATH": str(ROOT),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    migrate = subprocess.run(
        [str(command), "migrate"], cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )
    assert migrate.returncode == 0, migrate.stderr
    port = free_port()
    out, err = folder / "serve.out", folder / "serve.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen(
            [str(command), "serve", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=stdout,
            stderr=stderr,
            text=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        token = _wait_for_demo(server, url, out, err)
        yield Demo(folder, url, token, env)
    finally:
        stop(server, timeout=30)


def _wait_for_demo(server: subprocess.Popen[str], url: str, out: Path, err: Path) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the demo exited:\n{err.read_text()}"
        token = re.search(r"Authorization: Bearer (wbt_[\w-]+)", out.read_text())
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
                if response.status == 200 and token:
                    return token[1]
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the demo did not come up within 60 s:\n{err.read_text()}")


def _post(demo: Demo, document: str) -> Any:
    request = urllib.request.Request(
        demo.url + "/graphql",
        data=json.dumps({"query": document}).encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {demo.token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"HTTP {exc.code}: {exc.read().decode()}") from None


def operations(body: str) -> list[str]:
    document = parse(body)
    fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
    return [
        print_ast(DocumentNode(definitions=(definition, *fragments)))
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]


def run_graphql(demo: Demo, step: Step) -> list[str]:
    answers = [_post(demo, operation) for operation in operations(step.block.body)]
    problems = [f"errors: {answer['errors']}" for answer in answers if "errors" in answer]
    if step.answer is None:
        return problems + error_members([answer.get("data") for answer in answers])
    received: Any = answers[0] if len(answers) == 1 else answers
    return mismatches(json.loads(step.answer.body), received)


def run_shell(demo: Demo, step: Step) -> list[str]:
    address = demo.url.removeprefix("http://")
    script = re.sub(r"\b(localhost|127\.0\.0\.1):8000\b", address, step.block.body)
    shell = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=demo.folder,
        env=demo.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: a command left running is ended too
    )
    try:
        stdout, stderr = shell.communicate(timeout=SHELL_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(shell.pid, signal.SIGKILL)
        shell.communicate(timeout=10)
        return [f"still running after {SHELL_TIMEOUT_S} s (a server? mark it not run)"]
    if shell.returncode != 0:
        return [f"exit status {shell.returncode}: {stderr}{stdout}"]
    if step.answer is None:
        return []
    if step.answer.kind == "text":
        return text_mismatches(step.answer.body, stdout)
    try:
        received = json.loads(stdout)
    except ValueError:
        return [f"stdout is not JSON: {stdout!r}"]
    return mismatches(json.loads(step.answer.body), received)


# --- the tests ----------------------------------------------------------------------------------


def test_every_block_runs_or_says_why_not() -> None:
    walk = list(steps(blocks(README.read_text())))

    assert len(walk) >= 5
    for step in walk:
        if step.answer is not None and step.answer.kind == "json":
            json.loads(step.answer.body)  # an answer that is not JSON is a README bug
        if step.block.kind == "graphql":
            assert operations(step.block.body), f"{step.block.where}: no operation"


def test_the_conventions_catch_what_they_promise() -> None:
    unmarked = "```ts\nconst a = 1;\n```\n"
    with pytest.raises(AssertionError, match="run by nobody"):
        list(steps(blocks(unmarked)))
    assert list(steps(blocks("<!-- not run: TypeScript -->\n" + unmarked))) == []
    indented = "- a list item:\n\n  <!-- not run: a reason -->\n  ```sh\n  make run\n  ```\n"
    assert list(steps(blocks(indented))) == []
    [shell] = blocks(indented.replace("<!-- not run: a reason -->", "text"))
    assert (shell.kind, shell.body, shell.not_run) == ("sh", "make run\n", None)
    with pytest.raises(AssertionError, match="run by nobody"):
        list(steps(blocks("<!-- not run: -->\n" + unmarked)))  # a reason is required
    assert mismatches({"a": ANY, "b": "took … ms"}, {"a": [1], "b": "took 12 ms"}) == []
    assert mismatches({"a": 1}, {"a": 1, "b": 2}) == ["$.b: received, not shown"]
    assert mismatches({"a": "x…"}, {"a": "y"}) != []
    assert mismatches([1], [1, 2]) != []
    assert mismatches({"a": 1}, {"a": True}) != []
    assert error_members({"x": {"__typename": "NotFoundError", "message": "gone"}}) != []


def walk(demo: Demo, text: str) -> list[str]:
    problems: list[str] = []
    for step in steps(blocks(text)):
        found = run_graphql(demo, step) if step.block.kind == "graphql" else run_shell(demo, step)
        problems += [f"{step.block.where}: {problem}" for problem in found]
    return problems


def test_the_readme_examples_run_in_order_and_answer_as_shown(demo: Demo) -> None:
    problems = walk(demo, README.read_text())

    assert not problems, "\n".join(problems)


def test_a_failing_example_fails_the_walk(demo: Demo) -> None:
    """What the README once did (a client gone before its push, a WHMCS id the demo lacks) is
    caught, on the same demo, after the walk: nothing here changes its data."""
    gone = 'mutation { pushClient(clientId: "999") { __typename ... on Error { code message } } }'
    missing = 'query { whmcsClient(id: "4242") { __typename } }'
    text = (
        f"```graphql\n{gone}\n```\n"
        f"```graphql\n{missing}\n```\n"
        '```json\n{"data": {"whmcsClient": {"__typename": "WhmcsClient"}}}\n```\n'
        "```sh\ncurl -sf localhost:8000/no-such-page\n```\n"
        "```sh\ncurl -s localhost:8000/healthz\n```\n"
        "```text\nnot what it says\n```\n"
    )

    problems = walk(demo, text)

    assert len(problems) == 4, problems
    assert "NotFoundError" in problems[0]
    assert "expected 'WhmcsClient', received 'NotFoundError'" in problems[1]
    assert problems[2].startswith("README.md:10 (sh): exit status 22")
    assert "not what it says" in problems[3]


def test_a_command_left_running_is_ended_and_reported(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "SHELL_TIMEOUT_S", 1)
    marker = demo.folder / "still-running"

    problems = walk(demo, f"```sh\n(sleep 5 && touch {marker}) &\nwait\n```\n")

    assert problems == ["README.md:1 (sh): still running after 1 s (a server? mark it not run)"]
    time.sleep(6)  # past the moment the killed command would have written its file
    assert not marker.exists()
