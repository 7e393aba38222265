"""``hembas serve``: the web UI under waitress."""

import logging

from sync.cli import add_command

logger = logging.getLogger(__name__)


def register(subparsers):
    serve = add_command(subparsers, "serve", help="starta webbgränssnittet", handler=cmd_serve)
    serve.add_argument("--host", help="address to listen on (default from configuration: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default from configuration: 8080)")


def cmd_serve(args, config):
    import waitress

    from . import create_app

    host = args.host or config["web"]["host"]
    port = args.port or config["web"]["port"]
    app = create_app(config)
    logger.info("serving on http://%s:%d", host, port)
    waitress.serve(app, host=host, port=port, threads=config["web"]["threads"], ident="hembas")
