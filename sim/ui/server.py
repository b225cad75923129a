"""``triad-explore [--port N] [--host H] [--save-dir DIR]``: serve the explorer on localhost.

It prints ``http://HOST:PORT/?token=…``: the token is new at each start, and the guard
(``sim.ui.guard``) refuses requests without it, from another Origin or with another Host.

Solara's server (uvicorn + starlette) runs in this process with the page ``sim.ui.app``.
No network is needed: Solara's JavaScript comes from the ``solara-assets`` package (its
files under ``<prefix>/share/solara/cdn``), the CDN is never asked, and Solara's usage
telemetry and version check are off.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path
from typing import Sequence

OFFLINE_ENV = {
    "SOLARA_APP": "sim.ui.app",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage reports to solara's servers
    "SOLARA_MODE": "production",
    "SOLARA_THEME_SHOW_BANNER": "False",
}


def assets_ok() -> str | None:
    """Why Solara would need the internet for its front end, or None."""
    try:
        import solara_assets  # noqa: F401
        from solara.server import settings
    except ImportError as exc:
        return f"{exc.name} is not installed: pip install -e \".[explore-ui]\""
    cdn = Path(settings.assets.proxy_cache_dir)
    if not any(cdn.glob("*")):
        return f"no Solara assets in {cdn}: reinstall solara-assets"
    return None


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="triad-explore", description="Serve triad's interactive explorer on localhost.")
    ap.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any free port)")
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    ap.add_argument("--save-dir", default=None, help="default directory of the save button (default: the current one)")
    ap.add_argument("--actors", default=None, help="a shipped actors option, e.g. region (default: the triangle)")
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if not 0 <= args.port <= 65535:
        print(f"triad-explore: error: --port: {args.port} is out of range; allowed: 0..65535", file=sys.stderr)
        return 2
    if args.save_dir is not None and not Path(args.save_dir).is_dir():
        print(f"triad-explore: error: --save-dir: {args.save_dir!r} is not a directory", file=sys.stderr)
        return 2
    from sim.config.locate import conf_dir

    shipped = sorted(p.stem for p in (conf_dir() / "actors").glob("*.yaml"))
    if args.actors is not None and args.actors not in shipped:
        print(f"triad-explore: error: --actors: {args.actors!r} is not a shipped actors option; allowed: "
              f"{', '.join(shipped)}", file=sys.stderr)
        return 2
    import socket

    try:  # a port in use or a bad host: one line, before anything is printed (L1)
        with socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((args.host, args.port))
            port = s.getsockname()[1]
    except OSError as exc:
        print(f"triad-explore: error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    for k, v in OFFLINE_ENV.items():
        os.environ.setdefault(k, v)
    problem = assets_ok()
    if problem:
        print(f"triad-explore: error: {problem}", file=sys.stderr)
        return 2
    import warnings

    import uvicorn

    # on 127.0.0.1 (not "localhost") Solara warns on every page that its cookie falls back to samesite=lax: fine here
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)

    from sim.ui import compute, options

    options.set_save_dir(str(Path(args.save_dir).resolve()) if args.save_dir else None)
    options.set_actors(args.actors)
    # compose the config and compile the day loop while the browser loads the page
    threading.Thread(target=compute.warm_up, name="triad-warm-up", daemon=True).start()
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = args.host, str(port)
    from solara.server.starlette import app as solara_app

    from sim.ui.guard import Guard, allowed_hosts, new_token

    token = new_token()
    app = Guard(solara_app, token, allowed_hosts(args.host, port), port)
    print(f"triad explorer: http://{args.host}:{port}/?token={token}  (Ctrl-C stops it)", flush=True)
    config = uvicorn.Config(app, host=args.host, port=port, log_level="warning", timeout_graceful_shutdown=2)
    uvicorn.Server(config).run()
    return 0


def entry() -> None:
    code = main()
    # a simulation still running in a worker thread must not keep a stopped server alive (L20)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
