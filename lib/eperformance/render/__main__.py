"""``python -m eperformance.render``: make the nbconvert template ``eperf-rapor`` visible to
``jupyter nbconvert`` in this environment (see :func:`eperformance.render.install_template`)."""

from __future__ import annotations

import sys

from . import TEMPLATE_NAME, install_template

if __name__ == "__main__":
    where = install_template()
    if where is None:
        print(f"cannot install the nbconvert template {TEMPLATE_NAME}: prefix not writable",
              file=sys.stderr)
        sys.exit(1)
    print(f"nbconvert template {TEMPLATE_NAME}: {where}")
