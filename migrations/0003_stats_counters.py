from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index
from models.counters import install_counters


async def counters_forward(apps, schema_editor):
    # Triggers keep `counters` exact from here on; the tables' current rows are counted once.
    await install_counters(schema_editor.client)

class Migration(migrations.Migration):
    dependencies = [('models', '0002_tokens_and_unconfirmed')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Counter',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=100)),
                ('n', fields.BigIntField(default=0)),
            ],
            options={'table': 'counters', 'app': 'models', 'pk_attr': 'name', 'table_description': 'Row counts kept by triggers on sync_map and sync_logs.'},
            bases=['Model'],
        ),
        ops.RemoveIndex(
            model_name='SyncMap',
            name=None,
            fields=['status', 'entity_type'],
        ),
        ops.AddIndex(
            model_name='SyncMap',
            index=Index(fields=['status', 'lease_expires_at']),
        ),
        ops.RunPython(counters_forward),
    ]
