from tortoise import migrations
from tortoise.migrations import operations as ops
from models.token import TokenScope
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_stats_counters')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='ApiToken',
            name='scope',
            field=fields.CharEnumField(description='READ: read\nWRITE: write\nMETRICS: metrics', enum_type=TokenScope, max_length=10),
        ),
    ]
