"""docs/kb-pull-request.yml: valid against GitHub's workflow schema (offline, the copy that
check-jsonschema vendors), and its steps, run with bash as a runner would, do what it says
in a local copy of a pull-request checkout: a bare origin with a merge ref refs/pull/1/merge,
cloned in full and shallow, as actions/checkout clones."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import GIT_ENV, REPO, git, make_kb, run_kb

WORKFLOW = REPO / "docs" / "kb-pull-request.yml"
PINNED = "0123456789abcdef0123456789abcdef01234567"
PRE_COMMIT_CONFIG = f"""\
repos:
  - repo: https://github.com/example/kb
    rev: {PINNED}  # a commit sha: pre-commit autoupdate --freeze
    hooks:
      - id: kb-lint
"""
T2 = "id: t2\ntitle: Second thesis\nposition: Beta matters.\ncites:\n  - concept: beta\n"
T3 = "id: t3\ntitle: Third thesis\nposition: Gamma matters.\ncites:\n  - concept: gamma\n"
GAMMA = "id: gamma\ntitle: Gamma\nsummary: The third concept.\nclaims: []\nchangelog: []\n"


def _schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
    return subprocess.run([*cmd, str(path)], capture_output=True, text=True, check=False)


def test_the_workflow_is_valid_for_github(tmp_path: Path) -> None:
    done = _schema_check(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("contents: read", "contents: reed"))
    assert _schema_check(broken).returncode == 1  # the check can fail


def test_the_workflow_reads_only_and_keeps_expressions_out_of_scripts() -> None:
    doc = yaml.safe_load(WORKFLOW.read_text())
    assert doc["permissions"] == {"contents": "read"}
    steps = doc["jobs"]["kb"]["steps"]
    scripts = [step["run"] for step in steps if "run" in step]
    assert all("${{" not in script for script in scripts)  # no script injection
    kb_lines = [line for s in scripts for line in s.splitlines() if line.startswith("kb ")]
    assert kb_lines == [
        'kb lint --changed-since "$BASE" --format github',
        'kb stale --check --changed-since "$BASE" --format github',
        'kb diff "$BASE" HEAD --format markdown >> "$GITHUB_STEP_SUMMARY"',
    ]
    assert "YOUR-ORG" not in WORKFLOW.read_text() and "PyPI" not in WORKFLOW.read_text()


# -- a pull request, checked out as on GitHub ------------------------------------------


@dataclass
class Run:
    codes: dict[str, int] = field(default_factory=dict)  # step name -> exit code (run ones)
    out: dict[str, str] = field(default_factory=dict)
    pip: list[str] = field(default_factory=list)  # what `python -m pip install` was given
    summary: str = ""


def _origin(tmp_path: Path, stales: bool, main_moved: bool = False) -> tuple[Path, str]:
    """A KB repository (thesis t2 already stale on main) pushed to a bare origin with a
    pull request: its head and the merge commit GitHub makes, refs/pull/1/{head,merge}.
    Returned with it: the base commit the pull-request event names (`base.sha`). With
    `main_moved`, main gained a commit after that (another pull request, which makes
    thesis t3 stale), and the merge commit, as GitHub remakes it, is made on top of it."""
    work = tmp_path / "work"
    make_kb(
        work / "kb",
        files={"theses/t2.yaml": T2, "theses/t3.yaml": T3, "concepts/gamma.yaml": GAMMA},
    )
    (work / ".pre-commit-config.yaml").write_text(PRE_COMMIT_CONFIG)
    kb = work / "kb"
    assert run_kb("review", "t2", "--date", "2026-04-20", cwd=kb).code == 0
    assert run_kb("review", "t3", "--date", "2026-04-20", cwd=kb).code == 0
    beta = kb / "concepts" / "beta.yaml"
    beta.write_text(beta.read_text().replace("The second", "The 2nd"))
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "Initial KB")
    git(work, "checkout", "-q", "-b", "feature")
    alpha = kb / "concepts" / "alpha.yaml"
    text = alpha.read_text().replace(
        "changelog:\n", "changelog:\n  - {date: 2026-04-22, text: Re-worded}\n"
    )
    if stales:
        text = text.replace("Alpha comes first", "Alpha comes before every other letter")
    else:
        text = text.replace(
            "summary: The first concept.", "summary: The first concept.\nstatus: draft"
        )
    alpha.write_text(text)
    git(work, "commit", "-qam", "Re-word alpha")
    git(work, "checkout", "-q", "main")
    base = git(work, "rev-parse", "HEAD").strip()
    if main_moved:
        gamma = kb / "concepts" / "gamma.yaml"
        gamma.write_text(gamma.read_text().replace("The third", "The 3rd"))
        git(work, "commit", "-qam", "Another pull request, merged: re-word gamma")
    git(work, "checkout", "-q", "-b", "merge")
    git(work, "merge", "-q", "--no-ff", "feature", "-m", "Merge feature into main")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(origin))
    git(origin, "update-ref", "refs/pull/1/head", "refs/heads/feature")
    git(origin, "update-ref", "refs/pull/1/merge", "refs/heads/merge")
    git(origin, "config", "uploadpack.allowReachableSHA1InWant", "true")  # as GitHub does
    return origin, base


def _checkout(tmp_path: Path, origin: Path, shallow: bool) -> Path:
    """What actions/checkout does: fetch the merge ref (all branches too at fetch-depth 0),
    then check it out detached."""
    ws = tmp_path / "ws"
    ws.mkdir()
    git(ws, "init", "-q")
    git(ws, "remote", "add", "origin", origin.as_uri())
    merge = "+refs/pull/1/merge:refs/remotes/pull/1/merge"
    if shallow:
        git(ws, "fetch", "-q", "--no-tags", "--depth=1", "origin", merge)
    else:
        git(ws, "fetch", "-q", "--no-tags", "origin", "+refs/heads/*:refs/remotes/origin/*", merge)
    git(ws, "checkout", "-q", "--detach", "refs/remotes/pull/1/merge")
    return ws


def _shim(tmp_path: Path, log: Path) -> Path:
    """A `python` first on PATH: `-m pip install` is recorded (nothing may download in a
    test; kb is already installed), anything else runs this Python, with kb beside it."""
    bin_dir = tmp_path / "shim"
    bin_dir.mkdir()
    python = bin_dir / "python"
    python.write_text(
        "#!/bin/sh\n"
        'if [ "$1 $2 $3" = "-m pip install" ]; then\n'
        f'  shift 3; printf "%s\\n" "$*" >> "{log}"; exit 0\n'
        "fi\n"
        f'exec "{sys.executable}" "$@"\n'
    )
    python.chmod(0o755)
    return bin_dir


def _expand(value: str, known: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        assert expression in known, f"the test does not know ${{{{ {expression} }}}}"
        return known[expression]

    return re.sub(r"\$\{\{(.+?)\}\}", one, value)


def _run_steps(ws: Path, tmp_path: Path, base: str, stderr: Path | None = None) -> Run:
    doc: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    job = doc["jobs"]["kb"]
    result, outputs, github_env = Run(), tmp_path / "github_output", tmp_path / "github_env"
    summary, log = tmp_path / "step_summary.md", tmp_path / "pip.log"
    summary.touch()
    known = {"github.event.pull_request.base.sha": base}
    env = {
        **os.environ, **GIT_ENV, "GITHUB_STEP_SUMMARY": str(summary), "CI": "true",
        "PATH": f"{_shim(tmp_path, log)}:{Path(sys.executable).parent}:{os.environ['PATH']}",
    }  # fmt: skip
    env.pop("KB_ROOT", None)
    env.update({k: _expand(str(v), known) for k, v in job.get("env", {}).items()})
    failed = False
    for step in job["steps"]:
        if "run" not in step:
            continue  # `uses:` steps: checkout and Python are set up by the test
        if failed and "!cancelled()" not in step.get("if", ""):
            continue
        if "env.BASE != ''" in step.get("if", "") and not env.get("BASE"):
            continue
        outputs.write_text("")
        github_env.write_text("")
        step_env = {**env, "GITHUB_OUTPUT": str(outputs), "GITHUB_ENV": str(github_env)}
        step_env.update({k: _expand(str(v), known) for k, v in step.get("env", {}).items()})
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=ws, env=step_env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        result.codes[step["name"]], result.out[step["name"]] = done.returncode, done.stdout
        if stderr is not None and done.returncode != 0:
            stderr.write_text(done.stderr)
        failed = failed or done.returncode != 0
        for line in github_env.read_text().splitlines():  # KEY=VALUE: set for later steps
            key, _, value = line.partition("=")
            env[key] = value
        for line in outputs.read_text().splitlines():
            key, _, value = line.partition("=")
            known[f"steps.{step.get('id')}.outputs.{key}"] = value
    result.pip = log.read_text().splitlines() if log.exists() else []
    result.summary = summary.read_text()
    return result


FIND = "Find the kb that .pre-commit-config.yaml pins"
LINT, STALE = "Lint what the pull request changed", "No thesis made stale by the pull request"
DIFF = "What the pull request did to the knowledge"


@pytest.mark.parametrize("shallow", [False, True], ids=["full", "shallow"])
def test_a_pull_request_that_makes_a_thesis_stale_fails_on_it_alone(
    tmp_path: Path, shallow: bool
) -> None:
    origin, base = _origin(tmp_path, stales=True)
    ws = _checkout(tmp_path, origin, shallow)
    here = subprocess.run(["git", "cat-file", "-e", f"{base}^{{commit}}"], cwd=ws, check=False)
    assert (here.returncode != 0) == shallow  # a shallow checkout lacks the base commit
    run = _run_steps(ws, tmp_path, base)
    assert run.codes == {
        "Find the base commit (fetched if the checkout is shallow)": 0,
        FIND: 0,
        "Install kb": 0,
        LINT: 0,
        STALE: 1,
        DIFF: 0,
    }
    assert run.pip == ["--quiet pyyaml", f"kbcli @ git+https://github.com/example/kb@{PINNED}"]
    assert run.out[STALE].splitlines()[:2] == [
        "::error file=kb/theses/t.yaml,line=7,col=14,title=kb stale::thesis t cites alpha "
        "[alpha-is-first]: claim 'alpha-is-first' re-worded",
        "::notice file=kb/theses/t2.yaml,line=5,col=14,title=kb stale::thesis t2 cites beta: "
        "already needed review before this change: summary changed",
    ]
    assert run.summary.startswith(f"### Knowledge diff: {base} → HEAD\n")
    assert run.summary.endswith(
        "**Theses made stale**\n\n"
        "- thesis t cites alpha (claims: alpha-is-first): claim 'alpha-is-first' re-worded\n\n"
        "#### concept alpha “Alpha” (concepts/alpha.yaml): modified\n\n"
        "- claim alpha-is-first re-worded: Alpha comes <del>first</del> <ins>before every "
        "other letter</ins>\n"
        "- changelog entry added: 2026-04-22 Re-worded\n"
    )


def test_a_pull_request_that_stales_nothing_passes_with_a_notice(tmp_path: Path) -> None:
    origin, base = _origin(tmp_path, stales=False)
    run = _run_steps(_checkout(tmp_path, origin, shallow=False), tmp_path, base)
    assert run.codes[STALE] == 0 and run.codes[LINT] == 0 and run.codes[DIFF] == 0
    assert run.out[STALE].splitlines()[0].startswith("::notice file=kb/theses/t2.yaml,")
    assert "| concepts modified | 1 |" in run.summary
    assert "Theses made stale" not in run.summary


def test_without_a_kb_hook_the_workflow_says_what_to_edit(tmp_path: Path) -> None:
    origin, base = _origin(tmp_path, stales=False)
    ws = _checkout(tmp_path, origin, shallow=False)
    (ws / ".pre-commit-config.yaml").write_text("repos: []\n")
    run = _run_steps(ws, tmp_path, base)
    assert run.codes[FIND] == 1
    assert LINT not in run.codes


def test_the_readme_pins_a_commit_of_this_repository() -> None:
    """The pre-commit snippets pin a rev that exists here and offers the kb hooks."""
    for doc in (REPO / "README.md", REPO / "docs" / "pull-requests.md"):
        revs = re.findall(r"^\s+rev: (\S+)", doc.read_text(), flags=re.MULTILINE)
        assert revs, doc
        for rev in revs:
            assert re.fullmatch(r"[0-9a-f]{40}", rev), f"{doc.name}: rev {rev} is not a sha"
            hooks = subprocess.run(
                ["git", "show", f"{rev}:.pre-commit-hooks.yaml"],
                cwd=REPO, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if hooks.returncode != 0 and _shallow():
                pytest.skip("a shallow clone of this repository lacks the pinned commit")
            assert hooks.returncode == 0, f"{doc.name}: rev {rev} is not a commit here"
            ids = {hook["id"] for hook in yaml.safe_load(hooks.stdout)}
            assert {"kb-lint", "kb-stale"} <= ids


def _shallow() -> bool:
    done = subprocess.run(
        ["git", "rev-parse", "--is-shallow-repository"], cwd=REPO, capture_output=True, text=True
    )
    return done.stdout.strip() == "true"


@pytest.mark.parametrize("shallow", [False, True], ids=["full", "shallow"])
def test_the_base_is_the_merge_commits_parent_when_main_moved_on(
    tmp_path: Path, shallow: bool
) -> None:
    # `github.event.pull_request.base.sha` is main's tip when the event was made; GitHub
    # remakes the merge commit on main's newer tip. What main gained since (another pull
    # request that made t3 stale) is not this pull request's doing.
    origin, event_base = _origin(tmp_path, stales=False, main_moved=True)
    ws = _checkout(tmp_path, origin, shallow)
    run = _run_steps(ws, tmp_path, event_base)
    assert run.codes.get(LINT) == 0 and run.codes.get(STALE) == 0, run
    assert [
        line.split(",")[0] for line in run.out[STALE].splitlines() if line.startswith("::")
    ] == [
        "::notice file=kb/theses/t2.yaml",
        "::notice file=kb/theses/t3.yaml",
    ]
    assert "gamma" not in run.summary
    assert "| concepts modified | 1 |" in run.summary


def test_a_checkout_of_the_head_instead_of_the_merge_stops_with_a_reason(tmp_path: Path) -> None:
    origin, base = _origin(tmp_path, stales=False)
    ws = _checkout(tmp_path, origin, shallow=True)
    git(ws, "fetch", "-q", "--no-tags", "--depth=1", "origin", "refs/pull/1/head")
    git(ws, "checkout", "-q", "--detach", "FETCH_HEAD")
    run = _run_steps(ws, tmp_path, base)
    assert run.codes == {"Find the base commit (fetched if the checkout is shallow)": 1}
    assert run.out["Find the base commit (fetched if the checkout is shallow)"] == (
        "::error::HEAD is not the pull request's merge commit: keep actions/checkout's "
        "default ref\n"
    )


def test_without_a_pre_commit_config_the_workflow_says_what_to_edit(tmp_path: Path) -> None:
    origin, base = _origin(tmp_path, stales=False)
    ws = _checkout(tmp_path, origin, shallow=False)
    (ws / ".pre-commit-config.yaml").unlink()
    env_file = tmp_path / "find.err"
    run = _run_steps(ws, tmp_path, base, stderr=env_file)
    assert run.codes[FIND] == 1
    assert env_file.read_text().endswith(
        "no kb-lint or kb-stale hook with a repo and a rev in .pre-commit-config.yaml: set "
        "KB_INSTALL in this workflow\n"
    )
