#!/usr/bin/env python3
"""Checks that data/haul.1 and `haul --help` / `haul --headless --help` agree.

Every option of the help text, with its short form and value name, is in
the man page's section for it (OPTIONS for the window, HEADLESS OPTIONS for
--headless), with the help's description at the start of its paragraph, and
the man page documents no option the program lacks. The version in .TH is
the one `haul --version` prints, and the exit status text is the help's.
Usage: check-manpage.py HAUL_BINARY MAN_PAGE
"""

import os
import re
import shlex
import subprocess
import sys


def run(binary, *args):
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="")
    out = subprocess.run([binary, *args], env=env, capture_output=True, text=True,
                         timeout=60)
    if out.returncode != 0:
        sys.exit(f"{binary} {' '.join(args)} exited with {out.returncode}: {out.stderr}")
    return out.stdout


def norm(text):
    text = text.replace("“", '"').replace("”", '"')
    return " ".join(text.split()).rstrip(".")


def help_options(text):
    """{'-d, --directory=DIR': 'Save files in DIR …'} from GOption's help."""
    options = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"^  (-\w, )?(--[\w-]+)(=\S+)?(?:\s{2,}(.*))?$", line)
        if m:
            current = (m.group(1) or "") + m.group(2) + (m.group(3) or "")
            options[current] = m.group(4) or ""
        elif current and line.startswith("    ") and line.strip():
            options[current] += " " + line.strip()   # a wrapped description
        else:
            current = None
    return {k: norm(v) for k, v in options.items()}


def troff_text(line):
    line = re.sub(r"\\f[BIRP]", "", line)
    line = line.replace("\\-", "-").replace("\\(lq", '"').replace("\\(rq", '"')
    return line


def man_sections(page):
    """{'OPTIONS': {'-h, --help': 'Show help options …'}, …} and the raw text."""
    sections = {}
    section = None
    lines = page.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(".SH "):
            section = line[4:].strip().strip('"')
            sections[section] = {}
        elif line == ".TP" and section and section.endswith("OPTIONS") and i + 1 < len(lines):
            head = lines[i + 1]
            macro, _, rest = head.partition(" ")
            tokens = shlex.split(troff_text(rest))
            if macro == ".BR":
                name = "".join(tokens)      # alternating fonts, no spaces
            elif macro == ".B":
                name = " ".join(tokens)
            else:
                sys.exit(f"haul.1: unexpected tag line after .TP: {head}")
            body = []
            i += 2
            while i < len(lines) and not lines[i].startswith((".TP", ".SH", ".PP")):
                if not lines[i].startswith('.\\"'):
                    body.append(troff_text(re.sub(r"^\.(B|I|BR|IR|RI) ", "", lines[i])))
                i += 1
            sections[section][name] = norm(" ".join(body))
            continue
        i += 1
    return sections


def compare(where, helped, documented, errors):
    for name, text in helped.items():
        if name not in documented:
            errors.append(f"{where}: `{name}` is in --help but not in haul.1")
        elif not documented[name].startswith(text):
            errors.append(f"{where}: `{name}`: haul.1 says “{documented[name]}”, "
                          f"--help says “{text}”")
    for name in documented:
        if name not in helped:
            errors.append(f"{where}: `{name}` is in haul.1 but not in --help")


def main():
    binary, man_path = sys.argv[1], sys.argv[2]
    page = open(man_path, encoding="utf-8").read()
    sections = man_sections(page)
    errors = []

    window_help = run(binary, "--help")
    headless_help = run(binary, "--headless", "--help")
    window = help_options(window_help)
    headless = help_options(headless_help)
    if len(window) < 4 or len(headless) < 12:
        sys.exit(f"could not read the options from --help ({len(window)}, {len(headless)})")

    compare("OPTIONS", window, sections.get("OPTIONS", {}), errors)
    # --help and --headless themselves are documented once, under OPTIONS.
    headless_only = {k: v for k, v in headless.items() if k not in ("-h, --help", "--headless")}
    compare("HEADLESS OPTIONS", headless_only, sections.get("HEADLESS OPTIONS", {}), errors)

    version = run(binary, "--version").strip()
    th = re.search(r'^\.TH HAUL 1 "[^"]*" "([^"]*)"', page, re.M)
    if th is None or th.group(1) != version:
        errors.append(f".TH names {th.group(1) if th else 'no version'}, "
                      f"haul --version says {version}")

    man_text = norm(troff_text(page))
    for help_text in (window_help, headless_help):
        status = [p for p in help_text.split("\n\n") if p.startswith("Exit status:")]
        if not status:
            errors.append("no “Exit status:” paragraph in --help")
            continue
        said = norm(status[0][len("Exit status: "):])
        if said[0].upper() + said[1:] not in man_text and said not in man_text:
            errors.append(f"EXIT STATUS does not say “{said}”")

    for e in errors:
        print(e)
    n = len(window) + len(headless_only)
    print(f"{n} options compared, {len(errors)} differences")
    sys.exit(1 if errors else 0)


main()
