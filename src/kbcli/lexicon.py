"""The word lists behind "the same claim" (`similarity.py`): function words, negators,
antonyms, synonyms and scope qualifiers, in the language of AI research claims.

Plain data, so a curator can read what kb treats as a reversal or as the same word. Words
are listed in their plain forms; `similarity` stems them as it stems statements, so
"increases", "increased" and "increasing" all meet "increase".
"""

from __future__ import annotations

# Function words carry no claim: dropping them keeps "is a" from making claims similar.
# Also what `kb add-claim` leaves out of an id. "not", "no" and the quantifiers stay out of
# this list: they change what a claim says.
# fmt: off
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "been", "being", "but", "by", "can", "could",
    "did", "do", "does", "for", "from", "had", "has", "have", "how", "in", "into", "is", "it",
    "its", "may", "might", "of", "on", "or", "our", "over", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "through", "to", "via", "was",
    "were", "what", "when", "which", "while", "who", "will", "with", "would", "also", "so",
    "such", "very", "both", "each", "s", "get", "gets", "got",
})

# A negator on one side only reverses a claim ("n't" and "cannot" are split into "not"
# before this list is read). "nor" continues a negation ("neither ... nor") and adds none.
NEGATORS = frozenset({
    "not", "no", "never", "none", "nothing", "nobody", "nowhere", "neither", "without",
    "fail", "fails", "failed", "failing", "lack", "lacks", "lacked", "lacking", "unable",
    "rarely", "seldom", "hardly", "barely", "non",
    # The plain negators of other languages a curator may quote (French "ne ... pas" is
    # one negation: "ne" alone counts), so a claim is never merged into its negation.
    "не", "нет", "nicht", "kein", "keine", "keinen", "keiner", "keinem", "nie", "ne",
    "jamais", "nunca", "안", "못",
})
# Characters that negate in Chinese and Japanese text (no spaces to find words by).
CJK_NEGATORS = frozenset("不没沒未无無非別否")
# Japanese negates with a verb ending written in kana: ない, ません, なかった.
JA_NEGATORS = ("ない", "ません", "なかっ")

# Words on opposite sides of one scale. Each group lists forms that mean the same end.
_DIRECTION_UP = (
    "increase", "rise", "raise", "grow", "boost", "amplify", "improve", "enhance",
    "strengthen", "accelerate", "expand", "gain", "help", "benefit", "speed",
)
_DIRECTION_DOWN = (
    "decrease", "reduce", "decline", "drop", "fall", "shrink", "diminish", "weaken",
    "worsen", "degrade", "slow", "hurt", "harm", "impair", "lessen", "cut", "lower",
    "lose", "hinder", "decelerate",
)
ANTONYMS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (_DIRECTION_UP, _DIRECTION_DOWN),
    (("more", "greater"), ("less", "fewer")),
    (("most",), ("least", "fewest")),
    (("higher", "high"), ("lower", "low")),
    (("larger", "large", "bigger", "big"), ("smaller", "small", "little")),
    (("better", "good", "best"), ("worse", "bad", "worst")),
    (("well",), ("poorly", "badly")),
    (("strong", "strongly", "stronger"), ("weak", "weakly", "weaker")),
    (("robust", "robustly"), ("fragile", "brittle")),
    (("succeed", "succeeds", "success", "successful", "successfully"), ("failure",)),
    (("outperform",), ("underperform",)),
    (("overestimate",), ("underestimate",)),
    (("overstate",), ("understate",)),
    (("overfit",), ("underfit",)),
    (("maximize",), ("minimize",)),
    (("enable", "allow", "permit"), ("prevent", "block", "forbid", "prohibit", "disable")),
    (
        ("support", "confirm", "prove", "corroborate"),
        ("refute", "undermine", "disprove", "contradict", "challenge"),
    ),
    (("true", "correct", "right"), ("false", "wrong")),
    (("present",), ("absent", "missing")),
    (("always",), ("sometimes", "occasionally")),
    (("often", "frequently", "usually", "commonly"), ("rarely", "seldom", "infrequently")),
    (("many",), ("few",)),
    (("all", "every"), ("some", "none")),
    (("before", "earlier", "early", "prior"), ("after", "later", "late")),
    (("open", "public"), ("closed", "private", "proprietary")),
    (("internal", "inside"), ("external", "outside")),
    (("sparse",), ("dense",)),
    (("monosemantic",), ("polysemantic",)),
    (("visible", "reveal", "expose", "show"), ("hidden", "hide", "conceal", "obscure", "mask")),
    (("transparent", "interpretable"), ("opaque",)),
    (("easy", "simple", "easily", "easier", "simpler"), ("hard", "difficult", "complex", "harder")),
    (("cheap", "inexpensive", "cheaper"), ("expensive", "costly", "costlier")),
    (("fast", "quick", "quickly", "rapid", "rapidly", "faster"), ("slow", "slowly", "slower")),
    (("safe", "safely", "safer"), ("dangerous", "harmful", "risky", "riskier")),
    (("local", "locally"), ("global", "globally")),
    (("explicit", "explicitly"), ("implicit", "implicitly")),
    (("robust",), ("vulnerable",)),
    (("add", "include", "insert"), ("remove", "exclude", "delete")),
    (("accept",), ("reject",)),
    (("detect", "catch"), ("miss", "overlook")),
    (("persist", "remain", "survive"), ("vanish", "disappear")),
    (("emerge", "appear"), ("vanish", "disappear")),
    (("positive",), ("negative",)),
    (("majority",), ("minority",)),
    (("upper",), ("lower",)),
    (("superior",), ("inferior",)),
    (("win",), ("lose",)),
    (("agree",), ("disagree",)),
)
# "reliable" / "unreliable", "aligned" / "misaligned": a word and itself with one of these.
NEGATING_PREFIXES = ("un", "non", "in", "im", "ir", "il", "dis", "mis")

# Words a curator uses for one another in a claim: a swap between them is a re-wording.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    _DIRECTION_UP,
    _DIRECTION_DOWN,
    ("build", "built", "develop", "create", "construct", "design", "make", "made"),
    ("show", "demonstrate", "reveal", "find", "found", "indicate", "establish"),
    ("use", "employ", "apply", "utilize", "leverage", "deploy"),
    ("let", "allow", "enable", "permit"),
    ("extract", "identify", "recover", "discover", "uncover", "learn", "isolate"),
    ("catch", "detect", "flag", "spot", "identify"),
    ("find", "found", "discover", "identify", "uncover"),
    ("evaluate", "assess"),
    ("argue", "claim", "contend"),
    ("observe", "see", "notice", "witness"),
    ("study", "examine", "investigate", "analyze", "explore", "inspect"),
    ("multiple", "several", "many", "numerous", "various"),
    ("method", "technique", "approach"),
    ("important", "crucial", "critical", "key", "essential", "vital"),
    ("obstacle", "barrier", "hurdle", "impediment"),
    ("result", "finding", "outcome"),
    ("paper", "study", "work", "article"),
    ("researcher", "scientist"),
    ("inner", "internal", "inside", "within"),
    ("output", "response"),
    ("trace", "track", "follow"),
    ("map", "link", "connect", "relate"),
    ("hide", "conceal", "obscure", "mask"),
    ("warn", "caution"),
    ("path", "pathway", "route"),
    ("large", "big"),
    ("small", "little", "tiny"),
    ("fast", "quick", "rapid"),
    ("name", "call", "label"),
    ("show", "display", "exhibit"),
    ("show", "suggest", "indicate"),
    ("ability", "capability", "capacity"),
    ("help", "aid", "assist"),
    ("produce", "generate", "yield"),
    ("need", "require"),
    ("often", "frequently", "commonly"),
    ("lab", "laboratory"),
    ("frontier", "leading"),
    ("begin", "start"),
    ("output", "response", "answer", "completion"),
)

# Words that narrow a claim's scope: added on one side only, they make another claim
# ("... catches reward hacking" is not "... catches reward hacking only in small models").
QUALIFIERS = frozenset({
    "only", "most", "all", "some", "few", "many", "partially", "partly", "mostly",
    "sometimes", "occasionally", "usually", "often", "always", "except", "unless", "solely",
    "exclusively", "mainly", "primarily", "slightly", "largely", "every", "any", "nearly",
    "almost", "rarely", "seldom",
})

# Numbers written as words compare as the digits they are ("twenty-four" is 24).
NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16",
    "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30",
    "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80",
    "ninety": "90", "hundred": "100", "thousand": "1000",
}
# fmt: on
