from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0004_remove_product_sku")]
    operations = [
        migrations.RenameField("product", "description", "details"),
    ]
