#!/usr/bin/env python3
# Apply one mutation rule to a source tree: each exact search string, which
# must occur exactly once, replaced by its replacement.  Prints the rule's
# fields for the runner with --field NAME.  Exits 2 on a malformed rule, a
# missing file, or a search string found 0 or 2+ times: the catalogue must
# not rot silently.
#
# Rule format (tests/mutations/README.md):
#   bug: <one line: the bug this models>
#   file: <path relative to the tree>
#   caught-by: <cli/FILE.bats :: TEST>   (optional)
#   e2e: <reason>        (optional: only the end-to-end suite can see it)
#   --- search
#   <exact text, any number of lines>
#   --- replace
#   <replacement text>
#   (more "--- search" / "--- replace" pairs: applied in order, each search
#   string must occur exactly once when its turn comes)
# The text between the markers is taken verbatim, without its last newline.
import sys


def parse(path):
    fields, hunks, cur = {}, [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            marker = line.strip()[4:] if line.startswith("--- ") else None
            if marker in ("search", "replace"):
                if marker == "search":
                    if hunks and "replace" not in hunks[-1]:
                        sys.exit(f"{path}: '--- search' without its '--- replace'")
                    hunks.append({"search": []})
                elif not hunks or "replace" in hunks[-1]:
                    sys.exit(f"{path}: '--- replace' without a '--- search' before it")
                else:
                    hunks[-1]["replace"] = []
                cur = hunks[-1][marker]
                continue
            if cur is not None:
                cur.append(line)
            elif line.strip() and not line.startswith("#"):
                key, sep, value = line.partition(":")
                if not sep:
                    sys.exit(f"{path}: not a 'key: value' line: {line.rstrip()}")
                fields[key.strip()] = value.strip()
    for key in ("bug", "file"):
        if key not in fields:
            sys.exit(f"{path}: no '{key}:' line")
    if not hunks:
        sys.exit(f"{path}: no '--- search' section")
    for h in hunks:
        if "replace" not in h:
            sys.exit(f"{path}: no '--- replace' section")
        for key in ("search", "replace"):
            text = "".join(h[key])
            h[key] = text[:-1] if text.endswith("\n") else text
        if not h["search"]:
            sys.exit(f"{path}: empty search string")
        if h["search"] == h["replace"]:
            sys.exit(f"{path}: the replacement equals the search string")
    fields["hunks"] = hunks
    return fields


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--field":
        value = parse(args[2]).get(args[1], "")
        print(value if isinstance(value, str) else "")
        return
    if len(args) != 2:
        sys.exit("usage: apply.py RULE TREE | apply.py --field NAME RULE")
    rule, tree = args
    r = parse(rule)
    target = f"{tree}/{r['file']}"
    try:
        with open(target, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        print(f"{rule}: {e}", file=sys.stderr)
        sys.exit(2)
    for i, h in enumerate(r["hunks"]):
        n = text.count(h["search"])
        if n != 1:
            which = f"search string {i + 1}" if len(r["hunks"]) > 1 else "the search string"
            print(f"{rule}: {which} occurs {n} times in {r['file']} (must be exactly once)",
                  file=sys.stderr)
            sys.exit(2)
        text = text.replace(h["search"], h["replace"])
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    try:
        main()
    except SystemExit as e:
        if isinstance(e.code, str):
            print(e.code, file=sys.stderr)
            sys.exit(2)
        raise
