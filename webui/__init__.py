"""The phone web UI, as a Flask application factory.

    app = create_app(config)          # a sync.config.Config
    app = create_app(test_config={"DATA_DIR": tmp_path})
"""

from flask import Flask

from sync.box import open_box
from sync.config import load_config


def create_app(config=None, test_config=None):
    """Build the app for *config* (default: load_config()); *test_config* overrides Flask settings."""
    if config is None:
        data_dir = (test_config or {}).get("DATA_DIR")
        config = load_config(data_dir)
    app = Flask(__name__)
    app.config.from_mapping(HEMBAS=config)
    if test_config:
        app.config.update(test_config)
    app.extensions["hembas_box"] = open_box(config)

    from . import status
    app.register_blueprint(status.bp)
    return app
