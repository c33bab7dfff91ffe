from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import EntityType
from tortoise import fields


class AlterChoices(ops.AlterField):
    """New EntityType values: only the field's description (the choices) changes, the column
    (varchar 20) does not. Tortoise 1.1's SQLite alter_field rebuilds the table and drops its
    unique_together constraints, so the database is left alone here; only the state moves."""

    async def database_forward(self, *args: object, **kwargs: object) -> None:
        return None

    async def database_backward(self, *args: object, **kwargs: object) -> None:
        return None


class Migration(migrations.Migration):
    dependencies = [('models', '0004_metrics_scope')]

    initial = False

    operations = [
        AlterChoices(
            model_name='SyncLog',
            name='entity_type',
            field=fields.CharEnumField(null=True, description='CLIENT: CLIENT\nSERVICE: SERVICE\nINVOICE: INVOICE\nORDER: ORDER\nTICKET: TICKET\nDOMAIN: DOMAIN', enum_type=EntityType, max_length=20),
        ),
        AlterChoices(
            model_name='SyncMap',
            name='entity_type',
            field=fields.CharEnumField(description='CLIENT: CLIENT\nSERVICE: SERVICE\nINVOICE: INVOICE\nORDER: ORDER\nTICKET: TICKET\nDOMAIN: DOMAIN', enum_type=EntityType, max_length=20),
        ),
    ]
