"""``make lint``'s supply-chain gate: audit the locked environment with pip-audit
(PyPI's vulnerability data) and fail only on a known vulnerability that has a fix.

A vulnerability without a fixed release is printed as a warning: there is nothing to
upgrade to, and failing on it would only teach people to skip the gate.

pip-audit asks PyPI's JSON API (pypi.org/pypi/<name>/<version>/json) for vulnerability
data. Where only a package mirror is reachable (as on the build machine this was written
on: the JSON API answers 404), no package can be audited; the gate then says so loudly
and passes, unless ``LIAISON_AUDIT_REQUIRED=1`` (set it in CI), which makes it fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def main() -> int:
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--skip-editable",  # this project itself is not on PyPI
        "--progress-spinner",
        "off",
        "--format",
        "json",
        *sys.argv[1:],  # e.g. -r requirements.txt to audit something else
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit did not run: {result.stderr.strip()[-2000:]}", file=sys.stderr)
        return 2
    fixable: list[str] = []
    for package in report["dependencies"]:
        for vuln in package.get("vulns", []):
            line = f"{package['name']} {package['version']}: {vuln['id']}"
            if vuln["fix_versions"]:
                fixable.append(f"{line} (fixed in {', '.join(vuln['fix_versions'])})")
            else:
                print(f"warning: {line} (no fixed release yet)", file=sys.stderr)
    for line in fixable:
        print(f"vulnerable: {line}", file=sys.stderr)
    skipped = [p["name"] for p in report["dependencies"] if "skip_reason" in p]
    audited = len(report["dependencies"]) - len(skipped)
    print(f"pip-audit: {audited} packages audited, {len(fixable)} known vulnerabilities with a fix")
    if fixable:
        return 1
    if skipped:
        print(
            f"warning: {len(skipped)} packages could NOT be audited (no vulnerability data "
            f"reachable, e.g. {', '.join(skipped[:3])}); this gate checked nothing for them",
            file=sys.stderr,
        )
        if os.environ.get("LIAISON_AUDIT_REQUIRED") == "1":
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
