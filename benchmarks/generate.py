"""Synthetic programmes for benchmarks: N cost lines over 36 months, deterministic by seed.

python benchmarks/generate.py 10000 -o benchmarks/out/synthetic-10000.yaml
"""

from __future__ import annotations

import argparse
import random
from decimal import Decimal
from pathlib import Path

from budgetplan.compute.figures import compute
from budgetplan.core.model import CostLine, CpSchedule, Envelope, Estimate, Programme
from budgetplan.yamlio.loader import default_programme

NATURES = ("supplies", "services", "defence_security", "works")
ROUTES = ("formal", "ugap")


def synthetic(n_lines: int, seed: int = 2022) -> Programme:
    """The default programme's pilots, events and parameters with ``n_lines`` random lines."""
    rng = random.Random(seed)
    base = default_programme()
    pilots = [p.id for p in base.pilots]
    lines = []
    for i in range(n_lines):
        start = rng.randrange(0, 30)
        length = rng.randrange(1, 36 - start + 1)
        unit = Decimal(rng.randrange(100_00, 5_000_000_00)) / 100
        qty = rng.randrange(1, 5)
        ht = qty * unit
        lines.append(
            CostLine(
                id=f"L{i:06d}",
                pilot=pilots[i % len(pilots)],
                label=f"Synthetic line {i}",
                titre=rng.choice((3, 5)),
                nature=rng.choice(NATURES),
                quantity=qty,
                unit_cost=unit,
                ae_year=2022,
                cp=CpSchedule(
                    start=f"{2022 + start // 12}-{start % 12 + 1:02d}",
                    end=f"{2022 + (start + length - 1) // 12}-{(start + length - 1) % 12 + 1:02d}",
                ),
                estimate=Estimate(
                    low=(ht * Decimal("0.8")).quantize(Decimal("0.01")),
                    high=(ht * Decimal("1.3")).quantize(Decimal("0.01")),
                ),
                route=rng.choice(ROUTES),
                provenance="assumption",
                rationale="synthetic",
            )
        )
    # the evaluations name the lines that pay for them: the first lines take those ids
    paying = [(p.id, ev.cost_line) for p in base.pilots for ev in p.evaluations if ev.cost_line]
    for i, (pilot, line_id) in enumerate(paying[: len(lines)]):
        lines[i] = lines[i].model_copy(update={"id": line_id, "pilot": pilot})
    # about 7.5 M EUR incl. VAT a line on average: 9 M a line covers them, and stays under the
    # model's limit on an amount (10^12 EUR) at 100,000 lines; validated, since model_copy is not
    size = Decimal(n_lines) * 9_000_000
    first = base.envelopes[0].model_dump() | {"ae": size, "cp": size, "programme_initial_cp": size}
    one = base.model_copy(
        update={
            "cost_lines": tuple(lines),
            "envelopes": (Envelope.model_validate(first),),
            "id": f"SYNTHETIC-{n_lines}",
        }
    )
    # CP opened each year to pay that year's schedule with 2% to spare (net of the 5% reserve and
    # of what the year before carries in), so that it passes its checks as a real one would
    paid = compute(one).cp_by_year
    envelopes, carried = [], Decimal(0)
    for year in sorted(paid):
        need = Decimal(paid[year]) / 100 * Decimal("1.02") - carried
        cp = max(need / Decimal("0.95"), Decimal(0)).quantize(Decimal(1), "ROUND_UP")
        envelopes.append(
            Envelope.model_validate(
                first | {"year": year, "ae": size if year == 2022 else 0, "cp": cp}
            )
        )
        carried = cp * Decimal("0.95") + carried - Decimal(paid[year]) / 100
    return one.model_copy(update={"envelopes": tuple(envelopes)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("lines", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()
    from ruamel.yaml import YAML

    programme = synthetic(args.lines, args.seed)
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as fh:
        yaml.dump(programme.model_dump(mode="json", exclude_defaults=True), fh)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
