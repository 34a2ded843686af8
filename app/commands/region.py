"""``parkrisk region run`` / ``parkrisk region report``: a region of parks on dask.distributed, and its bulletin.

Examples::

    parkrisk region run 区域文件夹                      # LocalCluster, one worker process per core
    DASK_SCHEDULER_ADDRESS=tcp://10.0.0.5:8786 parkrisk region run 区域文件夹   # an existing cluster
    parkrisk region run 区域文件夹 --generic-weather -o 排名.xlsx
    parkrisk region report 区域文件夹 --month 2026-11 --out 月报.docx 月报.xlsx --parks P001 P002
    parkrisk region scope 园区.gpkg --user 市应急局 --parks P001 P002     # what a regional user sees
    parkrisk region import postgresql://owner@db/parks 区域文件夹 园区X.gpkg   # parks into a PostGIS region
    parkrisk region run postgresql://app@db/parks                        # the same run on the PostGIS region
    parkrisk region list postgresql://app@db/parks
    parkrisk region export postgresql://app@db/parks P001 -o P001.gpkg

A region is a folder of park GeoPackages or a PostGIS database with many parks (:mod:`geodata.pg_parks`; ``import``
and ``export`` carry each park's population grid ``<park>.population.tif`` and its confirmed GB 36894 F-N constants,
:mod:`geodata.pg_park_extras`). ``run`` computes every park whose inputs changed since the last run
(:mod:`app.region.runner`; the others come from ``<区域>/.parkrisk_region_cache``), shows progress on stderr, prints
the ranked table and lists the parks that failed with their errors (exit code 0 when every park was computed, 1 when
some failed — the others are still computed and cached). ``report`` writes the monthly bulletin (Word and/or Excel)
from the same results (computing what is not cached).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.commands._common import CommandError, check_outputs, count_option, reports_errors, safe_output

__all__ = ["register"]


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "region",
        help="区域：存放各园区 GeoPackage（.gpkg）的文件夹，或 PostGIS 数据库的 postgresql:// 连接串",
    )
    _add_schema(p)
    p.add_argument(
        "--scheduler",
        help="dask 调度器地址（tcp://主机:端口）；默认取环境变量 DASK_SCHEDULER_ADDRESS，都没有时在本机启动 LocalCluster",
    )
    p.add_argument(
        "--workers", help="本机 LocalCluster 的工作进程数，默认等于 CPU 核数（使用已有集群时忽略）"
    )
    p.add_argument("--resolution", default="50", help="个人风险网格分辨率 [m]，默认 50")
    p.add_argument("--domino-samples", default="500", help="多米诺蒙特卡洛抽样次数，默认 500")
    p.add_argument(
        "--generic-weather",
        action="store_true",
        help="没有气象资料（风玫瑰）的园区改用通用示意风玫瑰计算（结果中注明，仅作示意）；默认这些园区报错",
    )


def _add_schema(p: argparse.ArgumentParser) -> None:
    p.add_argument("--schema", default="parkrisk", help="PostGIS 区域中园区表所在的模式，默认 parkrisk")


def _add_db_commands(rs: argparse._SubParsersAction) -> None:
    i = rs.add_parser("import", help="把园区 GeoPackage 导入 PostGIS 区域（同一园区编号的旧数据被替换）")
    i.add_argument("database", help="PostGIS 数据库连接串 postgresql://用户@主机:端口/数据库（需建表权限）")
    i.add_argument("parks", nargs="+", help="园区文件（.gpkg）或存放园区文件的文件夹")
    i.add_argument("--park-id", help="园区编号（只导入一个园区时可用；默认取 parks 图层的 park_id）")
    _add_schema(i)
    i.set_defaults(func=import_parks)
    ls = rs.add_parser("list", help="列出 PostGIS 区域中的园区")
    ls.add_argument("database", help="PostGIS 数据库连接串 postgresql://…")
    _add_schema(ls)
    ls.set_defaults(func=list_region)
    e = rs.add_parser("export", help="把 PostGIS 区域中的一个园区导出为 GeoPackage")
    e.add_argument("database", help="PostGIS 数据库连接串 postgresql://…")
    e.add_argument("park_id", help="园区编号")
    e.add_argument("-o", "--output", required=True, help="输出的园区文件（.gpkg）")
    _add_schema(e)
    e.set_defaults(func=export_park)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "region",
        help="区域监管：在 dask 集群上批量计算区域内各园区，生成排名与监管月报",
        description="区域（多个园区 GeoPackage 的文件夹）的批量计算、排名与月报。",
    )
    rs = p.add_subparsers(dest="region_command", metavar="子命令")
    r = rs.add_parser("run", help="计算区域内各园区（按内容缓存，只重算变化的园区）")
    _add_run_options(r)
    r.add_argument("-o", "--output", help="可选：把排名表写入 Excel 文件（.xlsx）")
    r.set_defaults(func=run)
    b = rs.add_parser("report", help="生成区域监管月报（Word .docx / Excel .xlsx）")
    _add_run_options(b)
    b.add_argument("--month", required=True, help="月报月份，年-月，例如 2026-11")
    b.add_argument("--out", nargs="+", required=True, help="输出文件：.docx（Word）和/或 .xlsx（Excel）")
    b.add_argument("--parks", nargs="+", help="只包括这些园区（园区编号 park_id）；默认全部")
    b.add_argument("--title", help="区域名称（月报标题用），默认取文件夹名")
    b.set_defaults(func=report)
    sc = rs.add_parser("scope", help="设置用户的区域范围（该用户在区域监管页和月报中只看到这些园区）")
    sc.add_argument("park", help="用户台账所属的园区文件（应用的 PARKRISK_PARK）")
    sc.add_argument("--store", help="用户台账：.gpkg 路径或 postgresql:// 连接串（默认同 parkrisk rect）")
    sc.add_argument("--user", required=True, help="用户名")
    g = sc.add_mutually_exclusive_group(required=True)
    g.add_argument("--parks", nargs="+", help="可查看的园区编号（园区图层的 park_id）")
    g.add_argument("--all", action="store_true", help="取消限制：可查看区域内全部园区")
    sc.add_argument(
        "--owner", action="store_true", help="PostGIS 台账：以模式所有者连接（应用角色不能写 store_meta 表）"
    )
    sc.set_defaults(func=scope)
    _add_db_commands(rs)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _options(args: argparse.Namespace):
    from app.region.compute import RegionOptions

    try:
        resolution = float(args.resolution)
    except ValueError:
        raise CommandError(
            f"--resolution {args.resolution!r} 不是数字：请给出网格分辨率（米），例如 50"
        ) from None
    samples = count_option(args.domino_samples, "--domino-samples", low=10)
    try:
        return RegionOptions(
            resolution=resolution, domino_samples=samples, generic_weather=bool(args.generic_weather)
        )
    except ValueError as exc:
        raise CommandError(f"{exc}（命令行 --resolution / --domino-samples）") from None


def _run(args: argparse.Namespace):
    from app.commands.risk import Progress
    from app.region.runner import run_region

    opts = _options(args)
    workers = count_option(args.workers, "--workers", low=1) if args.workers else None
    progress = Progress()
    try:
        return run_region(
            args.region,
            options=opts,
            address=args.scheduler,
            n_workers=workers,
            progress=progress,
            schema=args.schema,
        )
    except (FileNotFoundError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(
            f"无法连接或启动 dask 集群：{exc}。请检查 --scheduler / DASK_SCHEDULER_ADDRESS 的地址是否可达，"
            "或不设地址以在本机计算。"
        ) from None
    finally:
        progress.close()


def _print_failures(run_) -> None:
    for r in run_.failed:
        for e in r["errors"]:
            print(f"  失败：{e}", file=sys.stderr)


@reports_errors
def run(args: argparse.Namespace) -> int:
    from app.commands.risk import excel_bytes
    from app.present.numbers import beijing_today
    from app.region.stats import ranking, ranking_zh

    out = Path(args.output) if args.output else None
    if out is not None:
        if out.suffix.lower() != ".xlsx":
            raise CommandError(f"输出文件应为 .xlsx（Excel），收到 {out.name}")
        check_outputs([out])
    res = _run(args)
    print(
        f"区域 {res.folder}：{len(res.results)} 个园区，本次计算 {len(res.computed)} 个、来自缓存 "
        f"{len(res.results) - len(res.computed)} 个，用时 {res.seconds:.1f} s（{res.cluster_zh}）"
    )
    table = ranking_zh(ranking(res.results, day=beijing_today()))
    cols = ["排名", "园区", "园区等级", "未销号重大隐患（项）", "整改率", "按期整改率", "逾期未整改（项）"]
    print(table[cols].to_string(index=False))
    if res.options.generic_weather:
        print("注意：没有气象资料的园区使用了通用示意风玫瑰（--generic-weather），其个人风险结果仅作示意。")
    if out is not None:
        with safe_output(out) as tmp:
            tmp.write_bytes(excel_bytes({"园区排名": table}))
        print(f"排名表 → {out}")
    if res.failed:
        print(f"{len(res.failed)} 个园区未全部完成（其他园区已计算并缓存）：", file=sys.stderr)
        _print_failures(res)
        return 1
    return 0


@reports_errors
def report(args: argparse.Namespace) -> int:
    from app.region.bulletin import bulletin_docx, bulletin_xlsx, make_bulletin
    from app.region.stats import month_end, visible_results

    try:
        month_end(args.month)
    except ValueError as exc:
        raise CommandError(f"--month：{exc}") from None
    outs = [Path(o) for o in args.out]
    for o in outs:
        if o.suffix.lower() not in (".docx", ".xlsx"):
            raise CommandError(f"输出文件应为 .docx（Word）或 .xlsx（Excel），收到 {o.name}")
    check_outputs(outs)
    res = _run(args)
    parks = frozenset(args.parks) if args.parks else None
    shown = visible_results(res.results, parks)
    if parks is not None:
        unknown = sorted(parks - {r.get("park_id") for r in res.results})
        if unknown:
            raise CommandError(
                f"--parks 中的园区编号 {unknown} 不在区域 {res.folder} 中；可用的编号："
                + "、".join(str(r.get("park_id")) for r in res.results)
            )
    scope = f"本月报包括 {len(shown)} 个园区。" if parks is not None else ""
    b = make_bulletin(shown, month=args.month, region_zh=args.title or res.title, scope_zh=scope)
    for o in outs:
        data = bulletin_docx(b) if o.suffix.lower() == ".docx" else bulletin_xlsx(b)
        with safe_output(o) as tmp:
            tmp.write_bytes(data)
        print(f"{b.title} → {o}")
    _print_failures(res)
    return 0


@reports_errors
def scope(args: argparse.Namespace) -> int:
    from app.commands.rectification import _cli_user
    from geodata import ParkDataError, load_park
    from geodata.store import StoreError, store_for_park

    try:
        park = load_park(args.park)
    except ParkDataError as exc:
        raise CommandError(exc.report.to_text_zh() if exc.report is not None else str(exc)) from None
    except OSError as exc:
        raise CommandError(f"无法打开园区文件 {args.park}：{exc.strerror or exc}") from None
    try:
        store = store_for_park(args.park, park.rectifications, store=args.store, owner=args.owner)
    except (StoreError, ValueError, OSError) as exc:
        raise CommandError(f"无法打开用户台账：{exc}") from None
    try:
        store.set_region_scope(_cli_user(), args.user, None if args.all else args.parks)
        now = store.region_scope(args.user)
    except (StoreError, ValueError) as exc:
        raise CommandError(f"无法设置区域范围：{exc}") from None
    finally:
        store.close()
    print(
        f"用户 {args.user}："
        + (
            "可查看区域内全部园区"
            if now is None
            else f"只可查看 {len(now)} 个园区（{'、'.join(sorted(now))}）"
        )
    )
    return 0


def _db(arg: str) -> str:
    from geodata.store import is_postgres_target

    if not is_postgres_target(arg):
        raise CommandError(
            f"{arg!r} 不是 PostgreSQL 连接串：请写成 postgresql://用户@主机:端口/数据库（密码可放在 ~/.pgpass 或"
            " PGPASSWORD 环境变量中）"
        )
    return arg


def _park_files(names: list[str]) -> list[Path]:
    from app.region.sources import discover_parks

    files: list[Path] = []
    for n in names:
        p = Path(n).expanduser()
        if p.is_dir():
            try:
                files.extend(discover_parks(p))
            except (FileNotFoundError, ValueError) as exc:
                raise CommandError(str(exc)) from None
        elif p.is_file():
            files.append(p)
        else:
            raise CommandError(f"找不到园区文件或文件夹 {p}，请检查路径。")
    return files


def _has_fn(path: Path) -> bool:
    from geodata.criteria import read_fn_criterion

    return read_fn_criterion(path) is not None  # checked by write_park already


@reports_errors
def import_parks(args: argparse.Namespace) -> int:
    from app.commands._common import load_park_or_fail
    from geodata.pg_parks import ParkDatabaseError, describe_dsn, write_park

    dsn = _db(args.database)
    files = _park_files(args.parks)
    if args.park_id and len(files) != 1:
        raise CommandError(f"--park-id 只能在导入一个园区时使用，本次有 {len(files)} 个园区文件")
    ids: dict[str, str] = {}
    for f in files:
        park = load_park_or_fail(f)
        try:
            pid = write_park(dsn, park, park_id=args.park_id, schema=args.schema, source=f.name)
        except ParkDatabaseError as exc:
            raise CommandError(f"园区文件 {f.name}：{exc}") from None
        if pid in ids:
            print(
                f"注意：园区文件 {f.name} 与 {ids[pid]} 的园区编号同为 {pid}，后者已被替换。", file=sys.stderr
            )
        ids[pid] = f.name
        with_ = [w for w, has in (("人口栅格", park.population_raster is not None), ("已核对的 F-N 判据常数",
                 _has_fn(f))) if has]  # fmt: skip
        also = f"，含{'、'.join(with_)}" if with_ else ""
        print(f"{f.name} → {describe_dsn(dsn)} 模式 {args.schema} 园区 {pid}（{park.name}{also}）")
    print(f"共导入 {len(files)} 个园区。计算：parkrisk region run <连接串>")
    return 0


@reports_errors
def list_region(args: argparse.Namespace) -> int:
    from geodata.pg_parks import ParkDatabaseError, list_parks

    try:
        index = list_parks(_db(args.database), schema=args.schema)
    except ParkDatabaseError as exc:
        raise CommandError(str(exc)) from None
    if index.empty:
        print("该区域中没有园区。")
        return 0
    bj = index["written_at"].dt.tz_convert("Asia/Shanghai").dt.strftime("%Y-%m-%d %H:%M")
    yes = {True: "有", False: "无"}
    index["population_grid"] = index["population_grid"].map(yes).fillna("（表缺失，请重新导入）")
    index["fn_criterion"] = index["fn_criterion"].map({True: "已核对", False: "标准缺省（未核对）"})
    index["fn_criterion"] = index["fn_criterion"].fillna("（表缺失，请重新导入）")
    table = index.assign(written_at=bj).rename(
        columns={
            "park_id": "园区编号",
            "name": "园区",
            "source": "来源",
            "written_at": "导入时间（北京时间）",
            "population_grid": "人口栅格",
            "fn_criterion": "F-N 判据常数",
        }
    )
    print(table.to_string(index=False))
    return 0


@reports_errors
def export_park(args: argparse.Namespace) -> int:
    """The park as a GeoPackage with its confirmed F-N constants (its ``fn_criterion`` table) and, when it has one,
    its population grid beside it (``<out>.population.tif``): the park file it was imported from."""
    from geodata import ParkDataError, save_park
    from geodata.criteria import save_fn_criterion
    from geodata.pg_park_extras import population_geotiff
    from geodata.pg_parks import ParkDatabaseError, read_park
    from geodata.population import population_raster_path, save_population_raster

    out = Path(args.output)
    if out.suffix.lower() != ".gpkg":
        raise CommandError(f"输出文件应为 .gpkg（GeoPackage），收到 {out.name}")
    pop = population_raster_path(out)
    check_outputs([out, pop])
    try:
        park = read_park(_db(args.database), args.park_id, schema=args.schema)
    except ParkDatabaseError as exc:
        raise CommandError(str(exc)) from None
    except ParkDataError as exc:
        raise CommandError(exc.report.to_text_zh() if exc.report is not None else str(exc)) from None
    for f in (out, pop):
        if f.exists():
            raise CommandError(f"输出文件 {f} 已存在：请换一个文件名或先删除它")
    try:
        save_park(park, out)
        if park.fn_criterion:
            save_fn_criterion(out, park.fn_criterion)
        if park.population_raster is not None:
            save_population_raster(out, population_geotiff(park.population_raster))
    except OSError as exc:
        raise CommandError(f"无法写入 {out}：{exc.strerror or exc}") from None
    print(f"园区 {args.park_id}（{park.name}）→ {out}")
    if park.fn_criterion:
        print("  含已核对的社会风险判据常数（fn_criterion 表）")
    if park.population_raster is not None:
        print(f"  人口栅格 → {pop}（夜间 {park.population_raster.total_night:,.0f} 人）")
    return 0
