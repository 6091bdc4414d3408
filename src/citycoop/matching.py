"""One compiled regular expression for many literal terms (place names, topic terms).

A plain alternation ``a|b|c|...`` of hundreds of terms makes Python's ``re`` try every term at
every position. Folding the terms into a trie first (``Hà (?:Nam|Nội|Giang)``) lets it reject a
position after one character. Measured on the seed articles (5 KB, ~250 topic terms):
4.1 ms → 0.35 ms per article for the topic matcher. Semantics are unchanged: at each node the
longer continuations are tried before "the term ends here", and the whole-syllable boundary
lookahead makes the engine back off to a shorter term when a longer one ends inside a word —
so the result is the leftmost, longest whole-syllable term, exactly as with the sorted
alternation.
"""
from __future__ import annotations

import re

_END = ""


def _trie(terms) -> dict:
    trie: dict = {}
    for term in terms:
        if not term:
            continue
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[_END] = True
    return trie


def trie_regex(terms) -> str:
    """Regex source matching any of ``terms`` (longest first at each position)."""
    return _node_regex(_trie(terms))


def _node_regex(node: dict) -> str:
    branches = [re.escape(ch) + _node_regex(child) for ch, child in sorted(node.items()) if ch != _END]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # A term may end here: the continuation is optional, and greedy, so longer terms win.
    return "(?:" + body + ")?" if _END in node else body


def compile_terms(terms, flags: int = 0, literal_start: bool = True) -> re.Pattern:
    """Whole-syllable matcher for ``terms``: not preceded or followed by a letter or digit.

    Same matches as ``(?<![\\w])(?:TRIE)(?![\\w])``, written ``(?:H(?<![\\w]H)à …|N(?<![\\w]N)…)``:
    the "no letter before" test is made after the first letter, inside each first-level branch
    (only one branch can match a given character, so the order of attempts is unchanged). A
    pattern that starts with literal letters lets `re` skip straight to the next position where
    a term can begin, instead of running the lookbehind at every position. Measured on 3 000
    benchmark articles: place names (capitalized: few positions can start one) 0.072 → 0.019
    ms per article. ``literal_start=False`` keeps the plain form: for topic terms, run on
    lower-cased text where almost every letter can start a term, it is a little faster. With
    IGNORECASE `re` cannot use the literal prefix, so the plain form is used there too.
    """
    if flags & re.IGNORECASE or not literal_start:
        return compile_terms_reference(terms, flags)
    trie = _trie(terms)
    branches = [re.escape(ch) + r"(?<![\w]" + re.escape(ch) + ")" + _node_regex(child)
                for ch, child in sorted(trie.items()) if ch != _END]
    if not branches:  # no terms: keep the original (empty) pattern's behaviour
        return re.compile(r"(?<![\w])(?:%s)(?![\w])" % trie_regex(terms), flags)
    return re.compile(r"(?:%s)(?![\w])" % "|".join(branches), flags)


def compile_terms_reference(terms, flags: int = 0) -> re.Pattern:
    """The plain form of ``compile_terms`` (for tests and benchmarks)."""
    return re.compile(r"(?<![\w])(?:%s)(?![\w])" % trie_regex(terms), flags)


_CASE_CLASSES: dict[str, frozenset[str]] = {}


def _case_classes(chars) -> dict[str, frozenset[str]]:
    """For each of ``chars``, every character that `re` lets it match under IGNORECASE.

    Computed by `re` itself over all code points (not by str.lower/upper, whose rules differ
    from the engine's for a few letters), once per process and character: about 0.1 s the
    first time a case-insensitive word list is compiled.
    """
    missing = sorted(set(chars) - set(_CASE_CLASSES))
    if missing:
        import numpy as np

        every = np.arange(0x110000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
        # x matches the class iff it matches one of its members (both test the engine's
        # lower case of x against the members' lower cases), so the class finds all candidates.
        found = set(re.findall("[%s]" % "".join(map(re.escape, missing)), every, re.IGNORECASE))
        for ch in missing:
            rx = re.compile(re.escape(ch), re.IGNORECASE)
            _CASE_CLASSES[ch] = frozenset(x for x in found | {ch} if rx.fullmatch(x))
    return {ch: _CASE_CLASSES[ch] for ch in chars}


def compile_words(words, flags: int = 0, not_after: str = "") -> re.Pattern:
    """``(?<!NOT_AFTER)(?<![\\w])(?:w1|w2|…)(?![\\w])`` for ``words`` in the order given (the
    caller sorts them longest first), with the same matches, rewritten to start on a literal.

    The words are grouped by their first character, each group written as
    ``(?<=[X])(?<!…)(?:rest)`` after one class of all the first characters, with the rest in
    the original order (under IGNORECASE: ``(?i:rest)``, X = the characters the first one
    matches, so the pattern as a whole is case-sensitive and `re` can skip straight to the
    next character in one of the X). A position can only match in one group,
    so the order of attempts, hence every match, is the same as with the plain alternation.
    If two groups' first characters could match the same text character (never for the
    lexicon's Vietnamese words), the plain pattern is compiled instead.
    """
    words = [w for w in words if w]
    ignorecase = bool(flags & re.IGNORECASE)
    plain = (r"(?<!%s)" % re.escape(not_after) if not_after else "") + r"(?<![\w])(?:%s)(?![\w])" % (
        "|".join(map(re.escape, words)))
    classes = (_case_classes({w[0] for w in words}) if ignorecase
               else {w[0]: frozenset(w[0]) for w in words})
    groups: dict[frozenset, list[str]] = {}
    for w in words:
        groups.setdefault(classes[w[0]], []).append(w)
    seen: set[str] = set()
    for chars in groups:
        if seen & chars or "\n" in chars or not words:
            return re.compile(plain, flags)
        seen |= chars
    rest_flags = flags & ~re.IGNORECASE
    branches = []
    for chars, ws in groups.items():
        head = "[" + "".join(map(re.escape, sorted(chars))) + "]"
        before = r"(?<![\w].)" + ((r"(?<!(?i:%s).)" if ignorecase else r"(?<!%s.)") % re.escape(not_after)
                                    if not_after else "")
        rest = "|".join(re.escape(w[1:]) for w in ws)
        # the first character is read once, before the branches; each branch looks back at it
        branches.append(("(?<=%s)" % head if len(groups) > 1 else "") + before
                        + ("(?i:%s)" % rest if ignorecase else "(?:%s)" % rest))
    # One class of every first character opens the pattern: `re` then skips in C to the next
    # position where a word can start (a pattern opening on a branch of classes, as before,
    # was tried at every position). party_cues under IGNORECASE: 35 → 22 µs a 1 500-character
    # text; other_event_words 93 → 61 µs.
    first = "[" + "".join(map(re.escape, sorted(set().union(*groups)))) + "]"
    return re.compile(r"%s(?:%s)(?![\w])" % (first, "|".join(branches)), rest_flags)


def compile_words_then(words, rest: str, flags: int = 0) -> re.Pattern:
    """``(?<![\\w])(?:w1|w2|…)REST`` (words in the order given), written as ``compile_words``
    writes the words: it starts on a literal, where the plain pattern tries the alternation
    at every position of the text it searches. The same matches as long as REST cannot start
    with a word character (``\\s+…``, `` $``): then it implies the ``(?![\\w])`` that
    ``compile_words`` puts after the words. Under IGNORECASE, REST is matched ignoring case too."""
    head = compile_words(words, flags)
    if flags & re.IGNORECASE and not head.flags & re.IGNORECASE:
        rest = "(?i:%s)" % rest
    return re.compile(head.pattern + rest, head.flags)


class TermMatcher:
    """The matches of ``compile_terms(terms)`` (leftmost, longest whole-syllable term at each
    position, case-sensitive), found with an Aho–Corasick automaton (pyahocorasick).

    For thousands of terms (the gazetteer's ≈ 6 000 names) `re` takes ≈ 0.2 s to compile the
    trie-shaped pattern, at every start of a process; the automaton is built in ≈ 10 ms and
    scans as fast. Every occurrence of every term is found in one pass in C; those that end
    or start inside a word are dropped (a ``\\w`` character on either side, as ``(?<![\\w])``
    and ``(?![\\w])`` test), and of the rest the leftmost-longest, non-overlapping ones are
    kept — what the regex's backtracking gives.
    """

    def __init__(self, terms):
        import ahocorasick

        self._auto = ahocorasick.Automaton()
        n = 0
        for term in terms:
            if term:
                self._auto.add_word(term, len(term))
                n += 1
        self._empty = n == 0
        if not self._empty:
            self._auto.make_automaton()

    def finditer(self, text: str):
        """``(start, end)`` of each match, in order."""
        if self._empty:
            return []
        hits = []
        size = len(text)
        for last, length in self._auto.iter(text):
            start, end = last + 1 - length, last + 1
            if start > 0:
                ch = text[start - 1]
                if ch.isalnum() or ch == "_":
                    continue
            if end < size:
                ch = text[end]
                if ch.isalnum() or ch == "_":
                    continue
            hits.append((start, -end))
        hits.sort()
        out = []
        pos = 0
        for start, neg_end in hits:
            if start >= pos:
                out.append((start, -neg_end))
                pos = -neg_end
        return out
