# Planted: the column's values are lost (its reverse re-adds it empty).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0003_product_description")]
    operations = [
        migrations.RemoveField("product", "sku"),
    ]
