"""Generate a large, realistic, deterministic commissioning exercise for the benchmark.

    python benchmarks/generate.py --tenders 10000 --rows 1000000 --out benchmarks/data/full

writes ``exercise.json`` (lots, a community panel larger than the officer panel, declared
conflicts), ``tenders/T-00001.json`` ... (about 5 KB each: five answers of a few hundred words,
some in Welsh, Polish, Urdu and Bengali) and ``scores.csv`` (long layout, a comment on about one
score in twenty; nobody scores a tender they declared a conflict with). The same arguments and
seed always give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path
from typing import Any

CRITERIA = ("local-assets", "local-insights", "collaboration", "innovation", "long-term")
LOTS = (("north", "North"), ("south", "South"), ("east", "East"), ("west", "West"))
ORG_TYPES = (
    "charity",
    "community-interest-company",
    "cooperative",
    "company",
    "public-body",
    "consortium",
    "other",
)

WORDS = (
    "residents carers volunteers library allotments food bank mosque church youth club "
    "neighbourhood network partnership outcomes prevention wellbeing sustainable legacy "
    "co-design lived experience peer support referrals outreach evaluation steering group "
    "social value training apprenticeships transport accessible interpreters evening sessions "
    "monthly review shared budget risk learning pilot scale partners schools clinics"
).split()
FOREIGN = (
    "Byddwn yn gweithio gyda thrigolion lleol a gwirfoddolwyr yng nghanol y dref.",
    "Współpracujemy z mieszkańcami, opiekunami i lokalnymi grupami od wielu lat.",
    "ہم مقامی رہائشیوں اور رضاکاروں کے ساتھ مل کر کام کریں گے۔",
    "আমরা স্থানীয় বাসিন্দা ও স্বেচ্ছাসেবকদের সাথে একসাথে কাজ করব।",
    "Café, crèche and naïve façades: résumé of the rôle we play.",
)
COMMENTS = (
    "Strong links with the food bank and the allotments.",
    "Little evidence that residents shaped the design.",
    "Good plan for shared decisions; budget sharing unclear.",
    "Innovative peer support model, risks well described.",
    "Clear long-term outcomes, but sustainability after year three is vague.",
    "Gwaith da gyda'r gymuned leol.",
    "Bardzo dobra współpraca z mieszkańcami.",
)


def _answer(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    sentences = [s.strip().capitalize() for s in text.split(" network ") if s.strip()]
    answer = ". ".join(sentences) + "."
    if rng.random() < 0.05:
        answer += " " + rng.choice(FOREIGN)
    return answer


def tender_document(rng: random.Random, number: int, lot: str) -> dict[str, Any]:
    tender_id = f"T-{number:05d}"
    doc: dict[str, Any] = {
        "id": tender_id,
        "lot": lot,
        "bidder": {
            "name": f"{rng.choice(['Eastside', 'Northgate', 'Riverside', 'Hillview'])} "
            f"{rng.choice(['Neighbours', 'Partners', 'Collective', 'Trust'])} {number}",
            "organisation_type": rng.choice(ORG_TYPES),
            "postcode": f"BD{rng.randint(1, 22)} {rng.randint(1, 9)}AB",
            "sme": rng.random() < 0.7,
            "vcse": rng.random() < 0.5,
            "contact_email": f"bids{number}@example.org",
        },
        "price": {"amount": rng.randrange(200_000, 900_000, 500), "currency": "GBP"},
        "submitted_at": f"2027-02-{rng.randint(1, 28):02d}T{rng.randint(8, 17):02d}:00:00Z",
        "responses": {},
    }
    for criterion in CRITERIA:
        response: dict[str, Any] = {"answer": _answer(rng, rng.randint(110, 150))}
        if rng.random() < 0.3:
            response["evidence"] = [
                {"title": "Annual report", "url": f"https://example.org/{tender_id}/report.pdf"}
            ]
        doc["responses"][criterion] = response
    return doc


def panel_sizes(evaluators: int) -> tuple[int, int]:
    """Community members outnumber officers three to two."""
    community = max(2, math.ceil(evaluators * 0.6))
    return community, max(1, evaluators - community)


def generate(
    out: Path,
    *,
    tenders: int,
    rows: int,
    evaluators: int,
    seed: int = 2027,
    lots: int | None = None,
) -> dict[str, Any]:
    """Write the data set to ``out``; a summary of what was written. ``lots``: how many lots
    (one to four; default one per 50 tenders, at most four), e.g. 1 for one big lot."""
    import numpy as np
    import pandas as pd

    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    n_community, n_officer = panel_sizes(evaluators)
    community = [f"C{i:04d}" for i in range(1, n_community + 1)]
    officers = [f"O{i:04d}" for i in range(1, n_officer + 1)]

    # Who scores what: per tender, a set of community members and a (smaller) set of officers.
    per_tender = max(2, round(rows / (len(CRITERIA) * tenders)))
    per_community = min(n_community, max(1, math.ceil(per_tender * 0.6)))
    per_officer = min(n_officer, max(1, per_tender - per_community))
    c_pick = np.argsort(nprng.random((tenders, n_community)), axis=1)[:, :per_community]
    o_pick = np.argsort(nprng.random((tenders, n_officer)), axis=1)[:, :per_officer]

    scored: dict[str, set[int]] = {e: set() for e in community + officers}
    for t in range(tenders):
        for c in c_pick[t]:
            scored[community[c]].add(t)
        for o in o_pick[t]:
            scored[officers[o]].add(t)

    members = []
    for evaluator_id in community + officers:
        conflicts: list[str] = []
        for _ in range(2):
            t = rng.randrange(tenders)
            if t not in scored[evaluator_id]:
                conflicts.append(f"T-{t + 1:05d}")
        members.append(
            {
                "id": evaluator_id,
                "name": f"{'Resident' if evaluator_id[0] == 'C' else 'Officer'} {evaluator_id}",
                "panel": "community" if evaluator_id[0] == "C" else "officer",
                "conflicts": sorted(set(conflicts)),
            }
        )
    lots = LOTS[: max(1, min(len(LOTS), lots or tenders // 50 or 1))]
    exercise = {
        "id": "benchmark-programme",
        "title": "Participatory wellbeing programme (benchmark)",
        "authority": "Example Metropolitan District Council",
        "description": "A generated exercise for the benchmark.",
        "criteria": "co-production",
        "lots": [{"id": i, "title": t} for i, t in lots],
        "price_weight": 20,
        "quality_threshold": 40,
        "divergence_threshold": 2,
        "min_evaluators": {"community": 2, "officer": 1},
        "evaluators": members,
    }
    (out / "exercise.json").write_text(json.dumps(exercise, indent=1), encoding="utf-8")

    folder = out / "tenders"
    folder.mkdir(exist_ok=True)
    for number in range(1, tenders + 1):
        doc = tender_document(rng, number, lots[(number - 1) % len(lots)][0])
        (folder / f"{doc['id']}.json").write_text(
            json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8"
        )

    # Score rows: every (evaluator, tender) pair scores all five criteria, around a per-tender
    # quality so results spread out (and some tenders fall below the threshold).
    tender_ix = np.concatenate(
        [np.repeat(np.arange(tenders), per_community), np.repeat(np.arange(tenders), per_officer)]
    )
    names = np.array(community + officers, dtype=object)
    who = np.concatenate([c_pick.ravel(), o_pick.ravel() + n_community])
    pairs = len(tender_ix)
    quality = nprng.uniform(1.0, 4.6, tenders)
    frame = pd.DataFrame(
        {
            "evaluator": np.repeat(names[who], len(CRITERIA)),
            "tender": np.repeat(
                np.array([f"T-{t + 1:05d}" for t in range(tenders)], dtype=object)[tender_ix],
                len(CRITERIA),
            ),
            "criterion": np.tile(np.array(CRITERIA, dtype=object), pairs),
        }
    )
    noise = nprng.normal(0.0, 1.0, len(frame))
    frame["score"] = np.clip(
        np.rint(np.repeat(quality[tender_ix], len(CRITERIA)) + noise), 0, 5
    ).astype("int64")
    comment = np.full(len(frame), "", dtype=object)
    with_comment = nprng.random(len(frame)) < 0.05
    comment[with_comment] = np.array(COMMENTS, dtype=object)[
        nprng.integers(0, len(COMMENTS), int(with_comment.sum()))
    ]
    frame["comment"] = comment
    frame = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    frame.to_csv(out / "scores.csv", index=False, lineterminator="\n")
    summary = {
        "tenders": tenders,
        "rows": len(frame),
        "evaluators": {"community": n_community, "officer": n_officer},
        "lots": len(lots),
        "per_tender": {"community": per_community, "officer": per_officer},
        "seed": seed,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tenders", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--evaluators", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--lots", type=int, default=None, help="1 to 4 (default: by size)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data" / "full")
    args = parser.parse_args(argv)
    summary = generate(
        args.out,
        tenders=args.tenders,
        rows=args.rows,
        evaluators=args.evaluators,
        seed=args.seed,
        lots=args.lots,
    )
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
