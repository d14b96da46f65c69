"""A hostile multi-script exercise for the document tests: Polish, Welsh, Urdu and Bengali names,
titles and comments, emoji, markup, and 20,000-character answers (no store, no files)."""

from __future__ import annotations

from dataclasses import replace

from commission.records import CriteriaSet, Criterion, Lot, Tender
from commission.scoring import Comment, Results, score_tallies

from .documents_data import exercise, tallies_for

URDU_TITLE = "کمیونٹی فلاح و بہبود مراکز"
BENGALI_TITLE = "কমিউনিটি সুস্থতা কেন্দ্র"
EXERCISE_TITLE = f"{URDU_TITLE} / {BENGALI_TITLE}"
URDU_AUTHORITY = "بریڈفورڈ کونسل"
URDU_LOT = "مغربی علاقہ"
#: An Urdu sentence with a Latin word and a number in it (issue 11).
URDU_MIXED = "ہم NHS کے ساتھ 2027 میں کام کریں گے"
URDU_FIRST = "پہلا جملہ یہ ہے کہ ہم ہر ہفتے بزرگوں سے ملتے ہیں۔"
URDU_LAST = "آخری جملہ یہ ہے کہ ہم خاندانوں کی مدد کرتے ہیں۔"
#: A long Urdu comment: its first sentence must be printed above its last.
URDU_LONG = " ".join([URDU_FIRST] + [URDU_MIXED + "۔"] * 12 + [URDU_LAST])
BENGALI_COMMENT = "আমরা প্রতি সপ্তাহে প্রবীণদের সাথে দেখা করি এবং পরিবারগুলিকে সাহায্য করি।"
POLISH = "Spółdzielnia Socjalna „Łódź” — żółć gęślą jaźń"
WELSH = "Cymdeithas Gŵyl y Dŷ: mae ein cymuned yn gweithio gyda phobl leol"
EMOJI_NAME = "🌈 Rainbow Hub 👩🏽‍🦯 CIC"
EMOJI = ("🌈", "👩🏽‍🦯", "🤝", "❤️", "✅")
MARKUP = '<img src="/etc/passwd"> <script>alert(1)</script> <b>bold</b> &amp; R&D'
LONG_ANSWER = ("Wir arbeiten mit Nachbarn. " * 800)[:20_000]
#: 20,000 characters with no space to break at.
LONG_WORD = "Ż" + "a" * 19_998 + "ł"

NAMES = {
    "T-001": f"{URDU_AUTHORITY} ویلفیئر ٹرسٹ",
    "T-002": "বাংলাদেশ কমিউনিটি সেন্টার",
    "T-003": POLISH,
    "T-004": WELSH,
    "T-005": EMOJI_NAME,
    "T-006": MARKUP,
}


def hostile_results() -> Results:
    base = exercise()
    names = [
        "ہماری مقامی طاقتیں",
        "স্থানীয় জ্ঞান",
        "Współpraca z mieszkańcami",
        "Cydweithio 🤝",
        '<img src="/etc/passwd"> innovation',
    ]
    criteria = tuple(replace(c, name=n) for c, n in zip(base.criteria.criteria, names, strict=True))
    scale = base.criteria.scale
    ex = replace(
        base,
        title=EXERCISE_TITLE,
        authority=URDU_AUTHORITY,
        lots=(Lot("main", URDU_LOT),),
        criteria=CriteriaSet("co-production", "Co-production", scale, criteria),
    )
    assert all(isinstance(c, Criterion) for c in ex.criteria.criteria)
    scores = {
        "T-001": ((4, 4, 5, 3, 4), (4, 3, 4, 3, 4)),
        "T-002": ((3, 3, 3, 3, 3), (3, 3, 3, 3, 3)),
        "T-003": ((5, 1, 2, 2, 2), (1, 1, 2, 2, 2)),
        "T-004": ((2, 2, 2, 2, 2), (3, 3, 3, 3, 3)),
        "T-005": ((4, 3, 3, 3, 4), (3, 3, 3, 3, 3)),
        "T-006": ((1, 1, 1, 1, 1), (1, 1, 1, 1, 1)),
    }
    cids = ex.criteria.ids
    comments = [
        Comment("T-001", cids[0], "R1", "community", 4, URDU_LONG),
        Comment("T-001", cids[1], "R2", "community", 4, URDU_MIXED),
        Comment("T-002", cids[0], "R1", "community", 3, BENGALI_COMMENT),
        Comment("T-003", cids[2], "OF1", "officer", 2, POLISH),
        Comment("T-004", cids[3], "R3", "community", 2, WELSH),
        Comment("T-005", cids[0], "R1", "community", 4, " ".join(EMOJI) + " great hub"),
        Comment("T-006", cids[4], "OF2", "officer", 1, MARKUP),
        Comment("T-006", cids[0], "R1", "community", 1, LONG_ANSWER),
        Comment("T-006", cids[1], "R2", "community", 1, LONG_WORD),
    ]
    tenders = [Tender(tid, "main", name, None, None) for tid, name in NAMES.items()]
    return score_tallies(ex, tenders, tallies_for(ex, scores), comments)


__all__ = [
    "BENGALI_TITLE",
    "EMOJI",
    "EMOJI_NAME",
    "EXERCISE_TITLE",
    "MARKUP",
    "NAMES",
    "URDU_FIRST",
    "URDU_LAST",
    "URDU_MIXED",
    "URDU_TITLE",
    "hostile_results",
]
