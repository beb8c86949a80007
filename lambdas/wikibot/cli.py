"""The `wikibot` command line: run the local platform and manage users, wikis and tokens."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from wikibot.errors import WikibotError

if TYPE_CHECKING:
    from wikibot.registry import Registry
    from wikibot.settings import Settings

DEFAULT_DATA = Path(".wikibot")


def _common() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="data folder (default: ./.wikibot)"
    )
    parent.add_argument("--json", action="store_true", help="print machine-readable JSON")
    return parent


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    common = _common()
    parser = argparse.ArgumentParser(
        prog="wikibot",
        description="Private git-backed Markdown wikis as memory for AI agents.",
        epilog="Start with `wikibot dev`; every subcommand has --help.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dev = sub.add_parser(
        "dev",
        parents=[common],
        help="run the whole platform locally",
        description="Serve the web UI, MCP, git and the platform API on this machine through the "
        "real Lambda handlers. The first run creates the data folder, a user 'dev', a wiki "
        "'dev/notes' and a token, and prints them.",
    )
    dev.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    dev.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks one)")
    dev.add_argument(
        "--instances",
        type=int,
        default=8,
        metavar="N",
        help="worker processes (Lambda execution environments) per function (default: 8)",
    )
    dev.set_defaults(data=None)  # None: WIKIBOT_DATA if set, else ./.wikibot

    invoke = sub.add_parser(
        "invoke",
        parents=[common],
        help="run one Lambda invocation in a fresh process",
        description="Invoke one function exactly as Lambda runs it: a fresh process runs INIT "
        "(import and make_handler), then the handler with the event; the result is printed as "
        "JSON, and START/END/REPORT lines (with Init Duration) go to stderr. Settings come from "
        "WIKIBOT_* variables, with --data overriding the data folder.",
        epilog="Example: wikibot invoke mcp --event tests/events/apigw_v2_post_mcp.json",
    )
    invoke.add_argument("function", choices=["mcp", "wiki", "platform"], help="which function")
    invoke.add_argument(
        "--event", required=True, metavar="FILE", help="event JSON file, or - for stdin"
    )
    invoke.add_argument(
        "--timeout", type=float, default=60.0, help="seconds before the invocation is killed"
    )
    invoke.set_defaults(data=None)

    users = sub.add_parser("user", help="manage users").add_subparsers(dest="action", required=True)
    uc = users.add_parser("create", parents=[common], help="create a user")
    uc.add_argument("id", help="user id: lowercase letters, digits, '-' or '_'")
    uc.add_argument("--email", default="")
    uc.add_argument("--name", default="")

    wikis = sub.add_parser("wiki", help="manage wikis").add_subparsers(dest="action", required=True)
    wc = wikis.add_parser("create", parents=[common], help="create a wiki with starter pages")
    wc.add_argument("user", help="owner's user id")
    wc.add_argument("slug", help="wiki slug: lowercase letters, digits, '-' or '_'")
    wc.add_argument("--title", default="", help="wiki title (default: the slug)")
    wc.add_argument("--public", action="store_true", help="anyone may read it (default: private)")
    wl = wikis.add_parser("list", parents=[common], help="list a user's wikis")
    wl.add_argument("user")
    wd = wikis.add_parser("delete", parents=[common], help="delete a wiki, its tokens and pages")
    wd.add_argument("user")
    wd.add_argument("slug")
    wd.add_argument("--yes", action="store_true", help="confirm: this deletes the repository")

    tokens = sub.add_parser("token", help="manage API tokens").add_subparsers(
        dest="action", required=True
    )
    tc = tokens.add_parser("create", parents=[common], help="mint a token (shown once)")
    tc.add_argument("user", help="user the token acts as")
    tc.add_argument("wiki", help="wiki as OWNER/SLUG, or SLUG for the user's own wiki")
    tc.add_argument("--name", default="", help="label, e.g. 'laptop'")
    tl = tokens.add_parser("list", parents=[common], help="list a user's tokens")
    tl.add_argument("user")
    tr = tokens.add_parser("revoke", parents=[common], help="revoke a token by its id")
    tr.add_argument("user")
    tr.add_argument("token_id")

    members = sub.add_parser("member", help="manage who may use a wiki").add_subparsers(
        dest="action", required=True
    )
    ma = members.add_parser(
        "add",
        parents=[common],
        help="give a user a role on a wiki (or change it)",
        description="Roles: viewer reads; editor also writes, deletes and uploads; owner also "
        "manages members and tokens. The user must exist (signed in once, or `user create`).",
    )
    ma.add_argument("wiki", help="wiki as OWNER/SLUG")
    ma.add_argument("user", help="user id or email")
    ma.add_argument("--role", choices=["viewer", "editor", "owner"], default="viewer")
    ml = members.add_parser("list", parents=[common], help="list a wiki's owner and members")
    ml.add_argument("wiki", help="wiki as OWNER/SLUG")
    mr = members.add_parser(
        "remove", parents=[common], help="remove a member and revoke their tokens for the wiki"
    )
    mr.add_argument("wiki", help="wiki as OWNER/SLUG")
    mr.add_argument("user", help="user id")
    return parser


def _emit(args: argparse.Namespace, data: object, text: str) -> None:
    print(json.dumps(data, default=str) if args.json else text)


def _registry(args: argparse.Namespace) -> tuple[Settings, Registry]:
    from wikibot.local.dev import local_settings
    from wikibot.registry import open_registry

    settings = local_settings(args.data)
    return settings, open_registry(settings)


def cmd_dev(args: argparse.Namespace) -> None:
    """Run the local platform until interrupted."""
    from wikibot.local import dev, gateway, pool
    from wikibot.settings import from_env

    # Bind first so --port 0 can print the real address.
    routes: dict = {}  # filled once the handlers are configured for the bound address
    server = gateway.serve(routes, args.host, args.port)
    host, port = server.server_address[:2]
    base = f"http://{host}:{port}"
    # The user's own WIKIBOT_* hold; options given here (data folder, address) override them.
    setup = dev.prepare(args.data, base, from_env())
    pools = pool.start_pools(setup.settings, max_instances=args.instances)
    routes.update(pools)
    info = {
        "data": str(setup.settings.data_root),
        "wiki": f"{setup.user}/{setup.wiki}",
        **dev.urls(base, setup.user, setup.wiki),
        "token": setup.token,
        "created": setup.created,
    }
    mcp_url = info["mcp_url"]
    _emit(
        args,
        info,
        f"wikibot dev: {'created' if setup.created else 'using'} {info['data']}\n"
        f"  wiki:      {info['wiki']}\n"
        f"  web:       {info['web_url']}\n"
        f"  MCP URL:   {mcp_url}\n"
        f"  git clone: {info['git_url']}\n"
        f"  token:     {setup.token}\n"
        f"  Claude Code: claude mcp add --transport http wikibot {mcp_url} "
        f'--header "Authorization: Bearer {setup.token}"\n'
        f"Each function runs in up to {args.instances} worker processes. Press Ctrl+C to stop.",
    )
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so `finally` stops the workers
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        thread.join()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        for function_pool in pools.values():
            function_pool.close()


def cmd_invoke(args: argparse.Namespace) -> int:
    """Run one invocation in a fresh process and print its result."""
    from wikibot.local.dev import local_settings
    from wikibot.local.invoke import invoke_once, read_event
    from wikibot.settings import from_env

    event = read_event(args.event)
    settings = local_settings(args.data, base=from_env())
    status, output = invoke_once(args.function, event, settings, args.timeout)
    print(json.dumps(output, indent=None if args.json else 2, ensure_ascii=False))
    return status


def cmd_user(args: argparse.Namespace) -> None:
    """User subcommands."""
    _, registry = _registry(args)
    user = registry.create_user(args.id, args.email, args.name)
    _emit(args, asdict(user), f"Created user {user.id}")


def cmd_wiki(args: argparse.Namespace) -> None:
    """Wiki subcommands."""
    from wikibot import provision

    settings, registry = _registry(args)
    if args.action == "create":
        wiki = provision.create_wiki(
            settings, registry, args.user, args.slug, args.title, public=args.public
        )
        _emit(args, asdict(wiki), f"Created wiki {wiki.key} ({wiki.title})")
    elif args.action == "list":
        wikis = registry.list_wikis(args.user)
        _emit(args, [asdict(w) for w in wikis], "\n".join(f"{w.key}\t{w.title}" for w in wikis))
    else:
        if not args.yes:
            raise SystemExit(f"This deletes {args.user}/{args.slug} and its pages: add --yes.")
        provision.delete_wiki(settings, registry, args.user, args.slug)
        _emit(args, {"deleted": f"{args.user}/{args.slug}"}, f"Deleted {args.user}/{args.slug}")


def cmd_token(args: argparse.Namespace) -> None:
    """Token subcommands."""
    _, registry = _registry(args)
    if args.action == "create":
        owner, _, slug = args.wiki.rpartition("/")
        token, secret = registry.create_token(args.user, owner or args.user, slug, args.name)
        _emit(
            args,
            {**asdict(token), "secret": secret},
            f"Token {token.id} for {token.wiki_key} (shown once, keep it safe):\n{secret}",
        )
    elif args.action == "list":
        found = registry.list_tokens(args.user)
        _emit(
            args,
            [asdict(t) for t in found],
            "\n".join(
                f"{t.id}\t{t.wiki_key}\t{t.name or '-'}\t{'revoked' if t.revoked_at else 'live'}"
                for t in found
            )
            or "No tokens.",
        )
    else:
        registry.revoke_token(args.user, args.token_id)
        _emit(args, {"revoked": args.token_id}, f"Revoked {args.token_id}")


def _wiki_arg(value: str) -> tuple[str, str]:
    owner, _, slug = value.partition("/")
    if not owner or not slug:
        raise SystemExit(f"wikibot: give the wiki as OWNER/SLUG, not {value!r}")
    return owner, slug


def cmd_member(args: argparse.Namespace) -> None:
    """Member subcommands (the operator's tool: no session, no plan limits)."""
    from wikibot.auth import policy

    _, registry = _registry(args)
    owner, slug = _wiki_arg(args.wiki)
    if args.action == "add":
        user = registry.find_user_by_email(args.user) if "@" in args.user else None
        user_id = user.id if user else args.user
        member = registry.put_member(owner, slug, user_id, policy.validate_role(args.role))
        _emit(args, asdict(member), f"{member.user_id} is now {member.role} of {owner}/{slug}")
    elif args.action == "list":
        registry.get_wiki(owner, slug)
        rows = [{"user": owner, "role": "owner", "owner": True}] + [
            {"user": m.user_id, "role": m.role, "owner": False}
            for m in registry.list_members(owner, slug)
        ]
        _emit(args, rows, "\n".join(f"{r['user']}\t{r['role']}" for r in rows))
    else:
        registry.remove_member(owner, slug, args.user)
        revoked = registry.revoke_user_tokens(owner, slug, args.user)
        _emit(
            args,
            {"removed": args.user, "tokens_revoked": revoked},
            f"Removed {args.user} from {owner}/{slug} ({revoked} token(s) revoked)",
        )


COMMANDS = {
    "dev": cmd_dev,
    "invoke": cmd_invoke,
    "user": cmd_user,
    "wiki": cmd_wiki,
    "token": cmd_token,
    "member": cmd_member,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `wikibot` command."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args) or 0  # `invoke` returns 1 when the function failed
    except WikibotError as exc:
        print(f"wikibot: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
