# Planted: RunPython without reverse_code cannot be unapplied.
from django.db import migrations


def touch(apps, schema_editor):
    Invoice = apps.get_model("billing", "Invoice")
    for invoice in Invoice.objects.all():
        invoice.save()


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_reset_amounts")]
    operations = [
        migrations.RunPython(touch),
    ]
