"""The models, as Tortoise registers them: tests never keep a list of their own."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.apps import Apps
from tortoise.models import Model

import models
from whmcs_bridge.db import tortoise_config


def registered_models() -> list[type[Model]]:
    """Every model of the app, by table name: the current Tortoise context's registry, or
    (outside one) what Tortoise discovers in the app's configured model modules."""
    apps = Tortoise.apps
    if apps is not None:
        found = list(apps.get_models_iterable())
    else:
        config = tortoise_config("sqlite://:memory:")["apps"]
        found = [
            model
            for label, app in config.items()
            for module in app["models"]
            for model in Apps._discover_models(module, label)
        ]
    return sorted(set(found), key=lambda m: m._meta.db_table)


def data_models() -> list[type[Model]]:
    """The models a test empties: every registered one but the counters, which the triggers
    keep from the others' rows (emptying those brings every counter to zero)."""
    return [m for m in registered_models() if m is not models.Counter]
