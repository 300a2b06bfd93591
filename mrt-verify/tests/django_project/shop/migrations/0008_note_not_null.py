# Planted: Django fills the NULLs with the default before SET NOT NULL; the reverse keeps the fill.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0007_product_note")]
    operations = [
        migrations.AlterField(
            "product",
            "note",
            models.CharField(default="n/a", max_length=30),
            preserve_default=False,
        ),
    ]
