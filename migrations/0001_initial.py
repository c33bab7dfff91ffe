from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import EntityType, LogStatus, SyncDirection, SyncOperation, SyncStatus
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Client',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('first_name', fields.CharField(max_length=100)),
                ('last_name', fields.CharField(max_length=100)),
                ('email', fields.CharField(max_length=254)),
                ('email_key', fields.CharField(unique=True, max_length=254)),
                ('company_name', fields.CharField(null=True, max_length=200)),
                ('phone_number', fields.CharField(null=True, max_length=50)),
                ('address1', fields.CharField(null=True, max_length=255)),
                ('address2', fields.CharField(null=True, max_length=255)),
                ('city', fields.CharField(null=True, max_length=100)),
                ('state', fields.CharField(null=True, max_length=100)),
                ('postcode', fields.CharField(null=True, max_length=20)),
                ('country', fields.CharField(null=True, max_length=2)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'clients', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SyncLog',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('operation', fields.CharEnumField(description='PUSH: PUSH\nPULL: PULL\nUPDATE: UPDATE\nLINK: LINK\nUNLINK: UNLINK\nLIST: LIST\nFETCH: FETCH\nTEST: TEST', enum_type=SyncOperation, max_length=10)),
                ('status', fields.CharEnumField(description='SUCCESS: SUCCESS\nERROR: ERROR', enum_type=LogStatus, max_length=10)),
                ('entity_type', fields.CharEnumField(null=True, description='CLIENT: CLIENT', enum_type=EntityType, max_length=20)),
                ('local_id', fields.IntField(null=True)),
                ('whmcs_id', fields.IntField(null=True)),
                ('whmcs_action', fields.CharField(null=True, max_length=64)),
                ('request_data', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('response_data', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('error_message', fields.TextField(null=True, unique=False)),
                ('duration_ms', fields.IntField(null=True)),
                ('actor', fields.CharField(null=True, max_length=100)),
                ('correlation_id', fields.CharField(db_index=True, max_length=36)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'sync_logs', 'app': 'models', 'indexes': [Index(fields=['entity_type', 'local_id']), Index(fields=['entity_type', 'whmcs_id']), Index(fields=['status', 'created_at']), Index(fields=['operation', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One audit entry: an operation, or one WHMCS call made by it (same correlation id).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SyncMap',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entity_type', fields.CharEnumField(description='CLIENT: CLIENT', enum_type=EntityType, max_length=20)),
                ('local_id', fields.IntField()),
                ('whmcs_id', fields.IntField(null=True)),
                ('status', fields.CharEnumField(description='SYNCED: SYNCED\nPENDING: PENDING\nERROR: ERROR', enum_type=SyncStatus, max_length=10)),
                ('last_synced_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_direction', fields.CharEnumField(null=True, description='PUSH: PUSH\nPULL: PULL', enum_type=SyncDirection, max_length=10)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('snapshot', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('lease_token', fields.CharField(null=True, max_length=36)),
                ('lease_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'sync_map', 'app': 'models', 'unique_together': (('entity_type', 'local_id'), ('entity_type', 'whmcs_id')), 'indexes': [Index(fields=['status', 'entity_type'])], 'pk_attr': 'id', 'table_description': 'One link between a local record and a WHMCS record.'},
            bases=['Model'],
        ),
    ]
