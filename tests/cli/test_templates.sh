#!/usr/bin/env bash
# Every template a C file names exists. A sentence or label of a report is
# templates/text/<dir>/<name>.txt, named in the code by the literal
# "<dir>/<name>" (ecr_text, ecr_label and the tables and ternaries that feed
# them); a missing one would render as empty text, silently. So: every string
# literal of src/ of that form, with <dir> a directory of templates/text/,
# names a file that exists, and there are hundreds of them (the scan sees the
# names at all).
set -euo pipefail
: "${ECR_SRC:?}"
exec /usr/bin/python3 - "$ECR_SRC" <<'PYEOF'
import pathlib, re, sys
root = pathlib.Path(sys.argv[1])
text = root / "templates" / "text"
dirs = sorted(p.name for p in text.iterdir() if p.is_dir())
name = re.compile(r'"((?:%s)/[a-z0-9][a-z0-9-]*)"' % "|".join(map(re.escape, dirs)))
seen, missing = set(), []
for c in sorted((root / "src").rglob("*.c")):
    for n, line in enumerate(c.read_text(encoding="utf-8").splitlines(), 1):
        for m in name.finditer(line):
            seen.add(m.group(1))
            if not (text / (m.group(1) + ".txt")).is_file():
                missing.append("%s:%d: %s" % (c.relative_to(root), n, m.group(1)))
print("ok - %d template names in src/ (%d directories of templates/text)" % (len(seen), len(dirs)))
for m in missing:
    print("not ok - no template for", m)
if len(seen) < 300:
    print("not ok - only %d template names found: the scan no longer sees them" % len(seen))
    sys.exit(1)
sys.exit(1 if missing else 0)
PYEOF
