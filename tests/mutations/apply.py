#!/usr/bin/env python3
# Apply one mutation rule to a source tree: exact search string, which must
# occur exactly once, replaced by the rule's replacement.  Prints the rule's
# fields for the runner with --field NAME.  Exits 2 on a malformed rule, a
# missing file, or a search string found 0 or 2+ times: the catalogue must
# not rot silently.
#
# Rule format (tests/mutations/README.md):
#   bug: <one line: the bug this models>
#   file: <path relative to the tree>
#   e2e: <reason>        (optional: only the end-to-end suite can see it)
#   --- search
#   <exact text, any number of lines>
#   --- replace
#   <replacement text>
# The text between the markers is taken verbatim, without its last newline.
import sys


def parse(path):
    fields, sections, cur = {}, {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("--- ") and line.strip()[4:] in ("search", "replace"):
                cur = line.strip()[4:]
                sections[cur] = []
                continue
            if cur:
                sections[cur].append(line)
            elif line.strip() and not line.startswith("#"):
                key, sep, value = line.partition(":")
                if not sep:
                    sys.exit(f"{path}: not a 'key: value' line: {line.rstrip()}")
                fields[key.strip()] = value.strip()
    for key in ("bug", "file"):
        if key not in fields:
            sys.exit(f"{path}: no '{key}:' line")
    for key in ("search", "replace"):
        if key not in sections:
            sys.exit(f"{path}: no '--- {key}' section")
        text = "".join(sections[key])
        fields[key] = text[:-1] if text.endswith("\n") else text
    if not fields["search"]:
        sys.exit(f"{path}: empty search string")
    if fields["search"] == fields["replace"]:
        sys.exit(f"{path}: the replacement equals the search string")
    return fields


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--field":
        print(parse(args[2]).get(args[1], ""))
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
    n = text.count(r["search"])
    if n != 1:
        print(f"{rule}: the search string occurs {n} times in {r['file']} (must be exactly once)",
              file=sys.stderr)
        sys.exit(2)
    with open(target, "w", encoding="utf-8") as f:
        f.write(text.replace(r["search"], r["replace"]))


if __name__ == "__main__":
    try:
        main()
    except SystemExit as e:
        if isinstance(e.code, str):
            print(e.code, file=sys.stderr)
            sys.exit(2)
        raise
