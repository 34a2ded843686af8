"""``parkrisk rect init | import | export | stats | plan | user-add | user-passwd | demo-users | findings | verify``:
the 一园一策 ledger from the shell.

The command line acts as a local park administrator recorded as ``cli:<operating-system user>`` in the history:
whoever can run it already has the store file (or the database credentials). Bad input, a full disk, a read-only
store or a refused database right end in a Chinese message and exit code 1, never a traceback; a failed write leaves
the store as it was. The store is never the park file itself. On PostGIS, ``init`` runs as the owner of the schema
(``--app-role`` names the application's login role, which gets only the rights it needs); every other command
connects as the application's role.
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import os
import sys
from pathlib import Path

from app.present.numbers import beijing_today
from geodata import ParkDataError, load_park
from geodata.store import (
    ROLES,
    DuplicateItemError,
    ImportValidationError,
    PermissionDeniedError,
    StoreError,
    User,
    is_postgres_target,
    store_for_park,
)

__all__ = ["register"]


def _cli_user() -> User:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return User(f"cli:{who}", "admin", display_name="命令行管理员")


def _open(args, out, *, owner: bool = False):
    try:
        park = load_park(args.park)
    except ParkDataError as exc:
        print(exc.report.to_text_zh() if exc.report is not None else f"园区数据错误：{exc}", file=out)
        return None, None
    except OSError as exc:
        print(f"无法打开 {args.park}：{exc.strerror or exc}", file=out)
        return None, None
    try:
        store = store_for_park(args.park, park.rectifications, store=args.store, owner=owner)
    except (StoreError, ValueError, OSError) as exc:
        print(f"无法打开整改台账：{exc}", file=out)
        return None, None
    return park, store


def _names(park) -> dict[str, str]:
    return dict(zip(park.enterprises["enterprise_id"], park.enterprises["name"], strict=True))


def _today(args) -> dt.date:
    return dt.date.fromisoformat(args.today) if args.today else beijing_today()


def _guarded(cmd):
    """A store that cannot be written (full disk, read-only, refused right) or is set up wrongly: the store's
    Chinese message and exit code 1 instead of a traceback (the write was rolled back)."""

    @functools.wraps(cmd)
    def run(args) -> int:
        try:
            return cmd(args)
        except StoreError as exc:
            print(str(exc), file=sys.stdout)
            return 1

    return run


def cmd_init(args) -> int:
    out = sys.stdout
    pg = is_postgres_target(args.store or os.environ.get("PARKRISK_STORE") or "")
    park, store = _open(args, out, owner=pg)
    if store is None:
        return 1
    try:
        print(f"整改台账：{store}，共 {store.count_items()} 项", file=out)
        if pg and args.app_role:
            password = os.environ.get(args.app_password_env) if args.app_password_env else None
            created = store.grant_app_role(args.app_role, password=password)
            print(
                f"已{'创建并' if created else ''}授权应用角色 {args.app_role}：只能查询和追加历史记录、登记和修改事项"
                f"（每次修改必须同时写入历史记录），不能删除、清空或改写历史。请把应用的 PARKRISK_STORE 设为该角色的"
                f"连接串（如 postgresql://{args.app_role}:密码@主机/数据库）。",
                file=out,
            )
        elif pg:
            print(
                "注意：尚未授权应用角色。应用不能以所有者身份连接，请加 --app-role <应用角色> 重新执行本命令。",
                file=out,
            )
    except ValueError as exc:
        print(f"无法授权应用角色：{exc}", file=out)
        return 1
    finally:
        store.close()
    return 0


def cmd_verify(args) -> int:
    out = sys.stdout
    park, store = _open(args, out)
    if store is None:
        return 1
    try:
        report = store.verify(_cli_user())
    finally:
        store.close()
    print(f"整改台账：{store}", file=out)
    print(report.to_text_zh(), file=out)
    return 0 if report.ok else 1


def cmd_import(args) -> int:
    from analysis.regulation.rectification import parse_inspection_table
    from app.reports.rectification_xlsx import read_inspection_xlsx

    out = sys.stdout
    park, store = _open(args, out)
    if store is None:
        return 1
    try:
        table = read_inspection_xlsx(args.xlsx, sheet=args.sheet if args.sheet is not None else 0)
    except (OSError, ValueError) as exc:
        print(f"无法读取 {args.xlsx}：{exc}", file=out)
        return 1
    geoms = dict(zip(park.enterprises["enterprise_id"], park.enterprises.geometry, strict=True))
    park_id = str(park.parks["park_id"].iloc[0]) if len(park.parks) else None
    recs, problems = parse_inspection_table(
        table, park_id=park_id, enterprises=geoms, enterprise_names={v: k for k, v in _names(park).items()}
    )
    if problems:
        print(f"导入失败：发现 {len(problems)} 处问题，未导入任何事项。", file=out)
        for p in problems:
            print("  " + p.to_text_zh(), file=out)
        return 1
    try:
        ids = store.import_items(_cli_user(), recs, source=Path(args.xlsx).name)
    except (ImportValidationError, DuplicateItemError, PermissionDeniedError) as exc:
        print(str(exc), file=out)
        return 1
    finally:
        store.close()
    print(f"已导入 {len(ids)} 项：{'、'.join(ids[:10])}{'等' if len(ids) > 10 else ''}", file=out)
    return 0


def cmd_stats(args) -> int:
    from analysis.regulation.rectification import closure_stats

    out = sys.stdout
    park, store = _open(args, out)
    if store is None:
        return 1
    items = store.items_frame(_cli_user())
    store.close()
    today = _today(args)
    stats = closure_stats(items, by=args.by, today=today)
    names = _names(park) if args.by == "enterprise_id" else {}
    print(f"统计截止 {today:%Y-%m-%d}（整改率 = 已销号 / 事项总数）", file=out)
    print(
        f"{'分组':<16}{'事项（项）':>8}{'已销号（项）':>10}{'整改率':>8}{'逾期（项）':>8}{'重大隐患（项）':>10}",
        file=out,
    )
    for _, r in stats.iterrows():
        rate = "—" if r["closure_rate"] != r["closure_rate"] else f"{100 * r['closure_rate']:.1f}%"
        label = names.get(r["group"], r["group"])
        print(
            f"{label:<16}{r['total']:>8d}{r['closed']:>10d}{rate:>8}{r['overdue']:>8d}{r['major']:>10d}",
            file=out,
        )
    return 0


def _write_plan(park, store, *, enterprise, out_dir: Path, today: dt.date, out) -> list[Path]:
    from analysis.regulation.rectification import plan_report
    from app.reports.rectification_docx import static_map_png, trend_chart_png, write_plan_docx
    from app.reports.rectification_xlsx import write_plan_xlsx

    user = _cli_user()
    items = store.items_frame(user)
    if enterprise is not None:
        if enterprise not in set(park.enterprises["enterprise_id"]):
            raise ValueError(
                f"企业编号 {enterprise!r} 不在园区中；可选：{sorted(park.enterprises['enterprise_id'])}"
            )
        items = items[items["enterprise_id"] == enterprise]
    rep = plan_report(
        items, park_name=park.name, today=today, enterprise_names=_names(park), enterprise_id=enterprise
    )
    ents = (
        park.enterprises
        if enterprise is None
        else park.enterprises[park.enterprises["enterprise_id"] == enterprise]
    )
    focus = None if enterprise is None else ents
    png = static_map_png(items, parks=park.parks, enterprises=ents, today=today, focus=focus)
    stem = rep.title.replace(" ", "_").replace("/", "_")
    docx = write_plan_docx(
        rep,
        out_dir / f"{stem}.docx",
        map_png=png,
        trend_png=trend_chart_png(rep.trend) if len(rep.trend) else None,
    )
    history = store.history(user)
    history = history[history["item_id"].isin(items["item_id"])]
    xlsx = write_plan_xlsx(
        items,
        out_dir / f"{stem}.xlsx",
        park_name=park.name,
        history=history,
        enterprise_names=_names(park),
        today=today,
    )
    return [docx, xlsx]


def cmd_export(args) -> int:
    out = sys.stdout
    park, store = _open(args, out)
    if store is None:
        return 1
    out_dir = Path(args.output)
    scopes = [None] if not args.per_enterprise else [None, *sorted(park.enterprises["enterprise_id"])]
    if args.enterprise:
        scopes = [args.enterprise]
    try:
        for ent in scopes:
            for p in _write_plan(park, store, enterprise=ent, out_dir=out_dir, today=_today(args), out=out):
                print(f"已生成：{p}", file=out)
    except (ValueError, OSError) as exc:
        print(f"导出失败：{exc}", file=out)
        return 1
    finally:
        store.close()
    return 0


def cmd_user_add(args) -> int:
    from app.auth import hash_password

    out = sys.stdout
    park, store = _open(args, out)
    if store is None:
        return 1
    password = os.environ.get(args.password_env) if args.password_env else getpass.getpass("密码：")
    if not password:
        print("未提供密码", file=out)
        return 1
    try:
        actor = None if store.count_users() == 0 else _cli_user()
        store.add_user(
            actor,
            args.username,
            password_hash=hash_password(password),
            role=args.role,
            enterprise_id=args.enterprise,
            display_name=args.name or "",
        )
    except (ValueError, StoreError) as exc:
        print(f"无法添加用户：{exc}", file=out)
        return 1
    finally:
        store.close()
    print(f"已添加用户 {args.username}（{args.role}）", file=out)
    return 0


def cmd_user_passwd(args) -> int:
    """Set a user's password (a forgotten one): every session of the user ends, in every browser."""
    from app.auth import hash_password

    out = sys.stdout
    park, store = _open(args, out)
    if store is None:
        return 1
    password = os.environ.get(args.password_env) if args.password_env else getpass.getpass("新密码：")
    if not password:
        print("未提供新密码", file=out)
        return 1
    try:
        ended = store.set_password_hash(args.username, hash_password(password))
    except (ValueError, StoreError) as exc:
        print(f"无法重设密码：{str(exc).split(' / ')[0]}", file=out)
        return 1
    finally:
        store.close()
    print(
        f"已重设用户 {args.username} 的密码，并结束其 {ended} 个登录会话（所有浏览器须用新密码重新登录）",
        file=out,
    )
    return 0


def cmd_demo_users(args) -> int:
    from app.auth import create_demo_users

    out = sys.stdout
    park, store = _open(args, out)
    if store is None:
        return 1
    try:
        created = create_demo_users(store, list(park.enterprises["enterprise_id"]))
    finally:
        store.close()
    if not created:
        print("台账中已有用户，未创建演示账号。", file=out)
        return 0
    print("已创建演示账号（仅用于虚构示例园区，切勿用于真实园区）：", file=out)
    for u, p, r in created:
        print(f"  {u} / {p}（{r}）", file=out)
    return 0


def cmd_findings(args) -> int:
    """Run the domino analysis (and the 五室 check) on the park, list the findings, optionally create the items."""
    from analysis.errors import AnalysisInputError
    from analysis.regulation.findings import FindingsOptions, park_findings, propose_from_findings
    from analysis.regulation.rectification import FINDING_KINDS
    from geodata import schema

    out = sys.stdout
    try:
        options = FindingsOptions(min_probability=args.min_probability, five_rooms=not args.no_rooms)
    except AnalysisInputError:
        print(f"--min-probability={args.min_probability} 无效：应在 0–1 之间", file=out)
        return 1
    park, store = _open(args, out)
    if store is None:
        return 1
    try:
        print(f"正在进行多米诺效应分析{'与五室校核' if options.five_rooms else ''}……", file=out)
        findings = park_findings(park, options=options)
        user = _cli_user()
        prop = propose_from_findings(
            findings,
            park,
            links=store.finding_links(user),
            items=store.items_frame(user),
            today=_today(args),
        )
        names = _names(park)
        n_major = sum(f.hazard_level == "major" for f in prop.findings)
        print(f"分析发现 {len(prop.findings)} 项（重大隐患 {n_major} 项）：", file=out)
        for k, (p, s) in enumerate(zip(prop.proposals, prop.status.itertuples(index=False), strict=True), 1):
            f = p.finding
            who = names.get(f.enterprise_id, f.enterprise_id) if f.enterprise_id else "园区"
            print(
                f"{k:3d}. [{p.record['item_id']}] {FINDING_KINDS[f.kind][0]}｜"
                f"{schema.label_zh('hazard_level', f.hazard_level)}｜{who}｜{s.status_zh}\n     {f.description_zh}",
                file=out,
            )
        todo = prop.new
        if not args.create:
            print(f"其中 {len(todo)} 项尚未生成整改事项；加 --create 生成。", file=out)
            return 0
        try:
            ids = store.create_from_findings(user, [(p.record, p.link) for p in todo])
        except (ImportValidationError, DuplicateItemError, PermissionDeniedError) as exc:
            print(str(exc), file=out)
            return 1
        print(f"已生成 {len(ids)} 项整改事项（已生成过的发现不重复生成）。", file=out)
        return 0
    finally:
        store.close()


def register(subparsers) -> None:
    from analysis.regulation.findings import FindingsOptions

    p = subparsers.add_parser("rect", help="一园一策整改台账：初始化、导入、导出、统计、用户")
    sub = p.add_subparsers(dest="rect_command", metavar="子命令")

    def common(sp):
        sp.add_argument("park", help="园区 GeoPackage（不会被修改）")
        sp.add_argument(
            "--store",
            default=None,
            help="整改台账：.gpkg 路径或 postgresql:// 连接串（默认在 PARKRISK_DATA_DIR 下自动创建）",
        )

    sp = sub.add_parser(
        "init",
        help="由园区的整改事项图层初始化台账（已有数据时不变）；PostGIS 上以所有者身份建表并授权应用角色",
    )
    common(sp)
    sp.add_argument(
        "--app-role",
        default=None,
        help="PostGIS：应用连接所用的登录角色（不拥有任何表；缺失时创建），授予它所需的最小权限",
    )
    sp.add_argument("--app-password-env", default=None, help="PostGIS：新建应用角色时从该环境变量读取其密码")
    sp.set_defaults(func=_guarded(cmd_init))

    sp = sub.add_parser(
        "verify", help="校验审计链：历史记录是否被修改、删除或调换顺序，事项是否被绕过系统修改"
    )
    common(sp)
    sp.set_defaults(func=_guarded(cmd_verify))

    sp = sub.add_parser("import", help="导入 Excel 检查清单（任一行有误则整表不导入）")
    common(sp)
    sp.add_argument("xlsx", help="Excel 文件（.xlsx），第 1 行为中文表头")
    sp.add_argument("--sheet", default=None, help="工作表名称（默认第一个）")
    sp.set_defaults(func=_guarded(cmd_import))

    sp = sub.add_parser("stats", help="整改率、逾期、重大隐患统计")
    common(sp)
    sp.add_argument(
        "--by", default="enterprise_id", choices=["park_id", "enterprise_id", "category", "hazard_level"]
    )
    sp.add_argument("--today", default=None, help="统计日期 YYYY-MM-DD（默认今天）")
    sp.set_defaults(func=_guarded(cmd_stats))

    for name, helptext in (("export", "导出 Word 整改方案和 Excel 台账"), ("plan", "同 export")):
        sp = sub.add_parser(name, help=helptext)
        common(sp)
        sp.add_argument("-o", "--output", required=True, help="输出文件夹")
        sp.add_argument("--enterprise", default=None, help="只导出该企业（一企一策）")
        sp.add_argument("--per-enterprise", action="store_true", help="园区方案之外为每个企业各生成一份")
        sp.add_argument("--today", default=None, help="统计日期 YYYY-MM-DD（默认今天）")
        sp.set_defaults(func=_guarded(cmd_export))

    sp = sub.add_parser("user-add", help="添加用户（密码只以 bcrypt 散列保存）")
    common(sp)
    sp.add_argument("--username", required=True)
    sp.add_argument("--role", required=True, choices=list(ROLES))
    sp.add_argument("--enterprise", default=None, help="企业用户所属企业编号")
    sp.add_argument("--name", default=None, help="显示名称")
    sp.add_argument("--password-env", default=None, help="从该环境变量读取密码（默认交互输入）")
    sp.set_defaults(func=_guarded(cmd_user_add))

    sp = sub.add_parser("user-passwd", help="重设用户密码（并结束该用户的全部登录会话）")
    common(sp)
    sp.add_argument("--username", required=True)
    sp.add_argument("--password-env", default=None, help="从该环境变量读取新密码（默认交互输入）")
    sp.set_defaults(func=_guarded(cmd_user_passwd))

    sp = sub.add_parser("demo-users", help="为示例园区创建演示账号（仅当台账尚无用户）")
    common(sp)
    sp.set_defaults(func=_guarded(cmd_demo_users))

    sp = sub.add_parser("findings", help="由多米诺分析与五室校核结果列出分析发现，--create 生成整改事项")
    common(sp)
    sp.add_argument("--create", action="store_true", help="为尚未生成的发现创建整改事项（一个事务）")
    sp.add_argument(
        "--min-probability",
        type=float,
        default=FindingsOptions.min_probability,
        help=f"多米诺升级概率下限（-），默认 {FindingsOptions.min_probability:g}",
    )
    sp.add_argument("--no-rooms", action="store_true", help="不进行五室校核")
    sp.add_argument("--today", default=None, help="发现日期 YYYY-MM-DD（默认今天）")
    sp.set_defaults(func=_guarded(cmd_findings))

    def no_sub(args) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=no_sub)
