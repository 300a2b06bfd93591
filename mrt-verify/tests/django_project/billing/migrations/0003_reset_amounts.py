# Planted: the reverse does nothing, so the amounts are not given back.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_bump_amounts")]
    operations = [
        migrations.RunSQL(
            "UPDATE billing_invoice SET amount = 0",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
