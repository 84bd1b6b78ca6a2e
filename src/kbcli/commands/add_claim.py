"""`kb add-claim`: one new claim on a concept page, checked against what the page holds.

Its id is made by `slug.claim_slug`, unique among `claims.taken_ids`.

A statement equal to an existing one once `similarity.normalise`d (NFKC, case,
typographic quotes and dashes, spacing, trailing punctuation) is refused unless `force`.
Claims `similarity.relate` finds the same (what `kb lint` reports as C001 and `kb
merge-claims` merges) or possibly contradicting (C009) are reported after adding.

Sources: every `--source` must be a source of the page, except that one unknown id may be
created with `source_title` (and `source_url`). With several unknown ids there is no way to
tell which one the title belongs to, so that is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbcli.changelog import entry_op
from kbcli.claims import page_claims, page_items, taken_ids
from kbcli.config import Config, load_config
from kbcli.dates import check_date, dated_index, edit_date
from kbcli.errors import KbError, Refused
from kbcli.kb import check_id, unique_id
from kbcli.schema import is_url
from kbcli.slug import claim_slug
from kbcli.store import Done, Edit, edit_kb, open_page, splice
from kbcli.terminal import asks, echo_commit, say, shown, today


@dataclass(frozen=True)
class NewClaim:
    """What the curator gave: the claim, and a new source to create, if any."""

    statement: str
    evidence: str
    sources: tuple[str, ...]
    detail: str | None = None
    source_title: str | None = None
    source_url: str | None = None
    when: str | None = None  # see kbcli.when for the format


@dataclass(frozen=True)
class Similar:
    """An existing claim the new one says the same as ("same") or may contradict
    ("opposite"), with the score and the reason."""

    claim_id: str
    kind: str
    score: float
    reason: str = ""

    def note(self, concept: str) -> str:
        if self.kind == "same":
            return (
                f"note: it says the same as claim '{self.claim_id}' (similarity "
                f"{self.score:.2f}): `kb merge-claims {concept} --dry-run` shows the merge"
            )
        return (
            f"note: it may contradict claim '{self.claim_id}' ({self.reason}): "
            "`kb lint` reports it as C009 until one of them is corrected"
        )


@dataclass(frozen=True)
class AddResult:
    concept: str
    rel: str  # the page, relative to the KB root
    claim_id: str
    new_source: str | None  # the id of a source created for the claim
    similar: tuple[Similar, ...]  # claims that say the same or may contradict it
    changelog: bool


def add_claim(
    root: Path,
    config: Config,
    concept: str,
    claim: NewClaim,
    date: str,
    *,
    changelog: bool = True,
    force: bool = False,
    commit: bool = False,
) -> Done[AddResult]:
    """Append `claim` to `concept`'s claims (and a changelog entry, unless not wanted)."""
    check_id(concept, "concept")
    claim = _checked(claim, config)
    check_date(date)

    def build() -> Edit[AddResult]:
        ref, doc = open_page(root, config, "concept", concept)
        page: dict[str, Any] = doc.data
        _refuse_redirect(concept, page)
        if not force:
            _refuse_duplicate(concept, page, claim.statement)
        new_source = _new_source(concept, page, claim)
        claim_id = unique_id(claim_slug(claim.statement), taken_ids(page))
        ops = [_claim_op(page, claim_id, claim, date)]
        if new_source is not None:
            ops.append(_source_op(page, new_source, claim))
        if changelog:
            ops.append(entry_op(config, page, date, f"Added claim {claim_id}: {claim.statement}"))
        text = splice(ref, doc.text, ops)
        result = AddResult(
            concept, ref.rel, claim_id, new_source, _similar(page, claim.statement), changelog
        )
        return Edit({ref.path: text}, f"kb: add claim {claim_id} to {concept}", result)

    return edit_kb(root, config, build, commit)


def _checked(claim: NewClaim, config: Config) -> NewClaim:
    """The claim with whitespace tidied; KbError (exit 2) for input kb cannot use."""
    statement = " ".join(claim.statement.split())
    if not statement:
        raise KbError("the statement is empty: say what the claim is")
    if claim.evidence not in config.evidence_levels:
        levels = ", ".join(config.evidence_levels)
        raise KbError(
            f"unknown evidence level {claim.evidence!r}: use one of {levels} "
            "(evidence_levels in kb.yaml)"
        )
    sources = tuple(dict.fromkeys(s.strip() for s in claim.sources))  # keep order, drop repeats
    if not sources:
        raise KbError("a claim needs at least one source: pass --source ID")
    for source in sources:
        check_id(source, "source")
    title = " ".join(claim.source_title.split()) if claim.source_title is not None else None
    if title == "":
        raise KbError("--source-title is empty: give the new source's title")
    url = claim.source_url.strip() if claim.source_url is not None else None
    if url is not None and title is None:
        raise KbError("--source-url describes a new source: pass --source-title with it")
    if url is not None and not is_url(url):
        raise KbError(f"--source-url {url!r} is not an http:// or https:// address")
    detail = claim.detail.strip() if claim.detail is not None else None
    if claim.when is not None:
        from kbcli.when import parse_when

        parse_when(claim.when)
    when = claim.when.strip() if claim.when is not None else None
    return NewClaim(statement, claim.evidence, sources, detail or None, title, url, when)


def _refuse_redirect(concept: str, page: dict[str, Any]) -> None:
    target = page.get("redirect")
    if isinstance(target, str):
        raise Refused(f"concept '{concept}' was merged into '{target}': add the claim there")


def _refuse_duplicate(concept: str, page: dict[str, Any], statement: str) -> None:
    from kbcli.similarity import normalise

    wanted = normalise(statement)
    for existing in page_claims(page):
        other = existing.get("statement")
        if isinstance(other, str) and normalise(other) == wanted:
            raise Refused(
                f"concept '{concept}' already has this claim, as '{existing.get('id')}': "
                f"{other!r} (pass --force to add it anyway)"
            )


def _similar(page: dict[str, Any], statement: str) -> tuple[Similar, ...]:
    """Claims `relate` finds the same as `statement` or opposite to it: worth a look, not
    a refusal (an exact repeat was refused before)."""
    from kbcli.similarity import normalise, relate

    found = []
    for existing in page_claims(page):
        other, cid = existing.get("statement"), existing.get("id")
        if not isinstance(other, str) or not isinstance(cid, str):
            continue
        rel = relate(other, statement)
        if rel.kind in ("same", "opposite") and normalise(other) != normalise(statement):
            found.append(Similar(cid, rel.kind, round(rel.score, 2), rel.reason))
    return tuple(found)


def _new_source(concept: str, page: dict[str, Any], claim: NewClaim) -> str | None:
    """The one source id to create, or None; refusals for sources the page lacks."""
    known = [s["id"] for s in page_items(page, "sources") if isinstance(s.get("id"), str)]
    unknown = [s for s in claim.sources if s not in known]
    if claim.source_title is None:
        if unknown:
            listed = ", ".join(known) if known else "none yet"
            raise Refused(
                f"concept '{concept}' has no source {_names(unknown)} (its sources: {listed}); "
                "pass --source-title (and --source-url) to add a new one"
            )
        return None
    if not unknown:
        raise KbError(
            f"--source-title describes a new source, but {_names(claim.sources)} "
            f"{'is' if len(claim.sources) == 1 else 'are'} already on '{concept}': "
            "name the new source's id with --source"
        )
    if len(unknown) > 1:
        raise KbError(
            f"--source-title can add one new source, but {_names(unknown)} are all unknown "
            "on this page: add the other sources first, or fix their ids"
        )
    return unknown[0]


def _names(ids: Sequence[str]) -> str:
    return ", ".join(f"'{i}'" for i in ids)


def _claim_op(page: dict[str, Any], claim_id: str, claim: NewClaim, date: str) -> Any:
    from kbcli.yamlio.edit import Insert

    value: dict[str, Any] = {"id": claim_id, "statement": claim.statement}
    if claim.detail is not None:
        value["detail"] = claim.detail
    value.update(evidence=claim.evidence, sources=list(claim.sources))
    if claim.when is not None:
        from kbcli.when import stored

        value["when"] = stored(claim.when)
    value["added"] = date
    claims = page.get("claims")
    # after the claims added on or before its date: a backdated claim keeps them in order
    index = dated_index(claims if isinstance(claims, list) else [], "added", date, False)
    return Insert(("claims",), index, value)


def _source_op(page: dict[str, Any], source_id: str, claim: NewClaim) -> Any:
    from kbcli.yamlio.edit import Insert

    value = {"id": source_id, "title": claim.source_title}
    if claim.source_url is not None:
        value["url"] = claim.source_url
    return Insert(("sources",), _count(page, "sources"), value)


def run(
    root: Path,
    concept: str,
    statement: str | None,
    evidence: str | None,
    sources: Sequence[str],
    *,
    detail: str | None = None,
    source_title: str | None = None,
    source_url: str | None = None,
    when: str | None = None,
    happened: str | None = None,
    changelog: bool = True,
    force: bool = False,
    commit: bool = False,
) -> int:
    """`kb add-claim`: ask at a terminal for a missing statement, evidence level or source
    (elsewhere they are required), add the claim, and say what was added."""
    config = load_config(root)
    day = edit_date(when, today())
    given = tuple(sources)
    if asks() and (statement is None or evidence is None or not given):
        from kbcli.prompts import ask_claim

        statement, evidence, given, source_title, source_url = ask_claim(
            root, config, concept, statement, evidence, given, source_title, source_url
        )
    for value, what in ((statement, "STATEMENT"), (evidence, "--evidence"), (given, "--source")):
        if not value:
            raise KbError(f"missing {what} (kb asks for it only when run at a terminal)")
    assert statement is not None and evidence is not None  # for mypy: checked just above
    claim = NewClaim(statement, evidence, given, detail, source_title, source_url, happened)
    done = add_claim(
        root, config, concept, claim, day, changelog=changelog, force=force, commit=commit
    )
    _say_added(root, done.value)
    echo_commit(done.commit)
    return 0


def _say_added(root: Path, added: AddResult) -> None:
    say(f"Added claim '{added.claim_id}' to {added.concept} ({shown(root, added.rel)})")
    if added.new_source is not None:
        say(f"Added source '{added.new_source}' to {added.concept}")
    for similar in added.similar[:5]:  # a page of numbered claims would give one note each
        say(similar.note(added.concept))
    if len(added.similar) > 5:
        say(f"note: and {len(added.similar) - 5} more such claims (see kb lint)")


def _count(page: dict[str, Any], key: str) -> int:
    value = page.get(key)
    return len(value) if isinstance(value, list) else 0
