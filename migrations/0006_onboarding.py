from tortoise import migrations
from tortoise.migrations import operations as ops
from models.onboarding import Category, JobKind, JobPhase, Side
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_entity_types')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OnboardingJob',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='RECONCILE: RECONCILE\nIMPORT: IMPORT\nPUSH: PUSH', enum_type=JobKind, max_length=10)),
                ('applying', fields.BooleanField(default=False)),
                ('phase', fields.CharEnumField(default=JobPhase.WHMCS, description='WHMCS: WHMCS\nLOCAL: LOCAL\nSORT: SORT\nACT: ACT\nDONE: DONE', enum_type=JobPhase, max_length=10)),
                ('active', fields.CharField(null=True, unique=True, max_length=12)),
                ('whmcs_total', fields.IntField(null=True)),
                ('whmcs_next_offset', fields.IntField(default=0)),
                ('whmcs_done', fields.IntField(default=0)),
                ('local_cursor', fields.CharField(null=True, max_length=64)),
                ('local_done', fields.IntField(default=0)),
                ('local_complete', fields.BooleanField(default=False)),
                ('sort_cursor', fields.CharField(null=True, max_length=300)),
                ('act_total', fields.IntField(null=True)),
                ('act_done', fields.IntField(default=0)),
                ('act_failed', fields.IntField(default=0)),
                ('summary', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('runs', fields.IntField(default=0)),
                ('actor', fields.CharField(null=True, max_length=100)),
                ('lease_token', fields.CharField(null=True, max_length=36)),
                ('lease_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'onboarding_jobs', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OnboardingRow',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.ForeignKeyField('models.OnboardingJob', source_field='job_id', db_constraint=True, to_field='id', related_name='rows', on_delete=OnDelete.CASCADE)),
                ('side', fields.CharEnumField(description='WHMCS: W\nLOCAL: L', enum_type=Side, max_length=1)),
                ('record_id', fields.CharField(max_length=64)),
                ('email_key', fields.CharField(max_length=254)),
                ('data', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('link_id', fields.CharField(null=True, max_length=64)),
                ('category', fields.CharEnumField(null=True, description='LINKED: linked\nWOULD_LINK: would_link\nCONFLICT: conflict\nLOCAL_ONLY: local_only\nWHMCS_ONLY: whmcs_only\nAMBIGUOUS: ambiguous', enum_type=Category, max_length=12)),
                ('note', fields.TextField(null=True, unique=False)),
                ('outcome', fields.CharField(null=True, max_length=20)),
                ('outcome_detail', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'onboarding_rows', 'app': 'models', 'unique_together': (('job_id', 'side', 'record_id'),), 'indexes': [Index(fields=['job_id', 'email_key']), Index(fields=['job_id', 'category'])], 'pk_attr': 'id', 'table_description': "One WHMCS or local client of a job. `link_id` is the other side's id its sync-map link"},
            bases=['Model'],
        ),
    ]
