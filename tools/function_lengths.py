#!/usr/bin/env python3
"""Lists C/C++ functions longer than a limit (default 120 lines, the project's rule).

    python3 tools/function_lengths.py [--max 120] [--top N] PATH...

PATH: files or folders (*.c, *.cc, *.cpp, *.h, *.hpp, *.inc, *.cl). A function is a
brace-matched body whose header (the text since the previous `;`, `{` or `}`) has a
parameter list and is not a control statement, a class/namespace/enum or an
initializer; lambdas count toward the function that holds them. Comments, strings and
preprocessor lines are ignored. Length = lines from the header's first line to the
closing brace. Exit status 1 when any function is over the limit.
"""
import argparse
import os
import re
import sys

EXTS = (".c", ".cc", ".cpp", ".h", ".hpp", ".inc", ".cl")
NOT_FUNCTIONS = re.compile(r"^\s*(if|for|while|switch|catch|do|else|return|namespace|struct|class|union|enum)\b")


def strip(text):
    """Blanks comments, string/char literals and preprocessor lines, keeping newlines."""
    out, i, n = [], 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c == "#":
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    out.append(" \n")
                    i += 2
                    continue
                out.append(" ")
                i += 1
            continue
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                out.append(" ")
                i += 1
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join("\n" if ch == "\n" else " " for ch in text[i:j]))
            i = j
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + c)
            i = j + 1
            continue
        if not c.isspace():
            line_start = False
        if c == "\n":
            line_start = True
        out.append(c)
        i += 1
    return "".join(out)


def functions(text):
    """Yields (name, first_line, last_line) of every outermost function body."""
    s = strip(text)
    depth, header_start, func_depth, func = 0, 0, None, None
    for i, c in enumerate(s):
        if c == "{":
            header = s[header_start:i]
            if func_depth is None and "(" in header and not NOT_FUNCTIONS.match(header) \
                    and not header.rstrip().endswith("=") and ")" in header:
                name = re.findall(r"([~\w:]+)\s*\(", header)
                start = header_start + len(header) - len(header.lstrip())
                func_depth, func = depth, (name[0] if name else "?", s.count("\n", 0, start) + 1)
            depth += 1
            header_start = i + 1
        elif c == "}":
            depth -= 1
            header_start = i + 1
            if func_depth is not None and depth == func_depth:
                yield func[0], func[1], s.count("\n", 0, i) + 1
                func_depth = None
        elif c == ";":
            header_start = i + 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--max", type=int, default=120)
    ap.add_argument("--top", type=int, default=0, help="also print the N longest functions")
    a = ap.parse_args()
    files = []
    for p in a.paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                files += [os.path.join(root, f) for f in sorted(names) if f.endswith(EXTS)]
        else:
            files.append(p)
    found = []
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            for name, first, last in functions(fh.read()):
                found.append((last - first + 1, f, first, name))
    found.sort(reverse=True)
    over = [x for x in found if x[0] > a.max]
    for n, f, line, name in over:
        print(f"{f}:{line}: {name}: {n} lines (limit {a.max})")
    for n, f, line, name in found[: a.top]:
        print(f"  {n:4d}  {f}:{line}  {name}")
    print(f"{len(found)} functions in {len(files)} files, {len(over)} over {a.max} lines")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
