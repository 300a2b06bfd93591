# Planted: the rows of the deleted model are lost (its reverse re-creates the table empty).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("billing", "0005_legacy")]
    operations = [
        migrations.DeleteModel("Legacy"),
    ]
