"""``cxgraph diff OLD NEW``: formats, --fail-on exit codes, REV:PATH through git, bad input."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from cxgraph.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
VENDING = str(EXAMPLES / "vending.yaml")
FUTURE = str(EXAMPLES / "vending_future.yaml")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


class TestFormatsAndExitCodes:
    def test_a_journey_against_itself_is_empty(self) -> None:
        code, out, err = run("diff", VENDING, VENDING, "--format", "json", "--fail-on", "changes")
        assert (code, err) == (0, "")
        data = json.loads(out)
        assert set(data) == {"changes", "measures", "regressions"}
        assert data["changes"] == []
        assert data["regressions"] == []

    def test_current_against_future_state(self) -> None:
        code, out, err = run("diff", VENDING, FUTURE, "--format", "json")
        assert (code, err) == (0, "")
        data = json.loads(out)
        assert data["changes"]
        for record in data["changes"]:
            assert set(record) >= {"area", "change", "key", "field", "old", "new"}
        assert set(data["measures"]["steps"]) == {"old", "new", "delta"}

    def test_fail_on_changes_exits_1_and_says_why(self) -> None:
        code, out, err = run("diff", VENDING, FUTURE, "--fail-on", "changes")
        assert code == 1
        assert out
        assert err.startswith("cxgraph diff: error: --fail-on changes: ")
        assert err.count("\n") == 1

    def test_fail_on_regressions_follows_the_regressions(self) -> None:
        _, out, _ = run("diff", VENDING, FUTURE, "--format", "json")
        regressions = json.loads(out)["regressions"]
        code, _, err = run("diff", VENDING, FUTURE, "--fail-on", "regressions")
        assert code == (1 if regressions else 0)
        assert ("regression" in err) == bool(regressions)

    @pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
    def test_every_format_writes(self, fmt: str) -> None:
        code, out, err = run("diff", VENDING, FUTURE, "--format", fmt)
        assert (code, err) == (0, "")
        assert out.strip()
        if fmt == "html":
            assert out.startswith("<!DOCTYPE html>")
            assert "<script" not in out

    def test_output_file(self, tmp_path: Path) -> None:
        target = tmp_path / "d.json"
        code, out, _ = run("diff", VENDING, FUTURE, "--format", "json", "-o", str(target))
        assert (code, out) == (0, "")
        assert json.loads(target.read_text(encoding="utf-8"))["changes"]


class TestBadInput:
    def test_missing_file(self, tmp_path: Path) -> None:
        code, _, err = run("diff", VENDING, str(tmp_path / "none.yaml"))
        assert code == 2
        assert err.startswith("cxgraph diff: error: no such file")

    def test_output_folder(self, tmp_path: Path) -> None:
        code, _, err = run("diff", VENDING, FUTURE, "-o", str(tmp_path))
        assert code == 2
        assert "it is a folder" in err
        assert list(tmp_path.iterdir()) == []

    def test_unknown_format(self) -> None:
        code, _, err = run("diff", VENDING, FUTURE, "--format", "csv")
        assert code == 2
        assert "invalid choice: 'csv'" in err


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding the vending journey, committed, then changed to its future."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    folder = tmp_path / "journeys"
    folder.mkdir()
    shutil.copy(VENDING, folder / "machine.yaml")

    def call(*args: str) -> None:
        subprocess.run([git, *args], cwd=tmp_path, check=True, capture_output=True)

    call("init", "-q", "-b", "main")
    call("-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".")
    call("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "now")
    shutil.copy(FUTURE, folder / "machine.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


class TestGitRevisions:
    def test_rev_path_against_the_working_copy(self, repo: Path) -> None:
        """main:journeys/machine.yaml is the committed current state; the file is the future."""
        code, out, err = run(
            "diff", "main:journeys/machine.yaml", "journeys/machine.yaml", "--format", "json"
        )
        assert (code, err) == (0, "")
        _, expected, _ = run("diff", VENDING, FUTURE, "--format", "json")
        assert json.loads(out) == json.loads(expected)

    def test_paths_are_relative_to_the_current_folder(
        self, repo: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(repo / "journeys")
        code, _, err = run("diff", "HEAD:machine.yaml", "machine.yaml", "--fail-on", "changes")
        assert code == 1
        assert "--fail-on changes" in err

    def test_unknown_revision_is_a_usage_error(self, repo: Path) -> None:
        code, _, err = run("diff", "nope:journeys/machine.yaml", "journeys/machine.yaml")
        assert code == 2
        assert err.startswith(
            "cxgraph diff: error: cannot read 'nope:journeys/machine.yaml' from git: "
        )
        assert err.count("\n") == 1


class TestReportWithBaseline:
    def test_the_page_opens_with_the_changes_and_the_graph_marks_them(self, tmp_path: Path) -> None:
        target = tmp_path / "r.html"
        code, _, err = run("report", FUTURE, "--baseline", VENDING, "-o", str(target))
        assert (code, err) == (0, "")
        page = target.read_text(encoding="utf-8")
        assert page.index('id="changes"') < page.index("At a glance")
        assert "What changed since the baseline (version 2024.1)" in page
        # Added steps carry a + badge, changed ones a ~ badge, with words in the legend.
        assert "graph-added-tap-to-pay" in page
        assert "graph-changed-dispense" in page
        assert "+ step added since the baseline (5)" in page
        assert "removed since the baseline: 8 steps, 17 edges (not drawn)" in page

    def test_baseline_from_git(self, repo: Path) -> None:
        code, _, err = run(
            "report", "journeys/machine.yaml", "--baseline", "main:journeys/machine.yaml",
            "-o", "r.html",
        )  # fmt: skip
        assert (code, err) == (0, "")
        assert 'id="changes"' in (repo / "r.html").read_text(encoding="utf-8")

    def test_without_a_baseline_nothing_is_marked(self, tmp_path: Path) -> None:
        target = tmp_path / "r.html"
        assert run("report", FUTURE, "-o", str(target))[0] == 0
        page = target.read_text(encoding="utf-8")
        assert 'id="changes"' not in page
        assert "since the baseline" not in page


def test_rev_path_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """REV:PATH where the current folder is in no git repository: a usage error, git's words."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, out, err = run("diff", "main:j.yaml", VENDING)
    assert (code, out) == (2, "")
    assert err.startswith("cxgraph diff: error: cannot read 'main:j.yaml' from git: fatal: ")
    assert "not a git repository" in err
