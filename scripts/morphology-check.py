#!/usr/bin/env python3
"""Measures the classifier's Finnish morphology against a morphological analyser.

Voikko (Debian packages libvoikko1 and voikko-fi, Python package libvoikko) analyses every
distinct word of some Finnish texts. A word is *expected* to match a one-word rule term when
Voikko gives the term as its base form, or as a part of a compound (asiakas in
asiakaskokemuksen, palvelu in asiakaspalvelun). The matcher's answers come from the
`word_matches` example of kooste-classify. The script prints how many word occurrences the
matcher finds of those expected (recall), which expected forms it misses, and which words it
matches that Voikko relates to no such term (false matches), by term and by frequency.

It is a development aid: what it finds is general Finnish morphology, never a word list to
add to the rules.

  python3 scripts/morphology-check.py TEXTS.jsonl... [--top 40]

TEXTS are JSON lines with a "text" field, as `kooste extract --json` prints them.
"""

import argparse
import collections
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"[a-zåäöA-ZÅÄÖ]+(?:-[a-zåäöA-ZÅÄÖ]+)*")


def load_rules():
    return tomllib.loads((ROOT / "crates/classify/rules/default.toml").read_text("utf-8"))


def excluded_words(rules):
    """One-word exclusions of the rules (global and per theme): words the matcher is meant
    to leave alone (alustava*, kasvualusta*), so their forms are no misses."""
    words = list(rules.get("exclude", []))
    for theme in rules["theme"]:
        words += theme.get("exclude", [])
    words = [w.lower() for w in words if " " not in w]
    exact = {w for w in words if not w.endswith("*")}
    prefixes = tuple(w[:-1] for w in words if w.endswith("*"))

    def is_excluded(word):
        return word in exact or word.startswith(prefixes) or any(
            p in word for p in prefixes if len(p) >= 8)

    return is_excluded


def rule_terms(rules):
    """One-word terms without a wildcard: term -> (weight, themes)."""
    terms = {}
    for theme in rules["theme"]:
        for group in theme.get("group", []):
            for t in group["terms"]:
                text, weight = (t, group.get("weight", 1.0)) if isinstance(t, str) else (
                    t["term"], t.get("weight", group.get("weight", 1.0)))
                text = text.lower()
                if " " in text or "*" in text or weight <= 0:
                    continue
                w, themes = terms.get(text, (weight, set()))
                themes.add(theme["id"])
                terms[text] = (max(w, weight), themes)
    return terms


def parts(wordbases):
    """Compound parts of a Voikko WORDBASES string as (surface, base) pairs; derivational
    suffixes (`+u(+u)`) join the part before them."""
    out = []
    for piece in wordbases.split("+"):
        if not piece:
            continue
        m = re.fullmatch(r"([^()]*)(?:\(([^()]*)\))?", piece)
        if not m:
            continue
        surface, base = m.group(1), m.group(2)
        if base is not None and base.startswith("+") and out:
            s, _ = out[-1]
            out[-1] = (s + surface, s + surface)
            continue
        out.append((surface, base if base else surface))
    return out


def expected_terms(analyses, terms):
    """Rule terms that a word is a form of, by any of its analyses."""
    found = set()
    for a in analyses:
        base = (a.get("BASEFORM") or "").lower()
        if base in terms:
            found.add(base)
        ps = parts((a.get("WORDBASES") or "").lower())
        n = len(ps)
        for i in range(n):
            for j in range(i + 1, n + 1):
                if i == 0 and j == n:
                    continue
                head = "".join(s for s, _ in ps[i:j - 1])
                for last in {ps[j - 1][1]} | ({ps[j - 1][0]} if j < n else set()):
                    cand = head + last
                    weight = terms.get(cand, (0, None))[0]
                    # Context words (under 1) and short words match only whole words.
                    if weight >= 1.0 and len(cand) > 3:
                        found.add(cand)
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("texts", nargs="+")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    try:
        import libvoikko
    except ImportError:
        sys.exit("needs Voikko: apt-get install libvoikko1 voikko-fi && pip install libvoikko")
    voikko = libvoikko.Voikko("fi")
    counts = collections.Counter()
    for path in args.texts:
        for line in open(path, encoding="utf-8"):
            text = json.loads(line).get("text") or ""
            counts.update(w.lower() for w in WORD.findall(text))
    words = sorted(counts)
    matcher = ROOT / "target/release/examples/word_matches"
    if not matcher.exists():
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "kooste-classify",
                        "--example", "word_matches"], cwd=ROOT, check=True)
    out = subprocess.run([str(matcher)], input="\n".join(words), capture_output=True,
                         text=True, check=True).stdout
    matched = {}
    for line in out.splitlines():
        word, _, found = line.partition("\t")
        matched[word] = {f.split(":", 1)[1] for f in found.split("|") if f}
    rules = load_rules()
    terms = rule_terms(rules)
    is_excluded = excluded_words(rules)
    expected_n = found_n = 0
    misses = collections.defaultdict(collections.Counter)
    false = collections.defaultdict(collections.Counter)
    for w in words:
        analyses = voikko.analyze(w)
        exp = expected_terms(analyses, terms)
        got = {t for t in matched.get(w, set()) if t in terms}
        if is_excluded(w):
            continue
        for t in exp:
            expected_n += counts[w]
            # A longer term of the rules that contains this one wins the place (lähdekoodi
            # over koodi): that is the matcher's design, not a miss.
            if any(t in g for g in got):
                found_n += counts[w]
            else:
                misses[t][w] += counts[w]
        if analyses:
            for t in got - exp:
                # A term inside a word Voikko reads otherwise (a stem that is also the start
                # of an unrelated word), or a compound part Voikko does not split.
                base = " ".join(sorted({(a.get("BASEFORM") or "").lower() for a in analyses}))
                # Voikko reads -minen nouns as their verb (johtaminen: johtaa), and their
                # compounds begin with the -mis stem (koneoppimismalli).
                stem = t[:-5] if t.endswith("minen") else t[:-3] if t.endswith("nen") else t
                if t not in base and not (stem != t and stem in w):
                    false[t][f"{w} ({base})"] += counts[w]
    print(f"distinct words {len(words)}, occurrences {sum(counts.values())}")
    print(f"expected term occurrences {expected_n}, matched {found_n}"
          f" = recall {found_n / max(expected_n, 1):.3f}")
    def top(table, title):
        rows = sorted(table.items(), key=lambda kv: -sum(kv[1].values()))
        print(f"\n{title}: {sum(sum(c.values()) for c in table.values())} occurrences")
        for t, c in rows[:args.top]:
            examples = ", ".join(f"{w} {n}" for w, n in c.most_common(6))
            print(f"  {t} {sum(c.values())}: {examples}")
    top(misses, "missed forms (term: word count)")
    top(false, "false matches (term: word (Voikko base forms) count)")


if __name__ == "__main__":
    main()
