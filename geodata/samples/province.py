"""A synthetic province: a folder of park GeoPackages of mixed sizes, for tests and benches of the region view.

:func:`generate_region` writes ``parks`` park files (``P001.gpkg`` …) into a folder: about 60 % small, 30 % medium
and 10 % large parks, spread over a province-sized box (about 5° × 5°, centred near 115.5° E, 30.5° N), each built
by a *builder* with the signature of :func:`geodata.samples.synthetic.generate_park` (the large-park generator):
``builder(path, *, seed, enterprises, installations, targets, buildings, pipeline_km, rectifications, center,
name, park_id)``. The default builder is that generator; :func:`shifted_demo_park` is a second builder (a subset of the demo
park moved to ``center``) that the tests use to keep parks small and fast.

Everything is deterministic in ``seed``. **All data are fictional** (see ``geodata/samples/README.md``).

Examples
--------
>>> from geodata.samples.province import generate_region, shifted_demo_park
>>> paths = generate_region("region", parks=5, seed=1, builder=shifted_demo_park)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely.affinity

__all__ = ["PARK_SIZES", "ParkSize", "generate_region", "shifted_demo_park", "park_plan"]

log = logging.getLogger(__name__)

_DEMO = Path(__file__).with_name("demo_park.gpkg")


@dataclass(frozen=True)
class ParkSize:
    """The counts a builder is asked for (see :func:`geodata.samples.synthetic.generate_park`)."""

    label_zh: str
    share: float
    enterprises: int
    installations: int
    targets: int
    buildings: int
    pipeline_km: float
    rectifications: int


#: Mixed sizes of the province: share of parks and counts per park (a large one is about half the size of the
#: 1,500-unit park of issue 19, so that a province of 100 builds in minutes).
PARK_SIZES: dict[str, ParkSize] = {
    "small": ParkSize("小型", 0.6, 4, 30, 10, 40, 2.0, 40),
    "medium": ParkSize("中型", 0.3, 12, 120, 30, 200, 8.0, 150),
    "large": ParkSize("大型", 0.1, 30, 400, 80, 700, 25.0, 500),
}

_CENTRE = (115.5, 30.5)  # [°] lon, lat of the box's centre (fictional placement)
_HALF_SPAN = 2.5  # [°]


def park_plan(parks: int, seed: int = 0) -> pd.DataFrame:
    """The parks :func:`generate_region` builds: ``park_id``, ``name``, ``size``, ``seed``, ``lon``, ``lat`` [°].

    Sizes are drawn with the shares of :data:`PARK_SIZES` (at least one of each when ``parks`` ≥ 3); positions are
    uniform in the box, at least 0.15° (about 15 km) apart where the box allows.
    """
    if not isinstance(parks, (int, np.integer)) or isinstance(parks, bool) or parks < 1:
        raise ValueError(f"parks={parks!r} 无效：园区数应为 ≥ 1 的整数")
    rng = np.random.default_rng(seed)
    keys = list(PARK_SIZES)
    shares = np.array([PARK_SIZES[k].share for k in keys])
    sizes = list(rng.choice(keys, size=parks, p=shares / shares.sum()))
    if parks >= 3:
        for i, k in enumerate(keys):  # one of each size at least
            if k not in sizes:
                sizes[i] = k
    points: list[tuple[float, float]] = []
    for _ in range(parks):
        for _attempt in range(200):
            lon = _CENTRE[0] + rng.uniform(-_HALF_SPAN, _HALF_SPAN)
            lat = _CENTRE[1] + rng.uniform(-_HALF_SPAN, _HALF_SPAN)
            if all((lon - a) ** 2 + (lat - b) ** 2 >= 0.15**2 for a, b in points):
                break
        points.append((round(lon, 5), round(lat, 5)))
    return pd.DataFrame(
        {
            "park_id": [f"P{i + 1:03d}" for i in range(parks)],
            "name": [f"合成园区{i + 1:03d}（虚构）" for i in range(parks)],
            "size": sizes,
            "seed": [int(seed) * 1000 + i + 1 for i in range(parks)],
            "lon": [p[0] for p in points],
            "lat": [p[1] for p in points],
        }
    )


def _default_builder() -> Callable[..., object]:
    from geodata.samples.synthetic import generate_park  # the large-park generator of issue 19 item 1

    return generate_park


def generate_region(
    folder: str | os.PathLike,
    *,
    parks: int = 100,
    seed: int = 0,
    builder: Callable[..., object] | None = None,
    scale: float = 1.0,
) -> list[Path]:
    """Write a synthetic province of ``parks`` park GeoPackages into ``folder``.

    Parameters
    ----------
    folder : path-like
        Created when missing; existing park files of the same names are replaced.
    parks : int
        Number of parks (mixed sizes, :func:`park_plan`).
    seed : int
        Seed of the plan and of each park (park *i* gets ``seed * 1000 + i``).
    builder : callable, optional
        ``builder(path, *, seed, enterprises, installations, targets, buildings, pipeline_km, rectifications,
        center, name, park_id)``; default :func:`geodata.samples.synthetic.generate_park`.
    scale : float
        Multiplies the counts of :data:`PARK_SIZES` (e.g. 0.2 for a quick bench). [-]

    Returns
    -------
    list of Path
        The park files, in plan order.
    """
    if not (isinstance(scale, (int, float)) and 0 < scale <= 10):
        raise ValueError(f"scale={scale!r} 无效：应为 (0, 10] 内的数")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    build = builder or _default_builder()
    out = []
    for row in park_plan(parks, seed).itertuples(index=False):
        size = PARK_SIZES[row.size]
        path = folder / f"{row.park_id}.gpkg"
        build(
            path,
            seed=int(row.seed),
            enterprises=max(1, round(size.enterprises * scale)),
            installations=max(2, round(size.installations * scale)),
            targets=max(1, round(size.targets * scale)),
            buildings=max(1, round(size.buildings * scale)),
            pipeline_km=size.pipeline_km * scale,
            rectifications=max(1, round(size.rectifications * scale)),
            center=(row.lon, row.lat),
            name=row.name,
            park_id=row.park_id,
        )
        out.append(path)
        log.info("province: %s (%s) → %s", row.name, size.label_zh, path)
    return out


def _translate(gdf, dx: float, dy: float):
    out = gdf.copy()
    if len(out):
        out[out.geometry.name] = [shapely.affinity.translate(g, dx, dy) for g in out.geometry]
    return out


def shifted_demo_park(
    path: str | os.PathLike,
    *,
    seed: int,
    enterprises: int,
    installations: int,
    targets: int,
    buildings: int,
    pipeline_km: float,
    rectifications: int,
    center: tuple[float, float],
    name: str,
    park_id: str | None = None,
) -> Path:
    """A small park from the demo park: ``enterprises`` of its 12 enterprises (chosen by ``seed``) with their
    installations (at most ``installations``), buildings and rectification items, ``targets`` of its sensitive
    targets, the pipelines when ``pipeline_km`` > 0, all moved so that the park's centre lies at ``center`` (lon,
    lat [°]); the park id is ``park_id`` (default: the file's stem), the name ``name``; the demo park's wind rose goes with it.

    Counts above what the demo park holds are capped there (12 enterprises, 90 installations, 28 targets, 43
    buildings, 48 items). Same signature as :func:`geodata.samples.synthetic.generate_park`.
    """
    from geodata.io import load_park, save_park
    from geodata.park import Park

    path = Path(path)
    demo = load_park(_DEMO)
    rng = np.random.default_rng(seed)
    layers = demo.layers
    ent = layers["enterprises"]
    keep = set(rng.choice(ent["enterprise_id"].to_numpy(), size=min(enterprises, len(ent)), replace=False))
    park_id = park_id or path.stem
    c = demo.parks.geometry.iloc[0].centroid
    dx, dy = center[0] - c.x, center[1] - c.y
    picked = {
        "parks": layers["parks"].assign(park_id=park_id, name=name, risk_grade=rng.choice(list("ABCD"))),
        "enterprises": ent[ent["enterprise_id"].isin(keep)].assign(park_id=park_id),
        "installations": layers["installations"][layers["installations"]["enterprise_id"].isin(keep)].head(
            installations
        ),
        "sensitive_targets": layers["sensitive_targets"].head(targets),
        "buildings": layers["buildings"][layers["buildings"]["enterprise_id"].isin(keep)].head(buildings),
        "rectifications": layers["rectifications"][layers["rectifications"]["enterprise_id"].isin(keep)]
        .head(rectifications)
        .assign(park_id=park_id),
        "pipelines": layers["pipelines"] if pipeline_km > 0 else layers["pipelines"].head(0),
    }
    for extra in ("roads", "assembly_points"):
        if extra in layers:
            picked[extra] = layers[extra]
    moved = {k: _translate(v, dx, dy) for k, v in picked.items()}
    park = Park.from_layers(moved, source=str(path))
    park.weather = demo.weather
    save_park(park, path)
    return path
